// assign: who a case goes to when it is given to an agent, to a team, or to nobody. The pick within a
// team is pure (pickInTeam); the facts it needs (the team, its members with their turns and open
// cases, and who is connected when the mode asks for it) are read by teamFacts, and a round-robin
// turn is claimed compare-and-set (claimTurn) so that concurrent picks spread out. The same three are
// used by an agent's edit and by the ingest's auto-assignment.
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { agents, cases, teamMembers, teams, type Team } from '../db/schema.ts';
import type { Db } from '../db/client.ts';
import { pickInTeam, type Member, type Presence, type TeamFacts } from './assign-plan.ts';

export { pickInTeam, planAssignee, type Member, type Presence, type TeamFacts } from './assign-plan.ts';

/** The statuses that count as an agent's open work (least-open compares these). */
const OPEN = ['new', 'open', 'pending'] as const;

/** The team of the workspace with its members (active or not: the plan refuses the inactive), in one batch. */
export async function readTeam(db: Db, workspaceId: string, teamId: string): Promise<{ team: Team; members: Member[] } | null> {
  const memberIds = db.select({ id: teamMembers.agentId }).from(teamMembers).where(eq(teamMembers.teamId, teamId));
  // No joins: in a D1 batch, rows come back as objects, and agents.last_assigned_at would collide.
  const [found, memberships, people, counts] = await db.batch([
    db
      .select()
      .from(teams)
      .where(and(eq(teams.id, teamId), eq(teams.workspaceId, workspaceId)))
      .limit(1),
    db.select().from(teamMembers).where(eq(teamMembers.teamId, teamId)),
    db
      .select()
      .from(agents)
      .where(and(eq(agents.workspaceId, workspaceId), inArray(agents.id, memberIds))),
    db
      .select({ id: cases.assigneeId, n: sql<number>`count(*)` })
      .from(cases)
      .where(and(eq(cases.workspaceId, workspaceId), inArray(cases.assigneeId, memberIds), inArray(cases.status, [...OPEN])))
      .groupBy(cases.assigneeId),
  ]);
  const team = found[0];
  if (!team) return null;
  const open = new Map(counts.map((c) => [c.id, Number(c.n)]));
  const byId = new Map(people.map((a) => [a.id, a]));
  const members = memberships.flatMap((m) => {
    const agent = byId.get(m.agentId);
    return agent ? [{ agent, lastAssignedAt: m.lastAssignedAt, open: open.get(agent.id) ?? 0 }] : [];
  });
  return { team, members };
}

/**
 * Records the turn on the membership, conditional on the turn the pick was based on: false when
 * another pick claimed it first. The new turn is strictly after every turn of the team, so two picks
 * in the same millisecond (or a clock behind another isolate's) still rotate.
 */
export async function claimTurn(db: Db, teamId: string, m: Member, now: number): Promise<boolean> {
  const next = sql`MAX(${now}, (SELECT COALESCE(MAX(tm2.last_assigned_at), 0) + 1 FROM ${teamMembers} tm2 WHERE tm2.team_id = ${teamId}))`;
  const claimed = await db
    .update(teamMembers)
    .set({ lastAssignedAt: next })
    .where(and(eq(teamMembers.teamId, teamId), eq(teamMembers.agentId, m.agent.id), m.lastAssignedAt === null ? isNull(teamMembers.lastAssignedAt) : eq(teamMembers.lastAssignedAt, m.lastAssignedAt)))
    .returning({ id: teamMembers.agentId })
    .get();
  return claimed !== undefined;
}

/** Claims are compare-and-set; a few lost races in a row only happen under a burst of new cases. */
const CLAIM_ATTEMPTS = 5;

/**
 * The team's facts with its pick made and claimed, or null when the workspace has no such team.
 * `pick: false` reads the team without picking (an edit that names the agent itself). The hub is
 * asked who is present only for least-open. A case whose batch then fails still counted as the
 * agent's turn, which only shifts the rotation by one.
 */
export async function teamFacts(db: Db, presence: Presence, workspaceId: string, teamId: string, now: number, pick = true): Promise<TeamFacts | null> {
  let read = await readTeam(db, workspaceId, teamId);
  if (!read) return null;
  if (!pick || read.team.assignMode === 'off') return { ...read, present: null, pick: null };
  const present = read.team.assignMode === 'least-open' ? new Set(await presence.connectedAgents(workspaceId)) : null;
  let chosen: Member | null = null;
  for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
    chosen = pickInTeam(read.team, read.members, present);
    if (!chosen || (await claimTurn(db, teamId, chosen, now))) break;
    const again = await readTeam(db, workspaceId, teamId);
    if (!again) return null;
    read = again;
  }
  // Still contended: hand out the last pick unclaimed rather than leave the case unassigned.
  return { ...read, present, pick: chosen?.agent ?? null };
}
