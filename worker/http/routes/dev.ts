// Routes for a local machine only: they exist when AUTH_MODE=open and answer 404 otherwise.
import { Hono } from 'hono';
import { deliveryView } from '../../cases/views.ts';
import { finishDemo, outboxRow, recentOutbox } from '../../db/queries/demo.ts';
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
 * handler between `POST /seed` and this); see finishDemo. Idempotent like the seed.
 */
devRoutes.post('/seed/finish', async (c) => {
  return c.json(await finishDemo(c.var.deps.db, c.var.deps.now()));
});

/**
 * The last mail edgecase sent (acknowledgements, replies, notifications), with each recipient's
 * delivery. Locally wrangler captures sent mail instead of delivering it; this is where to look.
 */
devRoutes.get('/outbox', async (c) => {
  const sent = await recentOutbox(c.var.deps.db, 50);
  return c.json({
    items: sent.map(({ row: r, recipients }) => ({
      id: r.id,
      kind: r.kind,
      caseId: r.caseId,
      messageId: r.messageId,
      from: r.fromAddress,
      subject: r.subject,
      createdAt: r.createdAt,
      rawUrl: `/api/dev/outbox/${r.id}/raw`,
      recipients: recipients.map(deliveryView),
    })),
  });
});

devRoutes.get('/outbox/:id/raw', async (c) => {
  const row = await outboxRow(c.var.deps.db, c.req.param('id'));
  if (!row) throw notFound('outgoing message');
  const body = row.mime ?? (await c.var.deps.raw.get(row.rawKey))?.body;
  if (!body) throw notFound('raw message');
  return new Response(body, {
    headers: { 'Content-Type': 'message/rfc822', 'Content-Disposition': `attachment; filename="${row.id}.eml"`, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' },
  });
});
