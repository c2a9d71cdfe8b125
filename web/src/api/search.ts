// Search: one page of cases for a query in the search language (worker/search/query.ts).
import type { SearchPage } from '../../../worker/protocol/search.ts';
import { request } from './request.ts';

export type { SearchHit, SearchPage, Marked, Snippet } from '../../../worker/protocol/search.ts';

export function searchCases(q: string, limit = 20, cursor?: string, signal?: AbortSignal): Promise<SearchPage> {
  const params = new URLSearchParams({ q, limit: String(limit) });
  if (cursor) params.set('cursor', cursor);
  return request(`/api/search?${params}`, signal ? { signal } : {});
}
