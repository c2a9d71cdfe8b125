// What held mail's statuses and reasons mean, how the filters group them, and which actions a row
// offers.
import type { InboundView } from '../../../../worker/protocol/api.ts';
import { REPROCESSABLE_REASONS, type InboundListStatus } from '../../../../worker/protocol/constants.ts';

/** What each reason means, shown on hover. */
export const REASON_HINTS: Record<string, string> = {
  'not-a-participant': 'Points at a case the sender does not take part in',
  'not-the-agent': 'Answers an agent notification, but not from that agent',
  'unverified-sender': 'Points at a case, but the sender could not be verified and did not use the signed reply address',
  'auth-failed': 'Points at a case, but the sender failed authentication (DMARC)',
  flood: 'Too many messages from this sender, or identical messages, in a short time',
  'spam-flagged': 'Marked as spam by an upstream filter',
  bounce: 'A delivery report that could not be tied to a case',
  'auto-reply': 'An automatic reply that matched no case',
  duplicate: 'Another delivery of a message already received',
  loop: 'Our own mail coming back',
  'parse-failed': 'The message could not be read',
  'too-many-parts': 'The message has more MIME parts than edgecase reads',
  'headers-too-large': 'The message headers are larger than edgecase reads',
  'nesting-too-deep': 'The message nests MIME parts deeper than edgecase reads',
  'processing-error': 'Processing failed; it is retried automatically',
  'processing-failed': 'Processing failed repeatedly; download the raw message to inspect it, or reprocess it',
};

export const STATUS_OPTIONS: Array<{ value: InboundListStatus; label: string }> = [
  { value: 'exceptions', label: 'Needs attention' },
  { value: 'held', label: 'Held (quarantined and ignored)' },
  { value: 'quarantined', label: 'Quarantined' },
  { value: 'ignored', label: 'Ignored' },
  { value: 'failed', label: 'Failed' },
  { value: 'released', label: 'Released or reprocessed into a case' },
  { value: 'discarded', label: 'Discarded' },
  { value: 'all', label: 'All inbound mail' },
];

/** Reasons grouped by what they mean to an agent; the API takes the codes. */
export const REASON_GROUPS: Array<{ key: string; label: string; reasons: string[] }> = [
  { key: 'unreadable', label: 'Unreadable (parse failure, too many parts)', reasons: ['parse-failed', 'too-many-parts', 'headers-too-large', 'nesting-too-deep'] },
  { key: 'not-a-participant', label: 'Not a participant', reasons: ['not-a-participant', 'not-the-agent'] },
  { key: 'unverified', label: 'Unverified sender', reasons: ['unverified-sender', 'auth-failed'] },
  { key: 'flood', label: 'Flood', reasons: ['flood'] },
  { key: 'spam', label: 'Spam', reasons: ['spam-flagged'] },
  { key: 'bounce', label: 'Bounce', reasons: ['bounce'] },
  { key: 'auto-reply', label: 'Auto-reply', reasons: ['auto-reply'] },
  { key: 'duplicate', label: 'Duplicate', reasons: ['duplicate'] },
  { key: 'loop', label: 'Mail loop', reasons: ['loop'] },
  { key: 'error', label: 'Processing error', reasons: ['processing-error', 'processing-failed'] },
];

/** Releasing these would do harm (a second copy, a mail loop): the server refuses, so no buttons. */
const NOT_ACTIONABLE = new Set(['duplicate', 'loop']);
const REPROCESSABLE = new Set<string>(REPROCESSABLE_REASONS);

export function releasable(m: InboundView): boolean {
  return (m.status === 'quarantined' || m.status === 'ignored') && !NOT_ACTIONABLE.has(m.reason ?? '');
}

export function discardable(m: InboundView): boolean {
  return releasable(m) || m.status === 'failed';
}

/** A failed row, or one the pipeline could not read: running it again may come out differently. */
export function reprocessable(m: InboundView): boolean {
  return m.status === 'failed' || ((m.status === 'quarantined' || m.status === 'ignored') && REPROCESSABLE.has(m.reason ?? ''));
}
