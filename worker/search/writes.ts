// writes: what a committed Change does to the search index, derived from its writes alone. Pure.
//
// Derived generically from the rows a change writes (a case inserted or updated, a message, an
// attachment, a tag linked or unlinked), so a new planner that writes those rows keeps the index
// current without knowing it exists. Nothing is read from the main database: filing a mail costs the
// main database no extra call, and the index one batch.
import type { Change, Write } from '../changes/change.ts';

export interface SearchStmt {
  sql: string;
  params: Array<string | number | null>;
}

export interface SearchWrites {
  stmts: SearchStmt[];
  /** Every case the change touches in the index: what to write again if the batch fails. */
  caseIds: string[];
  /**
   * Cases whose messages moved or went (a merge, a split, a deletion): their rows cannot be derived
   * from the change alone, so they are written again from the main database after the batch.
   */
  resync: string[];
}

/** Longest text of one message kept in the index, in characters: a case is found by its words, not its whole archive. */
export const MAX_INDEXED_TEXT = 16_000;

/** A space-delimited list item as stored: lower case, no inner spaces (see the migration's note). */
const item = (s: string) => s.toLowerCase().replace(/\s+/g, '');

/** Appends `value` to a list column unless it is in it already. */
const addToList = (col: string) => `${col} = CASE WHEN instr(${col}, ' ' || ?1 || ' ') > 0 THEN ${col} ELSE ${col} || ?1 || ' ' END`;

/** Text appended to a column of the case's text row, one line per message. */
export const line = (s: string) => (s ? `${s.slice(0, MAX_INDEXED_TEXT)}\n` : '');

/** The case's text row, by its case id. */
const DOC = '(SELECT doc FROM search_cases WHERE case_id = ?)';

type Plain = string | number | boolean | null;
function plain(v: unknown): v is Plain {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

const sqlValue = (x: Plain) => (typeof x === 'boolean' ? Number(x) : x);

/** The case ids a `where` names by id (one, or `$in`). */
function idsOf(where: Record<string, unknown>, key: string): string[] {
  const v = where[key];
  if (typeof v === 'string') return [v];
  if (v && typeof v === 'object' && '$in' in v && Array.isArray(v.$in)) return v.$in.filter((x): x is string => typeof x === 'string');
  return [];
}

/** People of a message as one line: names and addresses, so `from:` and a word both find them. */
function addresses(json: unknown): Array<{ email: string; name: string }> {
  if (typeof json !== 'string') return [];
  try {
    const list = JSON.parse(json) as unknown;
    return Array.isArray(list)
      ? list.filter((a): a is { email: string; name: string } => typeof a?.email === 'string').map((a) => ({ email: a.email, name: typeof a.name === 'string' ? a.name : '' }))
      : [];
  } catch {
    return [];
  }
}

/** The columns of search_cases a case row's values set, for those given as plain values. */
function caseColumns(v: Record<string, unknown>): Record<string, Plain> {
  const out: Record<string, Plain> = {};
  const take = (from: string, to: string, map: (x: Plain) => Plain = (x) => x) => {
    const x = v[from];
    if (x !== undefined && plain(x)) out[to] = map(x);
  };
  take('workspaceId', 'workspace_id');
  take('mailboxId', 'mailbox_id');
  take('status', 'status');
  take('priority', 'priority');
  take('assigneeId', 'assignee_id');
  take('teamId', 'team_id');
  take('snoozedAt', 'snoozed', (x) => (x === null ? 0 : 1));
  take('slaState', 'sla_state');
  take('createdAt', 'created_at');
  return out;
}

/** When the case was last active, from the times a case row's values carry. */
function activity(v: Record<string, unknown>): number | null {
  const times = [v.lastMessageAt, v.updatedAt].filter((t): t is number => typeof t === 'number');
  return times.length ? Math.max(...times) : null;
}

/** The search writes of one committed change, at commit time `at`. */
export function searchWritesOf(change: Change, at: number): SearchWrites {
  const stmts: SearchStmt[] = [];
  const touched = new Set<string>();
  const resync = new Set<string>();
  /** The text insert's parameters of each case this change creates: [subject, people, files, notes, body, id]. */
  const fresh = new Map<string, Array<string | number | null>>();
  const COLUMN_AT = { people: 1, files: 2, notes: 3, body: 4 } as const;
  const appendText = (caseId: string, parts: Partial<Record<keyof typeof COLUMN_AT, string>>) => {
    const entries = Object.entries(parts).filter(([, v]) => v) as Array<[keyof typeof COLUMN_AT, string]>;
    if (!entries.length) return;
    const text = fresh.get(caseId);
    if (text) for (const [col, v] of entries) text[COLUMN_AT[col]] = `${text[COLUMN_AT[col]]}${v}`;
    else stmts.push({ sql: `UPDATE search_text SET ${entries.map(([col]) => `${col} = ${col} || ?`).join(', ')} WHERE rowid = ${DOC}`, params: [...entries.map(([, v]) => v), caseId] });
  };
  const caseOfMessage = new Map<string, string>();
  for (const w of change.writes as Write[]) {
    const values = (w.op === 'insert' ? w.values : {}) as Record<string, unknown>;
    if (w.table === 'cases' && w.op === 'insert') {
      const id = values.id;
      if (typeof id !== 'string') continue;
      touched.add(id);
      const cols = { created_at: at, ...caseColumns(values), active_at: activity(values) ?? at };
      const names = Object.keys(cols);
      const set = names.filter((n) => n !== 'created_at').map((n) => `${n} = excluded.${n}`);
      stmts.push({
        sql: `INSERT INTO search_cases (case_id, ${names.join(', ')}) VALUES (?, ${names.map(() => '?').join(', ')}) ON CONFLICT (case_id) DO UPDATE SET ${set.join(', ')}`,
        params: [id, ...names.map((n) => sqlValue(cols[n as keyof typeof cols] as Plain))],
      });
      // A case filed again (a retried batch) keeps its text row. The text of this change's messages
      // goes into the insert (filled in below): FTS5 tokenizes a row again on every update.
      const text: Array<string | number | null> = [typeof values.subject === 'string' ? values.subject : '', '', '', '', '', id];
      fresh.set(id, text);
      stmts.push({
        sql: `INSERT INTO search_text (rowid, subject, people, files, notes, body) SELECT doc, ?, ?, ?, ?, ? FROM search_cases WHERE case_id = ? AND NOT EXISTS (SELECT 1 FROM search_text WHERE rowid = search_cases.doc)`,
        params: text,
      });
    } else if (w.table === 'cases' && w.op === 'update') {
      const ids = idsOf(w.where as Record<string, unknown>, 'id');
      const set = w.set as Record<string, unknown>;
      const cols = caseColumns(set);
      const active = activity(set);
      const parts = Object.keys(cols).map((n) => `${n} = ?`);
      const params: Plain[] = Object.values(cols);
      if (active !== null) parts.push('active_at = MAX(active_at, ?)'), params.push(active);
      for (const id of ids) {
        touched.add(id);
        if (parts.length) stmts.push({ sql: `UPDATE search_cases SET ${parts.join(', ')} WHERE case_id = ?`, params: [...params.map(sqlValue), id] });
        if (typeof set.subject === 'string') stmts.push({ sql: `UPDATE search_text SET subject = ? WHERE rowid = ${DOC}`, params: [set.subject, id] });
      }
    } else if (w.table === 'messages' && w.op === 'insert') {
      const caseId = values.caseId;
      if (typeof caseId !== 'string' || values.direction === 'system') continue;
      touched.add(caseId);
      if (typeof values.id === 'string') caseOfMessage.set(values.id, caseId);
      const from = { email: typeof values.fromEmail === 'string' ? values.fromEmail : '', name: typeof values.fromName === 'string' ? values.fromName : '' };
      const to = [...addresses(values.to), ...addresses(values.cc)];
      const people = [from, ...to].filter((a) => a.email || a.name).map((a) => (a.name ? `${a.name} <${a.email}>` : a.email));
      const text = typeof values.text === 'string' ? values.text : '';
      const note = values.direction === 'note';
      const subject = typeof values.subject === 'string' ? values.subject : '';
      appendText(caseId, { people: line(people.join(', ')), notes: note ? line(text) : '', body: note ? '' : line(subject ? `${subject}\n${text}` : text) });
      const kind = typeof values.kind === 'string' ? values.kind : 'human';
      const sets = [addToList('kinds')];
      const params: Plain[] = [kind];
      // ?1 is the list item of addToList; the rest are numbered after it.
      let n = 1;
      const listed = (col: string, value: string) => {
        n++;
        sets.push(`${col} = CASE WHEN instr(${col}, ' ' || ?${n} || ' ') > 0 THEN ${col} ELSE ${col} || ?${n} || ' ' END`);
        params.push(value);
      };
      if (from.email && !note) listed('senders', item(from.email));
      for (const a of to) if (a.email) listed('recipients', item(a.email));
      if (note) sets.push('has_note = 1');
      const createdAt = typeof values.createdAt === 'number' ? values.createdAt : at;
      n++;
      sets.push(`active_at = MAX(active_at, ?${n})`);
      params.push(createdAt);
      n++;
      params.push(caseId);
      stmts.push({ sql: `UPDATE search_cases SET ${sets.join(', ')} WHERE case_id = ?${n}`, params: params.map(sqlValue) });
    } else if (w.table === 'attachments' && w.op === 'insert') {
      const caseId = typeof values.messageId === 'string' ? caseOfMessage.get(values.messageId) : undefined;
      if (!caseId || typeof values.filename !== 'string') continue;
      appendText(caseId, { files: line(values.filename) });
      if (!values.inline) stmts.push({ sql: 'UPDATE search_cases SET has_attachment = 1 WHERE case_id = ?', params: [caseId] });
    } else if (w.table === 'tags' && w.op === 'insert') {
      if (typeof values.id === 'string' && typeof values.key === 'string' && typeof values.workspaceId === 'string')
        stmts.push({ sql: 'INSERT OR IGNORE INTO search_tags (tag_id, workspace_id, key) VALUES (?, ?, ?)', params: [values.id, values.workspaceId, values.key] });
    } else if (w.table === 'caseTags' && w.op === 'insert') {
      const caseId = values.caseId;
      const tag = values.tagId;
      if (typeof caseId !== 'string') continue;
      touched.add(caseId);
      if (typeof tag === 'string') stmts.push({ sql: 'INSERT OR IGNORE INTO search_case_tags (case_id, tag_id) VALUES (?, ?)', params: [caseId, tag] });
      else if (tag && typeof tag === 'object' && '$tagId' in tag) {
        const { workspaceId, key } = (tag as { $tagId: { workspaceId: string; key: string } }).$tagId;
        stmts.push({ sql: 'INSERT OR IGNORE INTO search_case_tags (case_id, tag_id) SELECT ?, tag_id FROM search_tags WHERE workspace_id = ? AND key = ?', params: [caseId, workspaceId, key] });
      }
    } else if (w.table === 'messages' || w.table === 'attachments') {
      const named = [...idsOf(w.where as Record<string, unknown>, 'caseId'), ...(w.op === 'update' ? idsOf(w.set as Record<string, unknown>, 'caseId') : [])];
      for (const id of named) resync.add(id), touched.add(id);
    } else if (w.table === 'cases' && w.op === 'delete') {
      for (const id of idsOf(w.where as Record<string, unknown>, 'id')) resync.add(id), touched.add(id);
    } else if (w.table === 'caseTags' && (w.op === 'delete' || w.op === 'update')) {
      // By case, by tag or both (a tag removed from a case, a tag deleted or merged into another).
      const where = w.where as Record<string, unknown>;
      const conds: string[] = [];
      const params: Array<string | null> = [];
      for (const [key, col] of [
        ['caseId', 'case_id'],
        ['tagId', 'tag_id'],
      ] as const) {
        if (where[key] === undefined) continue;
        conds.push(`${col} IN (SELECT value FROM json_each(?))`);
        params.push(JSON.stringify(idsOf(where, key)));
      }
      for (const id of idsOf(where, 'caseId')) touched.add(id);
      if (!conds.length) continue;
      const set = w.op === 'update' ? (w.set as Record<string, unknown>) : null;
      if (!set) stmts.push({ sql: `DELETE FROM search_case_tags WHERE ${conds.join(' AND ')}`, params });
      // A case that has both tags keeps one link (the other is deleted by the same change).
      else if (typeof set.tagId === 'string') stmts.push({ sql: `UPDATE OR IGNORE search_case_tags SET tag_id = ? WHERE ${conds.join(' AND ')}`, params: [set.tagId, ...params] });
    } else if (w.table === 'tags' && w.op === 'update') {
      const set = w.set as Record<string, unknown>;
      if (typeof set.key === 'string') for (const id of idsOf(w.where as Record<string, unknown>, 'id')) stmts.push({ sql: 'UPDATE search_tags SET key = ? WHERE tag_id = ?', params: [set.key, id] });
    } else if (w.table === 'tags' && w.op === 'delete') {
      for (const id of idsOf(w.where as Record<string, unknown>, 'id')) stmts.push({ sql: 'DELETE FROM search_tags WHERE tag_id = ?', params: [id] });
    }
  }
  return { stmts, caseIds: [...touched], resync: [...resync] };
}
