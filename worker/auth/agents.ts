// From a verified identity to an agent row. Only active agents count; an address that is an agent in
// several workspaces is refused rather than guessed (choosing a workspace at sign-in is not built yet).
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../deps.ts';
import { agents, workspaces } from '../db/schema.ts';
import type { AgentIdentity } from '../protocol/session.ts';

const identityColumns = { id: agents.id, email: agents.email, name: agents.name, role: agents.role, workspaceId: agents.workspaceId };

export type AgentLookup = { found: AgentIdentity } | { missing: 'none' | 'ambiguous' };

/** `email` must already be lower case. */
export async function activeAgentByEmail(db: Db, email: string): Promise<AgentLookup> {
  const rows = await db
    .select(identityColumns)
    .from(agents)
    .where(and(sql`lower(${agents.email}) = ${email}`, eq(agents.active, true)))
    .limit(2);
  if (rows.length === 0) return { missing: 'none' };
  if (rows.length > 1) return { missing: 'ambiguous' };
  return { found: rows[0]! };
}

/** Open mode: the oldest workspace, and its oldest active admin when there is one (a name for the UI). */
export async function openModeIdentity(db: Db): Promise<{ workspaceId: string; agent: AgentIdentity | null } | null> {
  const ws = await db.select({ id: workspaces.id }).from(workspaces).orderBy(asc(workspaces.createdAt), asc(workspaces.id)).limit(1).get();
  if (!ws) return null;
  const admin = await db
    .select(identityColumns)
    .from(agents)
    .where(and(eq(agents.workspaceId, ws.id), eq(agents.role, 'admin'), eq(agents.active, true)))
    .orderBy(asc(agents.createdAt), asc(agents.id))
    .limit(1)
    .get();
  return { workspaceId: ws.id, agent: admin ?? null };
}
