// Who a case can be given to (GET /api/teams): the workspace's active agents and its teams with their
// active members, in one read batch.
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { agents, teamMembers, teams } from '../schema.ts';
import type { Assignables } from '../../protocol/teams.ts';

export async function assignables(db: Db, ws: string): Promise<Assignables> {
  const teamIds = db.select({ id: teams.id }).from(teams).where(eq(teams.workspaceId, ws));
  const [people, groups, members] = await db.batch([
    db
      .select({ id: agents.id, name: agents.name, email: agents.email, available: agents.available })
      .from(agents)
      .where(and(eq(agents.workspaceId, ws), eq(agents.active, true)))
      .orderBy(asc(agents.name)),
    db.select().from(teams).where(eq(teams.workspaceId, ws)).orderBy(asc(teams.name)),
    db.select({ teamId: teamMembers.teamId, agentId: teamMembers.agentId }).from(teamMembers).where(inArray(teamMembers.teamId, teamIds)),
  ]);
  const active = new Set(people.map((p) => p.id));
  return {
    agents: people,
    teams: groups.map((t) => ({ id: t.id, name: t.name, assignMode: t.assignMode, memberIds: members.filter((m) => m.teamId === t.id && active.has(m.agentId)).map((m) => m.agentId) })),
  };
}
