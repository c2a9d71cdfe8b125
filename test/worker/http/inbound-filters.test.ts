// GET /api/inbound filters: status (with the groups), reason, mailbox, sender and days; bad values
// are a 400 that names the parameter. And GET /api/mailboxes, which the filter's choices come from.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { fixture } from '../../fixtures/index.ts';
import { inbound, mailboxes } from '../../../worker/db/schema.ts';
import type { Deps } from '../../../worker/deps.ts';
import type { ApiError, InboundView, MailboxRef, Page } from '../../../worker/protocol/api.ts';
import { seeded } from '../helpers.ts';
import { call, DEMO, deliver, expectError, getJson, mail, ORIGIN, OTHER, otherWorkspace } from './client.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 23, 9, 0);
const SALES = { id: 'mbx_sales', address: 'sales@acme.test' } as const;

/**
 * Five rows over three days and two mailboxes: a case (Nov 23), a bounce (ignored, Nov 23), a
 * stranger (quarantined, Nov 24), a failure (Nov 25, sales@) and a discarded one (Nov 25).
 */
async function spread(deps: Deps) {
  const now = Date.now();
  await deps.db.insert(mailboxes).values({ id: SALES.id, workspaceId: DEMO.workspaceId, address: SALES.address, displayName: 'Sales', createdAt: now, updatedAt: now });
  const plain = await deliver(deps, fixture('plain'), { at: T0, from: 'alice@example.com' });
  const bounce = await deliver(deps, fixture('bounce-dsn'), { at: T0 + 1000, from: 'MAILER-DAEMON@mx.example.net' });
  const stranger = await deliver(deps, fixture('stranger-subject-tag'), { at: T0 + DAY, from: 'mallory@example.org' });
  const failed = await deliver(deps, mail({ To: SALES.address, From: 'Big_Buyer <big_buyer@shop.example>', Subject: 'Quote' }), {
    at: T0 + 2 * DAY,
    to: SALES.address,
    from: 'big_buyer@shop.example',
  });
  await deps.db.update(inbound).set({ status: 'failed', reason: 'processing-error', attempts: 2, lastError: 'Error: boom', caseId: null, messageId: null }).where(eq(inbound.id, failed));
  const gone = await deliver(deps, mail({ From: 'Postmaster <postmaster@elsewhere.example>', Subject: 'Undeliverable' }), { at: T0 + 2 * DAY + 1000, from: 'postmaster@elsewhere.example' });
  await deps.db
    .update(inbound)
    .set({ status: 'discarded', reason: 'bounce', caseId: null, messageId: null, resolvedBy: 'agt_ada', resolvedAt: T0 + 3 * DAY })
    .where(eq(inbound.id, gone));
  return { plain, bounce, stranger, failed, gone };
}

const ids = async (query: string) => {
  const { res, body } = await getJson<Page<InboundView> & Partial<ApiError>>(`/api/inbound${query}`);
  if (res.status !== 200) throw new Error(`${query}: ${res.status} ${JSON.stringify(body)}`);
  return body.items.map((i) => i.id);
};

describe('GET /api/inbound filters', () => {
  it('status: one status, held, exceptions (held and failed), released, all', async () => {
    const deps = await seeded();
    const { plain, bounce, stranger, failed, gone } = await spread(deps);
    expect(await ids('?status=all')).toEqual([gone, failed, stranger, bounce, plain]);
    expect(await ids('?status=exceptions')).toEqual([failed, stranger, bounce]);
    expect(await ids('?status=held')).toEqual([stranger, bounce]);
    expect(await ids('?status=failed')).toEqual([failed]);
    expect(await ids('?status=discarded')).toEqual([gone]);
    expect(await ids('?status=released')).toEqual([]);
    // Released: held mail an agent turned into a case.
    const res = await call(`/api/inbound/${stranger}/release`, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: ORIGIN }, body: '{}' });
    expect(res.status).toBe(200);
    expect(await ids('?status=released')).toEqual([stranger]);
    expect(await ids('?status=exceptions')).toEqual([failed, bounce]);
  });

  it('reason: one code or several', async () => {
    const deps = await seeded();
    const { bounce, stranger, failed, gone } = await spread(deps);
    expect(await ids('?reason=bounce')).toEqual([gone, bounce]);
    expect(await ids('?status=exceptions&reason=bounce')).toEqual([bounce]);
    expect(await ids('?reason=not-a-participant,processing-error,processing-failed')).toEqual([failed, stranger]);
    expect(await ids('?reason=flood')).toEqual([]);
  });

  it('mailbox: by id or by address', async () => {
    const deps = await seeded();
    const { failed } = await spread(deps);
    expect(await ids(`?mailbox=${SALES.id}`)).toEqual([failed]);
    expect(await ids(`?mailbox=${encodeURIComponent('Sales@Acme.test')}`)).toEqual([failed]);
    expect(await ids(`?mailbox=${DEMO.mailboxId}`)).toHaveLength(4);
  });

  it('sender: part of the From address or the envelope sender, any case, wildcards taken literally', async () => {
    const deps = await seeded();
    const { bounce, stranger, failed, gone } = await spread(deps);
    expect(await ids('?sender=MALLORY')).toEqual([stranger]);
    // The bounce's envelope sender is MAILER-DAEMON@…
    expect(await ids('?sender=mailer-daemon')).toEqual([bounce]);
    expect(await ids('?sender=example.net')).toEqual(expect.arrayContaining([bounce]));
    expect(await ids('?sender=big_buyer')).toEqual([failed]);
    // `_` and `%` mean themselves: "big%buyer" is no pattern.
    expect(await ids('?sender=big%25buyer')).toEqual([]);
    expect(await ids('?sender=g_b')).toEqual([failed]);
    expect(await ids('?sender=postmaster')).toEqual([gone]);
  });

  it('from and to: UTC days, both included', async () => {
    const deps = await seeded();
    const { plain, bounce, stranger, failed, gone } = await spread(deps);
    expect(await ids('?from=2026-11-24')).toEqual([gone, failed, stranger]);
    expect(await ids('?to=2026-11-23')).toEqual([bounce, plain]);
    expect(await ids('?from=2026-11-24&to=2026-11-24')).toEqual([stranger]);
    expect(await ids('?from=2026-11-26')).toEqual([]);
    expect(await ids('?status=exceptions&from=2026-11-24&sender=example&reason=not-a-participant')).toEqual([stranger]);
  });

  it('filters page with the cursor like the whole list', async () => {
    const deps = await seeded();
    const { bounce, stranger, failed } = await spread(deps);
    const first = await getJson<Page<InboundView>>('/api/inbound?status=exceptions&limit=2');
    expect(first.body.items.map((i) => i.id)).toEqual([failed, stranger]);
    expect(await ids(`?status=exceptions&limit=2&cursor=${encodeURIComponent(first.body.nextCursor!)}`)).toEqual([bounce]);
  });

  it.each([
    ['?status=bogus', 'status'],
    ['?reason=nope', 'reason'],
    ['?reason=bounce,nope', 'reason'],
    ['?reason=', 'reason'],
    ['?reason=,', 'reason'],
    ['?from=2026-02-30', 'from'],
    ['?from=yesterday', 'from'],
    ['?to=2026-13-01', 'to'],
    ['?from=2026-11-25&to=2026-11-24', 'to'],
    ['?sender=', 'sender'],
    [`?sender=${'x'.repeat(201)}`, 'sender'],
    ['?mailbox=', 'mailbox'],
    ['?mailbox=nobody%40acme.test', 'mailbox'],
    ['?senders=alice', ''],
  ])('%s is a 400 that names %s', async (query, param) => {
    await seeded();
    const body = await expectError(await call(`/api/inbound${query}`), 400, 'bad_request');
    expect(body.error.message).toBe('invalid query parameters');
    const issues = body.error.issues as Array<{ path: string[]; message: string; keys?: string[] }>;
    expect(issues.length).toBeGreaterThan(0);
    if (param) expect(issues.some((i) => i.path[0] === param)).toBe(true);
    else expect(issues[0]!.keys).toEqual(['senders']);
  });

  it("another workspace's mailbox is no mailbox here", async () => {
    const deps = await seeded();
    await otherWorkspace(deps);
    await expectError(await call(`/api/inbound?mailbox=${OTHER.mailboxId}`), 400, 'bad_request');
    await expectError(await call(`/api/inbound?mailbox=${encodeURIComponent(OTHER.mailbox)}`), 400, 'bad_request');
  });
});

describe('GET /api/mailboxes', () => {
  it("lists the workspace's mailboxes, not another's", async () => {
    const deps = await seeded();
    await otherWorkspace(deps);
    const { res, body } = await getJson<{ items: MailboxRef[] }>('/api/mailboxes');
    expect(res.status).toBe(200);
    expect(body.items).toEqual([{ id: DEMO.mailboxId, address: DEMO.mailbox, displayName: expect.any(String), enabled: true }]);
  });
});
