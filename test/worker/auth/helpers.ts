// Test helpers for sign-in: a tiny RS256 JWT signer, a key-set endpoint the tests control, and calls
// to the Worker with the auth bindings of each mode.
import { env } from 'cloudflare:test';
import worker from '../../../worker/index.ts';
import { setJwksFetcherForTests } from '../../../worker/auth/access.ts';

export const TEAM = 'acme.cloudflareaccess.com';
export const ISSUER = `https://${TEAM}`;
export const AUD = '4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2';
export const ORIGIN = 'http://edgecase.test';

export const ACCESS = { AUTH_MODE: 'access', ACCESS_TEAM_DOMAIN: TEAM, ACCESS_AUD: AUD } as const;
export const PASSWORD = { AUTH_MODE: 'password' } as const;

/** Calls the Worker in-process; `url` is a path on ORIGIN or a full URL; `bindings` override the test ones. */
export async function call(url: string, init: RequestInit = {}, bindings: Record<string, string | undefined> = {}): Promise<Response> {
  const full = url.startsWith('/') ? `${ORIGIN}${url}` : url;
  // A variable, not a literal: Env does not declare the ACCESS_* variables (auth/config.ts reads them).
  const merged = { ...env, ...bindings };
  return await worker.fetch(new Request(full, init), merged);
}

const enc = new TextEncoder();

export function b64url(data: Uint8Array | string | object): string {
  const bytes = data instanceof Uint8Array ? data : enc.encode(typeof data === 'string' ? data : JSON.stringify(data));
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export interface TestKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JsonWebKey;
}

const RS256 = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;

export async function newKey(kid: string): Promise<TestKey> {
  const pair = (await crypto.subtle.generateKey({ ...RS256, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const publicJwk = (await crypto.subtle.exportKey('jwk', pair.publicKey)) as JsonWebKey;
  return { kid, privateKey: pair.privateKey, publicJwk };
}

/** Seconds since the epoch, as JWTs count. */
export const nowS = () => Math.floor(Date.now() / 1000);

/** Claims of a valid Access token for `email`; `extra` overrides or (undefined) removes claims. */
export function claims(email: string | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const t = nowS();
  const all: Record<string, unknown> = { aud: [AUD], email, exp: t + 600, iat: t, nbf: t, iss: ISSUER, type: 'app', sub: crypto.randomUUID(), ...extra };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
}

/** Signs a JWT with RS256; `header` adds to or overrides { alg, kid, typ }. */
export async function signJwt(key: TestKey, payload: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  const input = `${b64url({ alg: 'RS256', kid: key.kid, typ: 'JWT', ...header })}.${b64url(payload)}`;
  const sig = new Uint8Array(await crypto.subtle.sign(RS256, key.privateKey, enc.encode(input)));
  return `${input}.${b64url(sig)}`;
}

/** The team's certs endpoint as the tests want it: serves `keys`, counts fetches, can fail. */
export class FakeJwks {
  keys: TestKey[];
  fetches: string[] = [];
  status = 200;

  constructor(keys: TestKey[]) {
    this.keys = keys;
    setJwksFetcherForTests(async (url) => {
      this.fetches.push(url);
      if (this.status !== 200) return new Response('unavailable', { status: this.status });
      // The shape Access serves: keys plus the same keys as PEM certificates (ignored by us).
      return Response.json({ keys: this.keys.map((k) => ({ ...k.publicJwk, kid: k.kid, alg: 'RS256', use: 'sig' })), public_cert: {}, public_certs: [] });
    });
  }
}

/** GET with an Access token in the header (or in the cookie, when `via` says so). */
export function withToken(token: string, via: 'header' | 'cookie' = 'header', headers: Record<string, string> = {}): RequestInit {
  return { headers: via === 'header' ? { 'Cf-Access-Jwt-Assertion': token, ...headers } : { Cookie: `CF_Authorization=${token}`, ...headers } };
}

/** The JSON a same-origin page sends. */
export function jsonPost(body: unknown, headers: Record<string, string> = {}, method = 'POST'): RequestInit {
  return { method, headers: { 'Content-Type': 'application/json', 'Sec-Fetch-Site': 'same-origin', Origin: ORIGIN, ...headers }, body: JSON.stringify(body) };
}

export async function errorOf(res: Response): Promise<{ code: string; message: string; requestId?: string }> {
  return ((await res.json()) as { error: { code: string; message: string; requestId?: string } }).error;
}
