// Assignment, a case's history and the views of the list: GET /api/teams, PATCH a case's
// { assignee }, GET /api/cases/:id/history, GET /api/views.
import type { CaseSummary } from '../../../worker/protocol/api.ts';
import type { CaseHistory } from '../../../worker/protocol/history.ts';
import type { Assignables } from '../../../worker/protocol/teams.ts';
import type { ViewInfo, ViewSort } from '../../../worker/protocol/views.ts';
import { request, sendJson } from './request.ts';

const enc = encodeURIComponent;

export function getAssignables(): Promise<Assignables> {
  return request('/api/teams');
}

/** agentId 'auto' with a team: the team's mode picks (or keeps it in the team's queue). */
export function assignCase(caseId: string, assignee: { agentId: string | null; teamId: string | null }): Promise<CaseSummary> {
  return sendJson('PATCH', `/api/cases/${enc(caseId)}`, { assignee });
}

export function getHistory(caseId: string): Promise<CaseHistory> {
  return request(`/api/cases/${enc(caseId)}/history`);
}

export async function getViews(): Promise<ViewInfo[]> {
  return (await request<{ views: ViewInfo[] }>('/api/views')).views;
}

export function createView(body: { name: string; query: string; sort: ViewSort; shared: boolean }): Promise<{ id: string }> {
  return sendJson('POST', '/api/views', body);
}

export function deleteView(id: string): Promise<void> {
  return request(`/api/views/${enc(id)}`, { method: 'DELETE' });
}
