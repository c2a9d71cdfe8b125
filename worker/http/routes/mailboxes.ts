// The workspace's mailboxes as every agent may see them: names for filters and labels. Their
// settings are the admin API's (routes/admin.ts).
import { Hono } from 'hono';
import { mailboxRefs } from '../../db/queries/mailbox-refs.ts';
import type { AppEnv } from '../env.ts';

export const mailboxRoutes = new Hono<AppEnv>();

mailboxRoutes.get('/', async (c) => {
  return c.json({ items: await mailboxRefs(c.var.deps.db, c.var.workspaceId) });
});
