// Routes for a local machine only: they exist when AUTH_MODE=open and answer 404 otherwise.
import { Hono } from 'hono';
import { seedDemo, DEMO } from '../../db/seed.ts';
import type { AppEnv } from '../app.ts';
import { notFound } from '../errors.ts';

export const devRoutes = new Hono<AppEnv>();

devRoutes.use('*', async (c, next) => {
  if (c.env.AUTH_MODE !== 'open') throw notFound('route');
  await next();
});

devRoutes.post('/seed', async (c) => {
  await seedDemo(c.var.deps.db, c.var.deps.now());
  return c.json({ workspaceId: DEMO.workspaceId, mailbox: DEMO.mailbox, agents: DEMO.agents.map((a) => ({ email: a.email, name: a.name, role: a.role })) });
});
