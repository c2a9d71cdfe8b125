import { Hono } from 'hono';
import { hubFor } from '../../realtime/publish.ts';
import type { AppEnv } from '../env.ts';
import { ApiFailure } from '../errors.ts';

export const liveRoutes = new Hono<AppEnv>();

// The agent's WebSocket. The Origin check stops another site from opening a socket with the agent's
// cookies (Cross-Site WebSocket Hijacking); browsers always send Origin on a WebSocket handshake.
liveRoutes.get('/', async (c) => {
  if (c.req.header('Upgrade')?.toLowerCase() !== 'websocket') throw new ApiFailure('bad_request', 'expected a WebSocket upgrade');
  const origin = c.req.header('Origin');
  if (origin && origin !== new URL(c.req.url).origin) throw new ApiFailure('forbidden', 'cross-site WebSocket refused');
  const url = new URL(c.req.url);
  const target = new URL('https://hub/connect');
  target.searchParams.set('workspace', c.var.workspaceId);
  target.searchParams.set('since', url.searchParams.get('since') ?? '');
  // Who this socket is, as the auth middleware established it; the hub trusts only these headers.
  const forwarded = new Request(target, c.req.raw);
  const headers = new Headers(forwarded.headers);
  const agent = c.var.agent;
  headers.set('X-Agent-Id', c.var.actor === 'local' || !agent ? 'local' : agent.id);
  headers.set('X-Agent-Name', c.var.actor === 'local' || !agent ? 'Local agent' : agent.name);
  return hubFor(c.env.INBOX_HUB, c.var.workspaceId).fetch(new Request(target, { method: 'GET', headers }));
});
