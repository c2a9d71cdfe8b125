// /api/teams: who a case can be given to. One read batch; inactive agents are left out (the plan
// refuses them anyway).
import { and, asc, eq, inArray } from 'drizzle-orm';
import { Hono } from 'hono';
import { agents, teamMembers, teams } from '../../db/schema.ts';
import type { Assignables } from '../../protocol/teams.ts';
import type { AppEnv } from '../env.ts';

export const teamRoutes = new Hono<AppEnv>();

teamRoutes.get('/', async (c) => {
  const db = c.var.deps.db;
  const ws = c.var.workspaceId;
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
  const body: Assignables = {
    agents: people,
    teams: groups.map((t) => ({ id: t.id, name: t.name, assignMode: t.assignMode, memberIds: members.filter((m) => m.teamId === t.id && active.has(m.agentId)).map((m) => m.agentId) })),
  };
  return c.json(body);
});
