// Routes for a local machine only: they exist when AUTH_MODE=open and answer 404 otherwise.
import { desc, eq, inArray } from 'drizzle-orm';
import { Hono } from 'hono';
import { outbox, outboxRecipients } from '../../db/schema.ts';
import { deliveryView } from '../../cases/views.ts';
import { seedDemo, DEMO } from '../../db/seed.ts';
import type { AppEnv } from '../app.ts';
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
 * The last mail edgecase sent (acknowledgements, replies, notifications), with each recipient's
 * delivery. Locally wrangler captures sent mail instead of delivering it; this is where to look.
 */
devRoutes.get('/outbox', async (c) => {
  const { db } = c.var.deps;
  const rows = await db.select().from(outbox).orderBy(desc(outbox.createdAt), desc(outbox.id)).limit(50);
  const recipients = rows.length ? await db.select().from(outboxRecipients).where(inArray(outboxRecipients.outboxId, rows.map((r) => r.id))) : [];
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
  const row = await c.var.deps.db.select().from(outbox).where(eq(outbox.id, c.req.param('id'))).get();
  if (!row) throw notFound('outgoing message');
  const obj = await c.var.deps.raw.get(row.rawKey);
  if (!obj) throw notFound('raw message');
  return new Response(obj.body, {
    headers: { 'Content-Type': 'message/rfc822', 'Content-Disposition': `attachment; filename="${row.id}.eml"`, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' },
  });
});
