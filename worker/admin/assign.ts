// Who gets a new case of a mailbox: its default assignee, or, when it names a default team, the agent
// the team's assign mode picks (cases/assign.ts: round-robin per membership, least-open among the
// agents connected now, or nobody: the team's queue). A mailbox that names its team only by the old
// name column gets the old round-robin over agents.team. No clock of its own.
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { agents, type Mailbox } from '../db/schema.ts';
import type { Db } from '../deps.ts';
import { teamFacts, type Presence } from '../cases/assign.ts';

/** Without a hub to ask (explain, scripts): nobody is present, so least-open leaves the case in the queue. */
const NOBODY_PRESENT: Presence = { connectedAgents: async () => [] };

export interface Assignee {
  id: string;
  name: string;
}

/** Claims are compare-and-set; a few lost races in a row only happen under a burst of new cases. */
const CLAIM_ATTEMPTS = 5;

/**
 * The agent a new case of `mailbox` goes to, or null (nobody: no default, or nobody of the team is
 * available). A team pick is recorded on the agent at once, so concurrent deliveries spread out:
 * the claim is a conditional UPDATE on the `last_assigned_at` the pick was based on, retried when
 * another delivery claimed first. A case whose batch then fails still counted as the agent's turn,
 * which only shifts the rotation by one.
 */
export async function pickAssignee(
  db: Db,
  mailbox: Pick<Mailbox, 'workspaceId' | 'defaultAssigneeId' | 'defaultTeam'> & { defaultTeamId?: string | null },
  now: number,
  presence: Presence = NOBODY_PRESENT,
): Promise<Assignee | null> {
  if (mailbox.defaultAssigneeId) {
    const named = await db
      .select({ id: agents.id, name: agents.name })
      .from(agents)
      .where(and(eq(agents.id, mailbox.defaultAssigneeId), eq(agents.workspaceId, mailbox.workspaceId), eq(agents.active, true)))
      .get();
    // A default assignee who was deactivated falls through to the team (if any), never to a ghost.
    if (named) return named;
  }
  if (mailbox.defaultTeamId) {
    // The team as a table: its assign mode decides (cases/assign.ts), round-robin turns are per membership.
    const t = await teamFacts(db, presence, mailbox.workspaceId, mailbox.defaultTeamId, now);
    if (t) return t.pick ? { id: t.pick.id, name: t.pick.name } : null;
    // A team deleted under the mailbox falls through to the team name it may still carry.
  }
  const team = mailbox.defaultTeam;
  if (!team) return null;
  const inTeam = and(eq(agents.workspaceId, mailbox.workspaceId), eq(agents.team, team));
  let candidate: (Assignee & { last: number | null }) | undefined;
  for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
    candidate = await db
      .select({ id: agents.id, name: agents.name, last: agents.lastAssignedAt })
      .from(agents)
      .where(and(inTeam, eq(agents.active, true), eq(agents.available, true)))
      // SQLite sorts NULL first: agents never given a case come before everyone else.
      .orderBy(asc(agents.lastAssignedAt), asc(agents.createdAt), asc(agents.id))
      .limit(1)
      .get();
    if (!candidate) return null;
    // Strictly after every turn already handed out in the team, so two picks in the same millisecond
    // (or a clock running behind another isolate's) still rotate.
    const claimed = await db
      .update(agents)
      .set({ lastAssignedAt: sql`MAX(${now}, (SELECT COALESCE(MAX(a2.last_assigned_at), 0) + 1 FROM ${agents} a2 WHERE a2.workspace_id = ${mailbox.workspaceId} AND a2.team = ${team}))` })
      .where(and(eq(agents.id, candidate.id), candidate.last === null ? isNull(agents.lastAssignedAt) : eq(agents.lastAssignedAt, candidate.last)))
      .returning({ id: agents.id })
      .get();
    if (claimed) return { id: candidate.id, name: candidate.name };
  }
  // Still contended: hand out the last pick unclaimed rather than leave the case unassigned.
  return candidate ? { id: candidate.id, name: candidate.name } : null;
}
