// Who gets a new case of a mailbox: its default assignee, or, when it names a default team, the team's
// available active agent who was given a case least recently (round-robin). No clock of its own.
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { agents, type Mailbox } from '../db/schema.ts';
import type { Db } from '../deps.ts';

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
export async function pickAssignee(db: Db, mailbox: Pick<Mailbox, 'workspaceId' | 'defaultAssigneeId' | 'defaultTeam'>, now: number): Promise<Assignee | null> {
  if (mailbox.defaultAssigneeId) {
    const named = await db
      .select({ id: agents.id, name: agents.name })
      .from(agents)
      .where(and(eq(agents.id, mailbox.defaultAssigneeId), eq(agents.workspaceId, mailbox.workspaceId), eq(agents.active, true)))
      .get();
    // A default assignee who was deactivated falls through to the team (if any), never to a ghost.
    if (named) return named;
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
