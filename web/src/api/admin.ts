// The administration API (/api/admin/*) for the admin pages. Errors are client.ts's RequestError; a
// refused change also carries its problems per field (`fieldErrors`), for messages next to inputs.
import type {
  AckPreview,
  AckTemplateBody,
  AckTemplateKind,
  AgentAdminView,
  AuditEntity,
  AuditEntry,
  DeactivateResult,
  ImportCount,
  ImportSummary,
  MailboxOptions,
  MailboxSettings,
  SetupStatus,
  TestMessageResult,
} from '../../../worker/protocol/admin.ts';
import type { ApiError } from '../../../worker/protocol/api.ts';
import { RequestError } from './request.ts';
import { loadSession } from '../stores/session.ts';

/** Messages per field path (`catchAllAddress`, `ackCreateTemplate.text`, '' for the whole body). */
export type FieldErrors = Record<string, string[]>;

export function fieldErrors(err: unknown): FieldErrors {
  const out: FieldErrors = {};
  if (!(err instanceof RequestError) || err.status !== 400) return out;
  const issues = (err.body as Partial<ApiError> | null)?.error?.issues;
  if (!Array.isArray(issues)) return out;
  for (const i of issues) {
    if (typeof i !== 'object' || i === null) continue;
    const { path, message } = i as { path?: unknown; message?: unknown };
    if (typeof message !== 'string') continue;
    const key = Array.isArray(path) ? path.filter((p) => typeof p === 'string' || typeof p === 'number').join('.') : '';
    (out[key] ??= []).push(message);
  }
  return out;
}

async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { ...init, credentials: 'same-origin', headers: { Accept: 'application/json', ...init.headers } });
  } catch {
    throw new RequestError(0, 'network', 'Could not reach the server.');
  }
  let body: unknown = null;
  if ((res.headers.get('Content-Type') ?? '').includes('application/json')) {
    try {
      body = (await res.json()) as unknown;
    } catch {
      body = null;
    }
  } else if (res.ok) {
    throw new RequestError(res.status, 'unexpected_response', 'Unexpected response from the server; your session may have expired. Reload the page.');
  }
  if (!res.ok) {
    const err = (body as Partial<ApiError> | null)?.error;
    const failure = new RequestError(res.status, err?.code ?? `http_${res.status}`, err?.message ?? `Request failed (HTTP ${res.status}).`, { requestId: err?.requestId, body });
    // The session ended: session.ts finds out and shows the sign-in page.
    if (res.status === 401) void loadSession();
    throw failure;
  }
  return body as T;
}

function withJson<T>(method: string, path: string, body: unknown): Promise<T> {
  return request(path, { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

const enc = encodeURIComponent;

// Mailboxes

export function listMailboxes(): Promise<{ items: MailboxSettings[]; options: MailboxOptions }> {
  return request('/api/admin/mailboxes');
}

export function createMailbox(body: Record<string, unknown>): Promise<MailboxSettings> {
  return withJson('POST', '/api/admin/mailboxes', body);
}

export function updateMailbox(id: string, body: Record<string, unknown>): Promise<MailboxSettings> {
  return withJson('PATCH', `/api/admin/mailboxes/${enc(id)}`, body);
}

/** `template` undefined: the saved one; null: the default wording. */
export function previewAck(id: string, kind: AckTemplateKind, template: AckTemplateBody | null | undefined): Promise<AckPreview> {
  return withJson('POST', `/api/admin/mailboxes/${enc(id)}/ack-preview`, template === undefined ? { kind } : { kind, template });
}

// Agents

export function listAgents(): Promise<{ items: AgentAdminView[] }> {
  return request('/api/admin/agents');
}

export function inviteAgent(body: { email: string; name: string; role: string; team: string | null }): Promise<AgentAdminView> {
  return withJson('POST', '/api/admin/agents', body);
}

export function updateAgent(id: string, body: Record<string, unknown>): Promise<AgentAdminView> {
  return withJson('PATCH', `/api/admin/agents/${enc(id)}`, body);
}

export function deactivateAgent(id: string, reassignTo: string | null): Promise<DeactivateResult> {
  return withJson('POST', `/api/admin/agents/${enc(id)}/deactivate`, { reassignTo });
}

export function reactivateAgent(id: string): Promise<AgentAdminView> {
  return withJson('POST', `/api/admin/agents/${enc(id)}/reactivate`, {});
}

export function setAgentPassword(id: string, password: string): Promise<AgentAdminView> {
  return withJson('PUT', `/api/admin/agents/${enc(id)}/password`, { password });
}

// Audit

export function listAudit(q: { entity?: AuditEntity; cursor?: string | null; limit?: number }): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
  const params = new URLSearchParams({ limit: String(q.limit ?? 50) });
  if (q.entity) params.set('entity', q.entity);
  if (q.cursor) params.set('cursor', q.cursor);
  return request(`/api/admin/audit?${params}`);
}

// Setup

export function getSetup(): Promise<SetupStatus> {
  return request('/api/admin/setup');
}

export function sendTestMessage(mailboxId: string): Promise<TestMessageResult> {
  return withJson('POST', '/api/admin/setup/test-message', { mailboxId });
}

// Importing old mail

function uploadTo(path: string, file: Blob): Promise<unknown> {
  // Sent as it is: the server splits an mbox archive (a single message is an archive of one).
  return request(path, { method: 'POST', headers: { 'Content-Type': 'application/mbox' }, body: file });
}

/** Counts the messages of an uploaded archive, importing nothing. */
export function countImport(mailbox: string, batch: string, file: Blob): Promise<ImportCount> {
  return uploadTo(`/api/admin/import?${new URLSearchParams({ mailbox, batch, dryRun: 'true' })}`, file) as Promise<ImportCount>;
}

/** Imports every message of an uploaded archive as closed history, and says what came of them. */
export function importUpload(mailbox: string, batch: string, file: Blob): Promise<ImportSummary> {
  return uploadTo(`/api/admin/import?${new URLSearchParams({ mailbox, batch })}`, file) as Promise<ImportSummary>;
}
