// assign: who a case goes to when it is given to an agent, to a team, or to nobody. The pick within a
// team is pure (pickInTeam); the facts it needs (the team, its members with their turns and open
// cases, and who is connected when the mode asks for it) are read by teamFacts, and a round-robin
// turn is claimed compare-and-set (claimTurn) so that concurrent picks spread out. The same three are
// used by an agent's edit and by the ingest's auto-assignment.
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { agents, cases, teamMembers, teams, type Agent, type Team } from '../db/schema.ts';
import type { Db } from '../db/client.ts';
import { planNotification } from '../mail/notify.ts';
import { CaseActionError } from './errors.ts';
import type { CaseFacts, CaseStep, PlanContext } from './plan.ts';

/** The statuses that count as an agent's open work (least-open compares these). */
const OPEN = ['new', 'open', 'pending'] as const;

export interface Member {
  agent: Agent;
  /** When the team's round-robin last gave this member a case (null: never). */
  lastAssignedAt: number | null;
  /** Cases assigned to the agent that are new, open or pending (in any team). */
  open: number;
}

export interface TeamFacts {
  team: Team;
  members: Member[];
  /** Agent ids connected to the live hub; read only when the team's mode needs it (least-open), else null. */
  present: ReadonlySet<string> | null;
  /** The agent the team's mode picked for this case (claimed already), or null: the team's queue. */
  pick: Agent | null;
}

/** Asks the live hub which agents have a socket open (see realtime/hub.ts connectedAgents). */
export interface Presence {
  connectedAgents(workspaceId: string): Promise<string[]>;
}

const byTurn = (a: Member, b: Member) =>
  // Never given a case comes first; then the oldest turn; then the older agent, then the id (stable).
  (a.lastAssignedAt ?? -1) - (b.lastAssignedAt ?? -1) || a.agent.createdAt - b.agent.createdAt || (a.agent.id < b.agent.id ? -1 : 1);

/**
 * The member a new case of the team goes to, by the team's mode, or null for the team's queue.
 * Only active, available members are candidates. least-open takes the present member with the
 * fewest open cases (the longest-waiting turn breaks ties); with nobody present it leaves the case in
 * the queue rather than hand it to someone who is not there to see it.
 */
export function pickInTeam(team: Pick<Team, 'assignMode'>, members: Member[], present: ReadonlySet<string> | null): Member | null {
  const ready = members.filter((m) => m.agent.active && m.agent.available);
  switch (team.assignMode) {
    case 'off':
      return null;
    case 'round-robin':
      return [...ready].sort(byTurn)[0] ?? null;
    case 'least-open': {
      const here = ready.filter((m) => present?.has(m.agent.id));
      return here.sort((a, b) => a.open - b.open || byTurn(a, b))[0] ?? null;
    }
  }
}

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

/**
 * Assignee and team. `teamId` absent keeps the case's team (and needs no membership: "Assign to
 * me"); a team named needs its agent to be an active member, or `agentId: 'auto'` for the team's
 * mode to pick (facts.team.pick), or null for the team's queue. Never a deactivated agent. The new
 * assignee hears about it by mail, unless they took the case themselves.
 */
export async function planAssignee(facts: CaseFacts, edit: { agentId: string | null | 'auto'; teamId?: string | null }, ctx: PlanContext): Promise<CaseStep> {
  const kase = facts.kase;
  const t = edit.teamId ? facts.team : null;
  if (edit.teamId && (!t || t.team.id !== edit.teamId || t.team.workspaceId !== kase.workspaceId)) throw new CaseActionError('bad_request', 'no such team in this workspace');
  let agent: Agent | null;
  if (edit.agentId === 'auto') {
    if (!t) throw new CaseActionError('bad_request', 'only a team picks its own agent: name a team');
    agent = t.pick;
  } else if (edit.agentId === null) {
    agent = null;
  } else {
    const id = edit.agentId;
    const found = t ? t.members.find((m) => m.agent.id === id)?.agent : facts.agents.find((a) => a.id === id);
    if (!found?.active || found.workspaceId !== kase.workspaceId) {
      throw new CaseActionError('bad_request', t ? `no such active agent in the team ${t.team.name}` : 'no such active agent in this workspace');
    }
    agent = found;
  }
  const teamId = edit.teamId === undefined ? kase.teamId : edit.teamId;
  const set: CaseStep['set'] = {};
  const changes: NonNullable<CaseStep['changes']> = {};
  if ((agent?.id ?? null) !== kase.assigneeId) {
    set.assigneeId = agent?.id ?? null;
    changes.assignee = agent ? { id: agent.id, name: agent.name } : null;
  }
  if (teamId !== kase.teamId) {
    set.teamId = teamId;
    changes.team = t ? { id: t.team.id, name: t.team.name } : null;
  }
  if (Object.keys(set).length === 0) return {};
  const step: CaseStep = { set, changes };
  if (!agent || agent.id === ctx.by.id || set.assigneeId === undefined) return step;
  const mail = await planNotification(agent, {
    kind: 'assignment',
    agentId: agent.id,
    mailbox: facts.mailbox,
    kase: { id: kase.id, number: kase.number, subject: kase.subject },
    summary: `${ctx.by.id ? ctx.by.name : 'An agent'} assigned it to you${t ? ` (team ${t.team.name})` : ''}.`,
    secret: ctx.secret,
    appUrl: ctx.appUrl,
    now: ctx.now,
  });
  return 'skipped' in mail ? step : { ...step, more: { writes: mail.writes, blobs: mail.blobs, outgoing: mail.outgoing } };
}
