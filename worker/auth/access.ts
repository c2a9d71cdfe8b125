// Cloudflare Access: every request that passed Access carries a JWT (the Cf-Access-Jwt-Assertion
// header, and the CF_Authorization cookie in browsers) signed with the team's rotating RS256 keys.
// We check it ourselves instead of trusting that Access sits in front: a route or a hostname that
// bypasses Access (a forgotten *.workers.dev, a misconfigured policy) then still gets nothing.
import type { AccessConfig } from './config.ts';
import { base64UrlToBytes, utf8 } from './encoding.ts';

/** How the key set is fetched; tests replace it (setJwksFetcherForTests). */
export type JwksFetcher = (url: string) => Promise<Response>;

/** Keys are re-read this often even when every kid is known: revoked keys must stop working. */
export const JWKS_TTL_MS = 10 * 60_000;
/** An unknown kid forces a refetch (key rotation), but at most this often: a stream of made-up kids
 * must not turn into a stream of requests to the certs endpoint. */
export const JWKS_REFETCH_MIN_MS = 30_000;
/** Clock skew tolerated on exp and nbf, in seconds. */
export const CLOCK_LEEWAY_S = 60;
/** Access tokens are ~1 KB; anything far larger is not one, and is not worth parsing. */
const MAX_TOKEN_LENGTH = 16 * 1024;
const MAX_KEYS = 32;

const RS256 = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;

/** A token we refuse. `reason` is short and safe to show: it names the check, never a secret. */
export class AccessTokenRejected extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(`Cloudflare Access token rejected: ${reason}`);
    this.name = 'AccessTokenRejected';
    this.reason = reason;
  }
}

export interface AccessIdentity {
  /** The `email` claim, lower case; null for a service token (a machine client has `common_name`). */
  email: string | null;
  sub: string;
}

interface KeySet {
  keys: Map<string, CryptoKey>;
  fetchedAt: number;
}

interface CacheEntry {
  set: KeySet | null;
  lastForcedAt: number;
}

const defaultFetcher: JwksFetcher = (url) => fetch(url, { headers: { Accept: 'application/json' } });
let fetcher: JwksFetcher = defaultFetcher;

// Module scope lives as long as the isolate, so keys are fetched once per isolate per TTL. Only
// settled values are kept: a pending fetch is not shared between requests, because a promise that
// one request's I/O settles must not be awaited by another (workerd's cross-request rule). Two
// requests racing at expiry simply fetch twice.
const cache = new Map<string, CacheEntry>();

/** Replaces the key fetcher (null: the real one) and forgets every cached key. */
export function setJwksFetcherForTests(f: JwksFetcher | null): void {
  fetcher = f ?? defaultFetcher;
  cache.clear();
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function fetchKeys(url: string, now: number): Promise<KeySet> {
  const res = await fetcher(url);
  if (!res.ok) throw new Error(`Access key set ${url} answered ${res.status}`);
  const body: unknown = await res.json();
  const list = isRecord(body) && Array.isArray(body.keys) ? body.keys.slice(0, MAX_KEYS) : [];
  const keys = new Map<string, CryptoKey>();
  for (const jwk of list) {
    if (!isRecord(jwk) || jwk.kty !== 'RSA' || typeof jwk.kid !== 'string' || typeof jwk.n !== 'string' || typeof jwk.e !== 'string') continue;
    if ((jwk.use !== undefined && jwk.use !== 'sig') || (jwk.alg !== undefined && jwk.alg !== 'RS256')) continue;
    try {
      keys.set(jwk.kid, await crypto.subtle.importKey('jwk', { kty: 'RSA', n: jwk.n, e: jwk.e, alg: 'RS256', ext: true }, RS256, false, ['verify']));
    } catch {
      // One malformed key must not take the others down with it.
    }
  }
  if (keys.size === 0) throw new Error(`Access key set ${url} holds no usable RS256 key`);
  return { keys, fetchedAt: now };
}

async function keyFor(certsUrl: string, kid: string, now: number): Promise<CryptoKey | null> {
  let entry = cache.get(certsUrl);
  if (!entry) {
    entry = { set: null, lastForcedAt: -Infinity };
    cache.set(certsUrl, entry);
  }
  if (!entry.set || now - entry.set.fetchedAt >= JWKS_TTL_MS) {
    try {
      entry.set = await fetchKeys(certsUrl, now);
    } catch (err) {
      // Keep serving with the keys we have while the endpoint hiccups; with none, nobody gets in.
      if (!entry.set) throw err;
      console.warn('Access key refresh failed; using the cached keys', err);
    }
  }
  const known = entry.set.keys.get(kid);
  if (known) return known;
  if (now - entry.lastForcedAt < JWKS_REFETCH_MIN_MS) return null;
  entry.lastForcedAt = now;
  entry.set = await fetchKeys(certsUrl, now);
  return entry.set.keys.get(kid) ?? null;
}

function decodeJson(segment: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(base64UrlToBytes(segment)));
  } catch {
    throw new AccessTokenRejected(`malformed ${what}`);
  }
  if (!isRecord(value)) throw new AccessTokenRejected(`malformed ${what}`);
  return value;
}

/**
 * Verifies an Access JWT: RS256 only, a key from the team's key set, our issuer and audience, exp and
 * nbf within the leeway. Throws AccessTokenRejected for a bad token; other errors
 * (the key set cannot be fetched) are ours, not the caller's.
 */
export async function verifyAccessToken(token: string, config: AccessConfig, now: number): Promise<AccessIdentity> {
  if (token.length > MAX_TOKEN_LENGTH) throw new AccessTokenRejected('token too long');
  const parts = token.split('.');
  if (parts.length !== 3) throw new AccessTokenRejected('not a JWT');
  const [head, body, sig] = parts as [string, string, string];
  const header = decodeJson(head, 'header');
  // The algorithm is ours to choose, not the token's: `none` and HS256 (with the public key as an
  // HMAC secret) are the classic ways around a verifier that believes the header.
  if (header.alg !== 'RS256') throw new AccessTokenRejected('algorithm must be RS256');
  if (header.crit !== undefined) throw new AccessTokenRejected('unsupported critical header');
  if (typeof header.kid !== 'string' || header.kid === '') throw new AccessTokenRejected('no key id');
  const claims = decodeJson(body, 'payload');
  let signature: Uint8Array<ArrayBuffer>;
  try {
    signature = new Uint8Array(base64UrlToBytes(sig));
  } catch {
    throw new AccessTokenRejected('malformed signature');
  }

  const key = await keyFor(config.certsUrl, header.kid, now);
  if (!key) throw new AccessTokenRejected('unknown signing key');
  if (!(await crypto.subtle.verify(RS256, key, signature, utf8(`${head}.${body}`)))) throw new AccessTokenRejected('bad signature');

  if (claims.iss !== config.issuer) throw new AccessTokenRejected('wrong issuer');
  const aud = claims.aud;
  if (!(aud === config.audience || (Array.isArray(aud) && aud.includes(config.audience)))) throw new AccessTokenRejected('wrong audience');
  const nowS = now / 1000;
  if (typeof claims.exp !== 'number') throw new AccessTokenRejected('no expiry');
  if (nowS >= claims.exp + CLOCK_LEEWAY_S) throw new AccessTokenRejected('expired');
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || nowS + CLOCK_LEEWAY_S < claims.nbf)) throw new AccessTokenRejected('not valid yet');
  const email = typeof claims.email === 'string' && claims.email.trim() !== '' ? claims.email.trim().toLowerCase() : null;
  return { email, sub: typeof claims.sub === 'string' ? claims.sub : '' };
}
