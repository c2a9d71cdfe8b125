// POST /api/inbound/:id/release and /api/inbound/:id/discard: what an agent does with held mail.
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { events, inbound, mailboxes } from '../../../worker/db/schema.ts';
import type { Deps } from '../../../worker/deps.ts';
import { receiveEmail } from '../../../worker/ingest/receive.ts';
import type { CaseDetail, InboundView, Page } from '../../../worker/protocol/api.ts';
import { incoming, seeded } from '../helpers.ts';
import { call, DEMO, deliver, expectError, getJson, mail, newCase, ORIGIN } from './client.ts';

const T0 = Date.UTC(2026, 10, 23, 9, 0);
const STRANGER = 'stranger@example.org';

/** A state-changing POST as the web app sends it; `headers` adds to or overrides the defaults. */
function post(path: string, body: unknown = {}, headers: Record<string, string> = {}): Promise<Response> {
  return call(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Sec-Fetch-Site': 'same-origin', Origin: ORIGIN, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const release = (id: string, body: unknown = {}) => post(`/api/inbound/${id}/release`, body);
const discard = (id: string, body: unknown = {}) => post(`/api/inbound/${id}/discard`, body);

async function inboundRow(id: string): Promise<InboundView> {
  const { res, body } = await getJson<InboundView>(`/api/inbound/${id}`);
  expect(res.status).toBe(200);
  return body;
}

async function caseDetail(id: string): Promise<CaseDetail> {
  const { res, body } = await getJson<CaseDetail>(`/api/cases/${id}`);
  expect(res.status).toBe(200);
  return body;
}

/** The events recorded for one inbound message, oldest first. */
async function eventsAbout(deps: Deps, type: string, inboundId: string): Promise<Array<{ actor: string; caseId: string | null; payload: Record<string, unknown> }>> {
  const rows = await deps.db
    .select()
    .from(events)
    .where(and(eq(events.workspaceId, DEMO.workspaceId), eq(events.type, type)))
    .orderBy(events.seq);
  return rows.map((r) => ({ actor: r.actor, caseId: r.caseId, payload: JSON.parse(r.payload) as Record<string, unknown> })).filter((e) => e.payload.inboundId === inboundId);
}

/** Alice's case #1, then a stranger's reply tagged [#1]: held as not-a-participant. */
async function strangerOnCaseOne(deps: Deps): Promise<{ caseId: string; held: string }> {
  const caseId = await newCase(deps, 'Where is my order?', T0);
  const held = await deliver(deps, mail({ From: `Stranger Danger <${STRANGER}>`, Subject: '[#1] Send it to me instead' }, 'I am handling this order now.'), {
    at: T0 + 60_000,
    from: STRANGER,
  });
  return { caseId, held };
}

describe('POST /api/inbound/:id/release', () => {
  it('appends a held reply to the case it pointed at and makes the sender a participant', async () => {
    const deps = await seeded();
    const { caseId, held } = await strangerOnCaseOne(deps);
    const before = await inboundRow(held);
    expect(before).toMatchObject({ status: 'quarantined', reason: 'not-a-participant', caseId, resolvedBy: null, resolvedAt: null });
    expect((await caseDetail(caseId)).case.number).toBe(1);

    const startedAt = Date.now();
    const res = await release(held);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { caseId: string; messageId: string };
    expect(body.caseId).toBe(caseId);
    expect(body.messageId).toMatch(/^msg_/);

    const detail = await caseDetail(caseId);
    expect(detail.case.messageCount).toBe(2);
    expect(detail.messages).toHaveLength(2);
    const released = detail.messages[1]!;
    expect(released).toMatchObject({ id: body.messageId, direction: 'inbound', threadRule: 'released', from: { email: STRANGER, name: 'Stranger Danger' } });
    expect(released.threadReason).toContain('not-a-participant');
    expect(released.text.trim()).toBe('I am handling this order now.');
    expect(detail.participants.map((p) => p.email)).toEqual(expect.arrayContaining(['alice@example.com', STRANGER]));

    const after = await inboundRow(held);
    expect(after).toMatchObject({ status: 'processed', reason: null, caseId, messageId: body.messageId, resolvedBy: 'local' });
    expect(after.resolvedAt).toEqual(expect.any(Number));
    expect(after.resolvedAt!).toBeGreaterThanOrEqual(startedAt);
    // No longer held.
    const heldList = await getJson<Page<InboundView>>('/api/inbound?status=held');
    expect(heldList.body.items.map((i) => i.id)).not.toContain(held);

    const resolved = await eventsAbout(deps, 'inbound.resolved', held);
    expect(resolved).toHaveLength(1);
    expect(resolved[0]).toMatchObject({ actor: 'agent:local', caseId, payload: { type: 'inbound.resolved', inboundId: held, caseId, status: 'processed', by: 'local' } });
    const added = (await deps.db.select().from(events).where(eq(events.type, 'message.added'))).map((r) => JSON.parse(r.payload) as { messageId: string });
    expect(added.map((e) => e.messageId)).toContain(body.messageId);

    // Released once is enough.
    await expectError(await release(held), 409, 'conflict');
    expect((await caseDetail(caseId)).messages).toHaveLength(2);
  });

  it('the stranger, now a participant, threads by the subject tag next time', async () => {
    const deps = await seeded();
    const { caseId, held } = await strangerOnCaseOne(deps);
    expect((await release(held)).status).toBe(200);
    // The release is stamped with the real clock, so the next message comes after it.
    const next = await deliver(deps, mail({ From: `Stranger Danger <${STRANGER}>`, Subject: '[#1] One more thing' }, 'Also, gift-wrap it.'), { at: Date.now() + 60_000, from: STRANGER });
    expect(await inboundRow(next)).toMatchObject({ status: 'processed', caseId });
    const detail = await caseDetail(caseId);
    expect(detail.messages.map((m) => m.threadRule)).toEqual(['new', 'released', 'subject-tag']);
  });

  it('releases into another case when one is given', async () => {
    const deps = await seeded();
    const { caseId: first, held } = await strangerOnCaseOne(deps);
    const other = await newCase(deps, 'A different matter', T0 + 90_000, 'bob@example.net');
    const res = await release(held, { caseId: other });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { caseId: string }).caseId).toBe(other);
    const into = await caseDetail(other);
    expect(into.messages.map((m) => m.threadRule)).toEqual(['new', 'released']);
    expect(into.participants.map((p) => p.email)).toEqual(expect.arrayContaining(['bob@example.net', STRANGER]));
    // The case it pointed at is untouched.
    const pointed = await caseDetail(first);
    expect(pointed.messages).toHaveLength(1);
    expect(pointed.participants.map((p) => p.email)).not.toContain(STRANGER);
    expect(await inboundRow(held)).toMatchObject({ status: 'processed', caseId: other, resolvedBy: 'local' });
    expect((await eventsAbout(deps, 'inbound.resolved', held))[0]?.payload).toMatchObject({ caseId: other, status: 'processed' });
  });

  it('an unknown case is a 400 and leaves the message held', async () => {
    const deps = await seeded();
    const { held } = await strangerOnCaseOne(deps);
    await expectError(await release(held, { caseId: 'case_nope' }), 400, 'bad_request');
    expect(await inboundRow(held)).toMatchObject({ status: 'quarantined', reason: 'not-a-participant', resolvedBy: null });
    expect(await eventsAbout(deps, 'inbound.resolved', held)).toEqual([]);
  });

  it('a held message that pointed at no case becomes a new case', async () => {
    const deps = await seeded();
    await newCase(deps, 'Where is my order?', T0);
    const spam = await deliver(deps, mail({ From: 'Carol Buyer <carol@example.net>', Subject: 'Bulk order enquiry', 'X-Spam-Flag': 'YES' }, 'Can I order 500 units?'), {
      at: T0 + 1000,
      from: 'carol@example.net',
    });
    expect(await inboundRow(spam)).toMatchObject({ status: 'quarantined', reason: 'spam-flagged', caseId: null });

    const res = await release(spam);
    expect(res.status).toBe(200);
    const { caseId, messageId } = (await res.json()) as { caseId: string; messageId: string };
    const detail = await caseDetail(caseId);
    expect(detail.case).toMatchObject({ number: 2, subject: 'Bulk order enquiry', status: 'new', messageCount: 1, contact: { email: 'carol@example.net' } });
    expect(detail.messages).toEqual([expect.objectContaining({ id: messageId, from: { email: 'carol@example.net', name: 'Carol Buyer' } })]);
    expect(detail.messages[0]!.threadReason).toContain('spam-flagged');
    expect(detail.participants).toEqual([expect.objectContaining({ email: 'carol@example.net', role: 'requester' })]);
    expect(await inboundRow(spam)).toMatchObject({ status: 'processed', caseId, messageId, resolvedBy: 'local' });
    const created = (await deps.db.select().from(events).where(eq(events.type, 'case.created'))).map((r) => r.caseId);
    expect(created).toContain(caseId);
    expect(await eventsAbout(deps, 'inbound.resolved', spam)).toHaveLength(1);
  });

  it('a duplicate delivery is a 409, and so is a message that is not held', async () => {
    const deps = await seeded();
    const raw = mail({ Subject: 'Delivered twice', 'Message-ID': '<twice@example.com>' });
    const original = await deliver(deps, raw, { at: T0 });
    const again = await deliver(deps, raw, { at: T0 + 1000 });
    expect(await inboundRow(again)).toMatchObject({ status: 'ignored', reason: 'duplicate' });
    const body = await expectError(await release(again), 409, 'conflict');
    expect(body.error.message).toContain('duplicate');
    expect(await inboundRow(again)).toMatchObject({ status: 'ignored', resolvedBy: null });
    await expectError(await release(original), 409, 'conflict');
  });

  it('an unknown id is a 404', async () => {
    await seeded();
    await expectError(await release('in_nothing'), 404, 'not_found');
  });
});

describe('POST /api/inbound/:id/discard', () => {
  it('marks held mail discarded, records who, and raises an event', async () => {
    const deps = await seeded();
    const { caseId, held } = await strangerOnCaseOne(deps);
    const startedAt = Date.now();
    const res = await discard(held);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });

    const row = await inboundRow(held);
    expect(row).toMatchObject({ status: 'discarded', reason: 'not-a-participant', resolvedBy: 'local' });
    expect(row.resolvedAt!).toBeGreaterThanOrEqual(startedAt);
    const heldList = await getJson<Page<InboundView>>('/api/inbound?status=held');
    expect(heldList.body.items.map((i) => i.id)).not.toContain(held);
    // Soft: the raw mail is still there, the case is untouched.
    expect((await call(`/api/inbound/${held}/raw`)).status).toBe(200);
    const detail = await caseDetail(caseId);
    expect(detail.messages).toHaveLength(1);
    expect(detail.participants.map((p) => p.email)).not.toContain(STRANGER);

    const resolved = await eventsAbout(deps, 'inbound.resolved', held);
    expect(resolved).toHaveLength(1);
    expect(resolved[0]).toMatchObject({ actor: 'agent:local', payload: { type: 'inbound.resolved', inboundId: held, caseId, status: 'discarded', by: 'local' } });

    await expectError(await discard(held), 409, 'conflict');
    // A discarded message cannot be released either.
    await expectError(await release(held), 409, 'conflict');
    expect(await eventsAbout(deps, 'inbound.resolved', held)).toHaveLength(1);
  });

  it('a processed message is a 409', async () => {
    const deps = await seeded();
    const processed = await deliver(deps, mail(), { at: T0 });
    await expectError(await discard(processed), 409, 'conflict');
    expect(await inboundRow(processed)).toMatchObject({ status: 'processed', resolvedBy: null });
  });

  it('an unknown id is a 404', async () => {
    await seeded();
    await expectError(await discard('in_nothing'), 404, 'not_found');
  });
});

describe('release and discard requests', () => {
  it('refuse cross-site callers with 403', async () => {
    const deps = await seeded();
    const { held } = await strangerOnCaseOne(deps);
    for (const path of [`/api/inbound/${held}/release`, `/api/inbound/${held}/discard`]) {
      await expectError(await post(path, {}, { 'Sec-Fetch-Site': 'cross-site' }), 403, 'forbidden');
      await expectError(await post(path, {}, { 'Sec-Fetch-Site': 'same-site', Origin: 'http://evil.test' }), 403, 'forbidden');
      await expectError(await post(path, {}, { 'Sec-Fetch-Site': '', Origin: 'http://evil.test' }), 403, 'forbidden');
    }
    expect(await inboundRow(held)).toMatchObject({ status: 'quarantined', resolvedBy: null });
  });

  it('refuse bodies that are not JSON with 415', async () => {
    const deps = await seeded();
    const { held } = await strangerOnCaseOne(deps);
    for (const path of [`/api/inbound/${held}/release`]) {
      await expectError(await post(path, 'caseId=x', { 'Content-Type': 'application/x-www-form-urlencoded' }), 415, 'unsupported_media_type');
      await expectError(await post(path, '{}', { 'Content-Type': 'text/plain' }), 415, 'unsupported_media_type');
      const res = await call(path, { method: 'POST', headers: { 'Sec-Fetch-Site': 'same-origin', Origin: ORIGIN }, body: '{}' });
      await expectError(res, 415, 'unsupported_media_type');
    }
    expect(await inboundRow(held)).toMatchObject({ status: 'quarantined' });
  });

  it('refuse unknown fields and malformed bodies with 400', async () => {
    const deps = await seeded();
    const { held } = await strangerOnCaseOne(deps);
    await expectError(await release(held, { caseId: 'case_x', force: true }), 400, 'bad_request');
    await expectError(await release(held, { into: 'case_x' }), 400, 'bad_request');
    await expectError(await release(held, { caseId: '' }), 400, 'bad_request');
    await expectError(await release(held, { caseId: 42 }), 400, 'bad_request');
    await expectError(await release(held, '{not json'), 400, 'bad_request');
    await expectError(await release(held, []), 400, 'bad_request');
    expect(await inboundRow(held)).toMatchObject({ status: 'quarantined', resolvedBy: null });
  });
});

describe('held mail and the catch-all forward', () => {
  it('the inbound view reports where a held message was forwarded', async () => {
    const deps = await seeded();
    await newCase(deps, 'Where is my order?', T0);
    await deps.db.update(mailboxes).set({ catchAllAddress: 'triage@acme.test' }).where(eq(mailboxes.id, DEMO.mailboxId));
    const forwarded: string[] = [];
    const msg = Object.assign(incoming(mail({ From: `Stranger <${STRANGER}>`, Subject: '[#1] hello' }), { from: STRANGER }), {
      async forward(rcptTo: string) {
        forwarded.push(rcptTo);
      },
    });
    const result = await receiveEmail(msg, { ...deps, now: () => T0 + 1000 });
    expect(result.verdict).toBe('accepted');
    const id = result.verdict === 'accepted' ? result.inboundId : '';
    expect(forwarded).toEqual(['triage@acme.test']);
    expect(await inboundRow(id)).toMatchObject({ status: 'quarantined', reason: 'not-a-participant', forwardedTo: 'triage@acme.test', forwardError: null });
    // Released afterwards all the same.
    expect((await release(id)).status).toBe(200);
    const row = await deps.db.select().from(inbound).where(eq(inbound.id, id)).get();
    expect(row).toMatchObject({ status: 'processed', forwardedTo: 'triage@acme.test' });
  });
});
