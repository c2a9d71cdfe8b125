// The administration API (/api/admin/*) for the admin pages, through the one request(): the same
// errors (a refused change carries its problems per field, see fieldErrors) and the same 401 rule.
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
import { request, sendJson } from './request.ts';

const enc = encodeURIComponent;

// Mailboxes

export function listMailboxes(): Promise<{ items: MailboxSettings[]; options: MailboxOptions }> {
  return request('/api/admin/mailboxes');
}

export function createMailbox(body: Record<string, unknown>): Promise<MailboxSettings> {
  return sendJson('POST', '/api/admin/mailboxes', body);
}

export function updateMailbox(id: string, body: Record<string, unknown>): Promise<MailboxSettings> {
  return sendJson('PATCH', `/api/admin/mailboxes/${enc(id)}`, body);
}

/** `template` undefined: the saved one; null: the default wording. */
export function previewAck(id: string, kind: AckTemplateKind, template: AckTemplateBody | null | undefined): Promise<AckPreview> {
  return sendJson('POST', `/api/admin/mailboxes/${enc(id)}/ack-preview`, template === undefined ? { kind } : { kind, template });
}

// Agents

export function listAgents(): Promise<{ items: AgentAdminView[] }> {
  return request('/api/admin/agents');
}

export function inviteAgent(body: { email: string; name: string; role: string; team: string | null }): Promise<AgentAdminView> {
  return sendJson('POST', '/api/admin/agents', body);
}

export function updateAgent(id: string, body: Record<string, unknown>): Promise<AgentAdminView> {
  return sendJson('PATCH', `/api/admin/agents/${enc(id)}`, body);
}

export function deactivateAgent(id: string, reassignTo: string | null): Promise<DeactivateResult> {
  return sendJson('POST', `/api/admin/agents/${enc(id)}/deactivate`, { reassignTo });
}

export function reactivateAgent(id: string): Promise<AgentAdminView> {
  return sendJson('POST', `/api/admin/agents/${enc(id)}/reactivate`, {});
}

export function setAgentPassword(id: string, password: string): Promise<AgentAdminView> {
  return sendJson('PUT', `/api/admin/agents/${enc(id)}/password`, { password });
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
  return sendJson('POST', '/api/admin/setup/test-message', { mailboxId });
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
