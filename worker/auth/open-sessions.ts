// Open mode (AUTH_MODE=open) asks nobody to sign in, yet every browser is still someone: the first
// GET /api/session of a browser's page hands it one of the workspace's active agents, recorded as a session
// row and a cookie, and from then on its requests, its WebSocket (presence) and what it writes (the
// author, the collision guard) are that agent's. Two browsers, two browser profiles or a private
// window are two agents, so the guard stops one when the other answered meanwhile, as the composer
// says it will. Each new browser gets the agent that was given out least, admins first, then the
// oldest, so the first is the workspace's first admin and the second someone else.
//
// The rows live in the sessions table under ids that begin with `open:`, which a password session's
// id (a SHA-256 in base64url) never does, and under a cookie of their own: neither can ever pass for
// a password session if the same database is later served with AUTH_MODE=password.
import { and, asc, eq, gt, like, lte, sql } from 'drizzle-orm';
import type { Db } from '../deps.ts';
import { agents, sessions } from '../db/schema.ts';
import type { AgentIdentity } from '../protocol/session.ts';
import { bytesToBase64Url, sha256Base64Url } from './encoding.ts';
import { TOKEN_PATTERN } from './sessions.ts';

/** Read only in open mode; `sessionCookieOptions` gives its attributes. */
export const OPEN_SESSION_COOKIE = 'edgecase_local_agent';
/** A browser stays the same agent for this long (local use: there is nothing to expire it for sooner). */
export const OPEN_SESSION_TTL_MS = 30 * 24 * 60 * 60_000;
const ID_PREFIX = 'open:';

async function rowId(token: string): Promise<string> {
  return `${ID_PREFIX}${await sha256Base64Url(token)}`;
}

/** The active agent an open-mode cookie names, or null (unknown, expired, deactivated). */
export async function openSessionAgent(db: Db, token: string, now: number): Promise<AgentIdentity | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  const row = await db
    .select({ id: agents.id, email: agents.email, name: agents.name, role: agents.role, workspaceId: agents.workspaceId })
    .from(sessions)
    .innerJoin(agents, eq(agents.id, sessions.agentId))
    .where(and(eq(sessions.id, await rowId(token)), gt(sessions.expiresAt, now), eq(agents.active, true)))
    .get();
  return row ?? null;
}

/**
 * Gives a browser an agent of `workspaceId`: the active one with the fewest open-mode sessions that
 * have not expired, admins first, then the oldest. Null when the workspace has no active agent.
 */
export async function startOpenSession(db: Db, workspaceId: string, now: number): Promise<{ token: string; agent: AgentIdentity; expiresAt: number } | null> {
  const live = and(eq(sessions.agentId, agents.id), like(sessions.id, `${ID_PREFIX}%`), gt(sessions.expiresAt, now));
  const agent = await db
    .select({ id: agents.id, email: agents.email, name: agents.name, role: agents.role, workspaceId: agents.workspaceId })
    .from(agents)
    .leftJoin(sessions, live)
    .where(and(eq(agents.workspaceId, workspaceId), eq(agents.active, true)))
    .groupBy(agents.id)
    .orderBy(sql`count(${sessions.id})`, sql`CASE WHEN ${agents.role} = 'admin' THEN 0 ELSE 1 END`, asc(agents.createdAt), asc(agents.id))
    .limit(1)
    .get();
  if (!agent) return null;
  const token = bytesToBase64Url(crypto.getRandomValues(new Uint8Array(32)));
  const expiresAt = now + OPEN_SESSION_TTL_MS;
  await db.batch([
    db.delete(sessions).where(and(like(sessions.id, `${ID_PREFIX}%`), lte(sessions.expiresAt, now))),
    db.insert(sessions).values({ id: await rowId(token), agentId: agent.id, createdAt: now, expiresAt, lastSeenAt: now }),
  ]);
  return { token, agent, expiresAt };
}
