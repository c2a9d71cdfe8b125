// search: a query typed in the search box → one page of cases, best first, with what matched marked.
// Reads: the names a filter uses (main database, only when there are such filters), the page of ids
// from the index, then its texts (index) and case summaries (main database) side by side.
import { and, eq, inArray } from 'drizzle-orm';
import { caseSummaries } from '../cases/detail.ts';
import type { Db } from '../db/client.ts';
import { resolveNames } from '../db/queries/search-names.ts';
import { cases } from '../db/schema.ts';
import type { SearchHit, Snippet, SnippetField } from '../protocol/search.ts';
import { excerpt, mark } from './highlight.ts';
import { matchStatement, needlesOf, textStatement, type MatchRow, type TextRow } from './match.ts';
import type { Query } from './query.ts';

export interface SearchContext {
  workspaceId: string;
  /** The signed-in agent, for assignee:me. */
  me: string | null;
  now: number;
}

/** Where an excerpt is taken from, in order: the first field in which a word matched. */
const SNIPPET_FIELDS: SnippetField[] = ['body', 'notes', 'people', 'files'];

export async function search(deps: { db: Db; search: D1Database }, q: Query, ctx: SearchContext, page: { limit: number; offset: number }): Promise<{ items: SearchHit[]; more: boolean }> {
  const key = (v: string) => v.trim().toLowerCase();
  const wanted = (k: string) => [...new Set(q.filters.filter((f) => f.key === k && typeof f.value === 'string').map((f) => key(f.value as string)))];
  const agents = wanted('assignee').filter((v) => v !== 'me' && v !== 'none');
  const teams = wanted('team').filter((v) => v !== 'none');
  const mailboxes = wanted('mailbox');
  const names = agents.length || teams.length || mailboxes.length ? await resolveNames(deps.db, ctx.workspaceId, { agents, teams, mailboxes }) : { agents: {}, teams: {}, mailboxes: {} };
  const stmt = matchStatement(q, { workspaceId: ctx.workspaceId, now: ctx.now, names: { me: ctx.me, ...names } }, page);
  const { results } = await deps.search
    .prepare(stmt.sql)
    .bind(...stmt.params)
    .all<MatchRow>();
  const rows = results.slice(0, page.limit);
  if (rows.length === 0) return { items: [], more: false };
  const needles = needlesOf(q);
  const text = textStatement(rows.map((r) => r.doc));
  // The page's texts (only when there are words to mark) and its summaries, side by side.
  const [texts, summaries] = await Promise.all([
    needles.length
      ? deps.search
          .prepare(text.sql)
          .bind(...text.params)
          .all<TextRow>()
          .then((r) => r.results)
      : Promise.resolve([] as TextRow[]),
    caseSummaries(
      deps.db,
      and(
        eq(cases.workspaceId, ctx.workspaceId),
        inArray(
          cases.id,
          rows.map((r) => r.caseId),
        ),
      ),
      rows.length,
    ),
  ]);
  const byId = new Map(summaries.map((s) => [s.id, s]));
  const byDoc = new Map(texts.map((t) => [t.doc, t]));
  const items: SearchHit[] = [];
  for (const r of rows) {
    const summary = byId.get(r.caseId);
    // In the index but no longer in the main database: left out, the next rebuild drops it.
    if (!summary) continue;
    let snippet: Snippet | null = null;
    const t = byDoc.get(r.doc);
    if (t) for (const f of SNIPPET_FIELDS) if ((snippet = excerpt(f, t[f], needles))) break;
    items.push({ case: summary, subject: mark(summary.subject, needles), snippet });
  }
  return { items, more: results.length > page.limit };
}
