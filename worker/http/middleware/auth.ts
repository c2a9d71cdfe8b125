// Who is calling. Production puts the app behind Cloudflare Access (AUTH_MODE=access); validating its
// JWT arrives with the agent sign-in work, and until then such a deployment refuses every API call
// rather than serve mail to anyone. AUTH_MODE=open is for a local machine nobody else can reach.
import { asc } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import { workspaces } from '../../db/schema.ts';
import { ApiFailure } from '../errors.ts';
import type { AppEnv } from '../app.ts';

export const requireAgent: MiddlewareHandler<AppEnv> = async (c, next) => {
  const mode = c.env.AUTH_MODE;
  if (mode !== 'open') {
    throw new ApiFailure('not_configured', `authentication mode "${mode}" is not available yet; set AUTH_MODE=open only on a machine nobody else can reach`);
  }
  // One machine, one team: the open mode serves the oldest workspace.
  const ws = await c.var.deps.db.select({ id: workspaces.id }).from(workspaces).orderBy(asc(workspaces.createdAt)).limit(1).get();
  if (!ws) throw new ApiFailure('not_configured', 'no workspace yet: run `npm start` (it seeds one) or create one');
  c.set('workspaceId', ws.id);
  // No sign-in in open mode, so no name to record; the audit trail says so honestly.
  c.set('actor', 'local');
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
