// Rows → the API's view types. One mapping, used by the routes and by the events the ingest emits.
import type { AddressView, AttachmentView, CaseSummary, DeliveryView, MessageView, SlaView, TagView, ThreadRule } from '../protocol/api.ts';
import type { attachments, Case, Message, outboxRecipients } from '../db/schema.ts';
import { quoteStart } from '../mail/quote.ts';
import { snoozeView } from './snooze.ts';

function list(json: string): AddressView[] {
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? (v as AddressView[]) : [];
  } catch {
    return [];
  }
}

function strings(json: string): string[] {
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function authReasons(json: string | null): string[] {
  if (!json) return [];
  try {
    const v = JSON.parse(json) as { reasons?: unknown };
    return Array.isArray(v.reasons) ? v.reasons.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

export function caseSummary(
  c: Case,
  contact: { email: string; name: string } | null,
  assignee: { id: string; name: string } | null,
  tags: TagView[] = [],
  team: { id: string; name: string } | null = null,
): CaseSummary {
  return {
    id: c.id,
    number: c.number,
    subject: c.subject,
    status: c.status,
    priority: c.priority,
    mailboxId: c.mailboxId,
    contact: contact ? { email: contact.email, name: contact.name } : null,
    assignee,
    team,
    messageCount: c.messageCount,
    linkedCaseId: c.linkedCaseId,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    lastMessageAt: c.lastMessageAt,
    sla: slaView(c),
    tags,
    snooze: snoozeView(c),
  };
}

/** The tags of a case as the list query reads them: a JSON array built by SQLite, in key order. */
export function tagList(json: string | null): TagView[] {
  if (!json) return [];
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? (v as TagView[]) : [];
  } catch {
    return [];
  }
}

function slaView(c: Case): SlaView | null {
  if (!c.slaPolicyId) return null;
  const dues = [
    ['firstResponse', c.firstResponseDueAt],
    ['nextResponse', c.nextResponseDueAt],
    ['resolution', c.resolutionDueAt],
  ] as const;
  let first: (typeof dues)[number] | null = null;
  for (const d of dues) if (d[1] !== null && (first === null || d[1] < first[1]!)) first = d;
  return { state: c.slaState, dueAt: first?.[1] ?? null, target: first?.[0] ?? null, paused: c.slaPausedAt !== null };
}

export function attachmentView(a: typeof attachments.$inferSelect): AttachmentView {
  return {
    id: a.id,
    filename: a.filename,
    contentType: a.contentType,
    size: a.size,
    inline: a.inline,
    contentId: a.contentId,
    stored: a.r2Key !== null,
    skippedReason: a.skippedReason,
    url: a.r2Key !== null ? `/api/attachments/${a.id}` : null,
  };
}

export function deliveryView(r: typeof outboxRecipients.$inferSelect): DeliveryView {
  return {
    outboxId: r.outboxId,
    kind: r.kind as DeliveryView['kind'],
    recipient: r.recipient,
    status: r.status,
    attempts: r.attempts,
    error: r.error ? `${r.errorCode ?? ''} ${r.error}`.trim() : null,
    updatedAt: r.updatedAt,
  };
}

export function messageView(m: Message, atts: (typeof attachments.$inferSelect)[], extra: { author?: { id: string; name: string } | null; deliveries?: DeliveryView[] } = {}): MessageView {
  return {
    id: m.id,
    direction: m.direction,
    kind: m.kind,
    from: { email: m.fromEmail, name: m.fromName },
    to: list(m.to),
    cc: list(m.cc),
    subject: m.subject,
    text: m.text,
    html: m.html,
    rfcMessageId: m.rfcMessageId,
    threadRule: m.threadRule as ThreadRule,
    threadReason: m.threadReason,
    kindReasons: strings(m.kindReasons),
    authVerdict: m.authVerdict,
    authReasons: authReasons(m.authResults),
    sentAt: m.sentAt,
    createdAt: m.createdAt,
    attachments: atts.map(attachmentView),
    author: extra.author ?? null,
    deliveries: extra.deliveries ?? [],
    // Only what arrived carries a client's quoted history; what agents wrote is shown as written.
    quotedFrom: m.direction === 'inbound' ? quoteStart(m.text) : null,
  };
}
