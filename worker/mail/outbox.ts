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

/** Puts the raw MIME in R2 and returns the statements that record the mail in the caller's batch. */
/**
 * The MIME of mail this isolate just staged, so that sending it right after does not read back from
 * R2 what it has just written. Bounded; R2 stays the truth (retries and sweeps read from there).
 */
const justStaged = new Map<string, string>();
const JUST_STAGED_MAX = 64;

export async function stageOutgoing(db: Db, raw: R2Bucket, mail: Outgoing): Promise<Stmt[]> {
  const day = new Date(mail.now).toISOString().slice(0, 10);
  const rawKey = `out/${mail.workspaceId}/${day}/${mail.id}.eml`;
  await raw.put(rawKey, mail.composed.raw, { httpMetadata: { contentType: 'message/rfc822' }, customMetadata: { outboxId: mail.id, kind: mail.kind } });
  const key = `${mail.id} ${rawKey}`;
  justStaged.delete(key);
  justStaged.set(key, mail.composed.raw);
  while (justStaged.size > JUST_STAGED_MAX) justStaged.delete(justStaged.keys().next().value!);
  return [
    db
      .insert(outbox)
      .values({ id: mail.id, workspaceId: mail.workspaceId, caseId: mail.caseId, messageId: mail.messageId, kind: mail.kind, fromAddress: mail.composed.from, subject: mail.composed.subject, rawKey, causeInboundId: mail.causeInboundId, createdAt: mail.now })
      .onConflictDoNothing(),
    ...mail.composed.to.map((recipient) =>
      db
        .insert(outboxRecipients)
        .values({ outboxId: mail.id, recipient, kind: mail.kind, caseId: mail.caseId, status: 'queued', createdAt: mail.now, updatedAt: mail.now })
        .onConflictDoNothing(),
    ),
  ];
}

export interface DeliveryResult {
  recipient: string;
  status: 'sent' | 'retry' | 'failed' | 'suppressed' | 'skipped';
}

/** Sends every due recipient of one outgoing mail. Safe to call twice: each delivery is claimed first. */
export async function deliverOutbox(deps: Deps, outboxId: string): Promise<DeliveryResult[]> {
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
  const mail = mails[0];
  if (!mail) return [];
  if (due.length === 0) return [];
  const key = `${outboxId} ${mail.rawKey}`;
  let raw = justStaged.get(key);
  justStaged.delete(key);
  if (raw === undefined) {
    const obj = await deps.raw.get(mail.rawKey);
    if (!obj) throw new Error(`outgoing mail ${outboxId}: raw MIME ${mail.rawKey} is missing from R2`);
    raw = await obj.text();
  }
  const results: DeliveryResult[] = [];
  for (const r of due) {
    // Claim it: a concurrent sweep that read the same row finds it taken and skips it.
    const claimed = await deps.db
      .update(outboxRecipients)
      .set({ status: 'sending', attempts: sql`${outboxRecipients.attempts} + 1`, updatedAt: now })
      .where(and(eq(outboxRecipients.outboxId, outboxId), eq(outboxRecipients.recipient, r.recipient), eq(outboxRecipients.status, r.status), eq(outboxRecipients.updatedAt, r.updatedAt)))
      .returning({ attempts: outboxRecipients.attempts })
      .get();
    if (!claimed) {
      results.push({ recipient: r.recipient, status: 'skipped' });
      continue;
    }
    const stmts: Stmt[] = [];
    let status: DeliveryResult['status'];
    let error: string | null = null;
    try {
      const sent = await deps.mailer.send(mail.fromAddress, r.recipient, raw);
      status = 'sent';
      stmts.push(deps.db.update(outboxRecipients).set({ status, providerMessageId: sent.messageId || null, errorCode: null, error: null, nextAttemptAt: null, updatedAt: deps.now() }).where(and(eq(outboxRecipients.outboxId, outboxId), eq(outboxRecipients.recipient, r.recipient))));
    } catch (err) {
      const f = classifySendError(err);
      error = `${f.code}: ${f.message}`;
      status = f.suppressed ? 'suppressed' : f.permanent || claimed.attempts >= MAX_SEND_ATTEMPTS ? 'failed' : 'retry';
      stmts.push(
        deps.db
          .update(outboxRecipients)
          .set({ status, errorCode: f.code, error: f.message, nextAttemptAt: status === 'retry' ? now + sendBackoffMs(claimed.attempts) : null, updatedAt: deps.now() })
          .where(and(eq(outboxRecipients.outboxId, outboxId), eq(outboxRecipients.recipient, r.recipient))),
      );
      if (f.suppressed) {
        stmts.push(
          deps.db
            .update(contacts)
            .set({ undeliverable: true, undeliverableReason: `suppressed by the sending service (${f.code})`, undeliverableAt: now })
            .where(and(eq(contacts.workspaceId, mail.workspaceId), eq(contacts.email, r.recipient))),
        );
      }
    }
    const body: EventBody = { type: 'delivery.updated', caseId: mail.caseId, outboxId, messageId: mail.messageId, kind: mail.kind, recipient: r.recipient, status, error };
    const events = await runWithEvents(deps.db, stmts, [eventInsert(deps.db, mail.workspaceId, mail.caseId, 'system', body, deps.now())], [body], deps.now());
    await deps.hub.publish(mail.workspaceId, events);
    results.push({ recipient: r.recipient, status });
  }
  return results;
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
