// /api/inbound: the exception log (every inbound message, held or not), what a message says, the raw
// mail, and what an agent does with held or failed mail (release, discard, reprocess). The work is in
// worker/ingest/.
import { Hono } from 'hono';
import { z } from 'zod';
import { listInboundQuery, releaseInboundBody, type InboundBodyView, type InboundView, type Page } from '../../protocol/api.ts';
import { inboundRow, inboundView, listInbound } from '../../db/queries/inbound.ts';
import { mailboxIdOf } from '../../db/queries/mailbox-refs.ts';
import { readHeldBody } from '../../ingest/held-body.ts';
import { discardInbound, releaseInbound, ReleaseRefused, reprocessInbound } from '../../ingest/release.ts';
import type { AppEnv } from '../env.ts';
import { ApiFailure, notFound } from '../errors.ts';
import { decodeCursor, encodeCursor, parseBody, parseQuery } from '../validate.ts';

export const inboundRoutes = new Hono<AppEnv>();

/** The exception log, newest first, filtered; pages with `cursor`. */
inboundRoutes.get('/', async (c) => {
  const q = parseQuery(c, listInboundQuery);
  const cursor = decodeCursor(q.cursor);
  const { db } = c.var.deps;
  let mailboxId: string | undefined;
  if (q.mailbox) {
    const found = await mailboxIdOf(db, c.var.workspaceId, q.mailbox);
    if (!found) throw new ApiFailure('bad_request', 'invalid query parameters', [{ path: ['mailbox'], message: `no mailbox "${q.mailbox}" in this workspace` }]);
    mailboxId = found;
  }
  const { limit, status, reason, sender, from, to } = q;
  const page = await listInbound(db, c.var.workspaceId, { status, reason, mailboxId, sender, from, to }, limit, cursor);
  return c.json({ items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null } satisfies Page<InboundView>);
});

inboundRoutes.get('/:id', async (c) => {
  const row = await inboundRow(c.var.deps.db, c.var.workspaceId, c.req.param('id'));
  if (!row) throw notFound('inbound message');
  return c.json(inboundView(row));
});

/** What a held message says (its text, its HTML for the sandboxed view), read again from the raw mail. */
inboundRoutes.get('/:id/body', async (c) => {
  const row = await inboundRow(c.var.deps.db, c.var.workspaceId, c.req.param('id'));
  if (!row) throw notFound('inbound message');
  const obj = await c.var.deps.raw.get(row.rawKey);
  if (!obj) throw notFound('raw message');
  const body: InboundBodyView = await readHeldBody(new Uint8Array(await obj.arrayBuffer()));
  return c.json(body, 200, { 'Cache-Control': 'no-store' });
});

/** The message exactly as it arrived, as a download. */
inboundRoutes.get('/:id/raw', async (c) => {
  const row = await inboundRow(c.var.deps.db, c.var.workspaceId, c.req.param('id'));
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
  return c.json(inboundView(row));
});
