// Administration. For now: the historical import, one raw message per request, through the same
// ingest pipeline in import mode (`npm run import` streams an archive into it).
import { and, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod';
import { inbound, mailboxes } from '../../db/schema.ts';
import { receiveEmail } from '../../ingest/receive.ts';
import { firstAddress } from '../../ingest/dedupe.ts';
import { headerValue, prescan } from '../../ingest/prescan.ts';
import type { AppEnv } from '../app.ts';
import { requireRole } from '../middleware/auth.ts';
import { ApiFailure } from '../errors.ts';
import { parseQuery } from '../validate.ts';

export const adminRoutes = new Hono<AppEnv>();
adminRoutes.use('*', requireRole('admin'));

const importQuery = z.object({
  mailbox: z.string().trim().toLowerCase().email().max(320),
  /** A name for this import (the CLI uses the archive's name); rows carry it. */
  batch: z.string().trim().min(1).max(100).regex(/^[\w.:-]+$/),
  /** The envelope sender, when the archive kept one (mbox From_ lines). */
  from: z.string().max(320).optional(),
});

/**
 * POST /api/admin/import?mailbox=support@acme.test&batch=2026-archive with the raw message as the
 * body (Content-Type: message/rfc822). Answers what became of it; a message already imported (or
 * already received live) is a duplicate and changes nothing, so an interrupted import can resume.
 */
adminRoutes.post('/import', async (c) => {
  const q = parseQuery(c, importQuery);
  const type = c.req.header('Content-Type') ?? '';
  if (!/^message\/rfc822\b|^application\/octet-stream\b/i.test(type)) throw new ApiFailure('unsupported_media_type', 'send the raw message as message/rfc822');
  const { deps, workspaceId } = c.var;
  const mailbox = await deps.db.select().from(mailboxes).where(and(eq(mailboxes.address, q.mailbox), eq(mailboxes.workspaceId, workspaceId))).get();
  if (!mailbox) throw new ApiFailure('bad_request', `no mailbox ${q.mailbox} in this workspace`);
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  if (bytes.byteLength === 0) throw new ApiFailure('bad_request', 'the body is empty');
  // Without an envelope sender from the archive, the author stands in (an empty one would read as
  // the null sender of a bounce).
  const envelope = q.from || firstAddress(headerValue(prescan(bytes).headers, 'from')) || 'unknown@import.invalid';
  let rejected: string | null = null;
  const result = await receiveEmail(
    {
      from: envelope,
      to: mailbox.address,
      raw: new Blob([bytes]).stream(),
      rawSize: bytes.byteLength,
      setReject: (reason) => void (rejected = reason),
    },
    deps,
    { importBatch: q.batch },
  );
  if (result.verdict === 'rejected') throw new ApiFailure('bad_request', rejected ?? result.reason);
  const row = await deps.db.select().from(inbound).where(eq(inbound.id, result.inboundId)).get();
  let action: string | null = null;
  try {
    const d = row?.decision ? (JSON.parse(row.decision) as { decision?: { action?: string }; action?: string }) : null;
    action = d?.decision?.action ?? d?.action ?? null;
  } catch {
    action = null;
  }
  return c.json({ inboundId: result.inboundId, status: row?.status ?? 'received', reason: row?.reason ?? null, caseId: row?.caseId ?? null, duplicate: row?.reason === 'duplicate', action }, 201);
});
