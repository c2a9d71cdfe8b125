// Inbound mail that did not become (part of) a case: the exception log, and what an agent does with
// a row of it. The workspace's mailboxes, for its filters.
import type { InboundBodyView, InboundListStatus, InboundView, MailboxRef, Page } from '../../../worker/protocol/api.ts';
import { request, sendJson } from './request.ts';

const enc = encodeURIComponent;

/** The exception log's filters; empty ones are left out of the query. */
export interface InboundFilters {
  status: InboundListStatus;
  /** Reason codes, any of which matches. */
  reasons?: readonly string[];
  /** A mailbox id. */
  mailbox?: string;
  sender?: string;
  /** UTC days, YYYY-MM-DD, both included. */
  from?: string;
  to?: string;
}

export function listInbound(filters: InboundFilters, limit = 50, cursor?: string): Promise<Page<InboundView>> {
  const q = new URLSearchParams({ status: filters.status, limit: String(limit) });
  if (filters.reasons?.length) q.set('reason', filters.reasons.join(','));
  if (filters.mailbox) q.set('mailbox', filters.mailbox);
  if (filters.sender?.trim()) q.set('sender', filters.sender.trim());
  if (filters.from) q.set('from', filters.from);
  if (filters.to) q.set('to', filters.to);
  if (cursor) q.set('cursor', cursor);
  return request(`/api/inbound?${q}`);
}

/** The workspace's mailboxes, for filters. */
export function listMailboxes(): Promise<{ items: MailboxRef[] }> {
  return request('/api/mailboxes');
}

export interface ReleaseResult {
  caseId: string;
  messageId: string;
}

/** Releases held mail into the case it pointed at, the given case, or a new case. */
export function releaseInbound(id: string, caseId?: string): Promise<ReleaseResult> {
  return sendJson('POST', `/api/inbound/${enc(id)}/release`, caseId ? { caseId } : {});
}

export function discardInbound(id: string): Promise<{ ok: true }> {
  return sendJson('POST', `/api/inbound/${enc(id)}/discard`, {});
}

/** Runs a failed or unreadable message through the pipeline again; answers the row as it came out. */
export function reprocessInbound(id: string): Promise<InboundView> {
  return sendJson('POST', `/api/inbound/${enc(id)}/reprocess`, {});
}

/** What a held message says: its text and HTML, read again from the raw mail (`unreadable` when it cannot be). */
export function getInboundBody(id: string): Promise<InboundBodyView> {
  return request(`/api/inbound/${enc(id)}/body`);
}

export function rawInboundUrl(id: string): string {
  return `/api/inbound/${enc(id)}/raw`;
}
