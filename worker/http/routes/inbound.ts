import { and, desc, eq, inArray, lt, or } from 'drizzle-orm';
import { Hono } from 'hono';
import { inbound } from '../../db/schema.ts';
import { listInboundQuery, type InboundView, type Page } from '../../protocol/api.ts';
import type { AppEnv } from '../app.ts';
import { notFound } from '../errors.ts';
import { decodeCursor, encodeCursor, parseQuery } from '../validate.ts';

export const inboundRoutes = new Hono<AppEnv>();

function view(r: typeof inbound.$inferSelect): InboundView {
  let decision: unknown = null;
  try {
    decision = r.decision ? JSON.parse(r.decision) : null;
  } catch {
    decision = r.decision;
  }
  return {
    id: r.id,
    mailboxId: r.mailboxId,
    envelopeFrom: r.envelopeFrom,
    envelopeTo: r.envelopeTo,
    fromEmail: r.fromEmail,
    subject: r.subject,
    rawSize: r.rawSize,
    status: r.status,
    reason: r.reason,
    attempts: r.attempts,
    lastError: r.lastError,
    caseId: r.caseId,
    messageId: r.messageId,
    decision,
    receivedAt: r.receivedAt,
    processedAt: r.processedAt,
  };
}

inboundRoutes.get('/', async (c) => {
  const q = parseQuery(c, listInboundQuery);
  const cursor = decodeCursor(q.cursor);
  const rows = await c.var.deps.db
    .select()
    .from(inbound)
    .where(
      and(
        eq(inbound.workspaceId, c.var.workspaceId),
        q.status === 'all' ? undefined : q.status === 'held' ? inArray(inbound.status, ['quarantined', 'ignored']) : eq(inbound.status, q.status),
        cursor ? or(lt(inbound.receivedAt, cursor[0]), and(eq(inbound.receivedAt, cursor[0]), lt(inbound.id, cursor[1]))) : undefined,
      ),
    )
    .orderBy(desc(inbound.receivedAt), desc(inbound.id))
    .limit(q.limit + 1);
  const more = rows.length > q.limit;
  if (more) rows.pop();
  const last = rows[rows.length - 1];
  return c.json({ items: rows.map(view), nextCursor: more && last ? encodeCursor([last.receivedAt, last.id]) : null } satisfies Page<InboundView>);
});

inboundRoutes.get('/:id', async (c) => {
  const row = await c.var.deps.db.select().from(inbound).where(and(eq(inbound.id, c.req.param('id')), eq(inbound.workspaceId, c.var.workspaceId))).get();
  if (!row) throw notFound('inbound message');
  return c.json(view(row));
});

/** The message exactly as it arrived, as a download. */
inboundRoutes.get('/:id/raw', async (c) => {
  const row = await c.var.deps.db.select().from(inbound).where(and(eq(inbound.id, c.req.param('id')), eq(inbound.workspaceId, c.var.workspaceId))).get();
  if (!row) throw notFound('inbound message');
  const obj = await c.var.deps.raw.get(row.rawKey);
  if (!obj) throw notFound('raw message');
  return new Response(obj.body, {
    headers: {
      'Content-Type': 'message/rfc822',
      'Content-Disposition': `attachment; filename="${row.id}.eml"`,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    },
  });
});
