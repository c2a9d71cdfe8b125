// The workspace's mailboxes as every agent may see them: names for filters and labels. Their
// settings are the admin API's (routes/admin.ts).
import { asc, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { mailboxes } from '../../db/schema.ts';
import type { MailboxRef } from '../../protocol/api.ts';
import type { AppEnv } from '../env.ts';

export const mailboxRoutes = new Hono<AppEnv>();

mailboxRoutes.get('/', async (c) => {
  const items: MailboxRef[] = await c.var.deps.db
    .select({ id: mailboxes.id, address: mailboxes.address, displayName: mailboxes.displayName, enabled: mailboxes.enabled })
    .from(mailboxes)
    .where(eq(mailboxes.workspaceId, c.var.workspaceId))
    .orderBy(asc(mailboxes.address));
  return c.json({ items });
});
