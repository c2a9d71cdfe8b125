// Routes for a local machine only: in open mode, and in any mode for the `wrangler dev` that `npm
// start` started (its dev token); 404 otherwise (middleware/auth.ts localDevOnly).
import { Hono, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { hashPassword, MAX_PASSWORD_LENGTH } from '../../auth/password.ts';
import { readAuthConfig } from '../../auth/config.ts';
import { deliveryView } from '../../cases/views.ts';
import { finishDemo, outboxRow, recentOutbox } from '../../db/queries/demo.ts';
import { seedDemo, DEMO, setDemoPasswords } from '../../db/seed.ts';
import type { AppEnv } from '../env.ts';
import { notFound } from '../errors.ts';
import { localDevOnly } from '../middleware/auth.ts';
import { parseBody } from '../validate.ts';

export const devRoutes = new Hono<AppEnv>();

devRoutes.use('*', localDevOnly);

/** `demoPassword`: given to the demo agents that have none, so that AUTH_MODE=password signs them in. */
const seedBody = z.object({ demoPassword: z.string().min(12).max(MAX_PASSWORD_LENGTH).optional() }).strict();

devRoutes.post('/seed', async (c) => {
  // A body is optional (curl -X POST with none seeds too).
  const body = c.req.header('Content-Type') ? await parseBody(c, seedBody) : {};
  await seedDemo(c.var.deps.db, c.var.deps.now());
  const passwordsSet = body.demoPassword ? await setDemoPasswords(c.var.deps.db, body.demoPassword, hashPassword) : [];
  return c.json({
    workspaceId: DEMO.workspaceId,
    mailbox: DEMO.mailbox,
    authMode: readAuthConfig(c.env).mode,
    agents: DEMO.agents.map((a) => ({ email: a.email, name: a.name, role: a.role })),
    passwordsSet,
  });
});

/**
 * The parts of the demo that need its mail delivered first (the mail goes through the real email
 * handler between `POST /seed` and this); see finishDemo. Idempotent like the seed.
 */
devRoutes.post('/seed/finish', async (c) => {
  const finished = await finishDemo(c.var.deps.db, c.var.deps.now());
  // The acknowledgement to bounce comes along, so the seed needs no outbox route (open mode only).
  const ack = finished.bounceFor ? await outboxRow(c.var.deps.db, finished.bounceFor.outboxId) : undefined;
  const raw = ack ? (ack.mime ?? (await (await c.var.deps.raw.get(ack.rawKey))?.text()) ?? null) : null;
  return c.json({ ...finished, bounceFor: finished.bounceFor && raw ? { ...finished.bounceFor, raw } : null });
});

/** Sent mail is every agent's business only where there is no sign-in at all. */
const openModeHere: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.env.AUTH_MODE !== 'open') throw notFound('route');
  await next();
};

/**
 * The last mail edgecase sent (acknowledgements, replies, notifications), with each recipient's
 * delivery. Locally wrangler captures sent mail instead of delivering it; this is where to look.
 */
devRoutes.get('/outbox', openModeHere, async (c) => {
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

devRoutes.get('/outbox/:id/raw', openModeHere, async (c) => {
  const row = await outboxRow(c.var.deps.db, c.req.param('id'));
  if (!row) throw notFound('outgoing message');
  const body = row.mime ?? (await c.var.deps.raw.get(row.rawKey))?.body;
  if (!body) throw notFound('raw message');
  return new Response(body, {
    headers: { 'Content-Type': 'message/rfc822', 'Content-Disposition': `attachment; filename="${row.id}.eml"`, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' },
  });
});
