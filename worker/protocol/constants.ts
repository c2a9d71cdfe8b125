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
export const THREAD_RULES = ['new', 'token', 'in-reply-to', 'references', 'subject-tag', 'subject', 'follow-up', 'released', 'agent'] as const;
export type ThreadRule = (typeof THREAD_RULES)[number];
export const AUTH_VERDICTS = ['verified', 'unverified', 'failed'] as const;
export type AuthVerdict = (typeof AUTH_VERDICTS)[number];
/** `bounced`: the mail service took it, then the recipient's server sent a delivery report refusing it. */
export const DELIVERY_STATUSES = ['queued', 'sending', 'retry', 'sent', 'failed', 'suppressed', 'bounced'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export const OUTBOX_KINDS = ['ack-create', 'ack-update', 'reply', 'forward', 'notification'] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];

/**
 * Why an inbound message did not become a normal case message: the `reason` of its inbound row.
 * Quarantined: unreadable (the first four), pointing at a case it may not join, volume or spam.
 * Ignored: automatic or repeated mail. Failed: an error while processing (`processing-error`, retried
 * by the clock), and after the last retry quarantined as `processing-failed`.
 */
export const INBOUND_REASONS = [
  'parse-failed',
  'too-many-parts',
  'headers-too-large',
  'nesting-too-deep',
  'not-a-participant',
  'unverified-sender',
  'auth-failed',
  'not-the-agent',
  'flood',
  'spam-flagged',
  'bounce',
  'auto-reply',
  'duplicate',
  'loop',
  'processing-error',
  'processing-failed',
] as const;
export type InboundReason = (typeof INBOUND_REASONS)[number];

/**
 * Held for these reasons, a message may be run through the pipeline again: the cause (a parser
 * limit or bug, an outage) can go away. The other reasons would only be decided the same way again;
 * for those an agent releases or discards.
 */
export const REPROCESSABLE_REASONS = ['parse-failed', 'too-many-parts', 'headers-too-large', 'nesting-too-deep', 'processing-error', 'processing-failed'] as const satisfies readonly InboundReason[];

/**
 * What the exception log lists (`GET /api/inbound?status=`): one inbound status, or `held`
 * (quarantined and ignored), `exceptions` (held and failed: what still waits for someone),
 * `released` (held or failed mail an agent turned into a case) or `all`.
 */
export const INBOUND_LIST_STATUSES = [...INBOUND_STATUSES, 'held', 'exceptions', 'released', 'all'] as const;
export type InboundListStatus = (typeof INBOUND_LIST_STATUSES)[number];

/** Longest search or view query accepted, in characters; more is refused rather than cut. */
export const MAX_QUERY_LENGTH = 500;
