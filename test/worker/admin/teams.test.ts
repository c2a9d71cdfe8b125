// GET /api/teams: who a case can be given to (active agents, teams with their active members).
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { agents, teamMembers, teams } from '../../../worker/db/schema.ts';
import type { Assignables } from '../../../worker/protocol/teams.ts';
import { DEMO, seeded } from '../helpers.ts';
import { call } from '../http/client.ts';

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
