// sync: keeping the search index in step with the main database. After each commit the change's own
// search writes (writes.ts) go to SEARCH in one batch; if that fails the mail is filed all the same,
// its cases are named in search_stale, and the scheduled handler writes them again from the main
// database. A rebuild writes every case that way (all of them, or one workspace's).
import { and, asc, eq, gt, inArray, sql, type SQL } from 'drizzle-orm';
import { insert, type Change, type Write } from '../changes/change.ts';
import type { Db } from '../db/client.ts';
import { attachments, caseTags, cases, messages, searchStale, tags } from '../db/schema.ts';
import { searchWritesOf, type SearchStmt } from './writes.ts';

/** The index as commits see it; null when the deployment keeps none (the bench's baseline). */
export interface SearchIndex {
  d1: D1Database;
}

export function searchIndexOf(env: { SEARCH?: D1Database; SEARCH_INDEX?: string }): SearchIndex | null {
  return env.SEARCH && env.SEARCH_INDEX !== 'off' ? { d1: env.SEARCH } : null;
}

export async function runStmts(d1: D1Database, stmts: SearchStmt[]): Promise<void> {
  if (stmts.length) await d1.batch(stmts.map((s) => d1.prepare(s.sql).bind(...s.params)));
}

/**
 * The committed change's writes to the index, in one SEARCH batch. Never throws: the main commit
 * stands whatever happens here, and a case the index missed is named for the scheduled catch-up.
 */
export async function indexChange(deps: { db: Db; search?: SearchIndex | null }, change: Change, at: number): Promise<void> {
  const search = deps.search;
  if (!search) return;
  const { stmts, caseIds, resync } = searchWritesOf(change, at);
  try {
    await runStmts(search.d1, stmts);
    // Rare (merges, splits): a read of the main database, never on the path of a mail.
    if (resync.length) await writeCases(deps.db, search.d1, sql`SELECT ${cases.id} FROM ${cases} WHERE ${inArray(cases.id, resync)}`, resync);
  } catch (err) {
    console.error(`search index write failed; ${caseIds.length} case(s) marked for re-indexing`, err);
    try {
      if (caseIds.length)
        await deps.db.batch(
          caseIds.map((caseId) =>
            deps.db
              .insert(searchStale)
              .values({ caseId, workspaceId: change.workspaceId, markedAt: at })
              .onConflictDoUpdate({ target: searchStale.caseId, set: { markedAt: at } }),
          ) as [never, ...never[]],
        );
    } catch (markErr) {
      // Both databases refused: `npm run search:rebuild` is what remains.
      console.error('could not mark cases for re-indexing', markErr);
    }
  }
}

/** Removes cases from the index (their filters, tags and text). */
function dropStmts(caseId: string): SearchStmt[] {
  return [
    { sql: 'DELETE FROM search_text WHERE rowid = (SELECT doc FROM search_cases WHERE case_id = ?)', params: [caseId] },
    { sql: 'DELETE FROM search_case_tags WHERE case_id = ?', params: [caseId] },
    { sql: 'DELETE FROM search_cases WHERE case_id = ?', params: [caseId] },
  ];
}

/**
 * The index rows of the cases `which` selects (a subquery of case ids, so that no list of ids is
 * bound), written from scratch: the same derivation a commit uses, over the rows as stored.
 * `alsoDrop` names cases to remove from the index when the main database no longer has them.
 * Returns the case ids written.
 */
export async function writeCases(db: Db, search: D1Database, which: SQL, alsoDrop: string[] = []): Promise<string[]> {
  const [caseRows, messageRows, attachmentRows, tagRows] = await db.batch([
    db.select().from(cases).where(sql`${cases.id} IN (${which})`),
    db.select().from(messages).where(sql`${messages.caseId} IN (${which})`).orderBy(asc(messages.createdAt), asc(messages.id)),
    db
      .select({ messageId: attachments.messageId, filename: attachments.filename, inline: attachments.inline })
      .from(attachments)
      .innerJoin(messages, eq(messages.id, attachments.messageId))
      .where(sql`${messages.caseId} IN (${which})`)
      .orderBy(asc(attachments.createdAt), asc(attachments.id)),
    db.select({ caseId: caseTags.caseId, tag: tags }).from(caseTags).innerJoin(tags, eq(tags.id, caseTags.tagId)).where(sql`${caseTags.caseId} IN (${which})`),
  ]);
  const stmts: SearchStmt[] = [];
  for (const id of new Set([...caseRows.map((c) => c.id), ...alsoDrop])) stmts.push(...dropStmts(id));
  const seenTags = new Set<string>();
  const writes: Write[] = [];
  for (const c of caseRows) writes.push(insert('cases', c));
  const byMessage = new Map<string, typeof attachmentRows>();
  for (const a of attachmentRows) byMessage.set(a.messageId, [...(byMessage.get(a.messageId) ?? []), a]);
  for (const m of messageRows) {
    writes.push(insert('messages', m));
    for (const a of byMessage.get(m.id) ?? []) writes.push(insert('attachments', { ...a, id: '', workspaceId: m.workspaceId, contentType: '', size: 0, sha256: '', createdAt: 0 }));
  }
  for (const t of tagRows) {
    if (!seenTags.has(t.tag.id)) writes.push(insert('tags', t.tag));
    seenTags.add(t.tag.id);
    writes.push(insert('caseTags', { caseId: t.caseId, tagId: t.tag.id, workspaceId: t.tag.workspaceId, addedAt: 0, addedBy: '' }));
  }
  stmts.push(...searchWritesOf({ workspaceId: '', writes, events: [], outgoing: [], blobs: [] }, 0).stmts);
  await runStmts(search, stmts);
  return caseRows.map((c) => c.id);
}

/** Cases per batch when writing many: a page of reads and one SEARCH batch each. */
const PAGE = 100;

/** The scheduled catch-up: writes the cases a failed index write named, oldest first. */
export async function catchUpSearch(deps: { db: Db; search?: SearchIndex | null }, limit = 500): Promise<number> {
  const search = deps.search;
  if (!search) return 0;
  let done = 0;
  while (done < limit) {
    const stale = await deps.db.select().from(searchStale).orderBy(asc(searchStale.markedAt), asc(searchStale.caseId)).limit(PAGE);
    if (stale.length === 0) break;
    // The same page again as a subquery: a list of ids bound as parameters would pass D1's limit.
    await writeCases(deps.db, search.d1, sql`SELECT ${searchStale.caseId} FROM ${searchStale} ORDER BY ${searchStale.markedAt}, ${searchStale.caseId} LIMIT ${PAGE}`);
    // A case marked again meanwhile keeps its mark (its newer change may not be in what was read);
    // a case no longer in the main database loses it.
    await deps.db.batch(stale.map((s) => deps.db.delete(searchStale).where(sql`${searchStale.caseId} = ${s.caseId} AND ${searchStale.markedAt} = ${s.markedAt}`)) as [never, ...never[]]);
    done += stale.length;
  }
  return done;
}

/** Empties the index and writes every case of the main database again. Returns how many cases. */
export async function rebuildSearch(db: Db, search: D1Database, onPage?: (cases: number) => void, workspaceId?: string): Promise<number> {
  if (workspaceId === undefined) {
    await search.batch(['DELETE FROM search_text', 'DELETE FROM search_case_tags', 'DELETE FROM search_cases', 'DELETE FROM search_tags'].map((q) => search.prepare(q)));
  } else {
    // One workspace's rows only: its cases' text and tag links first, found through search_cases.
    await search.batch(
      [
        'DELETE FROM search_text WHERE rowid IN (SELECT doc FROM search_cases WHERE workspace_id = ?1)',
        'DELETE FROM search_case_tags WHERE case_id IN (SELECT case_id FROM search_cases WHERE workspace_id = ?1)',
        'DELETE FROM search_cases WHERE workspace_id = ?1',
        'DELETE FROM search_tags WHERE workspace_id = ?1',
      ].map((q) => search.prepare(q).bind(workspaceId)),
    );
  }
  let after = '';
  let total = 0;
  for (;;) {
    const page = sql`SELECT ${cases.id} FROM ${cases} WHERE ${and(gt(cases.id, after), workspaceId === undefined ? undefined : eq(cases.workspaceId, workspaceId))} ORDER BY ${cases.id} LIMIT ${PAGE}`;
    const ids = await writeCases(db, search, page);
    if (ids.length === 0) break;
    total += ids.length;
    after = ids.at(-1)!;
    onPage?.(total);
  }
  return total;
}
