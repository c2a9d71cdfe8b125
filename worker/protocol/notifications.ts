// What an agent is told in the app: GET /api/notifications (theirs, newest first, with the unread
// count), POST /api/notifications/read { ids } or { all: true }.
import { z } from 'zod';

export const NOTIFICATIONS_PAGE = 50;

export interface NotificationView {
  id: string;
  kind: 'mention';
  caseId: string | null;
  caseNumber: number | null;
  caseSubject: string | null;
  /** Who caused it, by name (empty if they are gone). */
  by: string;
  excerpt: string;
  at: number;
  readAt: number | null;
}

export interface NotificationList {
  items: NotificationView[];
  unread: number;
}

export const readNotificationsBody = z.union(
  [
    z.object({ ids: z.array(z.string('ids must be notification ids').min(1).max(100), 'ids must be a list').min(1, 'ids may not be empty').max(100, 'at most 100 ids at a time') }).strict(),
    z.object({ all: z.literal(true, 'all must be true') }).strict(),
  ],
  'send { "ids": [...] } or { "all": true }',
);
export type ReadNotificationsBody = z.infer<typeof readNotificationsBody>;
