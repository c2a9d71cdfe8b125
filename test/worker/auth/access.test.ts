// AUTH_MODE=access: the Cloudflare Access JWT on every API request and on the WebSocket upgrade.
import { eq } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AccessTokenRejected, JWKS_REFETCH_MIN_MS, JWKS_TTL_MS, setJwksFetcherForTests, verifyAccessToken } from '../../../worker/auth/access.ts';
import { agents, inbound } from '../../../worker/db/schema.ts';
import type { SessionInfo } from '../../../worker/protocol/session.ts';
import { seeded } from '../helpers.ts';
import { deliver, mail } from '../http/client.ts';
import { ACCESS, AUD, b64url, ISSUER, TEAM, call, claims, errorOf, FakeJwks, jsonPost, newKey, nowS, ORIGIN, signJwt, withToken, type TestKey } from './helpers.ts';

let keyA: TestKey;
let keyB: TestKey;
let stranger: TestKey;

beforeAll(async () => {
  [keyA, keyB, stranger] = await Promise.all([newKey('kid-a'), newKey('kid-b'), newKey('kid-a')]);
});

afterEach(() => setJwksFetcherForTests(null));

async function expectStatus(res: Response, status: number, code?: string): Promise<string> {
  expect(res.status).toBe(status);
  if (!code) return '';
  const error = await errorOf(res);
  expect(error.code).toBe(code);
  return error.message;
}

describe('access mode: a valid token', () => {
  it('is 200 and maps the email claim to the agent', async () => {
    await seeded();
    new FakeJwks([keyA]);
    const token = await signJwt(keyA, claims('ada@acme.test'));
    const res = await call('/api/session', withToken(token), ACCESS);
    expect(res.status).toBe(200);
    expect((await res.json()) as SessionInfo).toEqual({ id: 'agt_ada', email: 'ada@acme.test', name: 'Ada Admin', role: 'admin', workspaceId: 'ws_demo', mode: 'access' });
    expect((await call('/api/cases', withToken(token), ACCESS)).status).toBe(200);
  });

  it('maps the email case-insensitively and accepts aud as a plain string', async () => {
    await seeded();
    new FakeJwks([keyA]);
    const res = await call('/api/session', withToken(await signJwt(keyA, claims('Ben@ACME.test', { aud: AUD }))), ACCESS);
    expect(((await res.json()) as SessionInfo).id).toBe('agt_ben');
  });

  it('is also read from the CF_Authorization cookie', async () => {
    await seeded();
    new FakeJwks([keyA]);
    const res = await call('/api/session', withToken(await signJwt(keyA, claims('ada@acme.test')), 'cookie'), ACCESS);
    expect(res.status).toBe(200);
  });

  it('records the agent id as the actor of changes', async () => {
    const deps = await seeded();
    new FakeJwks([keyA]);
    // The same message twice: the second copy is held (a duplicate), which an agent may discard.
    const raw = mail({ Subject: 'Twice', 'Message-ID': '<twice@example.com>' });
    await deliver(deps, raw);
    const held = await deliver(deps, raw);
    const token = await signJwt(keyA, claims('ben@acme.test'));
    const res = await call(`/api/inbound/${held}/discard`, jsonPost({}, { 'Cf-Access-Jwt-Assertion': token }), ACCESS);
    expect(res.status).toBe(200);
    const row = await deps.db.select().from(inbound).where(eq(inbound.id, held)).get();
    expect(row).toMatchObject({ status: 'discarded', resolvedBy: 'agt_ben' });
  });

  it('fetches the key set once and caches it', async () => {
    await seeded();
    const jwks = new FakeJwks([keyA]);
    const token = await signJwt(keyA, claims('ada@acme.test'));
    for (let i = 0; i < 3; i++) expect((await call('/api/cases', withToken(token), ACCESS)).status).toBe(200);
    expect(jwks.fetches).toEqual([`https://${ACCESS.ACCESS_TEAM_DOMAIN}/cdn-cgi/access/certs`]);
  });
});

describe('access mode: time claims', () => {
  it('an expired token is 401; within the 60 s leeway it still passes', async () => {
    await seeded();
    new FakeJwks([keyA]);
    const msg = await expectStatus(await call('/api/cases', withToken(await signJwt(keyA, claims('ada@acme.test', { exp: nowS() - 61 }))), ACCESS), 401, 'unauthorized');
    expect(msg).toContain('expired');
    expect((await call('/api/cases', withToken(await signJwt(keyA, claims('ada@acme.test', { exp: nowS() - 30 }))), ACCESS)).status).toBe(200);
  });

  it('a token without exp is 401', async () => {
    await seeded();
    new FakeJwks([keyA]);
    await expectStatus(await call('/api/cases', withToken(await signJwt(keyA, claims('ada@acme.test', { exp: undefined }))), ACCESS), 401, 'unauthorized');
  });

  it('a token not valid yet is 401; within the leeway it passes', async () => {
    await seeded();
    new FakeJwks([keyA]);
    const msg = await expectStatus(await call('/api/cases', withToken(await signJwt(keyA, claims('ada@acme.test', { nbf: nowS() + 120 }))), ACCESS), 401, 'unauthorized');
    expect(msg).toContain('not valid yet');
    expect((await call('/api/cases', withToken(await signJwt(keyA, claims('ada@acme.test', { nbf: nowS() + 30 }))), ACCESS)).status).toBe(200);
  });
});

describe('access mode: audience and issuer', () => {
  it('a token for another Access application is 401', async () => {
    await seeded();
    new FakeJwks([keyA]);
    for (const aud of [['another-app-aud'], 'another-app-aud', [], undefined]) {
      const msg = await expectStatus(await call('/api/cases', withToken(await signJwt(keyA, claims('ada@acme.test', { aud }))), ACCESS), 401, 'unauthorized');
      expect(msg).toContain('audience');
    }
  });

  it('a token from another issuer is 401, even when signed with a key we trust', async () => {
    await seeded();
    new FakeJwks([keyA]);
    for (const iss of ['https://evil.cloudflareaccess.com', 'http://acme.cloudflareaccess.com', 'https://acme.cloudflareaccess.com/', undefined]) {
      const msg = await expectStatus(await call('/api/cases', withToken(await signJwt(keyA, claims('ada@acme.test', { iss }))), ACCESS), 401, 'unauthorized');
      expect(msg).toContain('issuer');
    }
  });
});

describe('access mode: keys', () => {
  it('an unknown kid is refetched once, then 401; more unknown kids do not refetch again at once', async () => {
    await seeded();
    const jwks = new FakeJwks([keyA]);
    const unknown = await newKey('kid-unknown');
    const msg = await expectStatus(await call('/api/cases', withToken(await signJwt(unknown, claims('ada@acme.test'))), ACCESS), 401, 'unauthorized');
    expect(msg).toContain('unknown signing key');
    expect(jwks.fetches).toHaveLength(2);
    await expectStatus(await call('/api/cases', withToken(await signJwt(unknown, claims('ada@acme.test'), { kid: 'kid-other' })), ACCESS), 401, 'unauthorized');
    expect(jwks.fetches).toHaveLength(2);
  });

  it('follows key rotation: a new kid served after the refetch is accepted, the retired one no longer', async () => {
    await seeded();
    const jwks = new FakeJwks([keyA]);
    const oldToken = await signJwt(keyA, claims('ada@acme.test'));
    expect((await call('/api/cases', withToken(oldToken), ACCESS)).status).toBe(200);
    jwks.keys = [keyB];
    expect((await call('/api/cases', withToken(await signJwt(keyB, claims('ada@acme.test'))), ACCESS)).status).toBe(200);
    expect(jwks.fetches).toHaveLength(2);
    await expectStatus(await call('/api/cases', withToken(oldToken), ACCESS), 401, 'unauthorized');
  });

  it('a token signed by a different key under a known kid is 401', async () => {
    await seeded();
    new FakeJwks([keyA]);
    const msg = await expectStatus(await call('/api/cases', withToken(await signJwt(stranger, claims('ada@acme.test'))), ACCESS), 401, 'unauthorized');
    expect(msg).toContain('signature');
  });

  it('when the key set cannot be fetched at all the answer is a 500, not a sign-in', async () => {
    await seeded();
    const jwks = new FakeJwks([keyA]);
    jwks.status = 503;
    const res = await call('/api/cases', withToken(await signJwt(keyA, claims('ada@acme.test'))), ACCESS);
    await expectStatus(res, 500, 'internal');
  });
});

describe('verifyAccessToken: the key cache over time', () => {
  const config = { teamDomain: TEAM, issuer: ISSUER, certsUrl: `${ISSUER}/cdn-cgi/access/certs`, audience: AUD };

  it('refetches after the TTL, and keeps using the cached keys when that refetch fails', async () => {
    const jwks = new FakeJwks([keyA]);
    const t0 = Date.now();
    const token = await signJwt(keyA, claims('ada@acme.test', { exp: Math.floor(t0 / 1000) + 3 * 3600 }));
    expect((await verifyAccessToken(token, config, t0)).email).toBe('ada@acme.test');
    await verifyAccessToken(token, config, t0 + JWKS_TTL_MS - 1);
    expect(jwks.fetches).toHaveLength(1);
    await verifyAccessToken(token, config, t0 + JWKS_TTL_MS);
    expect(jwks.fetches).toHaveLength(2);
    jwks.status = 500;
    await verifyAccessToken(token, config, t0 + 2 * JWKS_TTL_MS);
    expect(jwks.fetches).toHaveLength(3);
  });

  it('allows another forced refetch once the rate limit has passed', async () => {
    const jwks = new FakeJwks([keyA]);
    const t0 = Date.now();
    const lateToken = await signJwt(keyB, claims('ada@acme.test', { exp: Math.floor(t0 / 1000) + 3600 }));
    await expect(verifyAccessToken(lateToken, config, t0)).rejects.toThrow(AccessTokenRejected);
    await expect(verifyAccessToken(lateToken, config, t0 + 1000)).rejects.toThrow('unknown signing key');
    expect(jwks.fetches).toHaveLength(2);
    jwks.keys = [keyA, keyB];
    expect((await verifyAccessToken(lateToken, config, t0 + JWKS_REFETCH_MIN_MS)).email).toBe('ada@acme.test');
    expect(jwks.fetches).toHaveLength(3);
  });

  it('skips keys that are not RS256 signing keys', async () => {
    setJwksFetcherForTests(async () =>
      Response.json({
        keys: [
          { ...keyA.publicJwk, kid: 'kid-a', use: 'enc' },
          { ...keyB.publicJwk, kid: 'kid-b', alg: 'RS256' },
          { kty: 'EC', kid: 'kid-c' },
        ],
      }),
    );
    const t0 = Date.now();
    await expect(verifyAccessToken(await signJwt(keyA, claims('ada@acme.test')), config, t0)).rejects.toThrow('unknown signing key');
    expect((await verifyAccessToken(await signJwt(keyB, claims('ada@acme.test')), config, t0)).email).toBe('ada@acme.test');
  });
});

describe('access mode: forged tokens', () => {
  it('alg none is 401', async () => {
    await seeded();
    new FakeJwks([keyA]);
    const unsigned = `${b64url({ alg: 'none', kid: 'kid-a', typ: 'JWT' })}.${b64url(claims('ada@acme.test'))}.`;
    const msg = await expectStatus(await call('/api/cases', withToken(unsigned), ACCESS), 401, 'unauthorized');
    expect(msg).toContain('RS256');
  });

  it('HS256 keyed with the public key is 401', async () => {
    await seeded();
    new FakeJwks([keyA]);
    const input = `${b64url({ alg: 'HS256', kid: 'kid-a', typ: 'JWT' })}.${b64url(claims('ada@acme.test'))}`;
    const secret = new TextEncoder().encode(JSON.stringify(keyA.publicJwk));
    const hmac = await crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const sig = new Uint8Array(await crypto.subtle.sign('HMAC', hmac, new TextEncoder().encode(input)));
    await expectStatus(await call('/api/cases', withToken(`${input}.${b64url(sig)}`), ACCESS), 401, 'unauthorized');
  });

  it('a tampered payload is 401', async () => {
    await seeded();
    new FakeJwks([keyA]);
    const [h, , s] = (await signJwt(keyA, claims('ben@acme.test'))).split('.');
    const forged = `${h}.${b64url(claims('ada@acme.test'))}.${s}`;
    const msg = await expectStatus(await call('/api/cases', withToken(forged), ACCESS), 401, 'unauthorized');
    expect(msg).toContain('signature');
  });

  it('garbage is 401', async () => {
    await seeded();
    new FakeJwks([keyA]);
    for (const token of ['x', 'a.b.c', 'a.b', '...', `${b64url('[]')}.${b64url('{}')}.`, 'x'.repeat(20_000)]) {
      await expectStatus(await call('/api/cases', withToken(token), ACCESS), 401, 'unauthorized');
    }
  });

  it('no token is 401', async () => {
    await seeded();
    const jwks = new FakeJwks([keyA]);
    const msg = await expectStatus(await call('/api/cases', {}, ACCESS), 401, 'unauthorized');
    expect(msg).toContain('Access');
    expect(jwks.fetches).toHaveLength(0);
  });
});

describe('access mode: who may use the API', () => {
  it('an email that is not an agent is 403', async () => {
    await seeded();
    new FakeJwks([keyA]);
    const msg = await expectStatus(await call('/api/cases', withToken(await signJwt(keyA, claims('eve@example.com'))), ACCESS), 403, 'forbidden');
    expect(msg).toContain('eve@example.com');
    expect(msg).toContain('not an active agent');
  });

  it('an inactive agent is 403', async () => {
    const deps = await seeded();
    new FakeJwks([keyA]);
    await deps.db.update(agents).set({ active: false }).where(eq(agents.id, 'agt_ben'));
    await expectStatus(await call('/api/cases', withToken(await signJwt(keyA, claims('ben@acme.test'))), ACCESS), 403, 'forbidden');
  });

  it('a service token (no email claim) is 403', async () => {
    await seeded();
    new FakeJwks([keyA]);
    const msg = await expectStatus(await call('/api/cases', withToken(await signJwt(keyA, claims(undefined, { common_name: 'ci.access', type: 'app' }))), ACCESS), 403, 'forbidden');
    expect(msg).toContain('service token');
  });
});

describe('access mode: the WebSocket and cross-site requests', () => {
  it('an upgrade with a valid token and a foreign Origin is 403', async () => {
    await seeded();
    new FakeJwks([keyA]);
    const token = await signJwt(keyA, claims('ada@acme.test'));
    const res = await call('/api/live', withToken(token, 'cookie', { Upgrade: 'websocket', Origin: 'https://evil.example' }), ACCESS);
    await expectStatus(res, 403, 'forbidden');
  });

  it('an upgrade without a token is 401; with one and our Origin it is 101', async () => {
    await seeded();
    new FakeJwks([keyA]);
    await expectStatus(await call('/api/live', { headers: { Upgrade: 'websocket', Origin: ORIGIN } }, ACCESS), 401, 'unauthorized');
    const res = await call('/api/live', withToken(await signJwt(keyA, claims('ada@acme.test')), 'cookie', { Upgrade: 'websocket', Origin: ORIGIN }), ACCESS);
    expect(res.status).toBe(101);
    const ws = res.webSocket!;
    const hello = new Promise<string>((resolve) => ws.addEventListener('message', (e) => resolve(e.data as string)));
    const closed = new Promise<number>((resolve) => ws.addEventListener('close', (e) => resolve(e.code)));
    ws.accept();
    expect(JSON.parse(await hello)).toMatchObject({ type: 'hello', lastSeq: 0 });
    // The hub answers our close with its own; if it never did, the test's timeout would fail it.
    ws.close(1000, 'done');
    expect(await closed).toBe(1000);
  });

  it('a cross-site POST with a valid token is 403', async () => {
    await seeded();
    new FakeJwks([keyA]);
    const token = await signJwt(keyA, claims('ada@acme.test'));
    const res = await call('/api/inbound/in_x/discard', jsonPost({}, { Cookie: `CF_Authorization=${token}`, Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' }), ACCESS);
    await expectStatus(res, 403, 'forbidden');
  });
});

describe('access mode: configuration', () => {
  it('without ACCESS_TEAM_DOMAIN or ACCESS_AUD every API call is 501 not_configured', async () => {
    await seeded();
    new FakeJwks([keyA]);
    const token = await signJwt(keyA, claims('ada@acme.test'));
    for (const bindings of [
      { AUTH_MODE: 'access', ACCESS_AUD: AUD },
      { AUTH_MODE: 'access', ACCESS_TEAM_DOMAIN: ACCESS.ACCESS_TEAM_DOMAIN },
      { ...ACCESS, ACCESS_TEAM_DOMAIN: 'acme.example/../evil' },
    ]) {
      const msg = await expectStatus(await call('/api/cases', withToken(token), bindings), 501, 'not_configured');
      expect(msg).toContain('ACCESS_TEAM_DOMAIN');
    }
  });

  it('tolerates a scheme and a trailing slash on the team domain', async () => {
    await seeded();
    new FakeJwks([keyA]);
    const res = await call('/api/cases', withToken(await signJwt(keyA, claims('ada@acme.test'))), { ...ACCESS, ACCESS_TEAM_DOMAIN: 'https://ACME.cloudflareaccess.com/' });
    expect(res.status).toBe(200);
  });

  it('keeps /api/health public and /api/dev closed', async () => {
    await seeded();
    expect((await call('/api/health', {}, ACCESS)).status).toBe(200);
    await expectStatus(await call('/api/dev/seed', { method: 'POST' }, ACCESS), 404, 'not_found');
  });

  it('password sign-in routes do not exist in access mode', async () => {
    await seeded();
    const msg = await expectStatus(await call('/api/session', jsonPost({ email: 'ada@acme.test', password: 'x' }), ACCESS), 404, 'not_found');
    expect(msg).toContain('AUTH_MODE=password');
  });
});
