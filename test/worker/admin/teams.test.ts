// GET /api/teams: who a case can be given to (active agents, teams with their active members).
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { agents, cases, mailboxes, teamMembers, teams } from '../../../worker/db/schema.ts';
import type { Assignables, TeamView } from '../../../worker/protocol/teams.ts';
import { DEMO, seeded } from '../helpers.ts';
import { call, newCase } from '../http/client.ts';
import { auditRows, json, PASSWORD, send, signedIn } from './helpers.ts';

describe('GET /api/teams', () => {
  it('lists active agents and each team with its mode and active members only', async () => {
    const deps = await seeded();
    await deps.db.insert(agents).values({ id: 'agt_gone', workspaceId: DEMO.workspaceId, email: 'gone@acme.test', name: 'Gone', active: false, createdAt: 1 });
    await deps.db.update(agents).set({ available: false }).where(eq(agents.id, 'agt_ben'));
    await deps.db.insert(teams).values({ id: 'team_b', workspaceId: DEMO.workspaceId, name: 'Billing', assignMode: 'least-open', createdAt: 1 });
    await deps.db.insert(teamMembers).values([
      { teamId: 'team_b', agentId: 'agt_ben', addedAt: 1 },
      { teamId: 'team_b', agentId: 'agt_gone', addedAt: 1 },
    ]);
    const res = await call('/api/teams');
    expect(res.status).toBe(200);
    const body = (await res.json()) as Assignables;
    expect(body.agents.map((a) => [a.id, a.available])).toEqual([
      ['agt_ada', true],
      ['agt_ben', false],
    ]);
    expect(body.teams).toEqual([{ id: 'team_b', name: 'Billing', assignMode: 'least-open', memberIds: ['agt_ben'] }]);
  });
});

describe('/api/admin/teams', () => {
  it('an admin creates, renames, sets members and mode, and deletes a team, each audited; the team leaves its cases and mailboxes', async () => {
    const deps = await seeded();
    const created = await json<TeamView>(await send('/api/admin/teams', { name: 'Billing' }), 201);
    expect(created).toMatchObject({ name: 'Billing', assignMode: 'round-robin', memberIds: [] });
    const dup = await send('/api/admin/teams', { name: 'billing' });
    expect(dup.status).toBe(409);
    const renamed = await json<TeamView>(await send(`/api/admin/teams/${created.id}`, { name: 'Money', assignMode: 'least-open' }, 'PATCH'));
    expect(renamed).toMatchObject({ name: 'Money', assignMode: 'least-open' });
    const withMembers = await json<TeamView>(await send(`/api/admin/teams/${created.id}/members`, { agentIds: ['agt_ben', 'agt_ada'] }, 'PUT'));
    expect(withMembers.memberIds.sort()).toEqual(['agt_ada', 'agt_ben']);
    // An agent in two teams.
    const other = await json<TeamView>(await send('/api/admin/teams', { name: 'Other', assignMode: 'off' }), 201);
    await json<TeamView>(await send(`/api/admin/teams/${other.id}/members`, { agentIds: ['agt_ben'] }, 'PUT'));
    expect(await deps.db.select().from(teamMembers).where(eq(teamMembers.agentId, 'agt_ben'))).toHaveLength(2);
    const bad = await send(`/api/admin/teams/${created.id}/members`, { agentIds: ['agt_nobody'] }, 'PUT');
    expect(bad.status).toBe(400);
    // Ben keeps his turn when the members change around him.
    await deps.db.update(teamMembers).set({ lastAssignedAt: 42 }).where(eq(teamMembers.agentId, 'agt_ben'));
    await json<TeamView>(await send(`/api/admin/teams/${created.id}/members`, { agentIds: ['agt_ben'] }, 'PUT'));
    const [ben] = await deps.db.select().from(teamMembers).where(eq(teamMembers.teamId, created.id));
    expect(ben).toMatchObject({ agentId: 'agt_ben', lastAssignedAt: 42 });

    const caseId = await newCase(deps, 'in a team');
    await deps.db.update(cases).set({ teamId: created.id, assigneeId: 'agt_ben' }).where(eq(cases.id, caseId));
    await deps.db.update(mailboxes).set({ defaultTeamId: created.id }).where(eq(mailboxes.id, DEMO.mailboxId));
    expect((await send(`/api/admin/teams/${created.id}`, {}, 'DELETE')).status).toBe(204);
    const [row] = await deps.db.select().from(cases).where(eq(cases.id, caseId));
    expect(row).toMatchObject({ teamId: null, assigneeId: 'agt_ben' });
    const [box] = await deps.db.select().from(mailboxes).where(eq(mailboxes.id, DEMO.mailboxId));
    expect(box?.defaultTeamId).toBeNull();
    expect(await deps.db.select().from(teams).where(eq(teams.id, created.id))).toHaveLength(0);
    const audit = (await auditRows(deps)).filter((r) => r.entity === 'team' && r.entityId === created.id);
    expect(audit.map((r) => r.action)).toEqual(['create', 'update', 'members', 'members', 'delete']);
    expect(audit[1]!.changes).toEqual({ name: ['Billing', 'Money'], assignMode: ['round-robin', 'least-open'] });
  });

  it('an agent who is not an admin is refused', async () => {
    const deps = await seeded();
    const { ben } = await signedIn(deps);
    const res = await send('/api/admin/teams', { name: 'Mine' }, 'POST', PASSWORD, { Cookie: ben });
    expect(res.status).toBe(403);
  });
});
