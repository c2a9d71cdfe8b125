// The SLA escalation "reassign to team": the breached case joins the team's queue (cases.team_id,
// the team found by its name), and the case.updated event says so.
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import worker from '../../../worker/index.ts';
import { cases, events, mailboxes, slaPolicies, teams } from '../../../worker/db/schema.ts';
import { receiveEmail } from '../../../worker/ingest/receive.ts';
import { DEMO, incoming, mail, seeded } from '../helpers.ts';

const MIN = 60_000;

describe('SLA escalation: reassign to a team', () => {
  it('moves the breached case into the team named by the policy, keeping its assignee', async () => {
    const deps = await seeded();
    await deps.db.update(mailboxes).set({ slaOfficeHoursOnly: false }).where(eq(mailboxes.id, DEMO.mailboxId));
    await deps.db
      .update(slaPolicies)
      .set({ firstResponseMinutes: 60, resolutionMinutes: 600, warnMinutes: 10, escalations: JSON.stringify([{ on: 'breach', action: 'reassign', team: 'Escalations' }]) })
      .where(eq(slaPolicies.id, DEMO.slaPolicyId));
    await deps.db.insert(teams).values({ id: 'team_esc', workspaceId: DEMO.workspaceId, name: 'Escalations', assignMode: 'off', createdAt: 1 });
    const t0 = Date.UTC(2026, 10, 23, 9, 0);
    deps.now = () => t0;
    await receiveEmail(incoming(mail({ Subject: 'Slow one' })), deps);
    const kase = (await deps.db.select().from(cases).get())!;
    await deps.db.update(cases).set({ assigneeId: 'agt_ben' }).where(eq(cases.id, kase.id));
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: t0 + 60 * MIN }), env, ctx);
    await waitOnExecutionContext(ctx);
    const after = (await deps.db.select().from(cases).where(eq(cases.id, kase.id)).get())!;
    expect(after).toMatchObject({ teamId: 'team_esc', team: 'Escalations', assigneeId: 'agt_ben', slaState: 'breached' });
    const updates = (await deps.db.select().from(events)).filter((e) => e.type === 'case.updated').map((e) => JSON.parse(e.payload));
    expect(updates.at(-1).changes).toEqual({ team: { id: 'team_esc', name: 'Escalations' } });
  });
});
