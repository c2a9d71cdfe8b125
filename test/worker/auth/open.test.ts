// AUTH_MODE=open: no sign-in, for the developer's own machine only; and requireRole.
import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AgentIdentity, AuthMode, SessionInfo } from '../../../worker/protocol/session.ts';
import { agents, workspaces } from '../../../worker/db/schema.ts';
import type { AppEnv } from '../../../worker/http/app.ts';
import { ApiFailure } from '../../../worker/http/errors.ts';
import { isLocalRequest, requireRole } from '../../../worker/http/middleware/auth.ts';
import { seeded } from '../helpers.ts';
import { call, errorOf } from './helpers.ts';

const from = (ip: string) => ({ headers: { 'CF-Connecting-IP': ip } });

describe('open mode: who may use it', () => {
  it('an in-process call (no CF-Connecting-IP, as in these tests) is served', async () => {
    await seeded();
    expect((await call('/api/cases')).status).toBe(200);
  });

  it('this machine through wrangler dev (loopback address and host name) is served', async () => {
    await seeded();
    for (const [url, ip] of [
      ['http://localhost:8787/api/cases', '127.0.0.1'],
      ['http://127.0.0.1:8787/api/cases', '127.0.0.1'],
      ['http://[::1]:8787/api/cases', '::1'],
      ['http://localhost:8787/api/cases', '::ffff:127.0.0.1'],
      ['http://localhost/api/cases', '127.0.0.2'],
    ] as const) {
      expect((await call(url, from(ip))).status, `${url} from ${ip}`).toBe(200);
    }
  });

  it('a request from another address is 403, whatever host name it names', async () => {
    await seeded();
    for (const [url, ip] of [
      ['https://helpdesk.example.com/api/cases', '203.0.113.7'],
      ['http://localhost:8787/api/cases', '192.168.1.20'],
      ['http://127.0.0.1:8787/api/cases', '2001:db8::1'],
      ['http://localhost:8787/api/cases', '128.0.0.1'],
      ['http://localhost:8787/api/cases', ''],
    ] as const) {
      const res = await call(url, from(ip));
      expect(res.status, `${url} from ${ip}`).toBe(403);
      const error = await errorOf(res);
      expect(error.code).toBe('forbidden');
      expect(error.message).toContain('AUTH_MODE=open');
    }
  });

  it('a loopback address with a foreign host name is 403 (DNS rebinding, a LAN address)', async () => {
    await seeded();
    for (const url of ['http://evil.example:8787/api/cases', 'http://192.168.1.5:8787/api/cases', 'http://edgecase.test/api/cases', 'http://localhost.evil.example/api/cases']) {
      expect((await call(url, from('127.0.0.1'))).status, url).toBe(403);
    }
  });

  it('applies to the WebSocket and to /api/dev too', async () => {
    await seeded();
    const ws = await call('https://helpdesk.example.com/api/live', { headers: { Upgrade: 'websocket', 'CF-Connecting-IP': '203.0.113.7' } });
    expect(ws.status).toBe(403);
    const seed = await call('https://helpdesk.example.com/api/dev/seed', { method: 'POST', headers: { 'CF-Connecting-IP': '203.0.113.7' } });
    expect(seed.status).toBe(403);
    expect((await call('http://localhost:8787/api/dev/seed', { method: 'POST', headers: { 'CF-Connecting-IP': '127.0.0.1' } })).status).toBe(200);
  });

  it('/api/health stays public', async () => {
    await seeded();
    expect((await call('https://helpdesk.example.com/api/health', from('203.0.113.7'))).status).toBe(200);
  });
});

describe('open mode: GET /api/session', () => {
  it("shows the workspace's oldest admin", async () => {
    await seeded();
    const res = await call('/api/session');
    expect((await res.json()) as SessionInfo).toEqual({ id: 'agt_ada', email: 'ada@acme.test', name: 'Ada Admin', role: 'admin', workspaceId: 'ws_demo', mode: 'open' });
  });

  it("is 'local' when the workspace has no admin", async () => {
    const deps = await seeded();
    await deps.db.update(agents).set({ role: 'agent' }).where(eq(agents.id, 'agt_ada'));
    const res = await call('/api/session');
    expect((await res.json()) as SessionInfo).toEqual({ id: 'local', email: '', name: 'Local', role: 'admin', workspaceId: 'ws_demo', mode: 'open' });
  });

  it('serves the oldest workspace', async () => {
    const deps = await seeded();
    await deps.db.insert(workspaces).values({ id: 'ws_older', name: 'Older', slug: 'older', createdAt: 1 });
    expect(((await (await call('/api/session')).json()) as SessionInfo).workspaceId).toBe('ws_older');
  });
});

describe('unknown modes', () => {
  it('are 501 not_configured, never open', async () => {
    await seeded();
    for (const mode of ['', 'OPEN', 'Access', 'none']) {
      const res = await call('/api/session', {}, { AUTH_MODE: mode });
      expect(res.status).toBe(501);
      expect((await errorOf(res)).code).toBe('not_configured');
    }
  });
});

describe('requireRole', () => {
  const ada: AgentIdentity = { id: 'agt_ada', email: 'ada@acme.test', name: 'Ada', role: 'admin', workspaceId: 'ws_demo' };
  const ben: AgentIdentity = { ...ada, id: 'agt_ben', role: 'agent' };

  /** A tiny app whose gate sets the given identity, then an admin-only route. */
  function appAs(mode: AuthMode | null, agent: AgentIdentity | null): Hono<AppEnv> {
    const app = new Hono<AppEnv>();
    app.use('*', async (c, next) => {
      if (mode) {
        c.set('authMode', mode);
        c.set('agent', agent);
      }
      await next();
    });
    app.get('/admin', requireRole('admin'), (c) => c.text('ok'));
    app.get('/any', requireRole('agent'), (c) => c.text('ok'));
    app.onError((err, c) => c.text(err instanceof ApiFailure ? err.code : 'internal', err instanceof ApiFailure && err.code === 'forbidden' ? 403 : 500));
    return app;
  }

  it('lets admins through and refuses agents with 403', async () => {
    expect((await appAs('access', ada).request('/admin')).status).toBe(200);
    expect((await appAs('password', ben).request('/admin')).status).toBe(403);
    expect((await appAs('password', ben).request('/any')).status).toBe(200);
  });

  it('refuses when no gate ran, and lets open mode through', async () => {
    expect((await appAs(null, null).request('/admin')).status).toBe(403);
    expect((await appAs(null, null).request('/any')).status).toBe(403);
    expect((await appAs('open', null).request('/admin')).status).toBe(200);
  });
});

describe('isLocalRequest', () => {
  it('reads CF-Connecting-IP and the URL host name', () => {
    expect(isLocalRequest(new Request('http://anything.example/'))).toBe(true);
    expect(isLocalRequest(new Request('http://localhost/', from(' 127.0.0.1 ')))).toBe(true);
    expect(isLocalRequest(new Request('http://localhost/', from('0:0:0:0:0:0:0:1')))).toBe(true);
    expect(isLocalRequest(new Request('http://localhost/', from('127.0.0.1.evil')))).toBe(false);
    expect(isLocalRequest(new Request('http://localhost/', from('::2')))).toBe(false);
  });
});
