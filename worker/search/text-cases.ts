// text-cases: the cases whose text holds a query's words and phrases, as ids from the search index,
// for the views and list queries that have words as well as filters. The filters and the sort stay
// the main database's (filters.ts), so a view with words orders and counts like any other view.
import { sql, type SQL } from 'drizzle-orm';
import { cases } from '../db/schema.ts';
import { matchStatement, type MatchRow } from './match.ts';
import { hasText, type Query } from './query.ts';

/** At most this many text matches (the best first) make up a view with words. */
export const VIEW_TEXT_CAP = 5000;

/**
 * The ids of the workspace's cases whose text matches the query's words (its filters are not looked
 * at); null when it has none. Without an index (a deployment that keeps none) nothing matches.
 */
export async function textCaseIds(index: D1Database | null, workspaceId: string, q: Query, cap = VIEW_TEXT_CAP): Promise<string[] | null> {
  if (!hasText(q)) return null;
  if (!index) return [];
  const stmt = matchStatement({ ...q, filters: [] }, { workspaceId, now: 0, names: { me: null, agents: {}, teams: {}, mailboxes: {} } }, { limit: cap - 1, offset: 0 });
  const { results } = await index
    .prepare(stmt.sql)
    .bind(...stmt.params)
    .all<MatchRow>();
  return results.map((r) => r.caseId);
}

/** The condition "one of these cases", bound as one JSON parameter (D1 binds at most 100 values). */
export function amongCases(ids: string[]): SQL {
  return sql`${cases.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`;
}
