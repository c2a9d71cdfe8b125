// The names a search filter may use for agents, teams and mailboxes, resolved to ids in one read
// batch. They live in the main database only: a renamed agent is found by the new name at once.
import { and, eq, like, or, sql } from 'drizzle-orm';
import { agents, mailboxes, teams } from '../schema.ts';
import type { Db } from '../client.ts';

export interface NameLookups {
  agents: string[];
  teams: string[];
  mailboxes: string[];
}

/** A name or address as typed: exact address, else a name that contains it (case-insensitive). */
const contains = (v: string) => `%${v.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function resolveNames(
  db: Db,
  workspaceId: string,
  want: NameLookups,
): Promise<{ agents: Record<string, string[]>; teams: Record<string, string[]>; mailboxes: Record<string, string[]> }> {
  const out = { agents: {} as Record<string, string[]>, teams: {} as Record<string, string[]>, mailboxes: {} as Record<string, string[]> };
  const reads = [
    ...want.agents.map((v) =>
      db
        .select({ id: agents.id })
        .from(agents)
        .where(and(eq(agents.workspaceId, workspaceId), or(eq(sql`lower(${agents.email})`, v), sql`${agents.name} LIKE ${contains(v)} ESCAPE '\\'`))),
    ),
    ...want.teams.map((v) =>
      db
        .select({ id: teams.id })
        .from(teams)
        .where(and(eq(teams.workspaceId, workspaceId), eq(sql`lower(${teams.name})`, v))),
    ),
    ...want.mailboxes.map((v) =>
      db
        .select({ id: mailboxes.id })
        .from(mailboxes)
        .where(
          and(
            eq(mailboxes.workspaceId, workspaceId),
            or(eq(mailboxes.id, v), eq(mailboxes.address, v), like(mailboxes.address, `${v.replace(/[\\%_]/g, '')}@%`), eq(sql`lower(${mailboxes.displayName})`, v)),
          ),
        ),
    ),
  ];
  if (reads.length === 0) return out;
  const rows = (await db.batch(reads as [(typeof reads)[number], ...(typeof reads)[number][]])) as Array<Array<{ id: string }>>;
  let i = 0;
  for (const v of want.agents) out.agents[v] = rows[i++]!.map((r) => r.id);
  for (const v of want.teams) out.teams[v] = rows[i++]!.map((r) => r.id);
  for (const v of want.mailboxes) out.mailboxes[v] = rows[i++]!.map((r) => r.id);
  return out;
}
