// /api/teams: who a case can be given to. Inactive agents are left out (the plan refuses them anyway).
import { Hono } from 'hono';
import { assignables } from '../../db/queries/teams.ts';
import type { AppEnv } from '../env.ts';

export const teamRoutes = new Hono<AppEnv>();

teamRoutes.get('/', async (c) => c.json(await assignables(c.var.deps.db, c.var.workspaceId)));
