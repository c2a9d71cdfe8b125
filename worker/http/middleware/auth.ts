// Who is calling. AUTH_MODE picks one of three answers:
//   access    Cloudflare Access in front; every request's Access JWT is verified here (auth/access.ts)
//   password  self-hosted: email + password at POST /api/session, then a session cookie (auth/sessions.ts)
//   open      no sign-in, for a developer's own machine only; refused for requests from anywhere else;
//             each browser is still one of the agents (auth/open-sessions.ts)
// Anything else (unset, empty, misspelt) refuses every API call: a typo must not open the inbox.
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { AccessTokenRejected, verifyAccessToken } from '../../auth/access.ts';
import { activeAgentByEmail, openModeIdentity } from '../../auth/agents.ts';
import type { AccessConfig } from '../../auth/config.ts';
import { readAuthConfig, readDevToken } from '../../auth/config.ts';
import { constantTimeEqual, utf8 } from '../../auth/encoding.ts';
import { sessionCookieName } from '../../auth/cookie.ts';
import { OPEN_SESSION_COOKIE, openSessionAgent } from '../../auth/open-sessions.ts';
import type { AgentIdentity, AgentRole } from '../../protocol/session.ts';
import { sessionAgent } from '../../auth/sessions.ts';
import { ApiFailure, notFound } from '../errors.ts';
import type { AppEnv } from '../env.ts';

const LOOPBACK_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

function isLoopbackIp(ip: string): boolean {
  const v4 = ip.toLowerCase().replace(/^::ffff:/, '');
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4)) return true;
  return ip === '::1' || /^(0{1,4}:){7}0{0,3}1$/.test(ip);
}

/**
 * Whether a request may use open mode. The signal is CF-Connecting-IP, which both places a request
 * can reach this Worker over the network set: Cloudflare's edge always sets it to the real client
 * address (a client cannot choose it there), and `wrangler dev` sets it to the socket's peer
 * (127.0.0.1 from this machine). So a present, non-loopback address means "from elsewhere": refused.
 * When it is present the URL's host name must be loopback too; that stops DNS rebinding (a page on
 * evil.example whose name now resolves to 127.0.0.1 reaches wrangler dev from this machine, but with
 * Host: evil.example). When it is absent the request did not come over a network listener at all: the
 * tests call the fetch handler in-process. What this cannot stop: wrangler dev started with
 * `--ip 0.0.0.0` keeps a CF-Connecting-IP the client sent, so a client on the network can forge both
 * headers. Open mode relies on wrangler's default listen address (localhost); never combine the two.
 */
export function isLocalRequest(req: Request): boolean {
  const ip = req.headers.get('CF-Connecting-IP');
  if (ip === null) return true;
  return isLoopbackIp(ip.trim()) && LOOPBACK_HOSTNAMES.has(new URL(req.url).hostname);
}

function assertLocal(req: Request, refusal = 'AUTH_MODE=open serves only this machine (localhost); set AUTH_MODE=access or AUTH_MODE=password for anyone else'): void {
  if (!isLocalRequest(req)) throw new ApiFailure('forbidden', refusal);
}

function signedIn(c: Context<AppEnv>, agent: AgentIdentity): void {
  c.set('workspaceId', agent.workspaceId);
  c.set('actor', agent.id);
  c.set('agent', agent);
}

/**
 * Open mode: a browser is the agent its open-mode cookie names (auth/open-sessions.ts; GET
 * /api/session hands one out). A request without one (curl, a script) is nobody in particular:
 * the audit trail says 'local' rather than borrow an agent's name. (`agent` is then the workspace's
 * oldest admin, as it was before browsers had agents of their own; what a route shows or records
 * for such a request follows `actor`.)
 */
async function openMode(c: Context<AppEnv>): Promise<void> {
  assertLocal(c.req.raw);
  const token = getCookie(c, OPEN_SESSION_COOKIE);
  const agent = token ? await openSessionAgent(c.var.deps.db, token, c.var.deps.now()) : null;
  if (agent) {
    signedIn(c, agent);
    return;
  }
  const who = await openModeIdentity(c.var.deps.db);
  if (!who) throw new ApiFailure('not_configured', 'no workspace yet: run `npm start` (it seeds one) or create one');
  c.set('workspaceId', who.workspaceId);
  c.set('actor', 'local');
  c.set('agent', who.agent);
}

async function accessMode(c: Context<AppEnv>, config: AccessConfig | null): Promise<void> {
  if (!config) {
    throw new ApiFailure('not_configured', 'AUTH_MODE=access needs ACCESS_TEAM_DOMAIN (e.g. acme.cloudflareaccess.com) and ACCESS_AUD (the Access application audience tag)');
  }
  // Access adds the header to every request it lets through; the cookie is the browser's copy.
  const token = c.req.header('Cf-Access-Jwt-Assertion') || getCookie(c, 'CF_Authorization');
  if (!token) throw new ApiFailure('unauthorized', 'no Cloudflare Access token on the request: open the app through its Access-protected address');
  let email: string | null;
  try {
    ({ email } = await verifyAccessToken(token, config, c.var.deps.now()));
  } catch (err) {
    if (err instanceof AccessTokenRejected) throw new ApiFailure('unauthorized', err.message);
    throw err;
  }
  if (!email) throw new ApiFailure('forbidden', 'this Access identity has no email address (a service token?); only agents can use the API');
  const lookup = await activeAgentByEmail(c.var.deps.db, email);
  if ('missing' in lookup) {
    throw new ApiFailure(
      'forbidden',
      lookup.missing === 'ambiguous'
        ? `${email} is an agent in more than one workspace, which Access sign-in does not support yet`
        : `${email} passed Cloudflare Access but is not an active agent here; ask an admin to add or reactivate you`,
    );
  }
  signedIn(c, lookup.found);
}

async function passwordMode(c: Context<AppEnv>): Promise<void> {
  const token = getCookie(c, sessionCookieName(c.req.url));
  if (!token) throw new ApiFailure('unauthorized', 'not signed in: POST /api/session with your email and password');
  const agent = await sessionAgent(c.var.deps.db, token, c.var.deps.now());
  if (!agent) throw new ApiFailure('unauthorized', 'the session has expired or was signed out: sign in again');
  signedIn(c, agent);
}

/** Sets workspaceId, actor, agent and authMode, or refuses the request. */
export const requireAgent: MiddlewareHandler<AppEnv> = async (c, next) => {
  const config = readAuthConfig(c.env);
  switch (config.mode) {
    case 'open':
      await openMode(c);
      break;
    case 'access':
      await accessMode(c, config.access);
      break;
    case 'password':
      await passwordMode(c);
      break;
    default:
      throw new ApiFailure(
        'not_configured',
        `AUTH_MODE "${config.raw}" is not a mode: use "access" (Cloudflare Access), "password" (email and password), or "open" only on a machine nobody else can reach`,
      );
  }
  c.set('authMode', config.mode);
  await next();
};

/**
 * For routes that need more than any agent (`requireRole('admin')`). Open mode passes: whoever sits
 * at the machine is its owner. Without requireAgent before it, it refuses.
 */
export function requireRole(role: AgentRole): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.var.authMode !== 'open') {
      const agent = c.var.agent;
      if (!agent || (role === 'admin' && agent.role !== 'admin')) throw new ApiFailure('forbidden', `this needs the ${role} role`);
    }
    await next();
  };
}

/** The header `npm start` sends its dev token in (auth/config.ts readDevToken). */
export const DEV_TOKEN_HEADER = 'X-Edgecase-Dev-Token';

function carriesDevToken(c: Context<AppEnv>): boolean {
  const token = readDevToken(c.env);
  const sent = c.req.header(DEV_TOKEN_HEADER);
  return token !== null && sent !== undefined && constantTimeEqual(utf8(sent), utf8(token));
}

/**
 * /api/dev/* (the demo seed, the captured outbox), only from this machine and 404 otherwise: in open
 * mode to anyone here, in every other mode only with the dev token `npm start` gave the `wrangler
 * dev` it started (so it can seed whatever AUTH_MODE .dev.vars sets). A deployed Worker has no token.
 */
export const localDevOnly: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.env.AUTH_MODE !== 'open' && !carriesDevToken(c)) throw notFound('route');
  assertLocal(c.req.raw, '/api/dev serves only this machine (localhost)');
  await next();
};

/** State-changing requests must come from our own pages. */
export const sameOrigin: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && c.req.method !== 'OPTIONS') {
    const site = c.req.header('Sec-Fetch-Site');
    const origin = c.req.header('Origin');
    const self = new URL(c.req.url).origin;
    if ((site && site !== 'same-origin' && site !== 'none') || (origin && origin !== self)) {
      throw new ApiFailure('forbidden', 'cross-site request refused');
    }
  }
  await next();
};
