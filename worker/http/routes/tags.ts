// /api/tags: the workspace's tags with their counts, for every agent (autocomplete, list filters);
// /api/admin/tags/*: rename, recolour, merge, delete (admins). The rules are in worker/admin/tags.ts.
import { Hono, type Context } from 'hono';
import { AdminRefused } from '../../admin/errors.ts';
import { deleteTag, listTags, mergeTag, updateTag } from '../../admin/tags.ts';
import type { Actor } from '../../admin/mailboxes.ts';
import { mergeTagBody, tagsQuery, updateTagBody } from '../../protocol/api.ts';
import type { AppEnv } from '../env.ts';
import { ApiFailure } from '../errors.ts';
import { requireRole } from '../middleware/auth.ts';
import { parseBody, parseQuery } from '../validate.ts';

export const tagRoutes = new Hono<AppEnv>();

tagRoutes.get('/', async (c) => {
  const q = parseQuery(c, tagsQuery);
  return c.json({ items: await listTags(c.var.deps.db, c.var.workspaceId, q.q) });
});

export const adminTagRoutes = new Hono<AppEnv>();
adminTagRoutes.use('*', requireRole('admin'));

function refused(err: unknown): never {
  if (err instanceof AdminRefused) throw new ApiFailure(err.code, err.message, err.issues);
  throw err;
}

function actor(c: Context<AppEnv>): Actor {
  return { workspaceId: c.var.workspaceId, actor: c.var.actor, now: c.var.deps.now() };
}

adminTagRoutes.patch('/:id', async (c) => {
  const body = await parseBody(c, updateTagBody);
  return c.json(await updateTag(c.var.deps, actor(c), c.req.param('id'), body).catch(refused));
});

/** Merges the tag into `into`: its cases carry `into`, and it is gone. */
adminTagRoutes.post('/:id/merge', async (c) => {
  const body = await parseBody(c, mergeTagBody);
  return c.json(await mergeTag(c.var.deps, actor(c), c.req.param('id'), body.into).catch(refused));
});

adminTagRoutes.delete('/:id', async (c) => {
  await deleteTag(c.var.deps, actor(c), c.req.param('id')).catch(refused);
  return c.body(null, 204);
});
