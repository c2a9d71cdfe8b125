import type { Context } from 'hono';
import type { z } from 'zod';
import { ApiFailure } from './errors.ts';

export function parseQuery<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  const result = schema.safeParse(c.req.query());
  if (!result.success) throw new ApiFailure('bad_request', 'invalid query parameters', result.error.issues);
  return result.data;
}

/** JSON bodies only (a form post from another site cannot reach a state-changing route). */
export async function parseBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const type = c.req.header('Content-Type') ?? '';
  if (!/^application\/json\b/i.test(type)) throw new ApiFailure('unsupported_media_type', 'send JSON (Content-Type: application/json)');
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new ApiFailure('bad_request', 'the body is not valid JSON');
  }
  const result = schema.safeParse(body);
  if (!result.success) throw new ApiFailure('bad_request', 'invalid request body', result.error.issues);
  return result.data;
}

export function encodeCursor(parts: (string | number)[]): string {
  return btoa(JSON.stringify(parts)).replace(/=+$/, '');
}

export function decodeCursor(cursor: string | undefined): [number, string] | null {
  if (!cursor) return null;
  try {
    const v = JSON.parse(atob(cursor)) as unknown;
    if (Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'string') return [v[0], v[1]];
  } catch {
    // fall through
  }
  throw new ApiFailure('bad_request', 'invalid cursor');
}
