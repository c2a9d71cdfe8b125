// An agent's notifications: the list with its unread count, and marking them read (through commit,
// like every write; reading them changes nothing anyone else sees, so there is no event).
import { and, count, desc, eq, isNull, sql } from 'drizzle-orm';
import { update, emptyChange } from '../changes/change.ts';
import { commit } from '../changes/commit.ts';
import type { Db } from '../db/client.ts';
import { agents, cases, notifications } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { NOTIFICATIONS_PAGE, type NotificationList, type ReadNotificationsBody } from '../protocol/notifications.ts';

export async function listNotifications(db: Db, workspaceId: string, agentId: string): Promise<NotificationList> {
  const mine = and(eq(notifications.workspaceId, workspaceId), eq(notifications.agentId, agentId));
  const [rows, unread] = await db.batch([
    db
      .select({ n: notifications, number: cases.number, subject: cases.subject, by: agents.name })
      .from(notifications)
      .leftJoin(cases, eq(cases.id, notifications.caseId))
      .leftJoin(agents, eq(sql`'agent:' || ${agents.id}`, notifications.actor))
      .where(mine)
      .orderBy(desc(notifications.at), desc(notifications.id))
      .limit(NOTIFICATIONS_PAGE),
    db
      .select({ n: count() })
      .from(notifications)
      .where(and(mine, isNull(notifications.readAt))),
  ]);
  return {
    items: rows.map((r) => ({
      id: r.n.id,
      kind: r.n.kind,
      caseId: r.n.caseId,
      caseNumber: r.number,
      caseSubject: r.subject,
      by: r.by ?? '',
      excerpt: r.n.excerpt,
      at: r.n.at,
      readAt: r.n.readAt,
    })),
    unread: unread[0]?.n ?? 0,
  };
}

export async function readNotifications(deps: Deps, workspaceId: string, agentId: string, body: ReadNotificationsBody): Promise<NotificationList> {
  const now = deps.now();
  const where = 'ids' in body ? { workspaceId, agentId, id: { $in: body.ids }, readAt: null } : { workspaceId, agentId, readAt: null };
  const change = emptyChange(workspaceId);
  change.writes.push(update('notifications', where, { readAt: now }));
  await commit(deps, change);
  return listNotifications(deps.db, workspaceId, agentId);
}
