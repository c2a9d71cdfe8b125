// The outbox: every outgoing message is a row written in the same D1 batch as the change that caused
// it, its raw MIME in R2, and one delivery row per envelope recipient. Delivery happens after the
// batch (right away, and again from the scheduled sweep); it is recorded per recipient, retried with
// backoff on transient errors, and stopped on permanent ones.
import { and, asc, eq, inArray, lt, lte, or, sql } from 'drizzle-orm';
import { outbox, outboxRecipients } from '../db/schema.ts';
import type { Db } from '../db/client.ts';
import { commit, type CommitDeps } from '../changes/commit.ts';
import { update, type Staged, type Write } from '../changes/change.ts';
import type { EventBody } from '../protocol/events.ts';
import { classifySendError, type Mailer } from './mailer.ts';

export type OutboxDeps = CommitDeps & { mailer: Mailer };
/** What one send needs to know of its mail. */
type Sendable = Omit<Staged, 'recipients'>;

export const MAX_SEND_ATTEMPTS = 6;
/** A delivery stuck in `sending` this long was interrupted (the isolate died): try it again. */
export const STALE_SENDING_MS = 5 * 60_000;

/** 1, 2, 4, 8, 16 minutes between attempts. */
export function sendBackoffMs(attempts: number): number {
  return 2 ** Math.max(0, attempts - 1) * 60_000;
}

export interface DeliveryResult {
  recipient: string;
  status: 'sent' | 'retry' | 'failed' | 'suppressed' | 'skipped';
}

/**
 * Sends an outgoing mail. Given what the caller just staged (its batch committed), it sends to every
 * recipient at once. Given an id (the sweep), it sends to the recipients that are due, each claimed
 * first, so a concurrent sweep that read the same row skips it.
 */
export async function deliverOutbox(deps: OutboxDeps, mail: Staged | string): Promise<DeliveryResult[]> {
  if (typeof mail !== 'string') {
    const results: DeliveryResult[] = [];
    for (const recipient of mail.recipients) results.push({ recipient, status: await sendOne(deps, mail, recipient, 1) });
    return results;
  }
  const outboxId = mail;
  const now = deps.now();
  // The mail and its recipients that are due, in one round trip.
  const [mails, due] = await deps.db.batch([
    deps.db.select().from(outbox).where(eq(outbox.id, outboxId)).limit(1),
    deps.db
      .select()
      .from(outboxRecipients)
      .where(
        and(
          eq(outboxRecipients.outboxId, outboxId),
          or(
            eq(outboxRecipients.status, 'queued'),
            and(eq(outboxRecipients.status, 'retry'), lte(outboxRecipients.nextAttemptAt, now)),
            and(eq(outboxRecipients.status, 'sending'), lt(outboxRecipients.updatedAt, now - STALE_SENDING_MS)),
          ),
        ),
      ),
  ]);
  const row = mails[0];
  if (!row || due.length === 0) return [];
  const out: Sendable = { id: row.id, workspaceId: row.workspaceId, caseId: row.caseId, messageId: row.messageId, kind: row.kind, from: row.fromAddress, raw: await outgoingMime(deps.raw, row) };
  const results: DeliveryResult[] = [];
  for (const r of due) {
    const claimed = await deps.db
      .update(outboxRecipients)
      .set({ status: 'sending', attempts: sql`${outboxRecipients.attempts} + 1`, updatedAt: now })
      .where(and(eq(outboxRecipients.outboxId, outboxId), eq(outboxRecipients.recipient, r.recipient), eq(outboxRecipients.status, r.status), eq(outboxRecipients.updatedAt, r.updatedAt)))
      .returning({ attempts: outboxRecipients.attempts })
      .get();
    results.push({ recipient: r.recipient, status: claimed ? await sendOne(deps, out, r.recipient, claimed.attempts) : 'skipped' });
  }
  return results;
}

/** The raw MIME of an outgoing mail, from its row or from R2. */
export async function outgoingMime(raw: R2Bucket, row: Pick<typeof outbox.$inferSelect, 'id' | 'rawKey' | 'mime'>): Promise<string> {
  if (row.mime !== null) return row.mime;
  const obj = await raw.get(row.rawKey);
  if (!obj) throw new Error(`outgoing mail ${row.id}: raw MIME ${row.rawKey} is missing from R2`);
  return obj.text();
}

/** One claimed delivery: the send, then its outcome on the row and the event, committed together. */
async function sendOne(deps: OutboxDeps, mail: Sendable, recipient: string, attempts: number): Promise<DeliveryResult['status']> {
  const now = deps.now();
  const row = { outboxId: mail.id, recipient };
  const writes: Write[] = [];
  let status: DeliveryResult['status'];
  let error: string | null = null;
  try {
    const sent = await deps.mailer.send(mail.from, recipient, mail.raw);
    status = 'sent';
    writes.push(update('outboxRecipients', row, { status, providerMessageId: sent.messageId || null, errorCode: null, error: null, nextAttemptAt: null, updatedAt: deps.now() }));
  } catch (err) {
    const f = classifySendError(err);
    error = `${f.code}: ${f.message}`;
    status = f.suppressed ? 'suppressed' : f.permanent || attempts >= MAX_SEND_ATTEMPTS ? 'failed' : 'retry';
    writes.push(update('outboxRecipients', row, { status, errorCode: f.code, error: f.message, nextAttemptAt: status === 'retry' ? now + sendBackoffMs(attempts) : null, updatedAt: deps.now() }));
    if (f.suppressed) {
      writes.push(
        update('contacts', { workspaceId: mail.workspaceId, email: recipient }, { undeliverable: true, undeliverableReason: `suppressed by the sending service (${f.code})`, undeliverableAt: now }),
      );
    }
  }
  const body: EventBody = { type: 'delivery.updated', caseId: mail.caseId, outboxId: mail.id, messageId: mail.messageId, kind: mail.kind, recipient, status, error };
  await commit(deps, { workspaceId: mail.workspaceId, writes, events: [{ caseId: mail.caseId, actor: 'system', body }], outgoing: [], blobs: [] });
  return status;
}

/** The scheduled sweep: deliveries whose retry time has come, and ones interrupted mid-send. */
export async function retryOutboxDue(deps: OutboxDeps, now: number, limit = 50): Promise<{ outboxes: number }> {
  const rows = await deps.db
    .selectDistinct({ outboxId: outboxRecipients.outboxId })
    .from(outboxRecipients)
    .where(
      or(
        eq(outboxRecipients.status, 'queued'),
        and(eq(outboxRecipients.status, 'retry'), lte(outboxRecipients.nextAttemptAt, now)),
        and(eq(outboxRecipients.status, 'sending'), lt(outboxRecipients.updatedAt, now - STALE_SENDING_MS)),
      ),
    )
    .orderBy(asc(outboxRecipients.outboxId))
    .limit(limit);
  for (const r of rows) {
    try {
      await deliverOutbox(deps, r.outboxId);
    } catch (err) {
      console.error(`outbox ${r.outboxId}: delivery sweep failed`, err);
    }
  }
  return { outboxes: rows.length };
}

export async function deliveriesFor(db: Db, outboxIds: string[]) {
  if (outboxIds.length === 0) return [];
  return db.select().from(outboxRecipients).where(inArray(outboxRecipients.outboxId, outboxIds));
}
