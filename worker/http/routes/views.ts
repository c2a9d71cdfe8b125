// /api/views: the views of the case list (built-in and saved) with their counts, and saved views'
// create/rename/delete. The rules are in worker/search/saved-views.ts.
import { Hono, type Context } from 'hono';
import { createView, deleteView, listViews, updateView, ViewError, type ViewAuthor } from '../../search/saved-views.ts';
import type { FilterContext } from '../../search/filters.ts';
import { updateViewBody, viewBody, type ViewInfo } from '../../protocol/views.ts';
import type { AppEnv } from '../env.ts';
import { ApiFailure } from '../errors.ts';
import { parseBody } from '../validate.ts';

export const viewRoutes = new Hono<AppEnv>();

/** Who `assignee:me` is: the signed-in agent; nobody in open mode without one. */
export function filterContext(c: Context<AppEnv>): FilterContext {
  const agent = c.var.actor === 'local' ? null : c.var.agent;
  return { workspaceId: c.var.workspaceId, me: agent?.id ?? null, now: c.var.deps.now() };
}

function authorOf(c: Context<AppEnv>): ViewAuthor {
  const agent = c.var.actor === 'local' ? null : c.var.agent;
  // Open mode lets the nobody-in-particular do everything, as elsewhere.
  const admin = c.var.actor === 'local' || c.var.agent?.role === 'admin';
  return { workspaceId: c.var.workspaceId, agentId: agent?.id ?? null, actor: c.var.actor, admin, now: c.var.deps.now() };
}

function refused(err: unknown): never {
  if (err instanceof ViewError) throw new ApiFailure(err.code, err.message, err.issues);
  throw err;
}

viewRoutes.get('/', async (c) => c.json({ views: (await listViews(c.var.deps.db, c.var.deps.search?.d1 ?? null, filterContext(c))) satisfies ViewInfo[] }));

viewRoutes.post('/', async (c) => {
  const body = await parseBody(c, viewBody);
  const row = await createView(c.var.deps.db, authorOf(c), body).catch(refused);
  return c.json(row, 201);
});

viewRoutes.patch('/:id', async (c) => {
  const body = await parseBody(c, updateViewBody);
  return c.json(await updateView(c.var.deps.db, authorOf(c), c.req.param('id'), body).catch(refused));
});

viewRoutes.delete('/:id', async (c) => {
  await deleteView(c.var.deps.db, authorOf(c), c.req.param('id')).catch(refused);
  return c.body(null, 204);
});
