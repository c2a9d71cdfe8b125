// AUTH_MODE=password: POST/GET/DELETE /api/session, the session cookie, the sign-in throttle.
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../worker/auth/password.ts';
import type { SessionInfo } from '../../../worker/protocol/session.ts';
import { agents, sessions, signInFailures } from '../../../worker/db/schema.ts';
import type { Deps } from '../../../worker/deps.ts';
import { seeded } from '../helpers.ts';
import { call, errorOf, jsonPost, ORIGIN, PASSWORD } from './helpers.ts';

const HTTPS = 'https://edgecase.test';
const ADA_PASSWORD = 'ada-has-a-long-password';
const BEN_PASSWORD = 'ben-has-another-one';
let adaHash: string;
let benHash: string;

beforeAll(async () => {
  [adaHash, benHash] = await Promise.all([hashPassword(ADA_PASSWORD), hashPassword(BEN_PASSWORD)]);
});

async function withPasswords(): Promise<Deps> {
  const deps = await seeded();
  await deps.db.update(agents).set({ passwordHash: adaHash }).where(eq(agents.id, 'agt_ada'));
  await deps.db.update(agents).set({ passwordHash: benHash }).where(eq(agents.id, 'agt_ben'));
  return deps;
}

function signIn(email: string, password: string, origin = ORIGIN): Promise<Response> {
  return call(`${origin}/api/session`, jsonPost({ email, password }, { Origin: origin }), PASSWORD);
}

/** The Set-Cookie attributes, lower-cased names; the cookie's own name=value under `cookie`. */
function parseSetCookie(header: string | null): { name: string; value: string; attrs: Record<string, string | true> } {
  expect(header).toBeTruthy();
  const [pair, ...rest] = header!.split(/;\s*/);
  const eq = pair!.indexOf('=');
  const attrs: Record<string, string | true> = {};
  for (const a of rest) {
    const i = a.indexOf('=');
    if (i < 0) attrs[a.toLowerCase()] = true;
    else attrs[a.slice(0, i).toLowerCase()] = a.slice(i + 1);
  }
  return { name: pair!.slice(0, eq), value: pair!.slice(eq + 1), attrs };
}

async function cookieFor(email: string, password: string, origin = ORIGIN): Promise<string> {
  const res = await signIn(email, password, origin);
  expect(res.status).toBe(200);
  const c = parseSetCookie(res.headers.get('Set-Cookie'));
  return `${c.name}=${c.value}`;
}

describe('POST /api/session', () => {
  it('over HTTP sets edgecase_session: HttpOnly, SameSite=Lax, Path=/, 12 h, not Secure', async () => {
    await withPasswords();
    const res = await signIn('ada@acme.test', ADA_PASSWORD);
    expect(res.status).toBe(200);
    expect((await res.json()) as SessionInfo).toEqual({ id: 'agt_ada', email: 'ada@acme.test', name: 'Ada Admin', role: 'admin', workspaceId: 'ws_demo', mode: 'password' });
    const c = parseSetCookie(res.headers.get('Set-Cookie'));
    expect(c.name).toBe('edgecase_session');
    expect(c.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(c.attrs).toEqual({ 'max-age': '43200', path: '/', httponly: true, samesite: 'Lax' });
    expect(res.headers.get('Cache-Control')).toBe('no-store');
  });

  it('over HTTPS sets __Host-edgecase_session with Secure', async () => {
    await withPasswords();
    const res = await signIn('ada@acme.test', ADA_PASSWORD, HTTPS);
    expect(res.status).toBe(200);
    const c = parseSetCookie(res.headers.get('Set-Cookie'));
    expect(c.name).toBe('__Host-edgecase_session');
    expect(c.attrs).toEqual({ 'max-age': '43200', path: '/', httponly: true, samesite: 'Lax', secure: true });
    expect(c.attrs.domain).toBeUndefined();
  });

  it('stores only the hash of the token, with a 12 h expiry', async () => {
    const deps = await withPasswords();
    const before = Date.now();
    const cookie = await cookieFor('ada@acme.test', ADA_PASSWORD);
    const token = cookie.split('=')[1]!;
    const rows = await deps.db.select().from(sessions);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id).not.toBe(token);
    expect(rows[0]!.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(rows[0]!.agentId).toBe('agt_ada');
    expect(rows[0]!.expiresAt - rows[0]!.createdAt).toBe(12 * 3600_000);
    expect(rows[0]!.createdAt).toBeGreaterThanOrEqual(before);
  });

  it('takes the address in any case and with surrounding spaces', async () => {
    await withPasswords();
    expect((await signIn('  Ben@ACME.test ', BEN_PASSWORD)).status).toBe(200);
  });

  it('a wrong password and an unknown address get the same 401', async () => {
    await withPasswords();
    const wrong = await signIn('ada@acme.test', 'not-her-password');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('Set-Cookie')).toBeNull();
    const unknown = await signIn('nobody@acme.test', 'whatever');
    expect(unknown.status).toBe(401);
    const a = await errorOf(wrong);
    const b = await errorOf(unknown);
    expect(a).toEqual({ ...b, requestId: a.requestId });
    expect(a.code).toBe('unauthorized');
  });

  it('an agent without a password, or an inactive one, cannot sign in', async () => {
    const deps = await withPasswords();
    await deps.db.update(agents).set({ passwordHash: null }).where(eq(agents.id, 'agt_ben'));
    expect((await signIn('ben@acme.test', BEN_PASSWORD)).status).toBe(401);
    await deps.db.update(agents).set({ active: false }).where(eq(agents.id, 'agt_ada'));
    expect((await signIn('ada@acme.test', ADA_PASSWORD)).status).toBe(401);
  });

  it('only JSON: a form post is 415, a malformed body 400', async () => {
    await withPasswords();
    const form = await call(
      '/api/session',
      { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Sec-Fetch-Site': 'same-origin' }, body: `email=ada%40acme.test&password=${ADA_PASSWORD}` },
      PASSWORD,
    );
    expect(form.status).toBe(415);
    expect((await call('/api/session', jsonPost({ email: 'ada@acme.test' }), PASSWORD)).status).toBe(400);
    expect((await call('/api/session', jsonPost({ email: 'ada@acme.test', password: 'x'.repeat(5000) }), PASSWORD)).status).toBe(400);
  });

  it('a cross-site sign-in (login CSRF) is 403 and sets no cookie', async () => {
    await withPasswords();
    const res = await call('/api/session', jsonPost({ email: 'ada@acme.test', password: ADA_PASSWORD }, { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' }), PASSWORD);
    expect(res.status).toBe(403);
    expect(res.headers.get('Set-Cookie')).toBeNull();
  });

  it('does not exist in open mode', async () => {
    await withPasswords();
    expect((await call('/api/session', jsonPost({ email: 'ada@acme.test', password: ADA_PASSWORD }))).status).toBe(404);
  });
});

describe('the session cookie', () => {
  it('authorizes GET /api/cases and GET /api/session', async () => {
    await withPasswords();
    const cookie = await cookieFor('ben@acme.test', BEN_PASSWORD);
    expect((await call('/api/cases', { headers: { Cookie: cookie } }, PASSWORD)).status).toBe(200);
    const me = await call('/api/session', { headers: { Cookie: cookie } }, PASSWORD);
    expect((await me.json()) as SessionInfo).toMatchObject({ id: 'agt_ben', role: 'agent', mode: 'password' });
  });

  it('over HTTPS, only the __Host- cookie counts', async () => {
    await withPasswords();
    const secure = await cookieFor('ada@acme.test', ADA_PASSWORD, HTTPS);
    expect((await call(`${HTTPS}/api/cases`, { headers: { Cookie: secure } }, PASSWORD)).status).toBe(200);
    const plain = secure.replace('__Host-edgecase_session', 'edgecase_session');
    expect((await call(`${HTTPS}/api/cases`, { headers: { Cookie: plain } }, PASSWORD)).status).toBe(401);
  });

  it('without a cookie, or with a made-up one, the API is 401', async () => {
    await withPasswords();
    const none = await call('/api/cases', {}, PASSWORD);
    expect(none.status).toBe(401);
    expect((await errorOf(none)).code).toBe('unauthorized');
    for (const value of ['x', 'A'.repeat(43), '../../etc']) {
      expect((await call('/api/cases', { headers: { Cookie: `edgecase_session=${value}` } }, PASSWORD)).status).toBe(401);
    }
  });

  it('an expired session is 401', async () => {
    const deps = await withPasswords();
    const cookie = await cookieFor('ada@acme.test', ADA_PASSWORD);
    await deps.db.update(sessions).set({ expiresAt: Date.now() - 1 });
    const res = await call('/api/cases', { headers: { Cookie: cookie } }, PASSWORD);
    expect(res.status).toBe(401);
    expect((await errorOf(res)).message).toContain('expired');
  });

  it('stops working when the agent is deactivated', async () => {
    const deps = await withPasswords();
    const cookie = await cookieFor('ben@acme.test', BEN_PASSWORD);
    await deps.db.update(agents).set({ active: false }).where(eq(agents.id, 'agt_ben'));
    expect((await call('/api/cases', { headers: { Cookie: cookie } }, PASSWORD)).status).toBe(401);
  });

  it('never authorizes a cross-site state change', async () => {
    await withPasswords();
    const cookie = await cookieFor('ada@acme.test', ADA_PASSWORD);
    const crossSite: Record<string, string>[] = [
      { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' },
      { Origin: 'https://evil.example' },
      { 'Sec-Fetch-Site': 'same-site', Origin: 'http://sub.edgecase.test' },
      { Origin: 'null' },
    ];
    for (const headers of crossSite) {
      for (const path of ['/api/inbound/in_x/discard', '/api/session']) {
        const res = await call(path, jsonPost({}, { Cookie: cookie, ...headers }), PASSWORD);
        expect(res.status).toBe(403);
        expect((await errorOf(res)).code).toBe('forbidden');
      }
      const del = await call('/api/session', { method: 'DELETE', headers: { Cookie: cookie, ...headers } }, PASSWORD);
      expect(del.status).toBe(403);
    }
    // Still signed in: the refused sign-out did nothing.
    expect((await call('/api/cases', { headers: { Cookie: cookie } }, PASSWORD)).status).toBe(200);
  });
});

describe('DELETE /api/session', () => {
  it('signs out: deletes the session and clears the cookie', async () => {
    const deps = await withPasswords();
    const cookie = await cookieFor('ada@acme.test', ADA_PASSWORD);
    const res = await call('/api/session', { method: 'DELETE', headers: { Cookie: cookie, 'Sec-Fetch-Site': 'same-origin', Origin: ORIGIN } }, PASSWORD);
    expect(res.status).toBe(204);
    const cleared = parseSetCookie(res.headers.get('Set-Cookie'));
    expect(cleared).toMatchObject({ name: 'edgecase_session', value: '', attrs: { 'max-age': '0', path: '/' } });
    expect(await deps.db.select().from(sessions)).toHaveLength(0);
    expect((await call('/api/cases', { headers: { Cookie: cookie } }, PASSWORD)).status).toBe(401);
  });

  it('over HTTPS clears the __Host- cookie with its required attributes', async () => {
    await withPasswords();
    const cookie = await cookieFor('ada@acme.test', ADA_PASSWORD, HTTPS);
    const res = await call(`${HTTPS}/api/session`, { method: 'DELETE', headers: { Cookie: cookie, 'Sec-Fetch-Site': 'same-origin', Origin: HTTPS } }, PASSWORD);
    expect(res.status).toBe(204);
    expect(parseSetCookie(res.headers.get('Set-Cookie'))).toMatchObject({ name: '__Host-edgecase_session', value: '', attrs: { 'max-age': '0', path: '/', secure: true } });
  });

  it('without a session still answers 204 and clears the cookie', async () => {
    await withPasswords();
    const res = await call('/api/session', { method: 'DELETE', headers: { 'Sec-Fetch-Site': 'same-origin' } }, PASSWORD);
    expect(res.status).toBe(204);
    expect(res.headers.get('Set-Cookie')).toContain('edgecase_session=');
  });

  it('leaves other sessions of the same agent alone', async () => {
    const deps = await withPasswords();
    const laptop = await cookieFor('ada@acme.test', ADA_PASSWORD);
    const phone = await cookieFor('ada@acme.test', ADA_PASSWORD);
    await call('/api/session', { method: 'DELETE', headers: { Cookie: laptop } }, PASSWORD);
    expect(await deps.db.select().from(sessions)).toHaveLength(1);
    expect((await call('/api/cases', { headers: { Cookie: phone } }, PASSWORD)).status).toBe(200);
  });
});

describe('the sign-in throttle', () => {
  it('after 10 failures in 15 minutes an address gets 429, even with the right password', async () => {
    const deps = await withPasswords();
    for (let i = 0; i < 10; i++) expect((await signIn('ada@acme.test', `guess-${i}`)).status).toBe(401);
    const res = await signIn('ada@acme.test', ADA_PASSWORD);
    expect(res.status).toBe(429);
    expect(res.headers.get('Set-Cookie')).toBeNull();
    expect((await errorOf(res)).code).toBe('rate_limited');
    const retry = Number(res.headers.get('Retry-After'));
    expect(retry).toBeGreaterThan(800);
    expect(retry).toBeLessThanOrEqual(900);
    // Another address is not affected.
    expect((await signIn('ben@acme.test', BEN_PASSWORD)).status).toBe(200);
    // Once the window has passed, the right password works again and the count starts over.
    await deps.db.update(signInFailures).set({ windowStartedAt: Date.now() - 15 * 60_000 - 1 });
    expect((await signIn('ada@acme.test', ADA_PASSWORD)).status).toBe(200);
    expect(await deps.db.select().from(signInFailures)).toHaveLength(0);
  });

  it('counts unknown addresses the same way (no enumeration through the throttle)', async () => {
    await withPasswords();
    for (let i = 0; i < 10; i++) expect((await signIn('nobody@acme.test', 'x')).status).toBe(401);
    expect((await signIn('NOBODY@acme.test', 'x')).status).toBe(429);
  });

  it('a failure after an old window starts a new count', async () => {
    const deps = await withPasswords();
    await deps.db.insert(signInFailures).values({ email: 'ada@acme.test', failures: 10, windowStartedAt: Date.now() - 16 * 60_000 });
    expect((await signIn('ada@acme.test', 'wrong')).status).toBe(401);
    const row = await deps.db.select().from(signInFailures).where(eq(signInFailures.email, 'ada@acme.test')).get();
    expect(row!.failures).toBe(1);
    expect(row!.windowStartedAt).toBeGreaterThan(Date.now() - 60_000);
  });
});
