// GET /api/cases/:id (the case view) and PATCH /api/cases/:id (status, priority, assignee).
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { agents, cases, events } from '../../../worker/db/schema.ts';
import type { CaseDetail, CaseSummary } from '../../../worker/protocol/api.ts';
import { seeded } from '../helpers.ts';
import { call, DEMO, deliver, expectError, getJson, mail, newCase, ORIGIN, OTHER, otherWorkspace, patch, withAttachments } from './client.ts';

const T0 = Date.UTC(2026, 10, 23, 9, 0);
const PDF = new TextEncoder().encode('%PDF-1.4\n% test document\n');

describe('GET /api/cases/:id', () => {
  it('returns the case, its participants and its messages with attachments', async () => {
    const deps = await seeded();
    await deliver(
      deps,
      withAttachments({ Subject: 'Invoice question', Cc: 'Bob Example <bob@example.net>', 'Message-ID': '<inv-1@example.com>' }, 'See the attached invoice.', [
        { disposition: 'attachment; filename="invoice.pdf"', contentType: 'application/pdf', content: PDF },
      ]),
      { at: T0 },
    );
    await deliver(deps, mail({ Subject: 'Re: Invoice question', 'In-Reply-To': '<inv-1@example.com>' }, 'Any news?'), { at: T0 + 5000 });
    const [row] = await deps.db.select().from(cases);
    const { res, body } = await getJson<CaseDetail>(`/api/cases/${row!.id}`);
    expect(res.status).toBe(200);
    expect(body.case).toMatchObject({ id: row!.id, number: 1, subject: 'Invoice question', messageCount: 2, lastMessageAt: T0 + 5000, contact: { email: 'alice@example.com', name: 'Alice Example' } });
    expect(body.participants).toEqual(
      expect.arrayContaining([
        { email: 'alice@example.com', name: 'Alice Example', role: 'requester' },
        { email: 'bob@example.net', name: 'Bob Example', role: 'cc' },
      ]),
    );
    expect(body.participants).toHaveLength(2);
    expect(body.messages.map((m) => m.text.trim())).toEqual(['See the attached invoice.', 'Any news?']);
    const [first, second] = body.messages;
    expect(first).toMatchObject({
      direction: 'inbound',
      kind: 'human',
      from: { email: 'alice@example.com', name: 'Alice Example' },
      to: [{ email: 'support@acme.test', name: '' }],
      cc: [{ email: 'bob@example.net', name: 'Bob Example' }],
      subject: 'Invoice question',
      rfcMessageId: 'inv-1@example.com',
      threadRule: 'new',
      createdAt: T0,
    });
    expect(first!.attachments).toHaveLength(1);
    const att = first!.attachments[0]!;
    expect(att).toMatchObject({ filename: 'invoice.pdf', contentType: 'application/pdf', size: PDF.byteLength, inline: false, stored: true, skippedReason: null });
    expect(att.url).toBe(`/api/attachments/${att.id}`);
    expect(second).toMatchObject({ threadRule: 'in-reply-to', attachments: [] });
    // The url works as given.
    const download = await call(att.url!);
    expect(download.status).toBe(200);
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(PDF);
  });

  it('an unknown id is a 404 not_found', async () => {
    await newCase(await seeded(), 'exists', T0);
    const body = await expectError(await call('/api/cases/case_doesnotexist'), 404, 'not_found');
    expect(body.error.message).toBe('case not found');
  });

  it('a case of another workspace is a 404', async () => {
    const deps = await seeded();
    await otherWorkspace(deps);
    await deliver(deps, mail({ To: OTHER.mailbox, Subject: 'Other team' }), { to: OTHER.mailbox });
    const [theirs] = await deps.db.select().from(cases).where(eq(cases.workspaceId, OTHER.workspaceId));
    expect(theirs).toBeDefined();
    await expectError(await call(`/api/cases/${theirs!.id}`), 404, 'not_found');
    expect((await getJson<{ items: unknown[] }>('/api/cases?status=all')).body.items).toEqual([]);
  });
});

describe('PATCH /api/cases/:id', () => {
  it('changes the status, persists it and writes a case.updated event', async () => {
    const deps = await seeded();
    const id = await newCase(deps, 'status change', T0);
    const res = await patch(`/api/cases/${id}`, { status: 'open' });
    expect(res.status).toBe(200);
    const summary = (await res.json()) as CaseSummary;
    expect(summary).toMatchObject({ id, status: 'open', subject: 'status change' });
    expect(summary.updatedAt).toBeGreaterThan(T0);
    const stored = await deps.db.select().from(cases).where(eq(cases.id, id)).get();
    expect(stored!.status).toBe('open');
    const evs = await deps.db.select().from(events).where(eq(events.type, 'case.updated'));
    expect(evs).toHaveLength(1);
    expect(evs[0]).toMatchObject({ workspaceId: DEMO.workspaceId, caseId: id, actor: 'agent:local', seq: 2 });
    expect(JSON.parse(evs[0]!.payload)).toEqual({ type: 'case.updated', caseId: id, changes: { status: 'open' } });
    // And the case view agrees.
    expect((await getJson<CaseDetail>(`/api/cases/${id}`)).body.case.status).toBe('open');
  });

  it('closing sets closedAt; reopening clears it; closing twice keeps the first closedAt', async () => {
    const deps = await seeded();
    const id = await newCase(deps, 'close me', T0);
    const closedAt = async () => (await deps.db.select().from(cases).where(eq(cases.id, id)).get())!.closedAt;
    expect(await closedAt()).toBeNull();
    expect((await patch(`/api/cases/${id}`, { status: 'closed' })).status).toBe(200);
    const first = await closedAt();
    expect(first).toEqual(expect.any(Number));
    // Only a later clock makes the second close tell: wait until it has moved past the first.
    await expect.poll(() => Date.now(), { interval: 1 }).toBeGreaterThan(first!);
    expect((await patch(`/api/cases/${id}`, { status: 'closed' })).status).toBe(200);
    expect(await closedAt()).toBe(first);
    expect((await getJson<{ items: CaseSummary[] }>('/api/cases?status=closed')).body.items.map((c) => c.id)).toEqual([id]);
    expect((await patch(`/api/cases/${id}`, { status: 'open' })).status).toBe(200);
    expect(await closedAt()).toBeNull();
    expect((await getJson<{ items: CaseSummary[] }>('/api/cases')).body.items.map((c) => c.id)).toEqual([id]);
  });

  it('reopening to resolved also clears closedAt', async () => {
    const deps = await seeded();
    const id = await newCase(deps, 'resolve after close', T0);
    await patch(`/api/cases/${id}`, { status: 'closed' });
    await patch(`/api/cases/${id}`, { status: 'resolved' });
    expect(await deps.db.select().from(cases).where(eq(cases.id, id)).get()).toMatchObject({ status: 'resolved', closedAt: null });
  });

  it('assigns to an agent and returns the assignee name; null unassigns', async () => {
    const deps = await seeded();
    const id = await newCase(deps, 'assign me', T0);
    const res = await patch(`/api/cases/${id}`, { assigneeId: 'agt_ben' });
    expect(res.status).toBe(200);
    expect(((await res.json()) as CaseSummary).assignee).toEqual({ id: 'agt_ben', name: 'Ben Agent' });
    expect((await deps.db.select().from(cases).where(eq(cases.id, id)).get())!.assigneeId).toBe('agt_ben');
    const ev = await deps.db.select().from(events).where(eq(events.type, 'case.updated')).get();
    expect(JSON.parse(ev!.payload).changes).toEqual({ assignee: { id: 'agt_ben', name: 'Ben Agent' } });

    const un = await patch(`/api/cases/${id}`, { assigneeId: null });
    expect(((await un.json()) as CaseSummary).assignee).toBeNull();
    expect((await deps.db.select().from(cases).where(eq(cases.id, id)).get())!.assigneeId).toBeNull();
    const evs = await deps.db.select().from(events).where(eq(events.type, 'case.updated')).orderBy(events.seq);
    expect(JSON.parse(evs[1]!.payload).changes).toEqual({ assignee: null });
  });

  it('changes several fields at once in one event', async () => {
    const deps = await seeded();
    const id = await newCase(deps, 'many', T0);
    const res = await patch(`/api/cases/${id}`, { status: 'pending', priority: 'urgent', assigneeId: 'agt_ada' });
    expect(await res.json()).toMatchObject({ status: 'pending', priority: 'urgent', assignee: { id: 'agt_ada', name: 'Ada Admin' } });
    const evs = await deps.db.select().from(events).where(eq(events.type, 'case.updated'));
    expect(evs).toHaveLength(1);
    expect(JSON.parse(evs[0]!.payload).changes).toEqual({ status: 'pending', priority: 'urgent', assignee: { id: 'agt_ada', name: 'Ada Admin' } });
  });

  it('an unknown, inactive or foreign agent is a 400 and changes nothing', async () => {
    const deps = await seeded();
    const id = await newCase(deps, 'bad agent', T0);
    await otherWorkspace(deps);
    await deps.db.insert(agents).values({ id: 'agt_stranger', workspaceId: OTHER.workspaceId, email: 'x@other.test', name: 'Stranger', createdAt: T0 });
    await deps.db.update(agents).set({ active: false }).where(eq(agents.id, 'agt_ada'));
    for (const assigneeId of ['agt_nobody', 'agt_stranger', 'agt_ada']) {
      const body = await expectError(await patch(`/api/cases/${id}`, { assigneeId, status: 'open' }), 400, 'bad_request');
      expect(body.error.message).toContain('agent');
    }
    expect(await deps.db.select().from(cases).where(eq(cases.id, id)).get()).toMatchObject({ status: 'new', assigneeId: null });
    expect(await deps.db.select().from(events).where(eq(events.type, 'case.updated'))).toHaveLength(0);
  });

  it.each([
    ['an empty object', {}],
    ['an unknown field', { status: 'open', tags: ['x'] }],
    ['an unknown status', { status: 'deleted' }],
    ['an unknown priority', { priority: 'critical' }],
    ['a non-string assignee', { assigneeId: 7 }],
    ['an over-long assignee', { assigneeId: 'a'.repeat(101) }],
    ['an array', [{ status: 'open' }]],
    ['null', null],
    ['a string', 'open'],
  ])('%s is a 400 bad_request', async (_what, payload) => {
    const deps = await seeded();
    const id = await newCase(deps, 'invalid body', T0);
    const body = await expectError(await patch(`/api/cases/${id}`, JSON.stringify(payload)), 400, 'bad_request');
    expect(body.error.message).toBe('invalid request body');
    expect(body.error.issues).toBeDefined();
    expect((await deps.db.select().from(cases).where(eq(cases.id, id)).get())!.status).toBe('new');
  });

  it('malformed JSON is a 400 bad_request', async () => {
    const deps = await seeded();
    const id = await newCase(deps, 'bad json', T0);
    const body = await expectError(await patch(`/api/cases/${id}`, '{"status": "open"'), 400, 'bad_request');
    expect(body.error.message).toContain('JSON');
    await expectError(await patch(`/api/cases/${id}`, ''), 400, 'bad_request');
  });

  it.each([
    ['text/plain', 'text/plain;charset=UTF-8'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['multipart', 'multipart/form-data; boundary=x'],
    ['no content type', ''],
  ])('%s is a 415 unsupported_media_type', async (_what, type) => {
    const deps = await seeded();
    const id = await newCase(deps, 'wrong type', T0);
    const headers: Record<string, string> = { 'Sec-Fetch-Site': 'same-origin' };
    if (type) headers['Content-Type'] = type;
    const res = await call(`/api/cases/${id}`, { method: 'PATCH', headers, body: '{"status":"closed"}' });
    await expectError(res, 415, 'unsupported_media_type');
    expect((await deps.db.select().from(cases).where(eq(cases.id, id)).get())!.status).toBe('new');
  });

  it('accepts application/json with a charset', async () => {
    const deps = await seeded();
    const id = await newCase(deps, 'charset', T0);
    expect((await patch(`/api/cases/${id}`, { status: 'open' }, { 'Content-Type': 'application/json; charset=utf-8' })).status).toBe(200);
  });

  it.each([
    ['Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site', { 'Sec-Fetch-Site': 'same-site' }],
    ['a foreign Origin', { Origin: 'https://evil.example' }],
    ['a foreign Origin with same-origin fetch metadata', { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'same-origin' }],
    ['another port of the same host', { Origin: 'http://edgecase.test:8080' }],
    ['Origin: null', { Origin: 'null' }],
  ])('a cross-site request (%s) is a 403 forbidden and changes nothing', async (_what, headers) => {
    const deps = await seeded();
    const id = await newCase(deps, 'csrf', T0);
    const res = await call(`/api/cases/${id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json', ...headers }, body: '{"status":"closed"}' });
    await expectError(res, 403, 'forbidden');
    expect((await deps.db.select().from(cases).where(eq(cases.id, id)).get())!.status).toBe('new');
  });

  it('a cross-site form post is refused before its body is looked at', async () => {
    const deps = await seeded();
    const id = await newCase(deps, 'csrf form', T0);
    const res = await call(`/api/cases/${id}`, { method: 'PATCH', headers: { 'Content-Type': 'text/plain', Origin: 'https://evil.example' }, body: '{"status":"closed"}' });
    await expectError(res, 403, 'forbidden');
  });

  it('a same-origin request, or one without browser headers (a script), is allowed', async () => {
    const deps = await seeded();
    const id = await newCase(deps, 'same origin', T0);
    for (const headers of [{ Origin: ORIGIN }, { 'Sec-Fetch-Site': 'same-origin' }, { 'Sec-Fetch-Site': 'none' }, {}] as Record<string, string>[]) {
      const res = await call(`/api/cases/${id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json', ...headers }, body: '{"priority":"high"}' });
      expect(res.status).toBe(200);
    }
  });

  it('an unknown case is a 404 and writes no event', async () => {
    const deps = await seeded();
    await expectError(await patch('/api/cases/case_missing', { status: 'open' }), 404, 'not_found');
    expect(await deps.db.select().from(events)).toHaveLength(0);
  });

  it('a case of another workspace cannot be changed', async () => {
    const deps = await seeded();
    await otherWorkspace(deps);
    await deliver(deps, mail({ To: OTHER.mailbox, Subject: 'Theirs' }), { to: OTHER.mailbox });
    const [theirs] = await deps.db.select().from(cases).where(eq(cases.workspaceId, OTHER.workspaceId));
    await expectError(await patch(`/api/cases/${theirs!.id}`, { status: 'closed' }), 404, 'not_found');
    expect((await deps.db.select().from(cases).where(eq(cases.id, theirs!.id)).get())!.status).toBe('new');
  });
});
