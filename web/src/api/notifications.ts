// The signed-in agent's notifications (mentions): the list with its unread count, and marking read.
import type { NotificationList } from '../../../worker/protocol/notifications.ts';
import { request, sendJson } from './request.ts';

export function listNotifications(): Promise<NotificationList> {
  return request<NotificationList>('/api/notifications');
}

export function markNotificationsRead(body: { ids: string[] } | { all: true }): Promise<NotificationList> {
  return sendJson('POST', '/api/notifications/read', body);
}
