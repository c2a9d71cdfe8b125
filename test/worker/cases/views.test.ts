// Views of the case list: GET /api/cases?q= and ?view= (each filter, each sort), GET /api/views with
// counts that follow changes, and saved views' rules (own / shared by admins); words through the index.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { cases, teams } from '../../../worker/db/schema.ts';
import type { Deps } from '../../../worker/deps.ts';
import type { CaseSummary, Page } from '../../../worker/protocol/api.ts';
import type { ViewInfo } from '../../../worker/protocol/views.ts';
import { PASSWORD, signedIn } from '../admin/helpers.ts';
import { DEMO, seeded } from '../helpers.ts';
import { call, deliver, expectError, newCase, ORIGIN, withAttachments } from '../http/client.ts';

const DAY = 86_400_000;
const NOW = Date.now();

function req(cookie: string, path: string, method = 'GET', body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { Cookie: cookie, Origin: ORIGIN, 'Sec-Fetch-Site': 'same-origin' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return call(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }, PASSWORD);
}

async function subjects(cookie: string, query: string): Promise<string[]> {
  const res = await req(cookie, `/api/cases?${query}`);
  const body = (await res.json()) as Page<CaseSummary>;
  if (res.status !== 200) throw new Error(`${res.status}: ${JSON.stringify(body)}`);
  return body.items.map((c) => c.subject);
}

const q = (text: string, sort = 'created') => `q=${encodeURIComponent(text)}&sort=${sort}`;

async function viewsOf(cookie: string): Promise<ViewInfo[]> {
  const res = await req(cookie, '/api/views');
  expect(res.status).toBe(200);
  return ((await res.json()) as { views: ViewInfo[] }).views;
}

/** Five cases, created a day apart (a oldest), in different states. */
async function fixture(deps: Deps) {
  const ids: Record<string, string> = {};
  for (const [i, s] of ['a', 'b', 'c', 'd', 'e'].entries()) ids[s] = await newCase(deps, s, NOW - (5 - i) * DAY, `${s}@example.com`);
  await deps.db.insert(teams).values({ id: 'team_billing', workspaceId: DEMO.workspaceId, name: 'Billing', assignMode: 'off', createdAt: 1 });
  const set = (s: string, v: Partial<typeof cases.$inferInsert>) => deps.db.update(cases).set(v).where(eq(cases.id, ids[s]!));
  await set('a', { assigneeId: 'agt_ada', priority: 'high', slaState: 'breached', firstResponseDueAt: null, nextResponseDueAt: null, resolutionDueAt: null });
  await set('b', { assigneeId: 'agt_ben', teamId: 'team_billing', status: 'pending', firstResponseDueAt: NOW + 2 * DAY, nextResponseDueAt: null, resolutionDueAt: null });
  await set('c', { status: 'closed', firstResponseDueAt: null, nextResponseDueAt: null, resolutionDueAt: null });
  await set('d', { snoozedAt: NOW, snoozedUntil: NOW + DAY, firstResponseDueAt: NOW + DAY, nextResponseDueAt: null, resolutionDueAt: null });
  await set('e', { firstResponseDueAt: null, nextResponseDueAt: null, resolutionDueAt: null });
  return ids;
}

describe('filter queries over the case list', () => {
  it('each filter, and its negation, selects what it says', async () => {
    const deps = await seeded();
    const { ada } = await signedIn(deps);
    await fixture(deps);
    const cases_ = async (text: string) => (await subjects(ada, q(text))).sort().join('');
    expect(await cases_('')).toBe('abcde');
    expect(await cases_('status:active')).toBe('abde');
    expect(await cases_('status:closed')).toBe('c');
    expect(await cases_('-status:pending')).toBe('acde');
    expect(await cases_('assignee:me')).toBe('a');
    expect(await cases_('-assignee:me')).toBe('bcde');
    expect(await cases_('assignee:none')).toBe('cde');
    expect(await cases_('assignee:"Ben Agent"')).toBe('b');
    expect(await cases_('assignee:ben@acme.test')).toBe('b');
    expect(await cases_('team:billing')).toBe('b');
    expect(await cases_('-team:Billing')).toBe('acde');
    expect(await cases_('priority:high')).toBe('a');
    expect(await cases_(`mailbox:${DEMO.mailbox}`)).toBe('abcde');
    expect(await cases_(`mailbox:${DEMO.mailboxId}`)).toBe('abcde');
    expect(await cases_('mailbox:nobody@else.test')).toBe('');
    expect(await cases_('is:snoozed')).toBe('d');
    expect(await cases_('is:breached')).toBe('a');
    expect(await cases_('is:unassigned status:active -is:snoozed')).toBe('e');
    expect(await cases_('kind:human')).toBe('abcde');
    expect(await cases_('kind:bounce')).toBe('');
    expect(await cases_('from:c@example.com')).toBe('c');
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    expect(await cases_(`before:${day(NOW - 3 * DAY)}`)).toBe('ab');
    expect(await cases_(`after:${day(NOW - 2 * DAY)}`)).toBe('de');
    expect(await cases_('after:1d')).toBe('e');
  });

  it('tag: and has:attachment', async () => {
    const deps = await seeded();
    const { ada } = await signedIn(deps);
    const plain = await newCase(deps, 'plain');
    await deliver(
      deps,
      withAttachments({ Subject: 'with file', From: 'x@example.com' }, 'see attached', [
        { disposition: 'attachment; filename="a.txt"', contentType: 'text/plain', content: new TextEncoder().encode('hi') },
      ]),
      { from: 'x@example.com' },
    );
    expect((await req(ada, `/api/cases/${plain}`, 'PATCH', { tags: { add: ['VIP'] } })).status).toBe(200);
    expect(await subjects(ada, q('tag:vip'))).toEqual(['plain']);
    expect(await subjects(ada, q('has:attachment'))).toEqual(['with file']);
    expect(await subjects(ada, q('-has:attachment'))).toEqual(['plain']);
  });

  it('sort by SLA due: breached first (even without a clock), then the soonest due, no clock last', async () => {
    const deps = await seeded();
    const { ada } = await signedIn(deps);
    await fixture(deps);
    const due = (await subjects(ada, q('', 'due'))).join('');
    expect(due.slice(0, 3)).toBe('adb');
    expect(due.slice(3).split('').sort().join('')).toBe('ce');
    expect((await subjects(ada, q('', 'created'))).join('')).toBe('edcba');
    expect((await subjects(ada, q('', 'activity'))).join('')).toBe('edcba');
  });

  it('pages by cursor; bad filters are a 400 that says why', async () => {
    const deps = await seeded();
    const { ada } = await signedIn(deps);
    await fixture(deps);
    const first = (await (await req(ada, `/api/cases?${q('')}&limit=2`)).json()) as Page<CaseSummary>;
    expect(first.items.map((c) => c.subject)).toEqual(['e', 'd']);
    const second = (await (await req(ada, `/api/cases?${q('')}&limit=2&cursor=${first.nextCursor}`)).json()) as Page<CaseSummary>;
    expect(second.items.map((c) => c.subject)).toEqual(['c', 'b']);
    const bad = await expectError(await req(ada, `/api/cases?${q('status:bogus')}`), 400, 'bad_request');
    expect(bad.error.message).toContain('status:');
  });
});

describe('GET /api/views', () => {
  it('lists the built-in views with counts that follow an assignment', async () => {
    const deps = await seeded();
    const { ada, ben } = await signedIn(deps);
    const ids = await fixture(deps);
    const count = (vs: ViewInfo[], name: string) => vs.find((v) => v.name === name)?.count;
    const before = await viewsOf(ben);
    expect(before.map((v) => v.name)).toEqual(['Mine', 'Unassigned', 'All open', 'Breaching soon', 'Snoozed']);
    expect({
      mine: count(before, 'Mine'),
      unassigned: count(before, 'Unassigned'),
      open: count(before, 'All open'),
      breaching: count(before, 'Breaching soon'),
      snoozed: count(before, 'Snoozed'),
    }).toEqual({
      mine: 1,
      unassigned: 1,
      open: 3,
      breaching: 1,
      snoozed: 1,
    });
    expect((await req(ada, `/api/cases/${ids.e}`, 'PATCH', { assignee: { agentId: 'agt_ben', teamId: null } })).status).toBe(200);
    const after = await viewsOf(ben);
    expect(count(after, 'Mine')).toBe(2);
    expect(count(after, 'Unassigned')).toBe(0);
    expect(await subjects(ben, 'view=builtin:mine')).toEqual(['e', 'b']);
    expect(await subjects(ben, 'view=builtin:breaching')).toEqual(['a']);
    await expectError(await req(ben, '/api/cases?view=view_nope'), 404, 'not_found');
  });

  it('a personal view is its owner’s alone; a shared one is made and changed by admins only', async () => {
    const deps = await seeded();
    const { ada, ben } = await signedIn(deps);
    await fixture(deps);
    const mineRes = await req(ben, '/api/views', 'POST', { name: 'My pending', query: 'status:pending', sort: 'due' });
    expect(mineRes.status).toBe(201);
    const mine = (await mineRes.json()) as { id: string };
    expect((await viewsOf(ben)).find((v) => v.id === mine.id)).toMatchObject({ kind: 'personal', count: 1 });
    expect((await viewsOf(ada)).some((v) => v.id === mine.id)).toBe(false);
    await expectError(await req(ada, `/api/cases?view=${mine.id}`), 404, 'not_found');
    await expectError(await req(ada, `/api/views/${mine.id}`, 'PATCH', { name: 'mine now' }), 404, 'not_found');
    expect(await subjects(ben, `view=${mine.id}`)).toEqual(['b']);
    await expectError(await req(ben, '/api/views', 'POST', { name: 'Shared', query: 'status:open', shared: true }), 403, 'forbidden');
    const sharedRes = await req(ada, '/api/views', 'POST', { name: 'Billing', query: 'team:billing', shared: true });
    expect(sharedRes.status).toBe(201);
    const shared = (await sharedRes.json()) as { id: string };
    expect((await viewsOf(ben)).find((v) => v.id === shared.id)).toMatchObject({ kind: 'shared', count: 1 });
    await expectError(await req(ben, `/api/views/${shared.id}`, 'PATCH', { name: 'Mine' }), 403, 'forbidden');
    await expectError(await req(ben, '/api/views', 'POST', { name: 'Bad', query: 'refund before:someday' }), 400, 'bad_request');
    await expectError(await req(ben, `/api/views/${mine.id}`, 'PATCH', { query: 'status:nope' }), 400, 'bad_request');
    expect((await req(ben, `/api/views/${mine.id}`, 'PATCH', { query: 'status:closed' })).status).toBe(200);
    expect(await subjects(ben, `view=${mine.id}`)).toEqual(['c']);
    expect((await req(ben, `/api/views/${mine.id}`, 'DELETE')).status).toBe(204);
    expect((await viewsOf(ben)).some((v) => v.id === mine.id)).toBe(false);
    expect((await req(ada, `/api/views/${shared.id}`, 'DELETE')).status).toBe(204);
  });
});

describe('views and list queries with words', () => {
  it('words select through the search index; filters, negation and the sort are the view’s; the count follows a new mail', async () => {
    const deps = await seeded();
    const { ada, ben } = await signedIn(deps);
    const t = NOW - 10 * DAY;
    const refundOld = await newCase(deps, 'Refund for order 1001', t, 'ana@example.com');
    await newCase(deps, 'Rückerstattung bitte', t + DAY, 'jo@example.com');
    const refundNew = await newCase(deps, 'Another refund question', t + 2 * DAY, 'li@example.com');
    await newCase(deps, 'Where is my parcel', t + 3 * DAY, 'ana@example.com');
    await deps.db.update(cases).set({ assigneeId: 'agt_ben' }).where(eq(cases.id, refundOld));

    expect(await subjects(ben, q('refund'))).toEqual(['Another refund question', 'Refund for order 1001']);
    expect(await subjects(ben, q('refund', 'activity'))).toEqual(['Another refund question', 'Refund for order 1001']);
    expect(await subjects(ben, q('refund assignee:me'))).toEqual(['Refund for order 1001']);
    expect(await subjects(ben, q('refund -"order 1001"'))).toEqual(['Another refund question']);
    expect(await subjects(ben, q('rückerstattung'))).toEqual(['Rückerstattung bitte']);
    expect(await subjects(ben, q('nothing-like-this'))).toEqual([]);

    const res = await req(ben, '/api/views', 'POST', { name: 'Refunds', query: 'refund status:active', sort: 'created' });
    expect(res.status).toBe(201);
    const view = (await res.json()) as { id: string };
    const countOf = async () => (await viewsOf(ben)).find((v) => v.id === view.id)?.count;
    expect(await countOf()).toBe(2);
    expect(await subjects(ben, `view=${view.id}`)).toEqual(['Another refund question', 'Refund for order 1001']);
    // Closing one takes it out of the view (a filter); a new mail with the word comes in (the index).
    expect((await req(ada, `/api/cases/${refundNew}`, 'PATCH', { status: 'closed' })).status).toBe(200);
    await newCase(deps, 'Refund not received', NOW, 'kai@example.com');
    expect(await countOf()).toBe(2);
    expect(await subjects(ben, `view=${view.id}`)).toEqual(['Refund not received', 'Refund for order 1001']);
  });
});
