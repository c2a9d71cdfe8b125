// Routes for a local machine only: they exist when AUTH_MODE=open and answer 404 otherwise.
import { and, asc, desc, eq, inArray, isNull } from 'drizzle-orm';
import { Hono } from 'hono';
import { cases, messages, outbox, outboxRecipients } from '../../db/schema.ts';
import { deliveryView } from '../../cases/views.ts';
import { seedDemo, DEMO } from '../../db/seed.ts';
import type { AppEnv } from '../env.ts';
import { notFound } from '../errors.ts';

export const devRoutes = new Hono<AppEnv>();

devRoutes.use('*', async (c, next) => {
  if (c.env.AUTH_MODE !== 'open') throw notFound('route');
  await next();
});

devRoutes.post('/seed', async (c) => {
  await seedDemo(c.var.deps.db, c.var.deps.now());
  return c.json({ workspaceId: DEMO.workspaceId, mailbox: DEMO.mailbox, agents: DEMO.agents.map((a) => ({ email: a.email, name: a.name, role: a.role })) });
});

/**
 * The parts of the demo that need its mail delivered first (the mail goes through the real email
 * handler between `POST /seed` and this). Idempotent like the seed:
 * - the waiting case is moved back in time so its first response falls due in a few minutes, once:
 *   only while no SLA warning or breach was ever raised on it (a second start leaves it alone);
 * - the acknowledgement sent for the case whose customer mistyped their address is named, so the
 *   demo can deliver the bounce a real mail server would send about it.
 */
devRoutes.post('/seed/finish', async (c) => {
  const { db } = c.var.deps;
  const now = c.var.deps.now();
  const caseOf = async (rfcMessageId: string) =>
    (
      await db
        .select({ caseId: messages.caseId })
        .from(messages)
        .where(and(eq(messages.workspaceId, DEMO.workspaceId), eq(messages.rfcMessageId, rfcMessageId), eq(messages.direction, 'inbound')))
        .get()
    )?.caseId ?? null;

  let nearBreach: { caseId: string; dueAt: number } | null = null;
  const waiting = await caseOf(DEMO.nearBreach.messageId);
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

  let bounceFor: { caseId: string; rawUrl: string } | null = null;
  const mistyped = await caseOf(DEMO.bounced.messageId);
  if (mistyped) {
    const ack = await db
      .select({ id: outbox.id })
      .from(outbox)
      .where(and(eq(outbox.caseId, mistyped), eq(outbox.kind, 'ack-create')))
      .orderBy(asc(outbox.createdAt))
      .get();
    if (ack) bounceFor = { caseId: mistyped, rawUrl: `/api/dev/outbox/${ack.id}/raw` };
  }
  return c.json({ nearBreach, bounceFor });
});

/**
 * The last mail edgecase sent (acknowledgements, replies, notifications), with each recipient's
 * delivery. Locally wrangler captures sent mail instead of delivering it; this is where to look.
 */
devRoutes.get('/outbox', async (c) => {
  const { db } = c.var.deps;
  const rows = await db.select().from(outbox).orderBy(desc(outbox.createdAt), desc(outbox.id)).limit(50);
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
  return c.json({
    items: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      caseId: r.caseId,
      messageId: r.messageId,
      from: r.fromAddress,
      subject: r.subject,
      createdAt: r.createdAt,
      rawUrl: `/api/dev/outbox/${r.id}/raw`,
      recipients: recipients.filter((x) => x.outboxId === r.id).map(deliveryView),
    })),
  });
});

devRoutes.get('/outbox/:id/raw', async (c) => {
  const row = await c.var.deps.db
    .select()
    .from(outbox)
    .where(eq(outbox.id, c.req.param('id')))
    .get();
  if (!row) throw notFound('outgoing message');
  const body = row.mime ?? (await c.var.deps.raw.get(row.rawKey))?.body;
  if (!body) throw notFound('raw message');
  return new Response(body, {
    headers: { 'Content-Type': 'message/rfc822', 'Content-Disposition': `attachment; filename="${row.id}.eml"`, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' },
  });
});
