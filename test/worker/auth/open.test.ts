// AUTH_MODE=open: no sign-in, for the developer's own machine only; and requireRole.
import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AgentIdentity, AuthMode, SessionInfo } from '../../../worker/protocol/session.ts';
import type { CaseDetail, MessageView } from '../../../worker/protocol/api.ts';
import { agents, cases, workspaces } from '../../../worker/db/schema.ts';
import { receiveEmail } from '../../../worker/ingest/receive.ts';
import type { AppEnv } from '../../../worker/http/app.ts';
import { ApiFailure } from '../../../worker/http/errors.ts';
import { isLocalRequest, requireRole } from '../../../worker/http/middleware/auth.ts';
import { incoming, mail, seeded } from '../helpers.ts';
import { call, errorOf, ORIGIN, PASSWORD } from './helpers.ts';

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

/** The open-mode cookie a GET /api/session handed out, as a Cookie header value. */
function cookieOf(res: Response): string {
  const set = res.headers.get('Set-Cookie') ?? '';
  expect(set).toMatch(/^edgecase_local_agent=[A-Za-z0-9_-]{43};/);
  expect(set).toContain('HttpOnly');
  expect(set).toContain('SameSite=Lax');
  return set.split(';')[0]!;
}

/** A browser's page says so on its own requests. */
const PAGE = { headers: { 'Sec-Fetch-Site': 'same-origin' } };

/** A new browser: its page's first GET /api/session, which hands it an agent and a cookie. */
async function newBrowser(): Promise<{ session: SessionInfo; cookie: string }> {
  const res = await call('/api/session', PAGE);
  expect(res.status).toBe(200);
  return { session: (await res.json()) as SessionInfo, cookie: cookieOf(res) };
}

function as(cookie: string, init: RequestInit = {}): RequestInit {
  return { ...init, headers: { ...(init.headers as Record<string, string>), Cookie: cookie } };
}

describe('open mode: GET /api/session', () => {
  it("hands the first browser the workspace's oldest admin, and keeps it with the cookie", async () => {
    await seeded();
    const first = await newBrowser();
    expect(first.session).toEqual({ id: 'agt_ada', email: 'ada@acme.test', name: 'Ada Admin', role: 'admin', workspaceId: 'ws_demo', mode: 'open' });
    const again = await call('/api/session', as(first.cookie));
    expect((await again.json()) as SessionInfo).toMatchObject({ id: 'agt_ada', mode: 'open' });
    expect(again.headers.get('Set-Cookie')).toBeNull();
  });

  it('hands each further browser the agent given out least, so two browsers are two agents', async () => {
    await seeded();
    expect((await newBrowser()).session.id).toBe('agt_ada');
    expect((await newBrowser()).session).toMatchObject({ id: 'agt_ben', name: 'Ben Agent', role: 'agent', mode: 'open' });
    expect((await newBrowser()).session.id).toBe('agt_ada');
    expect((await newBrowser()).session.id).toBe('agt_ben');
  });

  it('a browser whose agent was deactivated becomes another one', async () => {
    const deps = await seeded();
    const ada = await newBrowser();
    await deps.db.update(agents).set({ active: false }).where(eq(agents.id, 'agt_ada'));
    const res = await call('/api/session', as(ada.cookie, PAGE));
    expect(((await res.json()) as SessionInfo).id).toBe('agt_ben');
    expect(cookieOf(res)).not.toBe(ada.cookie);
  });

  it("is 'local' when the workspace has no active agent", async () => {
    const deps = await seeded();
    await deps.db.update(agents).set({ active: false });
    const res = await call('/api/session', PAGE);
    expect((await res.json()) as SessionInfo).toEqual({ id: 'local', email: '', name: 'Local', role: 'admin', workspaceId: 'ws_demo', mode: 'open' });
    expect(res.headers.get('Set-Cookie')).toBeNull();
  });

  it("is 'local' for a script (no Sec-Fetch-Site), which takes no agent's turn", async () => {
    await seeded();
    for (let i = 0; i < 3; i++) {
      const res = await call('/api/session');
      expect((await res.json()) as SessionInfo).toEqual({ id: 'local', email: '', name: 'Local', role: 'admin', workspaceId: 'ws_demo', mode: 'open' });
      expect(res.headers.get('Set-Cookie')).toBeNull();
    }
    expect((await newBrowser()).session.id).toBe('agt_ada');
  });

  it('serves the oldest workspace', async () => {
    const deps = await seeded();
    await deps.db.insert(workspaces).values({ id: 'ws_older', name: 'Older', slug: 'older', createdAt: 1 });
    expect(((await (await call('/api/session', PAGE)).json()) as SessionInfo).workspaceId).toBe('ws_older');
  });

  it('the open-mode cookie is no password session, under either cookie name', async () => {
    await seeded();
    const { cookie } = await newBrowser();
    const token = cookie.split('=')[1]!;
    for (const c of [cookie, `edgecase_session=${token}`]) expect((await call('/api/session', as(c), PASSWORD)).status).toBe(401);
  });
});

describe('open mode: each browser is its agent', () => {
  async function withCase(): Promise<string> {
    const deps = await seeded();
    await receiveEmail(incoming(mail({ 'Message-ID': '<two-tabs@example.com>' }, 'Where is my parcel?')), deps);
    return (await deps.db.select({ id: cases.id }).from(cases).get())!.id;
  }

  const post = (cookie: string | null, path: string, body: unknown) =>
    call(path, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: ORIGIN, ...(cookie ? { Cookie: cookie } : {}) }, body: JSON.stringify(body) });

  it('what a browser writes is its agent’s, and another browser’s reply meanwhile stops it (the collision guard)', async () => {
    const caseId = await withCase();
    const ada = await newBrowser();
    const ben = await newBrowser();
    const seen = ((await (await call(`/api/cases/${caseId}`, as(ben.cookie))).json()) as CaseDetail).seq;

    const first = await post(ada.cookie, `/api/cases/${caseId}/replies`, { text: 'On its way.', seenSeq: seen });
    expect(first.status).toBe(201);
    expect(((await first.json()) as MessageView).author).toEqual({ id: 'agt_ada', name: 'Ada Admin' });

    // Ben started writing before Ada's reply: his send is stopped with it, as the composer promised.
    const second = await post(ben.cookie, `/api/cases/${caseId}/replies`, { text: 'It ships tomorrow.', seenSeq: seen });
    expect(second.status).toBe(409);
    const refused = (await second.json()) as { newMessages: MessageView[] };
    expect(refused.newMessages.map((m) => m.text)).toEqual(['On its way.']);
    const forced = await post(ben.cookie, `/api/cases/${caseId}/replies`, { text: 'It ships tomorrow.', seenSeq: seen, force: true });
    expect(((await forced.json()) as MessageView).author).toEqual({ id: 'agt_ben', name: 'Ben Agent' });

    // Ben's reply stops Ada in turn; her own earlier messages never do.
    expect((await post(ada.cookie, `/api/cases/${caseId}/notes`, { text: 'Checked the stock.', seenSeq: seen })).status).toBe(409);
    const afterBen = ((await (await call(`/api/cases/${caseId}`, as(ada.cookie))).json()) as CaseDetail).seq;
    expect((await post(ada.cookie, `/api/cases/${caseId}/notes`, { text: 'Checked the stock.', seenSeq: afterBen })).status).toBe(201);
    expect((await post(ada.cookie, `/api/cases/${caseId}/notes`, { text: 'And the courier.', seenSeq: afterBen })).status).toBe(201);
  });

  it('the WebSocket of a browser is its agent (presence says who)', async () => {
    await seeded();
    const ben = (await newBrowser(), await newBrowser());
    const res = await call('/api/live', { headers: { Upgrade: 'websocket', Cookie: ben.cookie } });
    expect(res.status).toBe(101);
    const ws = res.webSocket!;
    ws.accept();
    const hello = await new Promise<{ type: string; agents?: Array<{ agentId: string; name: string }> }[]>((resolve) => {
      const frames: { type: string; agents?: Array<{ agentId: string; name: string }> }[] = [];
      ws.addEventListener('message', (e) => {
        frames.push(JSON.parse(String(e.data)));
        if (frames.some((f) => f.type === 'presence')) resolve(frames);
      });
    });
    ws.close();
    expect(hello.find((f) => f.type === 'presence')?.agents?.map((a) => [a.agentId, a.name])).toEqual([['agt_ben', 'Ben Agent']]);
  });

  it('a request without the cookie (curl, a script) is nobody in particular: local', async () => {
    const caseId = await withCase();
    const res = await post(null, `/api/cases/${caseId}/notes`, { text: 'From a script.' });
    expect(((await res.json()) as MessageView).author).toBeNull();
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
