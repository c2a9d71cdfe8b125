// "Connect your domain": GET /api/admin/setup checks the deployment from inside the Worker; POST
// /api/admin/setup/test-message delivers a generated message through the real email entry point.
import { env } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { setupStatus, type SetupInputs } from '../../../worker/admin/setup.ts';
import { cases, inbound, mailboxes, outboxRecipients } from '../../../worker/db/schema.ts';
import { SETUP_TEST_SUBJECT, type SetupCheckId, type SetupStatus, type TestMessageResult } from '../../../worker/protocol/admin.ts';
import { DEMO, seeded } from '../helpers.ts';
import { ACCESS, claims, FakeJwks, newKey, signJwt, withToken } from '../auth/helpers.ts';
import { auditRows, call, issuesOf, json, PASSWORD, send, signedIn } from './helpers.ts';

const GOOD_KEY = 'k'.repeat(64);

function byId(s: SetupStatus): Record<SetupCheckId, { status: string; detail: string; fix: string }> {
  return Object.fromEntries(s.checks.map((c) => [c.id, c])) as unknown as Record<SetupCheckId, { status: string; detail: string; fix: string }>;
}

describe('GET /api/admin/setup', () => {
  it('checks every part from inside the Worker; each failure comes with its fix', async () => {
    await seeded();
    const s = await json<SetupStatus>(await call('/api/admin/setup', {}, { REPLY_TOKEN_KEY: GOOD_KEY, APP_URL: 'https://support.acme.test' }));
    const c = byId(s);
    expect(s.checks.map((x) => x.id)).toEqual(['d1', 'r2', 'reply-token-key', 'send-email', 'auth-mode', 'access-config', 'app-url', 'mailbox', 'test-message']);
    expect(c.d1.status).toBe('ok');
    expect(c.r2).toMatchObject({ status: 'ok', detail: 'a probe object was written, read back and deleted' });
    expect(c['reply-token-key'].status).toBe('ok');
    expect(c['send-email'].status).toBe('ok');
    // Open mode works but is flagged.
    expect(c['auth-mode'].status).toBe('warn');
    expect(c['auth-mode'].fix).toMatch(/AUTH_MODE/);
    expect(c['access-config'].status).toBe('skip');
    expect(c['app-url'].status).toBe('ok');
    expect(c.mailbox).toMatchObject({ status: 'ok', detail: DEMO.mailbox });
    expect(c['test-message'].status).toBe('warn');
    expect(s.ready).toBe(true);
    expect(s.mailboxes).toEqual([{ id: DEMO.mailboxId, address: DEMO.mailbox, enabled: true }]);
    // The probe leaves nothing behind.
    expect((await env.RAW.list({ prefix: 'setup-probe/' })).objects).toHaveLength(0);
  });

  it('a short reply-token key, a missing send_email binding, no enabled mailbox: fail, with the command to run', async () => {
    const deps = await seeded();
    await deps.db.update(mailboxes).set({ enabled: false });
    const s = await json<SetupStatus>(await call('/api/admin/setup', {}, { REPLY_TOKEN_KEY: 'short-key', SEND_EMAIL: undefined }));
    const c = byId(s);
    expect(c['reply-token-key']).toMatchObject({ status: 'fail', detail: '9 characters: too short to keep reply addresses unforgeable' });
    expect(c['reply-token-key'].fix).toContain('wrangler secret put REPLY_TOKEN_KEY');
    expect(c['send-email'].status).toBe('fail');
    expect(c['send-email'].fix).toContain('[[send_email]]');
    expect(c.mailbox).toMatchObject({ status: 'fail', detail: 'every mailbox is disabled' });
    expect(c['app-url'].status).toBe('warn');
    expect(s.ready).toBe(false);
  });

  it('password mode is fine (ok); an agent who is not an admin gets 403', async () => {
    const deps = await seeded();
    const { ada, ben } = await signedIn(deps);
    const s = await json<SetupStatus>(await call('/api/admin/setup', { headers: { Cookie: ada } }, PASSWORD));
    expect(byId(s)['auth-mode'].status).toBe('ok');
    expect((await call('/api/admin/setup', { headers: { Cookie: ben } }, PASSWORD)).status).toBe(403);
    expect((await send('/api/admin/setup/test-message', { mailboxId: DEMO.mailboxId }, 'POST', PASSWORD, { Cookie: ben })).status).toBe(403);
  });

  it('access mode with its team domain and audience: both checks ok', async () => {
    await seeded();
    const key = await newKey('kid-setup');
    new FakeJwks([key]);
    const token = await signJwt(key, claims('ada@acme.test'));
    const s = await json<SetupStatus>(await call('/api/admin/setup', withToken(token), ACCESS));
    expect(byId(s)['auth-mode'].status).toBe('ok');
    expect(byId(s)['access-config']).toMatchObject({ status: 'ok', detail: 'team acme.cloudflareaccess.com, audience set' });
  });
});

describe('setupStatus (what the API cannot reach: a deployment missing its bindings)', () => {
  const base = (over: Partial<SetupInputs>): SetupInputs => ({ d1: env.DB, raw: env.RAW, sendEmail: env.SEND_EMAIL, replyTokenKey: GOOD_KEY, appUrl: undefined, AUTH_MODE: 'password', ...over });

  it('no D1, no R2, no key, a mistyped mode: each fails with its own fix', async () => {
    const deps = await seeded();
    const c = byId(await setupStatus(deps.db, DEMO.workspaceId, base({ d1: undefined, raw: undefined, replyTokenKey: undefined, AUTH_MODE: 'OPEN' }), Date.now()));
    expect(c.d1).toMatchObject({ status: 'fail', detail: 'no D1 binding named DB' });
    expect(c.d1.fix).toContain('wrangler d1 create');
    expect(c.r2.fix).toContain('wrangler r2 bucket create');
    expect(c['reply-token-key']).toMatchObject({ status: 'fail', detail: 'not set' });
    expect(c['auth-mode']).toMatchObject({ status: 'fail', detail: '"OPEN" is not a mode' });
  });

  it('an unmigrated database and a failing bucket', async () => {
    const deps = await seeded();
    const empty = { prepare: () => ({ bind: () => ({ all: async () => ({ results: [] }) }) }) } as unknown as D1Database;
    const broken = { put: async () => Promise.reject(new Error('bucket not found')) } as unknown as R2Bucket;
    const c = byId(await setupStatus(deps.db, DEMO.workspaceId, base({ d1: empty, raw: broken }), Date.now()));
    expect(c.d1).toMatchObject({ status: 'fail', detail: 'tables missing: events, audit_log' });
    expect(c.d1.fix).toContain('wrangler d1 migrations apply DB --remote');
    expect(c.r2).toMatchObject({ status: 'fail', detail: 'R2 answered with an error: bucket not found' });
  });

  it('access mode without its team domain or audience', async () => {
    const deps = await seeded();
    const c = byId(await setupStatus(deps.db, DEMO.workspaceId, base({ AUTH_MODE: 'access', ACCESS_TEAM_DOMAIN: 'acme.cloudflareaccess.com' }), Date.now()));
    expect(c['auth-mode'].status).toBe('ok');
    expect(c['access-config'].status).toBe('fail');
    expect(c['access-config'].fix).toContain('ACCESS_AUD');
  });
});

describe('POST /api/admin/setup/test-message', () => {
  it('delivers a generated message through receiveEmail: a case "edgecase setup test" opens, the check turns ok', async () => {
    const deps = await seeded({ acks: true });
    const r = await json<TestMessageResult>(await send('/api/admin/setup/test-message', { mailboxId: DEMO.mailboxId }));
    expect(r).toMatchObject({ verdict: 'accepted', status: 'processed', reason: null, from: 'ada@acme.test', to: DEMO.mailbox });
    expect(r.caseNumber).toBeGreaterThan(0);
    const kase = (await deps.db.select().from(cases).where(eq(cases.id, r.caseId!)).get())!;
    expect(kase.subject).toBe(SETUP_TEST_SUBJECT);
    const row = (await deps.db.select().from(inbound).where(eq(inbound.id, r.inboundId!)).get())!;
    expect(row).toMatchObject({ envelopeFrom: 'ada@acme.test', envelopeTo: DEMO.mailbox, status: 'processed' });
    // The raw message is in R2 like any other, with the marker header.
    const raw = await (await env.RAW.get(row.rawKey))!.text();
    expect(raw).toContain('X-Edgecase-Setup-Test: yes');
    // The admin, as the sender, gets the acknowledgement a customer would.
    expect((await deps.db.select().from(outboxRecipients)).map((o) => [o.kind, o.recipient])).toEqual([['ack-create', 'ada@acme.test']]);
    const s = await json<SetupStatus>(await call('/api/admin/setup', {}, { REPLY_TOKEN_KEY: GOOD_KEY }));
    expect(byId(s)['test-message'].status).toBe('ok');
    expect(byId(s)['test-message'].detail).toContain(`opened case #${r.caseNumber}`);
    const [audit] = await auditRows(deps);
    expect(audit).toMatchObject({ entity: 'setup', action: 'test-message', entityId: DEMO.mailboxId });
    expect(audit!.changes.status).toEqual([null, 'processed']);
  });

  it('each test is a new message (never a duplicate of the last one)', async () => {
    const deps = await seeded();
    const a = await json<TestMessageResult>(await send('/api/admin/setup/test-message', { mailboxId: DEMO.mailboxId }));
    const b = await json<TestMessageResult>(await send('/api/admin/setup/test-message', { mailboxId: DEMO.mailboxId }));
    expect(a.caseId).not.toBe(b.caseId);
    expect(b.status).toBe('processed');
    expect(await deps.db.select().from(cases)).toHaveLength(2);
  });

  it('a disabled mailbox refuses it as it would refuse outside mail; the check then fails', async () => {
    const deps = await seeded();
    await deps.db.update(mailboxes).set({ enabled: false });
    const r = await json<TestMessageResult>(await send('/api/admin/setup/test-message', { mailboxId: DEMO.mailboxId }));
    expect(r).toMatchObject({ verdict: 'rejected', status: 'rejected', reason: 'mailbox disabled', caseId: null });
    const c = byId(await json<SetupStatus>(await call('/api/admin/setup')));
    expect(c['test-message'].status).toBe('fail');
    expect(c['test-message'].detail).toContain('rejected (mailbox disabled)');
  });

  it('refuses an unknown mailbox and a missing one', async () => {
    await seeded();
    expect(await issuesOf(await send('/api/admin/setup/test-message', { mailboxId: 'mbx_nope' }))).toEqual({ mailboxId: ['no such mailbox in this workspace'] });
    expect(Object.keys(await issuesOf(await send('/api/admin/setup/test-message', {})))).toEqual(['mailboxId']);
  });
});
