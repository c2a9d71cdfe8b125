// The one way the web app talks HTTP to the Worker: same origin, the session cookie, JSON answers
// (or bytes, for an attachment). Failures become RequestError. A 401 means the session is over and
// goes to the one unauthorized handler (stores/session.ts), except where the caller asks for the 401
// itself: the session probe and the sign-in form, for which "nobody is signed in" is an answer.
import { RequestError, issueLines } from './errors.ts';

export interface RequestOptions {
  /** What the answer holds: JSON (the default), or bytes (an attachment). */
  read?: 'json' | 'bytes';
  /** The caller handles a 401 itself; the unauthorized handler is not told. */
  own401?: boolean;
}

type UnauthorizedHandler = (err: RequestError) => void;
let onUnauthorized: UnauthorizedHandler | null = null;

/** Called with every 401 the API answers (except where the caller handles it): the session is over. */
export function setUnauthorizedHandler(fn: UnauthorizedHandler | null): void {
  onUnauthorized = fn;
}

/** Typically a sign-in page from the access proxy after the session ran out. */
const NOT_THE_API = 'Unexpected response from the server; your session may have expired. Reload the page.';

const isJson = (res: Response) => (res.headers.get('Content-Type') ?? '').includes('application/json');

function retryAfterSeconds(res: Response): number | null {
  const v = res.headers.get('Retry-After');
  if (!v) return null;
  if (/^\d+$/.test(v.trim())) return Number(v.trim());
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, Math.round((at - Date.now()) / 1000));
}

/** The error a refused request answers with. */
async function failureOf(res: Response): Promise<RequestError> {
  if (!isJson(res)) return new RequestError(res.status, 'unexpected_response', res.redirected ? NOT_THE_API : `Request failed (HTTP ${res.status}).`);
  let body: unknown;
  try {
    body = (await res.json()) as unknown;
  } catch {
    return new RequestError(res.status, 'unexpected_response', `Unreadable answer from the server (HTTP ${res.status}).`);
  }
  const err = (body as { error?: { code?: string; message?: string; requestId?: string } } | null)?.error;
  return new RequestError(res.status, err?.code ?? `http_${res.status}`, err?.message ?? `Request failed (HTTP ${res.status}).`, {
    requestId: err?.requestId,
    details: issueLines(body),
    body,
    retryAfter: retryAfterSeconds(res),
  });
}

export async function request<T>(path: string, init: RequestInit = {}, opts: RequestOptions = {}): Promise<T> {
  const accept = opts.read === 'bytes' ? '*/*' : 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { ...init, credentials: 'same-origin', headers: { Accept: accept, ...init.headers } });
  } catch {
    throw new RequestError(0, 'network', 'Could not reach the server.');
  }
  if (!res.ok) {
    const failure = await failureOf(res);
    if (res.status === 401 && !opts.own401) onUnauthorized?.(failure);
    throw failure;
  }
  if (res.status === 204) return undefined as T;
  if (opts.read === 'bytes') return (await res.arrayBuffer()) as T;
  if (!isJson(res)) throw new RequestError(res.status, 'unexpected_response', NOT_THE_API);
  try {
    return (await res.json()) as T;
  } catch {
    throw new RequestError(res.status, 'unexpected_response', `Unreadable answer from the server (HTTP ${res.status}).`);
  }
}

/** A JSON body (as every state-changing route expects) with `method`. */
export function sendJson<T>(method: 'POST' | 'PATCH' | 'PUT', path: string, body: unknown, opts: RequestOptions = {}): Promise<T> {
  return request(path, { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }, opts);
}
