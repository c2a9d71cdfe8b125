// The closed sets of the domain, as const arrays with derived unions. No dependencies, so the web
// app can import them without pulling in the schema library.

export const CASE_STATUSES = ['new', 'open', 'pending', 'resolved', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
export const CASE_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type CasePriority = (typeof CASE_PRIORITIES)[number];
export const MESSAGE_KINDS = ['human', 'auto-reply', 'bounce', 'list', 'loop', 'spam-flagged'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];
export const INBOUND_STATUSES = ['received', 'processed', 'ignored', 'quarantined', 'failed', 'discarded'] as const;
export type InboundStatus = (typeof INBOUND_STATUSES)[number];
/** Which rule put a message into its case; `agent` for what agents wrote. */
export const THREAD_RULES = ['new', 'token', 'in-reply-to', 'references', 'subject-tag', 'follow-up', 'released', 'agent'] as const;
export type ThreadRule = (typeof THREAD_RULES)[number];
export const AUTH_VERDICTS = ['verified', 'unverified', 'failed'] as const;
export type AuthVerdict = (typeof AUTH_VERDICTS)[number];
export const DELIVERY_STATUSES = ['queued', 'sending', 'retry', 'sent', 'failed', 'suppressed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export const OUTBOX_KINDS = ['ack-create', 'ack-update', 'reply', 'forward', 'notification'] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];
