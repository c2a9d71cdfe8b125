// A delivery report's word on the mail it is about: the outbox deliveries it refuses become
// `bounced`, with its reason, as writes of the bounce's own change. Pure: no database, no clock.
import { update, type Write } from '../changes/change.ts';
import { isPermanent, type BounceReport } from '../ingest/bounce.ts';
import type { EventBody } from '../protocol/events.ts';

/** Our Message-ID on mail we compose: <outbox id>@<mailbox domain>; an acknowledgement's id ends in its kind (ack.ts). */
const OWN_MESSAGE_ID = /^(ob_[0-9a-z]{22}(-[0-9a-z-]{1,40})?)@([^@\s]+)$/;
const ACK_SUFFIXES: Record<string, 'ack-create' | 'ack-update'> = { '-ack': 'ack-create', '-ackup': 'ack-update' };

export interface BounceOfCase {
  mailboxAddress: string;
  /** The case the report was tied to by evidence we signed (plan.ts bounceCaseOf). */
  caseId: string;
  report: BounceReport;
  now: number;
}

/**
 * The deliveries a report refuses, for each recipient that failed for good: the mail it names by our
 * Message-ID, or by the one the mail service gave it; when it names none (a report tied to the case
 * by our marker or reply address alone), every delivery to that recipient on the case that was sent.
 * Never outside this case, whatever the report claims, and only deliveries that were sent.
 *
 * The planner has no outbox facts, so a delivery.updated goes out only when the id names an
 * acknowledgement (its kind is in the id, and it belongs to no case message); other mail's new status
 * reaches the case view with the bounce's own message.added.
 */
export function bouncedDeliveries(b: BounceOfCase): { writes: Write[]; bodies: EventBody[] } {
  const domain = b.mailboxAddress.split('@')[1]?.toLowerCase();
  const original = b.report.original?.messageId ?? null;
  const own = original ? OWN_MESSAGE_ID.exec(original.toLowerCase()) : null;
  const outboxId = own && own[3] === domain ? own[1]! : null;
  const ackKind = own && outboxId ? ACK_SUFFIXES[own[2] ?? ''] : undefined;
  const which = outboxId ? { outboxId } : original ? { providerMessageId: original } : {};
  const writes: Write[] = [];
  const bodies: EventBody[] = [];
  for (const r of b.report.recipients.filter(isPermanent)) {
    const errorCode = r.status || 'failed';
    const error = r.diagnostic || 'refused by the recipient’s mail server';
    writes.push(update('outboxRecipients', { ...which, caseId: b.caseId, recipient: r.recipient, status: 'sent' }, { status: 'bounced', errorCode, error, updatedAt: b.now }));
    if (outboxId && ackKind) {
      bodies.push({ type: 'delivery.updated', caseId: b.caseId, outboxId, messageId: null, kind: ackKind, recipient: r.recipient, status: 'bounced', error: `${errorCode} ${error}` });
    }
  }
  return { writes, bodies };
}
