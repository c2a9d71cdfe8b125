// GET /api/cases/:id/history: the case's changes as lines, names resolved when read.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { agents, teamMembers, teams } from '../../../worker/db/schema.ts';
import { historyLines } from '../../../worker/cases/history.ts';
import type { CaseHistory } from '../../../worker/protocol/history.ts';
import { PASSWORD, signedIn } from '../admin/helpers.ts';
import { DEMO, seeded } from '../helpers.ts';
import { call, expectError, newCase, ORIGIN } from '../http/client.ts';

function patchAs(cookie: string, caseId: string, body: unknown): Promise<Response> {
  return call(
    `/api/cases/${caseId}`,
    { method: 'PATCH', headers: { 'Content-Type': 'application/json', 'Sec-Fetch-Site': 'same-origin', Origin: ORIGIN, Cookie: cookie }, body: JSON.stringify(body) },
    PASSWORD,
  );
}

async function history(cookie: string, caseId: string): Promise<CaseHistory> {
  const res = await call(`/api/cases/${caseId}/history`, { headers: { Cookie: cookie } }, PASSWORD);
  expect(res.status).toBe(200);
  return (await res.json()) as CaseHistory;
}

describe('case history', () => {
  it('says who assigned, closed and reprioritised, in order, with names as they are now', async () => {
    const deps = await seeded();
    const { ada, ben } = await signedIn(deps);
    await deps.db.insert(teams).values({ id: 'team_billing', workspaceId: DEMO.workspaceId, name: 'Billing', assignMode: 'off', createdAt: 1 });
    await deps.db.insert(teamMembers).values({ teamId: 'team_billing', agentId: 'agt_ben', addedAt: 1 });
    const caseId = await newCase(deps, 'history please');
    expect((await patchAs(ada, caseId, { assignee: { agentId: null, teamId: 'team_billing' } })).status).toBe(200);
    expect((await patchAs(ada, caseId, { assignee: { agentId: 'agt_ben', teamId: 'team_billing' } })).status).toBe(200);
    expect((await patchAs(ben, caseId, { status: 'closed', priority: 'high' })).status).toBe(200);
    await deps.db.update(agents).set({ name: 'Ada Lovelace' }).where(eq(agents.id, 'agt_ada'));
    const h = await history(ben, caseId);
    expect(h.lines.map((l) => l.text)).toEqual([
      'alice@example.com opened this by mail',
      'Ada Lovelace assigned this to Team Billing',
      'Ada Lovelace assigned this to Ben Agent',
      'Ben Agent closed this, set the priority to high',
    ]);
    expect(h.lines[1]!.actor).toEqual({ kind: 'agent', name: 'Ada Lovelace' });
    expect(h.lastSeq).toBe(h.lines.at(-1)!.seq);
    // Another case's events are not this case's history; a case of nobody's is a 404.
    const other = await newCase(deps, 'another', undefined, 'bob@example.com');
    expect((await history(ben, other)).lines).toHaveLength(1);
    await expectError(await call('/api/cases/case_nope/history', { headers: { Cookie: ben } }, PASSWORD), 404, 'not_found');
  });

  it('words the system, the SLA clock, a snooze and unknown actors; leaves out what is no change', () => {
    const row = (seq: number, actor: string, body: object) => ({ seq, at: seq, actor, payload: JSON.stringify(body) });
    const lines = historyLines(
      [
        row(1, 'system:sla', { type: 'sla.updated', caseId: 'c', target: 'firstResponse', kind: 'breach', dueAt: 1, state: 'breached', actions: ['moved to team Billing'] }),
        row(2, 'system:snooze', { type: 'case.updated', caseId: 'c', changes: { snooze: null }, woke: 'time' }),
        row(3, 'agent:agt_gone', { type: 'case.updated', caseId: 'c', changes: { assignee: null } }),
        row(4, 'system', { type: 'delivery.updated', caseId: 'c' }),
        row(5, 'rule:r1', { type: 'case.updated', caseId: 'c', changes: { tags: [{ id: 't', name: 'vip', color: '#000000' }] } }),
        row(6, 'agent:local', { type: 'case.updated', caseId: 'c', changes: {} }),
        { seq: 7, at: 7, actor: 'system', payload: 'not json' },
      ],
      new Map(),
    );
    expect(lines.map((l) => l.text)).toEqual([
      'The SLA clock marked the first response target breached (moved to team Billing)',
      'The snooze woke this',
      'A former agent unassigned this',
      'Rule r1 tagged it vip',
    ]);
  });
});
