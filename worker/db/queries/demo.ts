// What the local-only dev routes read and touch: the demo's finishing step, and the last mail sent.
// Like the seed (db/seed.ts), the finishing step sets up fixtures directly: it stages a situation
// for the demo, it is not a change anyone made, so it records no events.
import { and, asc, desc, eq, inArray, isNull } from 'drizzle-orm';
import { cases, messages, outbox, outboxRecipients } from '../schema.ts';
import type { Db } from '../client.ts';
import { DEMO } from '../seed.ts';

export interface DemoFinished {
  nearBreach: { caseId: string; dueAt: number } | null;
  bounceFor: { caseId: string; outboxId: string; rawUrl: string } | null;
}

async function demoCaseOf(db: Db, rfcMessageId: string): Promise<string | null> {
  const row = await db
    .select({ caseId: messages.caseId })
    .from(messages)
    .where(and(eq(messages.workspaceId, DEMO.workspaceId), eq(messages.rfcMessageId, rfcMessageId), eq(messages.direction, 'inbound')))
    .get();
  return row?.caseId ?? null;
}

/**
 * The parts of the demo that need its mail delivered first. Idempotent like the seed:
 * - the waiting case is moved back in time so its first response falls due in a few minutes, once:
 *   only while no SLA warning or breach was ever raised on it (a second start leaves it alone);
 * - the acknowledgement sent for the case whose customer mistyped their address is named, so the
 *   demo can deliver the bounce a real mail server would send about it.
 */
export async function finishDemo(db: Db, now: number): Promise<DemoFinished> {
  let nearBreach: DemoFinished['nearBreach'] = null;
  const waiting = await demoCaseOf(db, DEMO.nearBreach.messageId);
  if (waiting) {
    const dueAt = now + DEMO.nearBreach.dueInMinutes * 60_000;
    const openedAt = now - DEMO.nearBreach.openedMinutesAgo * 60_000;
    // Already warned about: the target is near (so it is listed under Breaching soon), and the next
    // look of the SLA sweep is the due time itself, when it raises the breach.
    const armed = await db
      .update(cases)
      .set({ createdAt: openedAt, lastMessageAt: openedAt, firstResponseDueAt: dueAt, nextDueAt: dueAt, slaWarnedMask: 1, slaState: 'warning' })
      .where(and(eq(cases.id, waiting), isNull(cases.firstRespondedAt), eq(cases.slaWarnedMask, 0), eq(cases.slaBreachedMask, 0)))
      .returning({ id: cases.id });
    if (armed.length) {
      await db
        .update(messages)
        .set({ createdAt: openedAt })
        .where(and(eq(messages.caseId, waiting), eq(messages.rfcMessageId, DEMO.nearBreach.messageId)));
      nearBreach = { caseId: waiting, dueAt };
    }
  }

  let bounceFor: DemoFinished['bounceFor'] = null;
  const mistyped = await demoCaseOf(db, DEMO.bounced.messageId);
  if (mistyped) {
    const ack = await db
      .select({ id: outbox.id })
      .from(outbox)
      .where(and(eq(outbox.caseId, mistyped), eq(outbox.kind, 'ack-create')))
      .orderBy(asc(outbox.createdAt))
      .get();
    if (ack) bounceFor = { caseId: mistyped, outboxId: ack.id, rawUrl: `/api/dev/outbox/${ack.id}/raw` };
  }
  return { nearBreach, bounceFor };
}

/** The last `limit` outgoing mails, newest first, each with its deliveries. */
export async function recentOutbox(db: Db, limit: number) {
  const rows = await db.select().from(outbox).orderBy(desc(outbox.createdAt), desc(outbox.id)).limit(limit);
  const recipients = rows.length
    ? await db
        .select()
        .from(outboxRecipients)
        .where(
          inArray(
            outboxRecipients.outboxId,
            rows.map((r) => r.id),
          ),
        )
    : [];
  return rows.map((row) => ({ row, recipients: recipients.filter((x) => x.outboxId === row.id) }));
}

/** One outgoing mail's row. */
export async function outboxRow(db: Db, id: string) {
  return db.select().from(outbox).where(eq(outbox.id, id)).get();
}
