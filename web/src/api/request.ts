// The HTTP API, same origin only. Errors become RequestError with the server's code and message.
import type { SessionInfo, SignInRequest } from '../../../worker/protocol/session.ts';
import type {
  ApiError,
  CaseDetail,
  CaseSummary,
  CollisionView,
  DeliveryView,
  InboundListStatus,
  InboundView,
  ListCasesQuery,
  MailboxRef,
  MessageView,
  NoteRequest,
  OutboxKind,
  Page,
  ReplyRequest,
  SlaReport,
  UpdateCaseBody,
} from '../../../worker/protocol/api.ts';
export type { NoteRequest, ReplyRequest };

export type ListView = ListCasesQuery['status'];

export class RequestError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | undefined;
  /** What a validation failure found wrong, one line per problem. */
  readonly details: string[];
  /** The whole error body, for answers that carry more than the error (the collision guard's 409). */
  readonly body: unknown;
  /** Seconds from a Retry-After header, when the server sent one. */
  readonly retryAfter: number | null;
  constructor(status: number, code: string, message: string, extra: { requestId?: string; details?: string[]; body?: unknown; retryAfter?: number | null } = {}) {
    super(message);
    this.name = 'RequestError';
    this.status = status;
    this.code = code;
    this.requestId = extra.requestId;
    this.details = extra.details ?? [];
    this.body = extra.body;
    this.retryAfter = extra.retryAfter ?? null;
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof RequestError) {
    const text = err.details.length > 0 ? `${err.message}: ${err.details.join('; ')}` : err.message;
    return err.requestId ? `${text} (request ${err.requestId})` : text;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Validation issues (zod's shape: { path, message }) as short lines; anything else is ignored. */
function issueLines(issues: unknown): string[] {
  if (!Array.isArray(issues)) return [];
  const out: string[] = [];
  for (const issue of issues.slice(0, 5)) {
    if (typeof issue !== 'object' || issue === null) continue;
    const { path, message } = issue as { path?: unknown; message?: unknown };
    if (typeof message !== 'string') continue;
    const where = Array.isArray(path) ? path.filter((p) => typeof p === 'string' || typeof p === 'number').join('.') : '';
    out.push(where ? `${where}: ${message}` : message);
  }
  return out;
}

function retryAfterSeconds(res: Response): number | null {
  const v = res.headers.get('Retry-After');
  if (!v) return null;
  if (/^\d+$/.test(v.trim())) return Number(v.trim());
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, Math.round((at - Date.now()) / 1000));
}

type UnauthorizedHandler = (err: RequestError) => void;
let onUnauthorized: UnauthorizedHandler | null = null;

/** Called with every 401 the API answers (except a failed sign-in): the session is over. */
export function setUnauthorizedHandler(fn: UnauthorizedHandler | null): void {
  onUnauthorized = fn;
}

async function request<T>(path: string, init: RequestInit = {}, opts: { quiet401?: boolean } = {}): Promise<T> {
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
  let body: unknown;
  try {
    body = (await res.json()) as unknown;
  } catch {
    throw new RequestError(res.status, 'unexpected_response', `Unreadable answer from the server (HTTP ${res.status}).`);
  }
  if (!res.ok) {
    const err = (body as Partial<ApiError> | null)?.error;
    const failure = new RequestError(res.status, err?.code ?? `http_${res.status}`, err?.message ?? `Request failed (HTTP ${res.status}).`, {
      requestId: err?.requestId,
      details: issueLines(err?.issues),
      body,
      retryAfter: retryAfterSeconds(res),
    });
    if (res.status === 401 && !opts.quiet401) onUnauthorized?.(failure);
    throw failure;
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

/** The SLA report for a range of UTC dates (YYYY-MM-DD, both included); default: the last 30 days. */
export function getSlaReport(range: { from?: string; to?: string } = {}): Promise<SlaReport> {
  const q = new URLSearchParams();
  if (range.from) q.set('from', range.from);
  if (range.to) q.set('to', range.to);
  const qs = q.toString();
  return request(`/api/reports/sla${qs ? `?${qs}` : ''}`);
}

/** The exception log's filters; empty ones are left out of the query. */
export interface InboundFilters {
  status: InboundListStatus;
  /** Reason codes, any of which matches. */
  reasons?: readonly string[];
  /** A mailbox id. */
  mailbox?: string;
  sender?: string;
  /** UTC days, YYYY-MM-DD, both included. */
  from?: string;
  to?: string;
}

export function listInbound(filters: InboundFilters, limit = 50, cursor?: string): Promise<Page<InboundView>> {
  const q = new URLSearchParams({ status: filters.status, limit: String(limit) });
  if (filters.reasons?.length) q.set('reason', filters.reasons.join(','));
  if (filters.mailbox) q.set('mailbox', filters.mailbox);
  if (filters.sender?.trim()) q.set('sender', filters.sender.trim());
  if (filters.from) q.set('from', filters.from);
  if (filters.to) q.set('to', filters.to);
  if (cursor) q.set('cursor', cursor);
  return request(`/api/inbound?${q}`);
}

/** The workspace's mailboxes, for filters. */
export function listMailboxes(): Promise<{ items: MailboxRef[] }> {
  return request('/api/mailboxes');
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

/** Runs a failed or unreadable message through the pipeline again; answers the row as it came out. */
export function reprocessInbound(id: string): Promise<InboundView> {
  return postJson(`/api/inbound/${encodeURIComponent(id)}/reprocess`, {});
}

export function rawInboundUrl(id: string): string {
  return `/api/inbound/${encodeURIComponent(id)}/raw`;
}

// Session

/** Who is signed in; a 401 here is "nobody", which the caller handles (no global handler). */
export function getSession(): Promise<SessionInfo> {
  return request('/api/session', {}, { quiet401: true });
}

export function signIn(body: SignInRequest): Promise<SessionInfo> {
  return request('/api/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }, { quiet401: true });
}

export async function signOut(): Promise<void> {
  let res: Response;
  try {
    res = await fetch('/api/session', { method: 'DELETE', credentials: 'same-origin', headers: { Accept: 'application/json' } });
  } catch {
    throw new RequestError(0, 'network', 'Could not reach the server.');
  }
  if (!res.ok && res.status !== 401) throw new RequestError(res.status, `http_${res.status}`, `Signing out failed (HTTP ${res.status}).`);
}

// What agents write

/** The collision guard refused: something arrived since `seenSeq`. */
export class CollisionError extends Error {
  readonly newMessages: MessageView[];
  readonly lastSeq: number;
  constructor(message: string, view: CollisionView) {
    super(message);
    this.name = 'CollisionError';
    this.newMessages = Array.isArray(view.newMessages) ? view.newMessages : [];
    this.lastSeq = typeof view.lastSeq === 'number' ? view.lastSeq : 0;
  }
}

async function postGuarded(path: string, body: unknown): Promise<MessageView> {
  try {
    return await postJson<MessageView>(path, body);
  } catch (err) {
    if (err instanceof RequestError && err.status === 409 && err.code === 'conflict' && typeof err.body === 'object' && err.body !== null && 'newMessages' in err.body) {
      throw new CollisionError(err.message, err.body as CollisionView);
    }
    throw err;
  }
}

export function sendReply(caseId: string, body: ReplyRequest): Promise<MessageView> {
  return postGuarded(`/api/cases/${encodeURIComponent(caseId)}/replies`, body);
}

export function addNote(caseId: string, body: NoteRequest): Promise<MessageView> {
  return postGuarded(`/api/cases/${encodeURIComponent(caseId)}/notes`, body);
}

export function forwardCase(caseId: string, body: { to: string; text: string }): Promise<MessageView> {
  return postJson(`/api/cases/${encodeURIComponent(caseId)}/forward`, body);
}

// Local development only (AUTH_MODE=open)

export interface OutboxItem {
  id: string;
  kind: OutboxKind;
  caseId: string | null;
  messageId: string | null;
  from: string;
  subject: string;
  createdAt: number;
  rawUrl: string;
  recipients: DeliveryView[];
}

export function listOutbox(): Promise<{ items: OutboxItem[] }> {
  return request('/api/dev/outbox');
}
