// /api/admin/teams (admins only): the work is in worker/admin/teams.ts.
import { Hono, type Context } from 'hono';
import { AdminRefused } from '../../admin/errors.ts';
import type { Actor } from '../../admin/mailboxes.ts';
import { createTeam, deleteTeam, listTeams, setMembers, updateTeam } from '../../admin/teams.ts';
import { createTeamBody, teamMembersBody, updateTeamBody } from '../../protocol/admin/teams.ts';
import type { AppEnv } from '../env.ts';
import { ApiFailure } from '../errors.ts';
import { requireRole } from '../middleware/auth.ts';
import { parseBody } from '../validate.ts';

export const adminTeamRoutes = new Hono<AppEnv>();
adminTeamRoutes.use('*', requireRole('admin'));

function who(c: Context<AppEnv>): Actor {
  return { workspaceId: c.var.workspaceId, actor: c.var.actor, now: c.var.deps.now() };
}

function refused(err: unknown): never {
  if (err instanceof AdminRefused) throw new ApiFailure(err.code, err.message, err.issues);
  throw err;
}

adminTeamRoutes.get('/', async (c) => c.json({ teams: await listTeams(c.var.deps.db, c.var.workspaceId) }));
adminTeamRoutes.post('/', async (c) => c.json(await createTeam(c.var.deps.db, who(c), await parseBody(c, createTeamBody)).catch(refused), 201));
adminTeamRoutes.patch('/:id', async (c) => c.json(await updateTeam(c.var.deps.db, who(c), c.req.param('id'), await parseBody(c, updateTeamBody)).catch(refused)));
adminTeamRoutes.put('/:id/members', async (c) => c.json(await setMembers(c.var.deps.db, who(c), c.req.param('id'), (await parseBody(c, teamMembersBody)).agentIds).catch(refused)));
adminTeamRoutes.delete('/:id', async (c) => {
  await deleteTeam(c.var.deps.db, who(c), c.req.param('id')).catch(refused);
  return c.body(null, 204);
});
