// /api/session: who is signed in (every mode; in open mode it hands a new browser its agent), and
// password sign-in and sign-out (AUTH_MODE=password).
// Mounted before the auth gate, so POST can be reached without a session; sameOrigin still runs
// first, so another site can neither sign an agent in (login CSRF) nor out.
import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { readAuthConfig } from '../../auth/config.ts';
import { sessionCookieName, sessionCookieOptions } from '../../auth/cookie.ts';
import { OPEN_SESSION_COOKIE, OPEN_SESSION_TTL_MS, startOpenSession } from '../../auth/open-sessions.ts';
import type { SessionInfo } from '../../protocol/session.ts';
import { MAX_PASSWORD_LENGTH } from '../../auth/password.ts';
import { endSession, SESSION_TTL_MS, signIn } from '../../auth/sessions.ts';
import type { ApiError } from '../../protocol/api.ts';
import type { AppEnv } from '../env.ts';
import { ApiFailure } from '../errors.ts';
import { requireAgent } from '../middleware/auth.ts';
import { parseBody } from '../validate.ts';

export const sessionRoutes = new Hono<AppEnv>();

const signInBody = z.object({
  email: z.string().trim().min(3).max(254),
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
});

/** One message for every failed sign-in, so the answer does not tell which addresses are agents. */
const WRONG_CREDENTIALS = 'wrong email or password';

function passwordModeOnly(mode: string | null, what: string): void {
  if (mode === 'password') return;
  const hint = mode === 'access' ? '; with Cloudflare Access, sign out at /cdn-cgi/access/logout' : '';
  throw new ApiFailure('not_found', `${what} exists only with AUTH_MODE=password${hint}`);
}

sessionRoutes.get('/', requireAgent, async (c) => {
  if (c.var.authMode === 'open' && c.var.actor === 'local') {
    // A page of ours in a browser new to open mode (or whose agent went) becomes one of the agents
    // from now on. Browsers say `Sec-Fetch-Site: same-origin` on the page's own requests; curl and
    // scripts (the import asks who it is) send no such header and stay nobody in particular, so
    // they take no agent's turn.
    const started = c.req.header('Sec-Fetch-Site') === 'same-origin' ? await startOpenSession(c.var.deps.db, c.var.workspaceId, c.var.deps.now()) : null;
    if (started) {
      setCookie(c, OPEN_SESSION_COOKIE, started.token, sessionCookieOptions(c.req.url, Math.floor(OPEN_SESSION_TTL_MS / 1000)));
      return c.json({ ...started.agent, mode: 'open' } satisfies SessionInfo);
    }
    // The same 'local' the audit trail records; open mode lets it do what an admin does.
    return c.json({ id: 'local', email: '', name: 'Local', role: 'admin', workspaceId: c.var.workspaceId, mode: 'open' } satisfies SessionInfo);
  }
  const agent = c.var.agent;
  if (!agent) throw new ApiFailure('unauthorized', 'not signed in');
  return c.json({ ...agent, mode: c.var.authMode } satisfies SessionInfo);
});

sessionRoutes.post('/', async (c) => {
  passwordModeOnly(readAuthConfig(c.env).mode, 'Password sign-in');
  const body = await parseBody(c, signInBody);
  const now = c.var.deps.now();
  const result = await signIn(c.var.deps.db, body.email, body.password, now);
  if (result.outcome === 'throttled') {
    // 429 is not in the ApiFailure vocabulary (errors.ts); answered here in the same envelope.
    const retryAfter = Math.max(1, Math.ceil((result.retryAt - now) / 1000));
    return c.json(
      { error: { code: 'rate_limited', message: `too many failed sign-ins for this address; try again in ${Math.ceil(retryAfter / 60)} min`, requestId: c.var.requestId } } satisfies ApiError,
      429,
      { 'Retry-After': String(retryAfter) },
    );
  }
  if (result.outcome === 'invalid') throw new ApiFailure('unauthorized', WRONG_CREDENTIALS);
  setCookie(c, sessionCookieName(c.req.url), result.token, sessionCookieOptions(c.req.url, Math.floor(SESSION_TTL_MS / 1000)));
  return c.json({ ...result.agent, mode: 'password' } satisfies SessionInfo);
});

sessionRoutes.delete('/', async (c) => {
  passwordModeOnly(readAuthConfig(c.env).mode, 'Signing out here');
  const name = sessionCookieName(c.req.url);
  const token = getCookie(c, name);
  if (token) await endSession(c.var.deps.db, token);
  // Cleared even when the session was already gone: the browser should not keep a dead cookie.
  deleteCookie(c, name, sessionCookieOptions(c.req.url, 0));
  return c.body(null, 204);
});
