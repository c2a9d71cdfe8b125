// /api/snippets: canned replies. Every agent lists what they see (shared and their own), writes their
// own, and fills one for a case; shared ones are written by admins. The rules are in worker/snippets/.
import { Hono, type Context } from 'hono';
import { AdminRefused } from '../../admin/errors.ts';
import { createSnippetBody, renderSnippetBody, updateSnippetBody } from '../../protocol/snippets.ts';
import type { SnippetActor } from '../../snippets/plan.ts';
import { createSnippet, deleteSnippet, listSnippets, renderSnippetFor, updateSnippet } from '../../snippets/store.ts';
import type { AppEnv } from '../env.ts';
import { ApiFailure } from '../errors.ts';
import { parseBody } from '../validate.ts';

export const snippetRoutes = new Hono<AppEnv>();

function refused(err: unknown): never {
  if (err instanceof AdminRefused) throw new ApiFailure(err.code, err.message, err.issues);
  throw err;
}

/** Open mode has nobody signed in to refuse: whoever sits at the machine is its owner (as requireRole). */
function who(c: Context<AppEnv>): SnippetActor {
  const agent = c.var.agent;
  return { workspaceId: c.var.workspaceId, actor: c.var.actor, agentId: agent?.id ?? null, admin: c.var.authMode === 'open' || agent?.role === 'admin', now: c.var.deps.now() };
}

snippetRoutes.get('/', async (c) => c.json({ items: await listSnippets(c.var.deps.db, who(c)) }));

snippetRoutes.post('/', async (c) => {
  const body = await parseBody(c, createSnippetBody);
  return c.json(await createSnippet(c.var.deps, who(c), body).catch(refused), 201);
});

snippetRoutes.patch('/:id', async (c) => {
  const body = await parseBody(c, updateSnippetBody);
  return c.json(await updateSnippet(c.var.deps, who(c), c.req.param('id'), body).catch(refused));
});

snippetRoutes.delete('/:id', async (c) => {
  await deleteSnippet(c.var.deps, who(c), c.req.param('id')).catch(refused);
  return c.body(null, 204);
});

/** The snippet filled for a case: `{ caseId, mode? }` → `{ text, missing }`. */
snippetRoutes.post('/:id/render', async (c) => {
  const body = await parseBody(c, renderSnippetBody);
  return c.json(await renderSnippetFor(c.var.deps.db, who(c), c.req.param('id'), body).catch(refused));
});
