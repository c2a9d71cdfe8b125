// The outbox: every outgoing message is a row written in the same D1 batch as the change that caused
// it, its raw MIME in R2, and one delivery row per envelope recipient. Delivery happens after the
// batch (right away, and again from the scheduled sweep); it is recorded per recipient, retried with
// backoff on transient errors, and stopped on permanent ones.
import { and, asc, eq, inArray, lt, lte, or, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { contacts, outbox, outboxRecipients } from '../db/schema.ts';
import type { Deps, Db } from '../deps.ts';
import type { OutboxKind } from '../protocol/api.ts';
import type { EventBody } from '../protocol/events.ts';
import { eventInsert, runWithEvents } from '../ingest/store.ts';
import type { ComposedMail } from './compose.ts';
import { classifySendError } from './mailer.ts';

type Stmt = BatchItem<'sqlite'>;

export const MAX_SEND_ATTEMPTS = 6;
/** A delivery stuck in `sending` this long was interrupted (the isolate died): try it again. */
export const STALE_SENDING_MS = 5 * 60_000;

/** 1, 2, 4, 8, 16 minutes between attempts. */
export function sendBackoffMs(attempts: number): number {
  return 2 ** Math.max(0, attempts - 1) * 60_000;
}

export interface Outgoing {
  id: string;
  kind: OutboxKind;
  workspaceId: string;
  caseId: string | null;
  /** The case message this mail is (agent replies and forwards). */
  messageId: string | null;
  causeInboundId: string | null;
  composed: ComposedMail;
  now: number;
}

/**
 * Mail the caller has staged and will send itself as soon as its batch commits. Its deliveries are
 * written already claimed (`sending`, attempt 1), so sending it takes no read and no claim: one
 * D1 round trip, for the result, instead of three. If the isolate dies before sending, the sweep takes
 * the deliveries over once they are stale (STALE_SENDING_MS), as after any interrupted send.
 */
export interface Staged {
  id: string;
  workspaceId: string;
  caseId: string | null;
  messageId: string | null;
  kind: OutboxKind;
  from: string;
  recipients: string[];
  /** The MIME just staged, so that sending does not read it back. */
  raw: string;
}

/** What one send needs to know of its mail. */
type Sendable = Omit<Staged, 'recipients'>;

/**
 * Outgoing MIME up to this size is kept in its outbox row, in the same batch; larger mail (replies
 * with attachments) goes to R2 first. An R2 write costs a local Worker more CPU than the whole batch.
 */
export const OUTBOX_INLINE_MAX = 32 * 1024;

/** Records the raw MIME (in the row, or in R2) and returns the statements for the caller's batch. */
export async function stageOutgoing(db: Db, raw: R2Bucket, mail: Outgoing): Promise<{ stmts: Stmt[]; staged: Staged }> {
  const day = new Date(mail.now).toISOString().slice(0, 10);
  const rawKey = `out/${mail.workspaceId}/${day}/${mail.id}.eml`;
  const inline = new TextEncoder().encode(mail.composed.raw).byteLength <= OUTBOX_INLINE_MAX;
  if (!inline) await raw.put(rawKey, mail.composed.raw, { httpMetadata: { contentType: 'message/rfc822' }, customMetadata: { outboxId: mail.id, kind: mail.kind } });
  const stmts = [
    db
      .insert(outbox)
      .values({ id: mail.id, workspaceId: mail.workspaceId, caseId: mail.caseId, messageId: mail.messageId, kind: mail.kind, fromAddress: mail.composed.from, subject: mail.composed.subject, rawKey, mime: inline ? mail.composed.raw : null, causeInboundId: mail.causeInboundId, createdAt: mail.now })
      .onConflictDoNothing(),
    ...mail.composed.to.map((recipient) =>
      db
        .insert(outboxRecipients)
        .values({ outboxId: mail.id, recipient, kind: mail.kind, caseId: mail.caseId, status: 'sending', attempts: 1, createdAt: mail.now, updatedAt: mail.now })
        .onConflictDoNothing(),
    ),
  ];
  const staged: Staged = { id: mail.id, workspaceId: mail.workspaceId, caseId: mail.caseId, messageId: mail.messageId, kind: mail.kind, from: mail.composed.from, recipients: [...new Set(mail.composed.to)], raw: mail.composed.raw };
  return { stmts, staged };
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
export async function deliverOutbox(deps: Deps, mail: Staged | string): Promise<DeliveryResult[]> {
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

/** One claimed delivery: the send, its outcome on the row, and the event, in one batch. */
async function sendOne(deps: Deps, mail: Sendable, recipient: string, attempts: number): Promise<DeliveryResult['status']> {
  const now = deps.now();
  const row = and(eq(outboxRecipients.outboxId, mail.id), eq(outboxRecipients.recipient, recipient));
  const stmts: Stmt[] = [];
  let status: DeliveryResult['status'];
  let error: string | null = null;
  try {
    const sent = await deps.mailer.send(mail.from, recipient, mail.raw);
    status = 'sent';
    stmts.push(deps.db.update(outboxRecipients).set({ status, providerMessageId: sent.messageId || null, errorCode: null, error: null, nextAttemptAt: null, updatedAt: deps.now() }).where(row));
  } catch (err) {
    const f = classifySendError(err);
    error = `${f.code}: ${f.message}`;
    status = f.suppressed ? 'suppressed' : f.permanent || attempts >= MAX_SEND_ATTEMPTS ? 'failed' : 'retry';
    stmts.push(
      deps.db
        .update(outboxRecipients)
        .set({ status, errorCode: f.code, error: f.message, nextAttemptAt: status === 'retry' ? now + sendBackoffMs(attempts) : null, updatedAt: deps.now() })
        .where(row),
    );
    if (f.suppressed) {
      stmts.push(
        deps.db
          .update(contacts)
          .set({ undeliverable: true, undeliverableReason: `suppressed by the sending service (${f.code})`, undeliverableAt: now })
          .where(and(eq(contacts.workspaceId, mail.workspaceId), eq(contacts.email, recipient))),
      );
    }
  }
  const body: EventBody = { type: 'delivery.updated', caseId: mail.caseId, outboxId: mail.id, messageId: mail.messageId, kind: mail.kind, recipient, status, error };
  const events = await runWithEvents(deps.db, stmts, [eventInsert(deps.db, mail.workspaceId, mail.caseId, 'system', body, deps.now())], [body], deps.now());
  await deps.hub.publish(mail.workspaceId, events);
  return status;
}

/** The scheduled sweep: deliveries whose retry time has come, and ones interrupted mid-send. */
export async function retryOutboxDue(deps: Deps, now: number, limit = 50): Promise<{ outboxes: number }> {
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
