// Cases: the lists, one case, changing it, and what agents write on it (replies and notes carry the
// seq the agent has seen; the collision guard's 409 becomes a CollisionError). The SLA report.
import type { CaseDetail, CaseSummary, CollisionView, ListCasesQuery, MessageView, NoteRequest, Page, ReplyRequest, SlaReport, UpdateCaseBody } from '../../../worker/protocol/api.ts';
import { CollisionError, RequestError } from './errors.ts';
import { request, sendJson } from './request.ts';
export type { NoteRequest, ReplyRequest };

/** A status group, or `view:<id>` for a view of GET /api/views (its query and sort are the server's). */
export type ListView = ListCasesQuery['status'] | `view:${string}`;

const enc = encodeURIComponent;

export function listCases(status: ListView, limit: number, cursor?: string): Promise<Page<CaseSummary>> {
  const q = new URLSearchParams(status.startsWith('view:') ? { view: status.slice('view:'.length), limit: String(limit) } : { status, limit: String(limit) });
  if (cursor) q.set('cursor', cursor);
  return request(`/api/cases?${q}`);
}

export function getCase(id: string): Promise<CaseDetail> {
  return request(`/api/cases/${enc(id)}`);
}

export function updateCase(id: string, body: UpdateCaseBody): Promise<CaseSummary> {
  return sendJson('PATCH', `/api/cases/${enc(id)}`, body);
}

/** The SLA report for a range of UTC dates (YYYY-MM-DD, both included); default: the last 30 days. */
export function getSlaReport(range: { from?: string; to?: string } = {}): Promise<SlaReport> {
  const q = new URLSearchParams();
  if (range.from) q.set('from', range.from);
  if (range.to) q.set('to', range.to);
  const qs = q.toString();
  return request(`/api/reports/sla${qs ? `?${qs}` : ''}`);
}

async function postGuarded(path: string, body: unknown): Promise<MessageView> {
  try {
    return await sendJson<MessageView>('POST', path, body);
  } catch (err) {
    if (err instanceof RequestError && err.status === 409 && err.code === 'conflict' && typeof err.body === 'object' && err.body !== null && 'newMessages' in err.body) {
      throw new CollisionError(err.message, err.body as CollisionView);
    }
    throw err;
  }
}

export function sendReply(caseId: string, body: ReplyRequest): Promise<MessageView> {
  return postGuarded(`/api/cases/${enc(caseId)}/replies`, body);
}

export function addNote(caseId: string, body: NoteRequest): Promise<MessageView> {
  return postGuarded(`/api/cases/${enc(caseId)}/notes`, body);
}

export function forwardCase(caseId: string, body: { to: string; text: string }): Promise<MessageView> {
  return sendJson('POST', `/api/cases/${enc(caseId)}/forward`, body);
}
