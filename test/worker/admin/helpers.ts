// Helpers for the admin API tests: JSON calls as the web app makes them, sign-in as an agent or an
// admin with AUTH_MODE=password, and a D1 that counts the batches it runs.
import { env } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { hashPassword } from '../../../worker/auth/password.ts';
import { agents, auditLog } from '../../../worker/db/schema.ts';
import type { Deps } from '../../../worker/deps.ts';
import type { ApiError } from '../../../worker/protocol/api.ts';
import { call, jsonPost, ORIGIN, PASSWORD } from '../auth/helpers.ts';

export { call, ORIGIN, PASSWORD };

type Bindings = Record<string, unknown>;

/** A JSON request from our own page; `method` POST unless told. */
export function send(path: string, body: unknown, method = 'POST', bindings: Bindings = {}, headers: Record<string, string> = {}): Promise<Response> {
  return call(path, jsonPost(body, headers, method), bindings as Record<string, string>);
}

export async function json<T>(res: Response, status = 200): Promise<T> {
  const body = (await res.json()) as T;
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(body)}`);
  return body;
}

/** A 400 with issues: returns the issue messages by dotted path. */
export async function issuesOf(res: Response): Promise<Record<string, string[]>> {
  expect(res.status).toBe(400);
  const body = (await res.json()) as ApiError;
  expect(body.error.code).toBe('bad_request');
  const out: Record<string, string[]> = {};
  for (const i of (body.error.issues ?? []) as Array<{ path: Array<string | number>; message: string }>) (out[i.path.join('.')] ??= []).push(i.message);
  return out;
}

export const PASSWORDS = { ada: 'ada-has-a-long-password', ben: 'ben-has-another-one' } as const;

/** Gives the demo agents passwords (password mode) and returns their session cookies. */
export async function signedIn(deps: Deps): Promise<{ ada: string; ben: string }> {
  const [a, b] = await Promise.all([hashPassword(PASSWORDS.ada), hashPassword(PASSWORDS.ben)]);
  await deps.db.update(agents).set({ passwordHash: a }).where(eq(agents.id, 'agt_ada'));
  await deps.db.update(agents).set({ passwordHash: b }).where(eq(agents.id, 'agt_ben'));
  return { ada: await cookieFor('ada@acme.test', PASSWORDS.ada), ben: await cookieFor('ben@acme.test', PASSWORDS.ben) };
}

export async function cookieFor(email: string, password: string): Promise<string> {
  const res = await call('/api/session', jsonPost({ email, password }), PASSWORD);
  expect(res.status).toBe(200);
  return res.headers.get('Set-Cookie')!.split(';')[0]!;
}

/** The real D1, counting `batch` calls (to show that a change is one atomic batch). */
export function countingD1(): { d1: D1Database; batches: () => number } {
  let n = 0;
  const d1 = new Proxy(env.DB, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop === 'batch') {
        return (...args: unknown[]) => {
          n++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { d1, batches: () => n };
}

export async function auditRows(deps: Deps) {
  const rows = await deps.db.select().from(auditLog).orderBy(auditLog.at, auditLog.id);
  return rows.map((r) => ({ ...r, changes: JSON.parse(r.changes) as Record<string, [unknown, unknown]> }));
}
