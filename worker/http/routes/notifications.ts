// /api/notifications: the signed-in agent's notifications (mentions), and marking them read.
import { Hono, type Context } from 'hono';
import { listNotifications, readNotifications } from '../../notifications/store.ts';
import { readNotificationsBody } from '../../protocol/notifications.ts';
import type { AppEnv } from '../env.ts';
import { ApiFailure } from '../errors.ts';
import { parseBody } from '../validate.ts';

export const notificationRoutes = new Hono<AppEnv>();

function agentId(c: Context<AppEnv>): string | null {
  return c.var.agent?.id ?? null;
}

notificationRoutes.get('/', async (c) => {
  const id = agentId(c);
  // Open mode has nobody to mention: an empty list, not an error, so the bell can always ask.
  if (!id) return c.json({ items: [], unread: 0 });
  return c.json(await listNotifications(c.var.deps.db, c.var.workspaceId, id));
});

notificationRoutes.post('/read', async (c) => {
  const id = agentId(c);
  const body = await parseBody(c, readNotificationsBody);
  if (!id) throw new ApiFailure('bad_request', 'nobody is signed in: notifications belong to an agent');
  return c.json(await readNotifications(c.var.deps, c.var.workspaceId, id, body));
});
