// Helpers for the HTTP API tests: call the Worker's fetch handler, deliver mail, make a second workspace.
import { env } from 'cloudflare:test';
import { expect } from 'vitest';
import worker from '../../../worker/index.ts';
import { agents, mailboxes, workspaces, slaPolicies, calendars } from '../../../worker/db/schema.ts';
import type { Deps } from '../../../worker/deps.ts';
import { receiveEmail } from '../../../worker/ingest/receive.ts';
import type { ApiError, CaseSummary, Page } from '../../../worker/protocol/api.ts';
import { DEMO, incoming, mail } from '../helpers.ts';

export const ORIGIN = 'http://edgecase.test';

/** Calls the Worker the way the runtime would; `bindings` overrides some of the test bindings. */
export async function call(path: string, init: RequestInit = {}, bindings: Partial<Env> = {}): Promise<Response> {
  return worker.fetch(new Request(`${ORIGIN}${path}`, init), { ...env, ...bindings });
}

export async function getJson<T>(path: string, init: RequestInit = {}): Promise<{ res: Response; body: T }> {
  const res = await call(path, init);
  return { res, body: (await res.json()) as T };
}

/** A JSON PATCH as the web app sends it; `headers` adds to or overrides the defaults. */
export function patch(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return call(path, {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/json', 'Sec-Fetch-Site': 'same-origin', Origin: ORIGIN, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Asserts an error response: status, the JSON error envelope and its code. */
export async function expectError(res: Response, status: number, code: string): Promise<ApiError> {
  expect(res.status).toBe(status);
  expect(res.headers.get('Content-Type')).toMatch(/^application\/json/);
  const body = (await res.json()) as ApiError;
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  return body;
}

/** Delivers one message through the email entry point at a fixed time; returns the inbound id. */
export async function deliver(deps: Deps, raw: string | Uint8Array, opts: { from?: string; to?: string; at?: number } = {}): Promise<string> {
  const at = opts.at ?? Date.now();
  const result = await receiveEmail(incoming(raw, opts), { ...deps, now: () => at });
  if (result.verdict !== 'accepted') throw new Error(`mail was rejected: ${result.reason}`);
  return result.inboundId;
}

/** Delivers a plain new message and returns the id of the case it opened. */
export async function newCase(deps: Deps, subject: string, at?: number, from = 'alice@example.com'): Promise<string> {
  await deliver(deps, mail({ Subject: subject, From: `Sender <${from}>` }), { at, from });
  const { body } = await getJson<Page<CaseSummary>>('/api/cases?status=all&limit=200');
  const found = body.items.find((c) => c.subject === subject);
  if (!found) throw new Error(`no case for ${subject}`);
  return found.id;
}

/** A second workspace, created after the demo one (the open mode serves the oldest), with a mailbox. */
export const OTHER = { workspaceId: 'ws_other', mailboxId: 'mbx_other', mailbox: 'help@other.test' } as const;

export async function otherWorkspace(deps: Deps): Promise<void> {
  const later = Date.now() + 60_000;
  await deps.db.insert(workspaces).values({ id: OTHER.workspaceId, name: 'Other', slug: 'other', createdAt: later });
  await deps.db.insert(mailboxes).values({ id: OTHER.mailboxId, workspaceId: OTHER.workspaceId, address: OTHER.mailbox, displayName: 'Other', createdAt: later, updatedAt: later });
}

/** Removes the seeded workspace (call before any mail is delivered): the state before `npm start` seeds. */
export async function noWorkspace(deps: Deps): Promise<void> {
  await deps.db.delete(mailboxes);
  await deps.db.delete(agents);
  await deps.db.delete(slaPolicies);
  await deps.db.delete(calendars);
  await deps.db.delete(workspaces);
}

export interface Part {
  /** The Content-Disposition header value, e.g. `attachment; filename="a.pdf"`. */
  disposition: string;
  contentType: string;
  content: Uint8Array;
}

/** A multipart/mixed message: a text part, then the given parts base64-encoded. */
export function withAttachments(headers: Record<string, string | null>, text: string, parts: Part[]): string {
  const b = `b-${crypto.randomUUID()}`;
  const chunks = [`--${b}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text}\r\n`];
  for (const p of parts) {
    const b64 = btoa(String.fromCharCode(...p.content)).replace(/.{1,76}/g, '$&\r\n');
    chunks.push(`--${b}\r\nContent-Type: ${p.contentType}\r\nContent-Disposition: ${p.disposition}\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64}`);
  }
  return mail({ ...headers, 'Content-Type': `multipart/mixed; boundary="${b}"` }, `${chunks.join('')}--${b}--`);
}

export { DEMO, mail };
