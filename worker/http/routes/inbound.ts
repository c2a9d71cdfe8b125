import { and, desc, eq, gte, inArray, isNotNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod';
import { inbound, mailboxes } from '../../db/schema.ts';
import { listInboundQuery, releaseInboundBody, type InboundView, type Page } from '../../protocol/api.ts';
import { discardInbound, releaseInbound, ReleaseRefused, reprocessInbound } from '../../ingest/release.ts';
import { ApiFailure } from '../errors.ts';
import type { AppEnv } from '../env.ts';
import { notFound } from '../errors.ts';
import { decodeCursor, encodeCursor, parseBody, parseQuery } from '../validate.ts';

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
    forwardedTo: r.forwardedTo,
    forwardError: r.forwardError,
    resolvedBy: r.resolvedBy,
    resolvedAt: r.resolvedAt,
    decision,
    receivedAt: r.receivedAt,
    processedAt: r.processedAt,
  };
}

/** `%` and `_` are LIKE wildcards; a sender search means them literally. */
function likeContains(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

const DAY_MS = 86_400_000;

function statusFilter(status: ListInboundFilter): SQL | undefined {
  switch (status) {
    case 'all':
      return undefined;
    case 'held':
      return inArray(inbound.status, ['quarantined', 'ignored']);
    case 'exceptions':
      return inArray(inbound.status, ['quarantined', 'ignored', 'failed']);
    case 'released':
      return and(eq(inbound.status, 'processed'), isNotNull(inbound.resolvedBy));
    default:
      return eq(inbound.status, status);
  }
}
type ListInboundFilter = z.output<typeof listInboundQuery>['status'];

/** The exception log, newest first, filtered; pages with `cursor`. */
inboundRoutes.get('/', async (c) => {
  const q = parseQuery(c, listInboundQuery);
  const cursor = decodeCursor(q.cursor);
  const { db } = c.var.deps;
  let mailboxId: string | undefined;
  if (q.mailbox) {
    const wanted = q.mailbox;
    const found = await db
      .select({ id: mailboxes.id })
      .from(mailboxes)
      .where(and(eq(mailboxes.workspaceId, c.var.workspaceId), or(eq(mailboxes.id, wanted), eq(mailboxes.address, wanted.toLowerCase()))))
      .get();
    if (!found) throw new ApiFailure('bad_request', 'invalid query parameters', [{ path: ['mailbox'], message: `no mailbox "${wanted}" in this workspace` }]);
    mailboxId = found.id;
  }
  const rows = await db
    .select()
    .from(inbound)
    .where(
      and(
        eq(inbound.workspaceId, c.var.workspaceId),
        statusFilter(q.status),
        q.reason ? inArray(inbound.reason, q.reason) : undefined,
        mailboxId ? eq(inbound.mailboxId, mailboxId) : undefined,
        q.sender ? sql`(${inbound.fromEmail} LIKE ${likeContains(q.sender)} ESCAPE '\\' OR ${inbound.envelopeFrom} LIKE ${likeContains(q.sender)} ESCAPE '\\')` : undefined,
        q.from ? gte(inbound.receivedAt, Date.parse(`${q.from}T00:00:00Z`)) : undefined,
        q.to ? lt(inbound.receivedAt, Date.parse(`${q.to}T00:00:00Z`) + DAY_MS) : undefined,
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
  const row = await c.var.deps.db
    .select()
    .from(inbound)
    .where(and(eq(inbound.id, c.req.param('id')), eq(inbound.workspaceId, c.var.workspaceId)))
    .get();
  if (!row) throw notFound('inbound message');
  return c.json(view(row));
});

/** The message exactly as it arrived, as a download. */
inboundRoutes.get('/:id/raw', async (c) => {
  const row = await c.var.deps.db
    .select()
    .from(inbound)
    .where(and(eq(inbound.id, c.req.param('id')), eq(inbound.workspaceId, c.var.workspaceId)))
    .get();
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

function refused(err: unknown): never {
  if (err instanceof ReleaseRefused) throw new ApiFailure(err.code, err.message);
  throw err;
}

/** Release held mail into a case (its sender becomes a participant), or into a new case. */
inboundRoutes.post('/:id/release', async (c) => {
  const body = await parseBody(c, releaseInboundBody);
  const stored = await releaseInbound(c.var.deps, c.var.workspaceId, c.req.param('id'), c.var.actor, body).catch(refused);
  return c.json({ caseId: stored.caseId, messageId: stored.messageId });
});

/** Discard held mail: it leaves the exception log's open list; the row and the raw mail stay. */
inboundRoutes.post('/:id/discard', async (c) => {
  await discardInbound(c.var.deps, c.var.workspaceId, c.req.param('id'), c.var.actor).catch(refused);
  return c.json({ ok: true });
});

/**
 * Run a failed or unreadable message through the pipeline again, as the scheduled retry would. The
 * answer is the row as it came out: processed into a case, held again, or failed again (attempts
 * and the last error say why).
 */
inboundRoutes.post('/:id/reprocess', async (c) => {
  await parseBody(c, z.object({}).strict());
  const row = await reprocessInbound(c.var.deps, c.var.workspaceId, c.req.param('id'), c.var.actor).catch(refused);
  return c.json(view(row));
});
