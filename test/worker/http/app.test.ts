// The app shell: health, error envelope, unknown routes, the auth gate and the dev routes.
import { createExecutionContext, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import worker from '../../../worker/index.ts';
import { cases, workspaces } from '../../../worker/db/schema.ts';
// The demo mail `npm start` delivers: plain ESM without Node imports, so it runs here too.
import { demoBounce, demoMessages } from '../../../scripts/lib/demo-mail.mjs';
import { incoming, seeded } from '../helpers.ts';
import { call, expectError, noWorkspace, ORIGIN } from './client.ts';

async function deliver(m: { from: string; to: string; raw: string }): Promise<void> {
  const msg = incoming(m.raw, { from: m.from, to: m.to });
  const ctx = createExecutionContext();
  await worker.email(msg as unknown as ForwardableEmailMessage, env, ctx);
  await waitOnExecutionContext(ctx);
  expect(msg.rejected).toBeNull();
}

const eqId = (id: string) => eq(cases.id, id);

type Finish = { nearBreach: { caseId: string; dueAt: number } | null; bounceFor: { caseId: string; rawUrl: string } | null };

describe('GET /api/health', () => {
  it('answers 200 {ok:true} with the API headers', async () => {
    await seeded();
    const res = await call('/api/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(res.headers.get('Cache-Control')).toBe('no-store');
  });

  it('answers through SELF too (the deployed entry point)', async () => {
    await seeded();
    const res = await SELF.fetch(`${ORIGIN}/api/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it('needs no workspace and no open auth mode', async () => {
    const deps = await seeded();
    expect((await call('/api/health', {}, { AUTH_MODE: 'access' })).status).toBe(200);
    await noWorkspace(deps);
    expect((await call('/api/health')).status).toBe(200);
  });
});

describe('unknown routes', () => {
  it('answer 404 with the JSON error envelope', async () => {
    await seeded();
    const body = await expectError(await call('/api/nope'), 404, 'not_found');
    expect(body.error.message).toContain('GET /api/nope');
  });

  it('a known path with an unsupported method is 404 too', async () => {
    await seeded();
    await expectError(await call('/api/cases', { method: 'DELETE', headers: { 'Sec-Fetch-Site': 'same-origin' } }), 404, 'not_found');
    await expectError(await call('/api/health', { method: 'POST' }), 404, 'not_found');
  });

  it('errors carry the request id, taken from Cf-Ray when present', async () => {
    await seeded();
    const body = await expectError(await call('/api/cases/case_missing', { headers: { 'Cf-Ray': 'ray-1234' } }), 404, 'not_found');
    expect(body.error.requestId).toBe('ray-1234');
    const other = await expectError(await call('/api/cases/case_missing'), 404, 'not_found');
    expect(other.error.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('auth gate', () => {
  const access = { AUTH_MODE: 'access' };

  it('refuses every API route with 501 not_configured when AUTH_MODE is not open', async () => {
    await seeded();
    for (const path of ['/api/cases', '/api/cases/case_x', '/api/inbound', '/api/inbound/in_x/raw', '/api/attachments/att_x', '/api/live', '/api/nope']) {
      const body = await expectError(await call(path, {}, access), 501, 'not_configured');
      expect(body.error.message).toContain('access');
    }
    const res = await call('/api/cases/case_x', { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: '{"status":"open"}' }, access);
    await expectError(res, 501, 'not_configured');
  });

  it('an empty or unset AUTH_MODE is not open either', async () => {
    await seeded();
    await expectError(await call('/api/cases', {}, { AUTH_MODE: '' }), 501, 'not_configured');
    await expectError(await call('/api/cases', {}, { AUTH_MODE: 'OPEN' }), 501, 'not_configured');
  });

  it('in open mode with no workspace yet answers 501 not_configured', async () => {
    const deps = await seeded();
    await noWorkspace(deps);
    const body = await expectError(await call('/api/cases'), 501, 'not_configured');
    expect(body.error.message).toContain('workspace');
  });
});

describe('/api/dev', () => {
  it('POST /api/dev/seed seeds the demo workspace in open mode, idempotently', async () => {
    const deps = await seeded();
    await noWorkspace(deps);
    for (let i = 0; i < 2; i++) {
      const res = await call('/api/dev/seed', { method: 'POST' });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { workspaceId: string; mailbox: string; agents: { email: string; name: string; role: string }[] };
      expect(body).toMatchObject({ workspaceId: 'ws_demo', mailbox: 'support@acme.test' });
      expect(body.agents.map((a) => a.name)).toEqual(['Ada Admin', 'Ben Agent']);
      // Only the public fields: no ids or password hashes.
      expect(Object.keys(body.agents[0]!).sort()).toEqual(['email', 'name', 'role']);
    }
    expect(await deps.db.select().from(workspaces)).toHaveLength(1);
  });

  it('POST /api/dev/seed/finish, after the demo mail: a case near breach, a held stranger reply, a bounce line; once', async () => {
    const deps = await seeded({ acks: true });
    for (const m of demoMessages()) await deliver(m);
    const before = Date.now();
    const res = await call('/api/dev/seed/finish', { method: 'POST' });
    expect(res.status).toBe(200);
    const fin = (await res.json()) as Finish;

    // Near breach: first response due in four minutes, already warned, so Breaching soon lists it.
    expect(fin.nearBreach).not.toBeNull();
    const due = fin.nearBreach!.dueAt;
    expect(due - before).toBeGreaterThanOrEqual(3 * 60_000);
    expect(due - before).toBeLessThanOrEqual(5 * 60_000);
    const breaching = (await (await call('/api/cases?status=breaching')).json()) as { items: { id: string; subject: string; sla: { state: string; dueAt: number } }[] };
    expect(breaching.items.map((c) => [c.subject, c.sla.state, c.sla.dueAt])).toEqual([['Cannot log in after password reset', 'warning', due]]);
    const row = await deps.db.select().from(cases).where(eqId(fin.nearBreach!.caseId)).get();
    expect(row).toMatchObject({ nextDueAt: due, slaWarnedMask: 1, slaBreachedMask: 0, firstRespondedAt: null });
    expect(before - row!.createdAt).toBeGreaterThan(3 * 60 * 60_000);

    // The stranger's reply into María's case is held, not filed.
    const held = (await (await call('/api/inbound?status=held')).json()) as { items: { fromEmail: string; reason: string | null; caseId: string | null }[] };
    expect(held.items.map((i) => [i.fromEmail, i.reason])).toEqual([['sam@example.net', 'not-a-participant']]);

    // The acknowledgement to the mistyped address bounces: a system line on that case.
    expect(fin.bounceFor).not.toBeNull();
    const ack = await call(fin.bounceFor!.rawUrl);
    expect(ack.status).toBe(200);
    await deliver(demoBounce(new TextDecoder().decode(await ack.arrayBuffer())));
    const detail = (await (await call(`/api/cases/${fin.bounceFor!.caseId}`)).json()) as { case: { subject: string }; messages: { direction: string; kind: string; text: string }[] };
    expect(detail.case.subject).toBe('Exchange for a smaller size');
    expect(detail.messages.filter((m) => m.direction === 'system').map((m) => [m.kind, m.text])).toEqual([['bounce', expect.stringContaining('Delivery to tom@exmaple.com failed: 5.1.2')]]);

    // A second start: the near-breach case is left as it is (its warning was raised).
    const again = (await (await call('/api/dev/seed/finish', { method: 'POST' })).json()) as Finish;
    expect(again.nearBreach).toBeNull();
    expect((await deps.db.select().from(cases).where(eqId(fin.nearBreach!.caseId)).get())?.firstResponseDueAt).toBe(due);
  });

  it('does not exist unless AUTH_MODE is open', async () => {
    const deps = await seeded();
    await noWorkspace(deps);
    await expectError(await call('/api/dev/seed', { method: 'POST' }, { AUTH_MODE: 'access' }), 404, 'not_found');
    await expectError(await call('/api/dev/seed', { method: 'GET' }, { AUTH_MODE: 'access' }), 404, 'not_found');
    await expectError(await call('/api/dev/seed/finish', { method: 'POST' }, { AUTH_MODE: 'access' }), 404, 'not_found');
    expect(await deps.db.select().from(workspaces)).toHaveLength(0);
  });

  it('refuses a cross-site POST to the seed route', async () => {
    const deps = await seeded();
    await noWorkspace(deps);
    await expectError(await call('/api/dev/seed', { method: 'POST', headers: { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' } }), 403, 'forbidden');
    expect(await deps.db.select().from(workspaces)).toHaveLength(0);
  });

  it('GET /api/dev/seed is not a route', async () => {
    await seeded();
    await expectError(await call('/api/dev/seed'), 404, 'not_found');
  });
});
