// Counting acknowledgements already sent, for the rate limits; read with a flow's other facts.
import { and, count, eq, gte, inArray } from 'drizzle-orm';
import { outboxRecipients } from '../schema.ts';
import type { Db } from '../client.ts';

function ackCount(db: Db, recipient: string, since: number, caseId?: string) {
  return db
    .select({ n: count() })
    .from(outboxRecipients)
    .where(
      and(
        inArray(outboxRecipients.kind, ['ack-create', 'ack-update']),
        eq(outboxRecipients.recipient, recipient),
        gte(outboxRecipients.createdAt, since),
        ...(caseId ? [eq(outboxRecipients.caseId, caseId)] : []),
      ),
    );
}

/** Acknowledgements to `recipient` in the last day, for a caller's batch. */
export function ackDayQuery(db: Db, recipient: string, now: number) {
  return ackCount(db, recipient, now - 86_400_000);
}

/** Acknowledgements to `recipient` about one case in the last hour, for a caller's batch. */
export function ackCaseHourQuery(db: Db, recipient: string, caseId: string, now: number) {
  return ackCount(db, recipient, now - 3_600_000, caseId);
}
