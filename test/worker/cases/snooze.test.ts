// Snooze through the HTTP API, the scheduled trigger and the email entry point: a snoozed case
// leaves the active views for the Snoozed one, wakes when its time comes (exactly once, however
// often the cron runs) or at once when the customer writes, each wake one case.updated.
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import worker from '../../../worker/index.ts';
import { cases, events } from '../../../worker/db/schema.ts';
import type { Deps } from '../../../worker/deps.ts';
import type { CaseSummary, Page } from '../../../worker/protocol/api.ts';
import { seeded } from '../helpers.ts';
import { deliver, expectError, getJson, mail, patch } from '../http/client.ts';
import { openSocket } from './live-socket.ts';

const HOUR = 3_600_000;

async function cron(scheduledTime: number) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime }), env, ctx);
  await waitOnExecutionContext(ctx);
}

async function listed(status: string): Promise<string[]> {
  return (await getJson<Page<CaseSummary>>(`/api/cases?status=${status}&limit=200`)).body.items.map((c) => c.subject);
}

/** A new case from alice whose first message has a known Message-ID, for replies to thread on. */
async function caseWithThread(deps: Deps, subject: string): Promise<{ id: string; messageId: string }> {
  const messageId = `${crypto.randomUUID()}@example.com`;
  await deliver(deps, mail({ Subject: subject, 'Message-ID': `<${messageId}>` }));
  const row = (await deps.db.select().from(cases).where(eq(cases.subject, subject)).get())!;
  return { id: row.id, messageId };
}

async function wakeEvents(deps: Deps, caseId: string) {
  return (await deps.db.select().from(events).where(eq(events.caseId, caseId)))
    .map((e) => JSON.parse(e.payload) as { type: string; changes?: { snooze?: unknown }; woke?: string })
    .filter((e) => e.type === 'case.updated' && e.changes && 'snooze' in e.changes && e.changes.snooze === null);
}

describe('snooze', () => {
  it('takes the case out of the active views into Snoozed; the event reaches another socket; null wakes it', async () => {
    const deps = await seeded();
    const { id } = await caseWithThread(deps, 'Sleepy');
    await caseWithThread(deps, 'Awake');
    const other = await openSocket();
    const until = Date.now() + 3 * HOUR;
    const res = await patch(`/api/cases/${id}`, { snooze: { until } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as CaseSummary).snooze).toEqual({ until, by: 'local' });
    const [event] = await other.waitFor((e) => e.type === 'case.updated' && e.caseId === id);
    expect(event).toMatchObject({ changes: { snooze: { until, by: 'local' } } });
    for (const view of ['active', 'new', 'breaching']) expect(await listed(view)).not.toContain('Sleepy');
    expect(await listed('active')).toContain('Awake');
    expect(await listed('snoozed')).toEqual(['Sleepy']);
    expect(await listed('all')).toContain('Sleepy');
    // Until the customer replies: no time.
    await patch(`/api/cases/${id}`, { snooze: { until: null } });
    expect((await deps.db.select().from(cases).where(eq(cases.id, id)).get())!).toMatchObject({ snoozedUntil: null, snoozedBy: 'local' });
    await patch(`/api/cases/${id}`, { snooze: null });
    await other.waitFor((e) => e.type === 'case.updated' && e.caseId === id && e.changes.snooze === null);
    expect(await listed('active')).toContain('Sleepy');
    expect(await listed('snoozed')).toEqual([]);
    await other.close();
  });

  it('refuses a time in the past, beyond a year, a closed case and a malformed snooze with a 400', async () => {
    const deps = await seeded();
    const { id } = await caseWithThread(deps, 'Nope');
    expect((await expectError(await patch(`/api/cases/${id}`, { snooze: { until: Date.now() - 1000 } }), 400, 'bad_request')).error.message).toContain('future');
    expect((await expectError(await patch(`/api/cases/${id}`, { snooze: { until: Date.now() + 400 * 24 * HOUR } }), 400, 'bad_request')).error.message).toContain('year');
    await expectError(await patch(`/api/cases/${id}`, { snooze: { until: 'tomorrow' } }), 400, 'bad_request');
    await expectError(await patch(`/api/cases/${id}`, { snooze: {} }), 400, 'bad_request');
    await patch(`/api/cases/${id}`, { status: 'closed' });
    expect((await expectError(await patch(`/api/cases/${id}`, { snooze: { until: null } }), 400, 'bad_request')).error.message).toContain('closed');
    expect((await deps.db.select().from(cases).where(eq(cases.id, id)).get())!.snoozedAt).toBeNull();
  });

  it('wakes by time on the cron, exactly once under duplicated and concurrent runs', async () => {
    const deps = await seeded();
    const { id } = await caseWithThread(deps, 'Later');
    const { id: forever } = await caseWithThread(deps, 'Until they write');
    const until = Date.now() + 3 * HOUR;
    await patch(`/api/cases/${id}`, { snooze: { until } });
    await patch(`/api/cases/${forever}`, { snooze: { until: null } });
    const other = await openSocket();
    await cron(until - 60_000);
    expect(await listed('snoozed')).toHaveLength(2);
    await Promise.all([cron(until), cron(until)]);
    await cron(until + 60_000);
    const [event] = await other.waitFor((e) => e.type === 'case.updated' && e.caseId === id);
    expect(event).toMatchObject({ changes: { snooze: null }, woke: 'time' });
    expect(await wakeEvents(deps, id)).toHaveLength(1);
    expect(other.events.filter((e) => e.type === 'case.updated' && e.caseId === id)).toHaveLength(1);
    expect(await listed('active')).toContain('Later');
    // A snooze until the customer writes has no time to come.
    expect(await listed('snoozed')).toEqual(['Until they write']);
    await other.close();
  });

  it("wakes at once when the customer replies, in the message's commit; an auto-reply leaves it asleep", async () => {
    const deps = await seeded();
    const { id, messageId } = await caseWithThread(deps, 'Waiting on you');
    await patch(`/api/cases/${id}`, { snooze: { until: null } });
    const other = await openSocket();
    await deliver(deps, mail({ Subject: 'Re: Waiting on you', 'In-Reply-To': `<${messageId}>`, 'Auto-Submitted': 'auto-replied' }, 'I am out of the office.'));
    expect(await listed('snoozed')).toEqual(['Waiting on you']);
    await deliver(deps, mail({ Subject: 'Re: Waiting on you', 'In-Reply-To': `<${messageId}>` }, 'Here is the answer.'));
    const [woke] = await other.waitFor((e) => e.type === 'case.updated' && e.caseId === id);
    expect(woke).toMatchObject({ changes: { snooze: null }, woke: 'customer' });
    const added = other.events.filter((e) => e.type === 'message.added' && e.caseId === id);
    expect(added).toHaveLength(2);
    // One batch: the wake's seq follows the message's.
    expect(woke!.seq).toBe(added[1]!.seq + 1);
    expect(await listed('snoozed')).toEqual([]);
    expect(await listed('active')).toContain('Waiting on you');
    expect(await wakeEvents(deps, id)).toHaveLength(1);
    await other.close();
  });
});
