// The SLA sweep through the scheduled() entry point with fixed scheduledTimes: warnings before
// breaches, each raised once, escalations applied once, duplicated runs no-ops.
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import worker from '../../../worker/index.ts';
import { cases, events, mailboxes, outboxRecipients, slaPolicies } from '../../../worker/db/schema.ts';
import type { Deps } from '../../../worker/deps.ts';
import { receiveEmail } from '../../../worker/ingest/receive.ts';
import { sweepSla } from '../../../worker/sla/sweep.ts';
import { DEMO, incoming, mail, seeded } from '../helpers.ts';
import { call, ORIGIN } from '../http/client.ts';

const MIN = 60_000;

async function slaCase(
  escalations: object[] = [
    { on: 'warning', action: 'notify-assignee' },
    { on: 'breach', action: 'notify-assignee' },
    { on: 'breach', action: 'raise-priority' },
  ],
) {
  const deps = await seeded();
  // Around the clock, so the test does not depend on the weekday it runs.
  await deps.db.update(mailboxes).set({ slaOfficeHoursOnly: false }).where(eq(mailboxes.id, DEMO.mailboxId));
  await deps.db
    .update(slaPolicies)
    .set({ firstResponseMinutes: 60, resolutionMinutes: 600, warnMinutes: 10, escalations: JSON.stringify(escalations) })
    .where(eq(slaPolicies.id, DEMO.slaPolicyId));
  const t0 = Date.UTC(2026, 10, 23, 9, 0);
  deps.now = () => t0;
  await receiveEmail(incoming(mail({ Subject: 'Urgent-ish' })), deps);
  const kase = (await deps.db.select().from(cases).get())!;
  await deps.db.update(cases).set({ assigneeId: 'agt_ben' }).where(eq(cases.id, kase.id));
  return { deps, kase, t0 };
}

async function cron(scheduledTime: number) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime }), env, ctx);
  await waitOnExecutionContext(ctx);
}

async function slaEvents(deps: Deps) {
  return (await deps.db.select().from(events)).filter((e) => e.type === 'sla.updated').map((e) => JSON.parse(e.payload));
}

describe('SLA sweep', () => {
  it('stores due times on the new case and the sweep’s next look', async () => {
    const { kase, t0 } = await slaCase();
    expect(kase).toMatchObject({ slaPolicyId: DEMO.slaPolicyId, firstResponseDueAt: t0 + 60 * MIN, resolutionDueAt: t0 + 600 * MIN, nextDueAt: t0 + 50 * MIN, slaState: 'ok' });
  });

  it('does nothing before a warning is due', async () => {
    const { deps, t0 } = await slaCase();
    await cron(t0 + 49 * MIN);
    expect(await slaEvents(deps)).toEqual([]);
  });

  it('warns before it breaches, each once; a duplicated or late run is a no-op', async () => {
    const { deps, kase, t0 } = await slaCase();
    await cron(t0 + 50 * MIN);
    await cron(t0 + 50 * MIN); // the same minute again
    await cron(t0 + 55 * MIN);
    expect((await slaEvents(deps)).map((e) => `${e.target}:${e.kind}`)).toEqual(['firstResponse:warning']);
    expect(await deps.db.select().from(cases).where(eq(cases.id, kase.id)).get()).toMatchObject({ slaState: 'warning', nextDueAt: t0 + 60 * MIN });
    await cron(t0 + 60 * MIN);
    await Promise.all([cron(t0 + 61 * MIN), cron(t0 + 61 * MIN)]); // two runs at once
    expect((await slaEvents(deps)).map((e) => `${e.target}:${e.kind}`)).toEqual(['firstResponse:warning', 'firstResponse:breach']);
    const after = (await deps.db.select().from(cases).where(eq(cases.id, kase.id)).get())!;
    expect(after).toMatchObject({ slaState: 'breached', slaBreachedMask: 1, priority: 'high' });
    // The next look is the resolution warning.
    expect(after.nextDueAt).toBe(t0 + 590 * MIN);
  });

  it('runs escalations once: the assignee is mailed for the warning and the breach, priority raised once', async () => {
    const { deps, t0 } = await slaCase();
    for (const m of [50, 50, 60, 60, 61]) await cron(t0 + m * MIN);
    const notes = await deps.db.select().from(outboxRecipients).where(eq(outboxRecipients.kind, 'notification'));
    expect(notes.map((n) => n.recipient)).toEqual(['ben@acme.test', 'ben@acme.test']);
    const [, breach] = await slaEvents(deps);
    expect(breach.actions).toEqual(['notified the assignee', 'priority raised to high']);
  });

  it('reassigns and mails a manager address when the policy says so', async () => {
    const { deps, kase, t0 } = await slaCase([
      { on: 'breach', action: 'reassign', agentId: 'agt_ada' },
      { on: 'breach', action: 'notify-address', address: 'manager@acme.test' },
    ]);
    await cron(t0 + 60 * MIN);
    expect((await deps.db.select().from(cases).where(eq(cases.id, kase.id)).get())!.assigneeId).toBe('agt_ada');
    const sent = (await deps.db.select().from(outboxRecipients).where(eq(outboxRecipients.kind, 'notification'))).map((r) => r.recipient).sort();
    expect(sent).toEqual(['ada@acme.test', 'manager@acme.test']);
  });

  it('an agent reply before the due time means no breach', async () => {
    const { deps, kase, t0 } = await slaCase();
    deps.now = () => t0 + 20 * MIN;
    const res = await call(`/api/cases/${kase.id}/replies`, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: ORIGIN }, body: JSON.stringify({ text: 'On it' }) });
    expect(res.status).toBe(201);
    const after = (await deps.db.select().from(cases).where(eq(cases.id, kase.id)).get())!;
    expect(after.firstResponseDueAt).toBeNull();
    expect(after.firstRespondedAt).not.toBeNull();
    await sweepSla(deps, t0 + 120 * MIN);
    expect(await slaEvents(deps)).toEqual([]);
  });

  it('auto-replies and notes neither meet nor restart a clock', async () => {
    const { deps, kase, t0 } = await slaCase();
    await deps.db.update(mailboxes).set({ unverifiedPolicy: 'allow' }).where(eq(mailboxes.id, DEMO.mailboxId));
    const first = (await deps.db.select().from(cases).where(eq(cases.id, kase.id)).get())!;
    await receiveEmail(incoming(mail({ 'Auto-Submitted': 'auto-replied', Subject: 'Re: Urgent-ish [#1]' })), deps);
    await call(`/api/cases/${kase.id}/notes`, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: ORIGIN }, body: JSON.stringify({ text: 'looking' }) });
    const after = (await deps.db.select().from(cases).where(eq(cases.id, kase.id)).get())!;
    expect(after).toMatchObject({ firstResponseDueAt: first.firstResponseDueAt, firstRespondedAt: null, nextDueAt: first.nextDueAt });
    await cron(t0 + 60 * MIN);
    expect((await slaEvents(deps)).map((e) => e.kind)).toEqual(['breach']);
  });

  it('a pending case is not swept; back to open, it resumes with the time it had left', async () => {
    const { deps, kase, t0 } = await slaCase();
    deps.now = () => t0 + 20 * MIN;
    await call(`/api/cases/${kase.id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json', Origin: ORIGIN }, body: JSON.stringify({ status: 'pending' }) });
    // The route has its own deps (the real clock); read what it stored and check the pause.
    const paused = (await deps.db.select().from(cases).where(eq(cases.id, kase.id)).get())!;
    expect(paused.slaPausedAt).not.toBeNull();
    expect(paused.nextDueAt).toBeNull();
    await cron(t0 + 24 * 60 * MIN);
    expect(await slaEvents(deps)).toEqual([]);
  });

  it('reads only the cases that are due', async () => {
    const { deps, t0 } = await slaCase();
    // Nine more cases, due much later.
    await deps.db.update(slaPolicies).set({ firstResponseMinutes: 6000 }).where(eq(slaPolicies.id, DEMO.slaPolicyId));
    for (let i = 0; i < 9; i++) await receiveEmail(incoming(mail({ Subject: `later ${i}` })), deps);
    expect(await sweepSla(deps, t0 + 50 * MIN)).toEqual({ checked: 1, warnings: 1, breaches: 0 });
  });
});
