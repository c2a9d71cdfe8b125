// Password sign-in (AUTH_MODE=password): the throttle, the password check and D1-backed sessions.
// The cookie holds a random token; the table holds only its SHA-256, so reading the table does not
// give anyone a way in. Sessions last SESSION_TTL_MS from sign-in (no sliding: the cookie's Max-Age
// is set once, and a fixed end is easier to reason about than one that moves).
import { and, asc, eq, gt, lte, sql } from 'drizzle-orm';
import type { Db } from '../deps.ts';
import { agents, sessions, signInFailures, workspaces } from '../db/schema.ts';
import { bytesToBase64Url, sha256Base64Url } from './encoding.ts';
import type { AgentIdentity } from '../protocol/session.ts';
import { DUMMY_HASH, verifyPassword } from './password.ts';

export const SESSION_TTL_MS = 12 * 60 * 60_000;
/** last_seen_at is written at most this often, so reads do not each cost a write. */
const LAST_SEEN_GRANULARITY_MS = 5 * 60_000;
/** 32 random bytes in base64url without padding. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export const THROTTLE = { maxFailures: 10, windowMs: 15 * 60_000 } as const;
/** RFC 5321 caps a path at 256 octets, so a longer "address" is not one. */
const MAX_EMAIL_LENGTH = 254;
/** One address may be an agent in several workspaces; look at no more than this many. */
const MAX_CANDIDATES = 5;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export type SignInResult = { outcome: 'ok'; token: string; expiresAt: number; agent: AgentIdentity } | { outcome: 'invalid' } | { outcome: 'throttled'; retryAt: number };

/**
 * Checks an email and password. Unknown address, agent without a password, inactive agent and wrong
 * password all come out as `invalid` after the same PBKDF2 work, and all count against the address.
 */
export async function signIn(db: Db, emailInput: string, password: string, now: number): Promise<SignInResult> {
  const email = normalizeEmail(emailInput).slice(0, MAX_EMAIL_LENGTH);
  const row = await db.select().from(signInFailures).where(eq(signInFailures.email, email)).get();
  // Counted before the password is checked: a throttled address costs us no PBKDF2 at all. Attempts
  // that arrive together can all pass this check before any is counted; that lets a handful of extra
  // guesses through, which a basic throttle accepts (D1 has no interactive transactions to lock with).
  if (row && row.windowStartedAt > now - THROTTLE.windowMs && row.failures >= THROTTLE.maxFailures) {
    return { outcome: 'throttled', retryAt: row.windowStartedAt + THROTTLE.windowMs };
  }

  const candidates = await db
    .select({ id: agents.id, email: agents.email, name: agents.name, role: agents.role, workspaceId: agents.workspaceId, passwordHash: agents.passwordHash })
    .from(agents)
    .innerJoin(workspaces, eq(workspaces.id, agents.workspaceId))
    .where(and(sql`lower(${agents.email}) = ${email}`, eq(agents.active, true)))
    .orderBy(asc(workspaces.createdAt), asc(agents.id))
    .limit(MAX_CANDIDATES);
  let found: AgentIdentity | null = null;
  for (const c of candidates) {
    if (c.passwordHash && (await verifyPassword(password, c.passwordHash))) {
      found = { id: c.id, email: c.email, name: c.name, role: c.role, workspaceId: c.workspaceId };
      break;
    }
  }
  if (!candidates.some((c) => c.passwordHash)) await verifyPassword(password, DUMMY_HASH);

  if (!found) {
    await recordFailure(db, email, now);
    return { outcome: 'invalid' };
  }

  const token = bytesToBase64Url(crypto.getRandomValues(new Uint8Array(32)));
  const expiresAt = now + SESSION_TTL_MS;
  await db.batch([
    // Housekeeping rides along with sign-in: expired sessions and stale failure windows go.
    db.delete(sessions).where(lte(sessions.expiresAt, now)),
    db.delete(signInFailures).where(lte(signInFailures.windowStartedAt, now - THROTTLE.windowMs)),
    db.delete(signInFailures).where(eq(signInFailures.email, email)),
    db.insert(sessions).values({ id: await sha256Base64Url(token), agentId: found.id, createdAt: now, expiresAt, lastSeenAt: now }),
  ]);
  return { outcome: 'ok', token, expiresAt, agent: found };
}

/** One more failure for the address; a window older than THROTTLE.windowMs starts over. */
async function recordFailure(db: Db, email: string, now: number): Promise<void> {
  const stale = sql`${signInFailures.windowStartedAt} <= ${now - THROTTLE.windowMs}`;
  await db
    .insert(signInFailures)
    .values({ email, failures: 1, windowStartedAt: now })
    .onConflictDoUpdate({
      target: signInFailures.email,
      // Both expressions read the row as it was before the update (SQLite UPDATE semantics).
      set: {
        failures: sql`CASE WHEN ${stale} THEN 1 ELSE ${signInFailures.failures} + 1 END`,
        windowStartedAt: sql`CASE WHEN ${stale} THEN ${now} ELSE ${signInFailures.windowStartedAt} END`,
      },
    });
}

/** The active agent a session token belongs to, or null (unknown, expired, agent deactivated). */
export async function sessionAgent(db: Db, token: string, now: number): Promise<AgentIdentity | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  const id = await sha256Base64Url(token);
  const row = await db
    .select({ id: agents.id, email: agents.email, name: agents.name, role: agents.role, workspaceId: agents.workspaceId, lastSeenAt: sessions.lastSeenAt })
    .from(sessions)
    .innerJoin(agents, eq(agents.id, sessions.agentId))
    .where(and(eq(sessions.id, id), gt(sessions.expiresAt, now), eq(agents.active, true)))
    .get();
  if (!row) return null;
  if (now - row.lastSeenAt >= LAST_SEEN_GRANULARITY_MS) {
    await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, id));
  }
  return { id: row.id, email: row.email, name: row.name, role: row.role, workspaceId: row.workspaceId };
}

/** Ends the session the token names, if there is one. */
export async function endSession(db: Db, token: string): Promise<void> {
  if (!TOKEN_PATTERN.test(token)) return;
  await db.delete(sessions).where(eq(sessions.id, await sha256Base64Url(token)));
}
