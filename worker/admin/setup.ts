// "Connect your domain": what a deployment needs, checked from inside the Worker, each check with the
// fix when it fails; and a test message delivered through the real email entry point.
import { and, desc, eq } from 'drizzle-orm';
import { readAuthConfig, type AuthVars } from '../auth/config.ts';
import { auditLog, cases, inbound, mailboxes } from '../db/schema.ts';
import type { Db, Deps } from '../deps.ts';
import { receiveEmail } from '../ingest/receive.ts';
import { SETUP_TEST_SUBJECT, type SetupCheck, type SetupStatus, type TestMessageResult } from '../protocol/admin.ts';
import { auditInsert } from './audit.ts';
import { AdminRefused } from './errors.ts';
import type { Actor } from './mailboxes.ts';

/** A reply-token key shorter than this is guessable enough to forge reply addresses with. */
export const MIN_REPLY_TOKEN_KEY = 32;

/** What the checks look at: the bindings and variables, never the whole Env. */
export interface SetupInputs extends AuthVars {
  d1: D1Database | undefined;
  raw: R2Bucket | undefined;
  sendEmail: unknown;
  replyTokenKey: string | undefined;
  appUrl: string | undefined;
}

/** Tables the Worker cannot run without: the first migration's and the newest one's. */
const REQUIRED_TABLES = ['events', 'audit_log'] as const;

async function checkD1(d1: D1Database | undefined): Promise<SetupCheck> {
  const base = { id: 'd1', label: 'D1 database bound and migrated' } as const;
  if (!d1)
    return {
      ...base,
      status: 'fail',
      detail: 'no D1 binding named DB',
      fix: 'Run `npx wrangler d1 create edgecase`, put the printed database_id into wrangler.toml ([[d1_databases]], binding "DB"), then deploy again.',
    };
  try {
    const { results } = await d1
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (${REQUIRED_TABLES.map(() => '?').join(', ')})`)
      .bind(...REQUIRED_TABLES)
      .all<{ name: string }>();
    const present = new Set(results.map((r) => r.name));
    const missing = REQUIRED_TABLES.filter((t) => !present.has(t));
    if (missing.length) return { ...base, status: 'fail', detail: `tables missing: ${missing.join(', ')}`, fix: 'Apply the migrations: `npx wrangler d1 migrations apply DB --remote`.' };
    return { ...base, status: 'ok', detail: 'bound; the migrations are applied', fix: '' };
  } catch (err) {
    return { ...base, status: 'fail', detail: `D1 answered with an error: ${errorText(err)}`, fix: 'Check the database_id in wrangler.toml, then `npx wrangler d1 migrations apply DB --remote`.' };
  }
}

async function checkR2(raw: R2Bucket | undefined, now: number): Promise<SetupCheck> {
  const base = { id: 'r2', label: 'R2 bucket bound (raw mail and attachments)' } as const;
  const fix = 'Run `npx wrangler r2 bucket create edgecase-raw` and keep the [[r2_buckets]] binding "RAW" in wrangler.toml.';
  if (!raw) return { ...base, status: 'fail', detail: 'no R2 binding named RAW', fix };
  const key = `setup-probe/${now}-${crypto.randomUUID()}`;
  const body = `edgecase setup probe ${now}`;
  try {
    await raw.put(key, body);
    const got = await raw.get(key);
    const text = got ? await got.text() : null;
    await raw.delete(key);
    if (text !== body) return { ...base, status: 'fail', detail: 'a probe object was written but did not read back', fix };
    return { ...base, status: 'ok', detail: 'a probe object was written, read back and deleted', fix: '' };
  } catch (err) {
    return { ...base, status: 'fail', detail: `R2 answered with an error: ${errorText(err)}`, fix };
  }
}

function checkReplyKey(key: string | undefined): SetupCheck {
  const base = { id: 'reply-token-key', label: 'REPLY_TOKEN_KEY secret set' } as const;
  const fix = `Run \`npx wrangler secret put REPLY_TOKEN_KEY\` and paste a long random value (\`openssl rand -hex 32\` prints one); at least ${MIN_REPLY_TOKEN_KEY} characters.`;
  if (!key) return { ...base, status: 'fail', detail: 'not set', fix };
  if (key.length < MIN_REPLY_TOKEN_KEY) return { ...base, status: 'fail', detail: `${key.length} characters: too short to keep reply addresses unforgeable`, fix };
  return { ...base, status: 'ok', detail: `set (${key.length} characters)`, fix: '' };
}

function checkSendEmail(binding: unknown): SetupCheck {
  const base = { id: 'send-email', label: 'send_email binding (outgoing mail)' } as const;
  const present = typeof binding === 'object' && binding !== null && typeof (binding as { send?: unknown }).send === 'function';
  if (!present) {
    return {
      ...base,
      status: 'fail',
      detail: 'no send_email binding named SEND_EMAIL',
      fix: 'Add [[send_email]] name = "SEND_EMAIL" to wrangler.toml, and onboard your domain in Cloudflare Email Service (Email Sending → Onboard Domain adds SPF, DKIM and DMARC).',
    };
  }
  return { ...base, status: 'ok', detail: 'present; mail is sent from each mailbox’s own address once its domain is onboarded to Email Sending', fix: '' };
}

function checkAuth(vars: AuthVars): SetupCheck[] {
  const config = readAuthConfig(vars);
  const mode: SetupCheck = { id: 'auth-mode', label: 'Sign-in for agents (AUTH_MODE)', status: 'ok', detail: '', fix: '' };
  const access: SetupCheck = { id: 'access-config', label: 'Cloudflare Access application (ACCESS_TEAM_DOMAIN, ACCESS_AUD)', status: 'skip', detail: 'only needed with AUTH_MODE=access', fix: '' };
  switch (config.mode) {
    case 'access':
      mode.detail = 'access: every request carries a Cloudflare Access token, verified by the Worker';
      if (config.access) {
        access.status = 'ok';
        access.detail = `team ${config.access.teamDomain}, audience set`;
      } else {
        access.status = 'fail';
        access.detail = 'ACCESS_TEAM_DOMAIN or ACCESS_AUD is missing or not valid';
        access.fix =
          'In Zero Trust → Access → Applications, add a self-hosted application for the inbox’s host name; put its team domain (acme.cloudflareaccess.com) in ACCESS_TEAM_DOMAIN and its Application Audience (AUD) tag in ACCESS_AUD ([vars] in wrangler.toml), then deploy.';
      }
      break;
    case 'password':
      mode.detail = 'password: agents sign in with their email and a password an admin set';
      break;
    case 'open':
      mode.status = 'warn';
      mode.detail = 'open: no sign-in at all; the Worker serves only requests from this machine';
      mode.fix = 'Fine on your own machine. For a deployment, set AUTH_MODE = "access" (Cloudflare Access) or "password" in wrangler.toml.';
      break;
    default:
      mode.status = 'fail';
      mode.detail = `"${config.raw}" is not a mode`;
      mode.fix = 'Set AUTH_MODE to "access" or "password" in wrangler.toml ([vars]).';
  }
  return [mode, access];
}

function checkAppUrl(appUrl: string | undefined): SetupCheck {
  const base = { id: 'app-url', label: 'APP_URL (links in notification mail)' } as const;
  if (!appUrl)
    return {
      ...base,
      status: 'warn',
      detail: 'not set: notifications to agents carry no link to the case',
      fix: 'Set APP_URL to the address agents open the inbox at (e.g. https://support.acme.com) in [vars].',
    };
  if (!/^https:\/\//i.test(appUrl)) return { ...base, status: 'warn', detail: `${appUrl} is not https`, fix: 'Use the https:// address agents reach through Cloudflare.' };
  return { ...base, status: 'ok', detail: appUrl, fix: '' };
}

async function checkMailboxes(db: Db, workspaceId: string): Promise<{ check: SetupCheck; list: SetupStatus['mailboxes'] }> {
  const list = await db.select({ id: mailboxes.id, address: mailboxes.address, enabled: mailboxes.enabled }).from(mailboxes).where(eq(mailboxes.workspaceId, workspaceId));
  const enabled = list.filter((m) => m.enabled);
  const base = { id: 'mailbox', label: 'At least one enabled mailbox' } as const;
  const check: SetupCheck = enabled.length
    ? { ...base, status: 'ok', detail: enabled.map((m) => m.address).join(', '), fix: '' }
    : {
        ...base,
        status: 'fail',
        detail: list.length ? 'every mailbox is disabled' : 'no mailbox yet',
        fix: 'Create a mailbox for your support address (Admin → Mailboxes) or enable one; then add an Email Routing rule that sends that address to this Worker.',
      };
  return { check, list };
}

async function checkTestMessage(db: Db, workspaceId: string): Promise<SetupCheck> {
  const base = { id: 'test-message', label: 'A test message accepted' } as const;
  const last = await db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.workspaceId, workspaceId), eq(auditLog.entity, 'setup'), eq(auditLog.action, 'test-message')))
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(1)
    .get();
  const fix = 'Send a test message (below): it goes through the same email handler as real mail. Then send one from outside to the support address, to check the Email Routing rule.';
  if (!last) return { ...base, status: 'warn', detail: 'no test message yet', fix };
  let result: { status?: [unknown, unknown]; to?: [unknown, unknown]; caseNumber?: [unknown, unknown]; reason?: [unknown, unknown] } = {};
  try {
    result = JSON.parse(last.changes) as typeof result;
  } catch {
    // shown as failed below
  }
  const when = new Date(last.at).toISOString().replace('T', ' ').slice(0, 16);
  if (result.status?.[1] === 'processed') {
    return { ...base, status: 'ok', detail: `${when} UTC: delivered to ${String(result.to?.[1] ?? 'a mailbox')}, opened case #${String(result.caseNumber?.[1] ?? '?')}`, fix: '' };
  }
  return { ...base, status: 'fail', detail: `${when} UTC: ${String(result.status?.[1] ?? 'failed')}${result.reason?.[1] ? ` (${String(result.reason[1])})` : ''}`, fix };
}

export async function setupStatus(db: Db, workspaceId: string, inputs: SetupInputs, now: number): Promise<SetupStatus> {
  const [d1, r2, boxes, test] = await Promise.all([checkD1(inputs.d1), checkR2(inputs.raw, now), checkMailboxes(db, workspaceId), checkTestMessage(db, workspaceId)]);
  const checks: SetupCheck[] = [d1, r2, checkReplyKey(inputs.replyTokenKey), checkSendEmail(inputs.sendEmail), ...checkAuth(inputs), checkAppUrl(inputs.appUrl), boxes.check, test];
  return { ready: checks.every((c) => c.status !== 'fail'), authMode: inputs.AUTH_MODE ?? '', checks, mailboxes: boxes.list };
}

function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 300);
}

/** The message: plain, with our own marker header and a unique Message-ID, so every test is new mail. */
export function testMessage(from: string, fromName: string, to: string, now: number): string {
  const id = `setup-${now}-${crypto.randomUUID()}@edgecase.invalid`;
  const lines = [
    `From: "${fromName.replace(/["\\\r\n]/g, '')}" <${from}>`,
    `To: <${to}>`,
    `Subject: ${SETUP_TEST_SUBJECT}`,
    `Date: ${new Date(now).toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${id}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    'X-Edgecase-Setup-Test: yes',
    '',
    'This message was generated by edgecase (Admin → Connect your domain → Send a test message) to',
    'check that mail delivered to this mailbox becomes a case. Nothing needs to be done: close the case.',
    '',
  ];
  return lines.join('\r\n');
}

/**
 * Delivers a generated message to a mailbox of the workspace through receiveEmail, inside this
 * Worker, and records the outcome in the audit log (the setup page's "test message" check reads it).
 * The sender is the admin, so when the mailbox acknowledges new cases the admin gets the
 * acknowledgement as a customer would.
 */
export async function sendTestMessage(deps: Deps, who: Actor & { email: string | null; name: string }, mailboxId: string): Promise<TestMessageResult> {
  const mailbox = await deps.db
    .select()
    .from(mailboxes)
    .where(and(eq(mailboxes.id, mailboxId), eq(mailboxes.workspaceId, who.workspaceId)))
    .get();
  if (!mailbox) throw new AdminRefused('bad_request', 'invalid test message', [{ code: 'custom', path: ['mailboxId'], message: 'no such mailbox in this workspace' }]);
  const from = who.email || 'setup-test@example.com';
  const raw = new TextEncoder().encode(testMessage(from, who.name || 'edgecase setup', mailbox.address, who.now));
  let rejected: string | null = null;
  const received = await receiveEmail(
    { from, to: mailbox.address, raw: new Blob([raw]).stream(), rawSize: raw.byteLength, setReject: (reason) => void (rejected = reason) },
    { ...deps, now: () => who.now },
  );
  let result: TestMessageResult;
  if (received.verdict === 'rejected') {
    result = { verdict: 'rejected', inboundId: null, status: 'rejected', reason: rejected ?? received.reason, caseId: null, caseNumber: null, from, to: mailbox.address };
  } else {
    const row = await deps.db.select({ status: inbound.status, reason: inbound.reason, caseId: inbound.caseId }).from(inbound).where(eq(inbound.id, received.inboundId)).get();
    const kase = row?.caseId ? await deps.db.select({ number: cases.number }).from(cases).where(eq(cases.id, row.caseId)).get() : undefined;
    result = {
      verdict: 'accepted',
      inboundId: received.inboundId,
      status: row?.status ?? 'received',
      reason: row?.reason ?? null,
      caseId: row?.caseId ?? null,
      caseNumber: kase?.number ?? null,
      from,
      to: mailbox.address,
    };
  }
  // After the fact, not in the ingest batch: this records that an admin ran the test and what came of it.
  await auditInsert(deps.db, {
    workspaceId: who.workspaceId,
    actor: who.actor,
    entity: 'setup',
    entityId: mailbox.id,
    action: 'test-message',
    changes: { to: [null, mailbox.address], status: [null, result.status], reason: [null, result.reason], caseId: [null, result.caseId], caseNumber: [null, result.caseNumber] },
    at: who.now,
  });
  return result;
}
