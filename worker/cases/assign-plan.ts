// assign-plan: the pure half of assignment: the pick within a team by its mode (pickInTeam) and the
// assignee edit's planner (planAssignee). The facts they need are read by assign.ts (teamFacts).
import type { Agent, Team } from '../db/schema.ts';
import { planNotification } from '../mail/notify.ts';
import { CaseActionError } from './errors.ts';
import type { CaseFacts, CaseStep, PlanContext } from './plan.ts';

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
