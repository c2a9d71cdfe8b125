// The HTTP API, same origin only. Errors become RequestError with the server's code and message.
import type { ApiError, CaseDetail, CaseSummary, InboundStatus, InboundView, ListCasesQuery, Page, UpdateCaseBody } from '../../worker/protocol/api.ts';

export type ListView = ListCasesQuery['status'];
export type InboundFilter = InboundStatus | 'held' | 'all';

export class RequestError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | undefined;
  constructor(status: number, code: string, message: string, requestId?: string) {
    super(message);
    this.name = 'RequestError';
    this.status = status;
    this.code = code;
    this.requestId = requestId;
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof RequestError) return err.requestId ? `${err.message} (request ${err.requestId})` : err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { ...init, credentials: 'same-origin', headers: { Accept: 'application/json', ...init.headers } });
  } catch {
    throw new RequestError(0, 'network', 'Could not reach the server.');
  }
  const isJson = (res.headers.get('Content-Type') ?? '').includes('application/json');
  if (!isJson) {
    // Typically a sign-in page from the access proxy after the session ran out.
    const message = res.ok || res.redirected ? 'Unexpected response from the server; your session may have expired. Reload the page.' : `Request failed (HTTP ${res.status}).`;
    throw new RequestError(res.status, 'unexpected_response', message);
  }
  const body = (await res.json()) as unknown;
  if (!res.ok) {
    const err = (body as Partial<ApiError> | null)?.error;
    throw new RequestError(res.status, err?.code ?? `http_${res.status}`, err?.message ?? `Request failed (HTTP ${res.status}).`, err?.requestId);
  }
  return body as T;
}

export function listCases(status: ListView, limit: number, cursor?: string): Promise<Page<CaseSummary>> {
  const q = new URLSearchParams({ status, limit: String(limit) });
  if (cursor) q.set('cursor', cursor);
  return request(`/api/cases?${q}`);
}

export function getCase(id: string): Promise<CaseDetail> {
  return request(`/api/cases/${encodeURIComponent(id)}`);
}

export function updateCase(id: string, body: UpdateCaseBody): Promise<CaseSummary> {
  return request(`/api/cases/${encodeURIComponent(id)}`, {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export function listInbound(status: InboundFilter, limit = 50, cursor?: string): Promise<Page<InboundView>> {
  const q = new URLSearchParams({ status, limit: String(limit) });
  if (cursor) q.set('cursor', cursor);
  return request(`/api/inbound?${q}`);
}

/** POST with a JSON body, as every state-changing route expects. */
function postJson<T>(path: string, body: unknown): Promise<T> {
  return request(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export interface ReleaseResult {
  caseId: string;
  messageId: string;
}

/** Releases held mail into the case it pointed at, the given case, or a new case. */
export function releaseInbound(id: string, caseId?: string): Promise<ReleaseResult> {
  return postJson(`/api/inbound/${encodeURIComponent(id)}/release`, caseId ? { caseId } : {});
}

export function discardInbound(id: string): Promise<{ ok: true }> {
  return postJson(`/api/inbound/${encodeURIComponent(id)}/discard`, {});
}

export function rawInboundUrl(id: string): string {
  return `/api/inbound/${encodeURIComponent(id)}/raw`;
}
