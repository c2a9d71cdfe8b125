// /api/admin/teams: teams, their assign mode and members (admins).
import type { AssignMode, TeamView } from '../../../worker/protocol/teams.ts';
import { request, sendJson } from './request.ts';

const enc = encodeURIComponent;

export async function listTeams(): Promise<TeamView[]> {
  return (await request<{ teams: TeamView[] }>('/api/admin/teams')).teams;
}

export function createTeam(name: string, assignMode: AssignMode): Promise<TeamView> {
  return sendJson('POST', '/api/admin/teams', { name, assignMode });
}

export function updateTeam(id: string, body: { name?: string; assignMode?: AssignMode }): Promise<TeamView> {
  return sendJson('PATCH', `/api/admin/teams/${enc(id)}`, body);
}

export function setTeamMembers(id: string, agentIds: string[]): Promise<TeamView> {
  return sendJson('PUT', `/api/admin/teams/${enc(id)}/members`, { agentIds });
}

export function deleteTeam(id: string): Promise<void> {
  return request(`/api/admin/teams/${enc(id)}`, { method: 'DELETE' });
}
