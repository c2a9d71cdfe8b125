// /api/search: the search box. A query the parser refuses is a 400 with its problems, each naming
// the token as typed, so the box can say what to fix.
import { Hono } from 'hono';
import { searchQuery, type SearchPage } from '../../protocol/search.ts';
import { parseQuery as parseSearch } from '../../search/query.ts';
import { search } from '../../search/search.ts';
import { rebuildSearch } from '../../search/sync.ts';
import type { AppEnv } from '../env.ts';
import { ApiFailure } from '../errors.ts';
import { requireRole } from '../middleware/auth.ts';
import { decodeCursor, encodeCursor, parseQuery } from '../validate.ts';

export const searchRoutes = new Hono<AppEnv>();

/** Pages beyond this many results are not offered: a search is refined, not paged through. */
const MAX_OFFSET = 1000;

searchRoutes.get('/', async (c) => {
  const q = parseQuery(c, searchQuery);
  const parsed = parseSearch(q.q);
  if (!parsed.ok) throw new ApiFailure('bad_request', parsed.problems.map((p) => `${p.token}: ${p.message}`).join('; '), parsed.problems);
  const deps = c.var.deps;
  if (!deps.search) throw new ApiFailure('not_configured', 'this deployment keeps no search index');
  const offset = decodeCursor(q.cursor)?.[0] ?? 0;
  const page = await search({ db: deps.db, search: deps.search.d1 }, parsed.query, { workspaceId: c.var.workspaceId, me: c.var.agent?.id ?? null, now: deps.now() }, { limit: q.limit, offset });
  const next = offset + q.limit;
  return c.json({ items: page.items, nextCursor: page.more && next <= MAX_OFFSET ? encodeCursor([next, '']) : null } satisfies SearchPage);
});

/**
 * Rebuilds the admin's workspace's part of the index from the main database (`npm run
 * search:rebuild` rebuilds every workspace's locally). A page of cases per round trip; a very large
 * workspace may outgrow one request's time.
 */
searchRoutes.post('/rebuild', requireRole('admin'), async (c) => {
  const deps = c.var.deps;
  if (!deps.search) throw new ApiFailure('not_configured', 'this deployment keeps no search index');
  const cases = await rebuildSearch(deps.db, deps.search.d1, undefined, c.var.workspaceId);
  return c.json({ cases });
});
