// Local development only (AUTH_MODE=open): the mail edgecase sent, as wrangler dev captured it.
import type { DeliveryView, OutboxKind } from '../../../worker/protocol/api.ts';
import { request } from './request.ts';

export interface OutboxItem {
  id: string;
  kind: OutboxKind;
  caseId: string | null;
  messageId: string | null;
  from: string;
  subject: string;
  createdAt: number;
  rawUrl: string;
  recipients: DeliveryView[];
}

export function listOutbox(): Promise<{ items: OutboxItem[] }> {
  return request('/api/dev/outbox');
}
