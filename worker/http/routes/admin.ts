// Administration (admins only; in open mode whoever sits at the machine): mailbox settings, agents,
// the audit trail, the "connect your domain" checks, and the historical import (one raw message per
// request through the ingest pipeline in import mode, which `npm run import` streams an archive into,
// or a small uploaded archive at once).
// The work is done in worker/admin/; these handlers parse, call, and map refusals to HTTP.
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { readAll } from '../../ingest/receive.ts';
import { assertUploadSize, countUpload, importArchive, importMailbox, importMessage, uploadedMessages } from '../../admin/import.ts';
import { deactivateAgent, inviteAgent, listAgents, reactivateAgent, setAgentPassword, updateAgent } from '../../admin/agents.ts';
import { listAudit } from '../../admin/audit.ts';
import { AdminRefused } from '../../admin/errors.ts';
import { createMailbox, listMailboxes, mailboxOptions, mailboxRow, mailboxView, previewAck, updateMailbox, type Actor } from '../../admin/mailboxes.ts';
import { sendTestMessage, setupStatus } from '../../admin/setup.ts';
import { calendarBody, importHolidays, listCalendars, listPolicies, policyBody, saveCalendar, savePolicy } from '../../admin/sla.ts';
import {
  IMPORT_UPLOAD_LIMITS,
  type ImportCount,
  ackPreviewBody,
  auditQuery,
  createMailboxBody,
  deactivateAgentBody,
  inviteAgentBody,
  setPasswordBody,
  testMessageBody,
  updateAgentBody,
  updateMailboxBody,
} from '../../protocol/admin.ts';
import type { AppEnv } from '../env.ts';
import { requireRole } from '../middleware/auth.ts';
import { ApiFailure } from '../errors.ts';
import { decodeCursor, encodeCursor, parseBody, parseQuery } from '../validate.ts';

export const adminRoutes = new Hono<AppEnv>();
adminRoutes.use('*', requireRole('admin'));

const importQuery = z.object({
  mailbox: z.string().trim().toLowerCase().email().max(320),
  /** A name for this import (the CLI uses the archive's name); rows carry it. */
  batch: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .regex(/^[\w.:-]+$/),
  /** The envelope sender, when the archive kept one (mbox From_ lines). */
  from: z.string().max(320).optional(),
  /** For an archive: count its messages, import nothing. */
  dryRun: z.stringbool().default(false),
});

/** The request body, read up to `max` bytes; over that a 413, before more is read than the limit. */
async function uploadedBytes(c: Context<AppEnv>, max: number): Promise<Uint8Array> {
  const tooLarge = () => new ApiFailure('payload_too_large', `the upload is larger than ${(max / 1024 / 1024).toFixed(0)} MiB; import bigger archives with \`npm run import\``);
  const declared = Number(c.req.header('Content-Length'));
  if (Number.isFinite(declared) && declared > max) throw tooLarge();
  const body = c.req.raw.body;
  const bytes = body ? await readAll(body, max) : new Uint8Array(0);
  if (!bytes) throw tooLarge();
  if (bytes.byteLength === 0) throw new ApiFailure('bad_request', 'the body is empty');
  return bytes;
}

/**
 * POST /api/admin/import?mailbox=support@acme.test&batch=2026-archive imports old mail through the
 * ingest pipeline in import mode (filed closed in its own time, threads rebuilt, never answered).
 * A message already imported (or already received live) is a duplicate and changes nothing, so an
 * interrupted import can resume.
 *   - one raw message (Content-Type: message/rfc822): 201 with what became of it (`npm run import`);
 *   - an uploaded file (Content-Type: application/mbox): an mbox archive, or a single message, of
 *     at most IMPORT_UPLOAD_LIMITS; 200 with a summary. With `dryRun=true` it is only counted.
 */
adminRoutes.post('/import', async (c) => {
  const q = parseQuery(c, importQuery);
  const type = c.req.header('Content-Type') ?? '';
  const archive = /^application\/mbox\b/i.test(type);
  if (!archive && !/^message\/rfc822\b|^application\/octet-stream\b/i.test(type)) {
    throw new ApiFailure('unsupported_media_type', 'send one raw message as message/rfc822, or an archive as application/mbox');
  }
  const { deps, workspaceId } = c.var;
  const mailbox = await importMailbox(deps, workspaceId, q.mailbox).catch(refused);
  if (archive) {
    const bytes = await uploadedBytes(c, IMPORT_UPLOAD_LIMITS.maxBytes);
    let messages: Uint8Array[];
    try {
      messages = uploadedMessages(bytes);
      assertUploadSize(messages.length);
    } catch (err) {
      refused(err);
    }
    if (q.dryRun) return c.json(countUpload(deps, mailbox, bytes, messages) satisfies ImportCount);
    return c.json(await importArchive(deps, mailbox, q.batch, messages).catch(refused));
  }
  if (q.dryRun) throw new ApiFailure('bad_request', 'dryRun counts the messages of an archive: send it as application/mbox');
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  if (bytes.byteLength === 0) throw new ApiFailure('bad_request', 'the body is empty');
  const result = await importMessage(deps, mailbox, q.batch, bytes, q.from);
  if ('rejected' in result) throw new ApiFailure('bad_request', result.rejected);
  return c.json(result, 201);
});

// ---- settings and people -----------------------------------------------------------------------

function refused(err: unknown): never {
  if (err instanceof AdminRefused) throw new ApiFailure(err.code, err.message, err.issues);
  throw err;
}

function actor(c: Context<AppEnv>): Actor {
  return { workspaceId: c.var.workspaceId, actor: c.var.actor, now: c.var.deps.now() };
}

/** Every mailbox of the workspace with all its settings, and what the form offers to choose from. */
adminRoutes.get('/mailboxes', async (c) => {
  const { db } = c.var.deps;
  const [items, options] = await Promise.all([listMailboxes(db, c.var.workspaceId), mailboxOptions(db, c.var.workspaceId)]);
  return c.json({ items, options });
});

adminRoutes.get('/mailboxes/:id', async (c) => {
  const row = await mailboxRow(c.var.deps.db, c.var.workspaceId, c.req.param('id')).catch(refused);
  return c.json(mailboxView(row));
});

adminRoutes.post('/mailboxes', async (c) => {
  const body = await parseBody(c, createMailboxBody);
  return c.json(await createMailbox(c.var.deps.db, actor(c), body).catch(refused), 201);
});

adminRoutes.patch('/mailboxes/:id', async (c) => {
  const body = await parseBody(c, updateMailboxBody);
  return c.json(await updateMailbox(c.var.deps.db, actor(c), c.req.param('id'), body).catch(refused));
});

/** An acknowledgement rendered with sample values: the template in the body, else the saved one. */
adminRoutes.post('/mailboxes/:id/ack-preview', async (c) => {
  const body = await parseBody(c, ackPreviewBody);
  const row = await mailboxRow(c.var.deps.db, c.var.workspaceId, c.req.param('id')).catch(refused);
  return c.json(await previewAck(c.var.deps.db, row, body.kind, body.template));
});

adminRoutes.get('/agents', async (c) => c.json({ items: await listAgents(c.var.deps.db, c.var.workspaceId) }));

/** Creates the agent without a password; with AUTH_MODE=password, set one with PUT …/password. */
adminRoutes.post('/agents', async (c) => {
  const body = await parseBody(c, inviteAgentBody);
  return c.json(await inviteAgent(c.var.deps.db, actor(c), body).catch(refused), 201);
});

adminRoutes.patch('/agents/:id', async (c) => {
  const body = await parseBody(c, updateAgentBody);
  return c.json(await updateAgent(c.var.deps.db, actor(c), c.req.param('id'), body).catch(refused));
});

adminRoutes.post('/agents/:id/deactivate', async (c) => {
  const body = await parseBody(c, deactivateAgentBody);
  return c.json(await deactivateAgent(c.var.deps, actor(c), c.req.param('id'), body.reassignTo ?? null).catch(refused));
});

adminRoutes.post('/agents/:id/reactivate', async (c) => {
  await parseBody(c, z.object({}).strict());
  return c.json(await reactivateAgent(c.var.deps.db, actor(c), c.req.param('id')).catch(refused));
});

adminRoutes.put('/agents/:id/password', async (c) => {
  const body = await parseBody(c, setPasswordBody);
  return c.json(await setAgentPassword(c.var.deps.db, actor(c), c.req.param('id'), body.password).catch(refused));
});

/** The audit trail, newest first: `entity` and `entityId` narrow it; pages with `cursor`. */
adminRoutes.get('/audit', async (c) => {
  const q = parseQuery(c, auditQuery);
  const page = await listAudit(c.var.deps.db, c.var.workspaceId, { entity: q.entity, entityId: q.entityId, limit: q.limit, before: decodeCursor(q.cursor) });
  return c.json({ items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null });
});

// ---- connect your domain -----------------------------------------------------------------------

adminRoutes.get('/setup', async (c) => {
  const env = c.env;
  const status = await setupStatus(
    c.var.deps.db,
    c.var.workspaceId,
    {
      d1: env.DB,
      raw: env.RAW,
      sendEmail: env.SEND_EMAIL,
      replyTokenKey: env.REPLY_TOKEN_KEY,
      appUrl: env.APP_URL,
      AUTH_MODE: env.AUTH_MODE,
      ACCESS_TEAM_DOMAIN: env.ACCESS_TEAM_DOMAIN,
      ACCESS_AUD: env.ACCESS_AUD,
    },
    c.var.deps.now(),
  );
  return c.json(status);
});

/** Delivers a generated message ("edgecase setup test") to a mailbox through the email handler. */
adminRoutes.post('/setup/test-message', async (c) => {
  const body = await parseBody(c, testMessageBody);
  const who = { ...actor(c), email: c.var.agent?.email ?? null, name: c.var.agent?.name ?? '' };
  return c.json(await sendTestMessage(c.var.deps, who, body.mailboxId).catch(refused));
});

// ---- SLA policies and calendars ------------------------------------------------------------------

const who = (c: Context<AppEnv>) => ({ workspaceId: c.var.workspaceId, actor: c.var.actor, now: c.var.deps.now() });

adminRoutes.get('/sla-policies', async (c) => c.json({ items: await listPolicies(c.var.deps.db, c.var.workspaceId) }));
adminRoutes.post('/sla-policies', async (c) => {
  const body = await parseBody(c, policyBody);
  return c.json({ id: await savePolicy(c.var.deps.db, who(c), null, body).catch(refused) }, 201);
});
adminRoutes.put('/sla-policies/:id', async (c) => {
  const body = await parseBody(c, policyBody);
  return c.json({ id: await savePolicy(c.var.deps.db, who(c), c.req.param('id'), body).catch(refused) });
});
adminRoutes.get('/calendars', async (c) => c.json({ items: await listCalendars(c.var.deps.db, c.var.workspaceId) }));
adminRoutes.post('/calendars', async (c) => {
  const body = await parseBody(c, calendarBody);
  return c.json({ id: await saveCalendar(c.var.deps.db, who(c), null, body).catch(refused) }, 201);
});
adminRoutes.put('/calendars/:id', async (c) => {
  const body = await parseBody(c, calendarBody);
  return c.json({ id: await saveCalendar(c.var.deps.db, who(c), c.req.param('id'), body).catch(refused) });
});
/** POST an .ics file (text/calendar): its all-day events become holidays of the calendar. */
adminRoutes.post('/calendars/:id/holidays/ical', async (c) => {
  if (!/^text\/calendar\b/i.test(c.req.header('Content-Type') ?? '')) throw new ApiFailure('unsupported_media_type', 'send the iCalendar file as text/calendar');
  const year = new Date(c.var.deps.now()).getUTCFullYear();
  const result = await importHolidays(c.var.deps.db, who(c), c.req.param('id'), await c.req.text(), { fromYear: year - 1, toYear: year + 5 }).catch(refused);
  return c.json(result);
});
