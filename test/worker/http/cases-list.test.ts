// GET /api/cases: the inbox list, its filters and keyset pagination.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { cases } from '../../../worker/db/schema.ts';
import type { ApiError, CaseSummary, Page } from '../../../worker/protocol/api.ts';
import { seeded } from '../helpers.ts';
import { call, DEMO, expectError, getJson, mail, newCase, deliver } from './client.ts';

const T0 = Date.UTC(2026, 10, 23, 9, 0);

describe('GET /api/cases', () => {
  it('is an empty page before any mail', async () => {
    await seeded();
    const { res, body } = await getJson<Page<CaseSummary>>('/api/cases');
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    expect(body).toEqual({ items: [], nextCursor: null });
  });

  it('lists delivered cases, most recent activity first, with their summary fields', async () => {
    const deps = await seeded();
    await deliver(deps, mail({ Subject: 'First' }), { at: T0 + 1000 });
    await deliver(deps, mail({ Subject: 'Third', From: 'Carol <carol@example.org>' }), { at: T0 + 3000, from: 'carol@example.org' });
    await deliver(deps, mail({ Subject: 'Second' }), { at: T0 + 2000 });
    const { body } = await getJson<Page<CaseSummary>>('/api/cases');
    expect(body.nextCursor).toBeNull();
    expect(body.items.map((c) => c.subject)).toEqual(['Third', 'Second', 'First']);
    expect(body.items.map((c) => c.lastMessageAt)).toEqual([T0 + 3000, T0 + 2000, T0 + 1000]);
    expect(body.items[0]).toMatchObject({
      number: 2,
      status: 'new',
      priority: 'normal',
      mailboxId: DEMO.mailboxId,
      contact: { email: 'carol@example.org', name: 'Carol' },
      assignee: null,
      messageCount: 1,
      linkedCaseId: null,
      createdAt: T0 + 3000,
    });
    expect(body.items[0]!.id).toMatch(/^case_/);
  });

  it('a reply moves its case to the top', async () => {
    const deps = await seeded();
    const first = mail({ Subject: 'Old one', 'Message-ID': '<old-1@example.com>' });
    await deliver(deps, first, { at: T0 });
    await deliver(deps, mail({ Subject: 'Newer one' }), { at: T0 + 1000 });
    await deliver(deps, mail({ Subject: 'Re: Old one', 'In-Reply-To': '<old-1@example.com>' }), { at: T0 + 2000 });
    const { body } = await getJson<Page<CaseSummary>>('/api/cases');
    expect(body.items.map((c) => [c.subject, c.messageCount])).toEqual([
      ['Old one', 2],
      ['Newer one', 1],
    ]);
  });

  it('filters by status: active by default, all, closed, or one status', async () => {
    const deps = await seeded();
    const a = await newCase(deps, 'stays new', T0);
    const b = await newCase(deps, 'gets closed', T0 + 1);
    const c = await newCase(deps, 'gets pending', T0 + 2);
    const d = await newCase(deps, 'gets resolved', T0 + 3);
    await deps.db.update(cases).set({ status: 'closed', closedAt: T0 }).where(eq(cases.id, b));
    await deps.db.update(cases).set({ status: 'pending' }).where(eq(cases.id, c));
    await deps.db.update(cases).set({ status: 'resolved' }).where(eq(cases.id, d));
    const ids = async (q: string) => (await getJson<Page<CaseSummary>>(`/api/cases${q}`)).body.items.map((i) => i.id);
    expect(await ids('')).toEqual([c, a]);
    expect(await ids('?status=active')).toEqual([c, a]);
    expect(await ids('?status=all')).toEqual([d, c, b, a]);
    expect(await ids('?status=closed')).toEqual([b]);
    expect(await ids('?status=resolved')).toEqual([d]);
    expect(await ids('?status=new')).toEqual([a]);
    expect(await ids('?status=open')).toEqual([]);
  });

  it('filters by mailbox and by assignee (an id, or none)', async () => {
    const deps = await seeded();
    const a = await newCase(deps, 'unassigned', T0);
    const b = await newCase(deps, 'for Ben', T0 + 1);
    await deps.db.update(cases).set({ assigneeId: 'agt_ben' }).where(eq(cases.id, b));
    const ids = async (q: string) => (await getJson<Page<CaseSummary>>(`/api/cases${q}`)).body.items.map((i) => i.id);
    expect(await ids(`?mailbox=${DEMO.mailboxId}`)).toEqual([b, a]);
    expect(await ids('?mailbox=mbx_other')).toEqual([]);
    expect(await ids('?assignee=agt_ben')).toEqual([b]);
    expect(await ids('?assignee=none')).toEqual([a]);
    expect(await ids('?assignee=agt_ada')).toEqual([]);
    const { body } = await getJson<Page<CaseSummary>>('/api/cases?assignee=agt_ben');
    expect(body.items[0]!.assignee).toEqual({ id: 'agt_ben', name: 'Ben Agent' });
  });

  it('pages with limit and nextCursor, without overlap or gaps', async () => {
    const deps = await seeded();
    for (let i = 0; i < 3; i++) await newCase(deps, `case ${i}`, T0 + i * 1000);
    const first = await getJson<Page<CaseSummary>>('/api/cases?limit=2');
    expect(first.body.items.map((c) => c.subject)).toEqual(['case 2', 'case 1']);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await getJson<Page<CaseSummary>>(`/api/cases?limit=2&cursor=${encodeURIComponent(first.body.nextCursor!)}`);
    expect(second.res.status).toBe(200);
    expect(second.body.items.map((c) => c.subject)).toEqual(['case 0']);
    expect(second.body.nextCursor).toBeNull();
    // Exactly a page's worth: no cursor, since there is nothing after it.
    expect((await getJson<Page<CaseSummary>>('/api/cases?limit=3')).body.nextCursor).toBeNull();
  });

  it('pages correctly through cases with the same lastMessageAt', async () => {
    const deps = await seeded();
    for (let i = 0; i < 5; i++) await newCase(deps, `same time ${i}`, T0);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const { body } = await getJson<Page<CaseSummary>>(`/api/cases?limit=2${q}`);
      seen.push(...body.items.map((c) => c.id));
      cursor = body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(5);
    expect(seen).toEqual([...seen].sort().reverse());
  });

  it('the cursor keeps working when new mail arrives between pages', async () => {
    const deps = await seeded();
    for (let i = 0; i < 4; i++) await newCase(deps, `c${i}`, T0 + i);
    const first = await getJson<Page<CaseSummary>>('/api/cases?limit=2');
    expect(first.body.items.map((c) => c.subject)).toEqual(['c3', 'c2']);
    await newCase(deps, 'newest', T0 + 100);
    const second = await getJson<Page<CaseSummary>>(`/api/cases?limit=2&cursor=${encodeURIComponent(first.body.nextCursor!)}`);
    expect(second.body.items.map((c) => c.subject)).toEqual(['c1', 'c0']);
  });

  it.each(['0', '500', '201', 'abc', '-1', '1.5', ''])('limit=%j is a 400 bad_request', async (limit) => {
    await seeded();
    const body = await expectError(await call(`/api/cases?limit=${limit}`), 400, 'bad_request');
    expect(body.error.message).toBe('invalid query parameters');
    expect(Array.isArray(body.error.issues)).toBe(true);
  });

  it('accepts the bounds of limit', async () => {
    await seeded();
    expect((await call('/api/cases?limit=1')).status).toBe(200);
    expect((await call('/api/cases?limit=200')).status).toBe(200);
  });

  it.each([
    ['not base64', '%%%'],
    ['base64 of a non-array', btoa('{"a":1}')],
    ['base64 of a wrong tuple', btoa('["x",1]')],
    ['base64 of garbage', btoa('garbage')],
    ['too long', 'A'.repeat(201)],
  ])('an invalid cursor (%s) is a 400 bad_request', async (_what, cursor) => {
    await seeded();
    await expectError(await call(`/api/cases?cursor=${encodeURIComponent(cursor)}`), 400, 'bad_request');
  });

  it.each(['deleted', 'ACTIVE', 'held', ''])('status=%j is a 400 bad_request', async (status) => {
    await seeded();
    const body = (await expectError(await call(`/api/cases?status=${status}`), 400, 'bad_request')) as ApiError;
    expect(body.error.issues).toBeDefined();
  });

  it('an over-long mailbox or assignee filter is a 400', async () => {
    await seeded();
    await expectError(await call(`/api/cases?mailbox=${'m'.repeat(101)}`), 400, 'bad_request');
    await expectError(await call(`/api/cases?assignee=${'a'.repeat(101)}`), 400, 'bad_request');
  });

  it('Breaching soon lists the most overdue first, whatever the latest mail, and pages in that order', async () => {
    const deps = await seeded();
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(await newCase(deps, `breaching ${i}`, T0 + i * 1000));
    const quiet = await newCase(deps, 'within its targets', T0 + 9000);
    // Dues: case 2 most overdue (first response), then case 0 (resolution), then case 3 (next response), then 1.
    const dues: [string, Partial<typeof cases.$inferInsert>][] = [
      [ids[0]!, { resolutionDueAt: T0 - 5000, slaState: 'breached' }],
      [ids[1]!, { firstResponseDueAt: T0 + 60_000, resolutionDueAt: T0 + 90_000, slaState: 'warning' }],
      [ids[2]!, { firstResponseDueAt: T0 - 9000, resolutionDueAt: T0 + 1000, slaState: 'breached' }],
      [ids[3]!, { nextResponseDueAt: T0 - 1000, slaState: 'breached' }],
      [quiet, { firstResponseDueAt: T0 - 99_000, slaState: 'ok' }],
    ];
    for (const [id, set] of dues)
      await deps.db
        .update(cases)
        .set({ slaPolicyId: 'sla_test', ...set })
        .where(eq(cases.id, id));
    const first = await getJson<Page<CaseSummary>>('/api/cases?status=breaching&limit=2');
    expect(first.body.items.map((c) => c.subject)).toEqual(['breaching 2', 'breaching 0']);
    expect(first.body.nextCursor).not.toBeNull();
    const second = await getJson<Page<CaseSummary>>(`/api/cases?status=breaching&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((c) => c.subject)).toEqual(['breaching 3', 'breaching 1']);
    expect(second.body.nextCursor).toBeNull();
    expect(first.body.items[0]!.sla).toMatchObject({ state: 'breached', dueAt: T0 - 9000, target: 'firstResponse' });
  });
});
