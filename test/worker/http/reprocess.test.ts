// POST /api/inbound/:id/reprocess: a failed or unreadable message through the pipeline again, from
// its raw mail, as the scheduled retry would; and the claim that keeps two runs of one row apart.
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { cases, events, inbound, messages } from '../../../worker/db/schema.ts';
import type { Deps } from '../../../worker/deps.ts';
import { processInbound } from '../../../worker/ingest/pipeline.ts';
import { receiveEmail } from '../../../worker/ingest/receive.ts';
import { retryDue, retryInbound } from '../../../worker/ingest/retry.ts';
import type { InboundView } from '../../../worker/protocol/api.ts';
import { flakyD1, incoming, seeded } from '../helpers.ts';
import { call, DEMO, deliver, expectError, mail, newCase, ORIGIN, OTHER, otherWorkspace } from './client.ts';

const T0 = Date.UTC(2026, 10, 23, 9, 0);

function post(path: string, body: unknown = {}, bindings: Partial<Env> = {}): Promise<Response> {
  return call(
    path,
    {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Sec-Fetch-Site': 'same-origin', Origin: ORIGIN },
      body: JSON.stringify(body),
    },
    bindings,
  );
}

const reprocess = (id: string, bindings: Partial<Env> = {}) => post(`/api/inbound/${id}/reprocess`, {}, bindings);

/** A message whose processing failed once (D1 was down for its batch): a `failed` row. */
async function failedOnce(deps: Deps, subject = 'Failed the first time'): Promise<string> {
  const result = await receiveEmail(incoming(mail({ Subject: subject })), { ...deps, now: () => T0 });
  if (result.verdict !== 'accepted') throw new Error('rejected');
  return result.inboundId;
}

async function row(deps: Deps, id: string) {
  return (await deps.db.select().from(inbound).where(eq(inbound.id, id)).get())!;
}

async function reprocessEvents(deps: Deps, inboundId: string) {
  const rows = await deps.db
    .select()
    .from(events)
    .where(and(eq(events.workspaceId, DEMO.workspaceId), eq(events.type, 'inbound.reprocessed')))
    .orderBy(events.seq);
  return rows.map((r) => ({ actor: r.actor, caseId: r.caseId, payload: JSON.parse(r.payload) as Record<string, unknown> })).filter((e) => e.payload.inboundId === inboundId);
}

describe('POST /api/inbound/:id/reprocess', () => {
  it('turns a failed message into a case once the cause has gone away, and records who did it', async () => {
    const deps = await seeded({ d1: flakyD1(1) });
    const id = await failedOnce(deps, 'Printer on fire');
    expect(await row(deps, id)).toMatchObject({ status: 'failed', reason: 'processing-error', attempts: 1 });
    expect(await deps.db.select().from(cases)).toHaveLength(0);

    const res = await reprocess(id);
    expect(res.status).toBe(200);
    const body = (await res.json()) as InboundView;
    expect(body).toMatchObject({ id, status: 'processed', reason: null, lastError: null, attempts: 1, resolvedBy: 'local' });
    expect(body.caseId).toMatch(/^case_/);
    const [kase] = await deps.db.select().from(cases);
    expect(kase).toMatchObject({ id: body.caseId, subject: 'Printer on fire', status: 'new' });
    expect(await row(deps, id)).toMatchObject({ status: 'processed', caseId: body.caseId, resolvedBy: 'local', nextAttemptAt: null });
    // On the events log, by whom, like a release or a discard; and the case's own event.
    expect(await reprocessEvents(deps, id)).toEqual([
      { actor: 'agent:local', caseId: body.caseId, payload: expect.objectContaining({ type: 'inbound.reprocessed', status: 'processed', reason: null, by: 'local' }) },
    ]);
    expect(await deps.db.select().from(events).where(eq(events.type, 'case.created'))).toHaveLength(1);
  });

  it('reports a new failure on the row: attempts and the last error', async () => {
    const deps = await seeded({ d1: flakyD1(1) });
    const id = await failedOnce(deps);
    const res = await reprocess(id, { DB: flakyD1(1) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as InboundView;
    expect(body).toMatchObject({ id, status: 'failed', reason: 'processing-error', attempts: 2, caseId: null, resolvedBy: null });
    expect(body.lastError).toContain('simulated outage');
    expect((await reprocessEvents(deps, id)).map((e) => e.payload.status)).toEqual(['failed']);
    // Still there to reprocess, or for the clock to retry.
    expect((await reprocess(id)).status).toBe(200);
    expect(await deps.db.select().from(cases)).toHaveLength(1);
  });

  it('takes a message quarantined after its last retry', async () => {
    const deps = await seeded({ d1: flakyD1(1000) });
    let now = T0;
    deps.now = () => now;
    const result = await receiveEmail(incoming(mail({ Subject: 'Gave up on this one' })), deps);
    const id = result.verdict === 'accepted' ? result.inboundId : '';
    for (let i = 0; i < 6; i++) {
      now += 61 * 60_000;
      await retryDue(deps, now);
    }
    expect(await row(deps, id)).toMatchObject({ status: 'quarantined', reason: 'processing-failed', attempts: 5 });
    const body = (await (await reprocess(id)).json()) as InboundView;
    expect(body).toMatchObject({ status: 'processed', attempts: 5 });
    expect((await deps.db.select().from(cases))[0]!.subject).toBe('Gave up on this one');
  });

  it('runs an unreadable message again; what is still unreadable is held again, for the same reason', async () => {
    const deps = await seeded();
    const parts = Array.from({ length: 1001 }, (_, i) => `--b\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`).join('');
    const id = await deliver(deps, mail({ 'Content-Type': 'multipart/mixed; boundary="b"' }, `${parts}--b--`));
    expect(await row(deps, id)).toMatchObject({ status: 'quarantined', reason: 'too-many-parts' });
    const res = await reprocess(id);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id, status: 'quarantined', reason: 'too-many-parts', caseId: null, resolvedBy: null });
    expect((await reprocessEvents(deps, id)).map((e) => [e.actor, e.payload.status, e.payload.reason])).toEqual([['agent:local', 'quarantined', 'too-many-parts']]);
  });

  it('refuses mail already in a case with a 409 that says which case', async () => {
    const deps = await seeded({ d1: flakyD1(1) });
    const failed = await failedOnce(deps);
    const { caseId } = (await (await reprocess(failed)).json()) as InboundView;
    const numberOf = async (id: string | null) => (await deps.db.select().from(cases).where(eq(cases.id, id!)).get())!.number;
    const body = await expectError(await reprocess(failed), 409, 'conflict');
    expect(body.error.message).toBe(`this message is already in case #${await numberOf(caseId)}; there is nothing to reprocess`);
    // Mail that became a case the first time is refused the same way.
    const fineCase = await newCase(deps, 'Fine from the start', T0 + 1000);
    const fine = (await deps.db.select().from(inbound)).find((r) => r.id !== failed)!;
    expect((await expectError(await reprocess(fine.id), 409, 'conflict')).error.message).toBe(`this message is already in case #${await numberOf(fineCase)}; there is nothing to reprocess`);
    expect(await reprocessEvents(deps, failed)).toHaveLength(1);
  });

  it('refuses held mail that would be decided the same, discarded mail, and what is not there', async () => {
    const deps = await seeded();
    await newCase(deps, 'Where is my order?', T0);
    const stranger = await deliver(deps, mail({ From: 'Stranger <stranger@example.org>', Subject: '[#1] mine now' }), { at: T0 + 1000, from: 'stranger@example.org' });
    expect(await row(deps, stranger)).toMatchObject({ status: 'quarantined', reason: 'not-a-participant' });
    expect((await expectError(await reprocess(stranger), 409, 'conflict')).error.message).toContain('release or discard it instead');
    expect((await post(`/api/inbound/${stranger}/discard`)).status).toBe(200);
    expect((await expectError(await reprocess(stranger), 409, 'conflict')).error.message).toBe('this message was discarded');
    await expectError(await reprocess('in_nothing'), 404, 'not_found');
    await otherWorkspace(deps);
    const theirs = await deliver(deps, mail({ To: OTHER.mailbox }), { to: OTHER.mailbox });
    await deps.db.update(inbound).set({ status: 'failed' }).where(eq(inbound.id, theirs));
    await expectError(await reprocess(theirs), 404, 'not_found');
    expect(await reprocessEvents(deps, stranger)).toEqual([]);
  });

  it('wants a JSON body, like every state-changing route', async () => {
    const deps = await seeded({ d1: flakyD1(1) });
    const id = await failedOnce(deps);
    await expectError(await call(`/api/inbound/${id}/reprocess`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'go' }), 415, 'unsupported_media_type');
    await expectError(await post(`/api/inbound/${id}/reprocess`, { caseId: 'case_x' }), 400, 'bad_request');
    expect(await row(deps, id)).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('a double click makes one case: one reprocess runs, the other is refused', async () => {
    const deps = await seeded({ d1: flakyD1(1) });
    const id = await failedOnce(deps, 'Clicked twice');
    const [a, b] = await Promise.all([reprocess(id), reprocess(id)]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const refused = a.status === 409 ? a : b;
    expect((await refused.json()) as { error: { message: string } }).toMatchObject({ error: { code: 'conflict' } });
    expect(await deps.db.select().from(cases)).toHaveLength(1);
    expect(await deps.db.select().from(messages)).toHaveLength(1);
    expect(await row(deps, id)).toMatchObject({ status: 'processed', reason: null });
    expect(await reprocessEvents(deps, id)).toHaveLength(1);
  });
});

describe('one row, two runs', () => {
  it('of two retries of the same row at once, one claims it and runs it', async () => {
    const deps = await seeded({ d1: flakyD1(1) });
    const id = await failedOnce(deps, 'Raced');
    const before = await row(deps, id);
    const runs = await Promise.all([retryInbound(deps, before, T0 + 1000), retryInbound(deps, before, T0 + 1000)]);
    expect(runs.map((r) => r.claimed).sort()).toEqual([false, true]);
    expect(await deps.db.select().from(cases)).toHaveLength(1);
    expect(await row(deps, id)).toMatchObject({ status: 'processed', nextAttemptAt: null });
  });

  it('the sweep leaves a row another run holds until its lease has passed', async () => {
    const deps = await seeded({ d1: flakyD1(1) });
    const id = await failedOnce(deps);
    // A reprocess took the row and its isolate died: `received`, leased for two minutes.
    const now = T0 + 10 * 60_000;
    await deps.db
      .update(inbound)
      .set({ status: 'received', nextAttemptAt: now + 2 * 60_000 })
      .where(eq(inbound.id, id));
    expect(await retryDue(deps, now + 60_000)).toEqual({ tried: 0, succeeded: 0 });
    expect(await retryDue(deps, now + 3 * 60_000)).toEqual({ tried: 1, succeeded: 1 });
    expect(await row(deps, id)).toMatchObject({ status: 'processed' });
  });

  it('the pipeline itself, run twice at once on one row, stores it once and does not mark it a duplicate of itself', async () => {
    const deps = await seeded({ d1: flakyD1(1) });
    const id = await failedOnce(deps, 'Run twice');
    const r = await row(deps, id);
    const [a, b] = await Promise.all([processInbound(deps, r), processInbound(deps, r)]);
    expect(a.caseId).toBe(b.caseId);
    expect([a.status, b.status]).toEqual(['processed', 'processed']);
    expect(await deps.db.select().from(cases)).toHaveLength(1);
    expect(await row(deps, id)).toMatchObject({ status: 'processed', reason: null, caseId: a.caseId });
  });

  it('the same for a reply appended to an existing case', async () => {
    const deps = await seeded();
    const caseId = await newCase(deps, 'Original', T0);
    const [original] = await deps.db.select().from(messages);
    const reply = await deliver(deps, mail({ Subject: 'Re: Original', 'In-Reply-To': `<${original!.rfcMessageId}>` }), { at: T0 + 1000 });
    await deps.db.delete(messages).where(eq(messages.inboundId, reply));
    await deps.db.update(inbound).set({ status: 'failed', reason: 'processing-error', attempts: 1, caseId: null, messageId: null }).where(eq(inbound.id, reply));
    const r = await row(deps, reply);
    const [a, b] = await Promise.all([processInbound(deps, r), processInbound(deps, r)]);
    expect([a.caseId, b.caseId]).toEqual([caseId, caseId]);
    expect(await deps.db.select().from(messages).where(eq(messages.caseId, caseId))).toHaveLength(2);
    expect(await row(deps, reply)).toMatchObject({ status: 'processed', reason: null, caseId });
  });
});
