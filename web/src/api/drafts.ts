// The agent's own draft on a case, kept on the server (so it follows them to another device), and
// who else is drafting there.
import type { DrafterView, DraftView, SaveDraftRequest } from '../../../worker/protocol/drafts.ts';
import { request, sendJson } from './request.ts';

const enc = encodeURIComponent;

export async function getDraft(caseId: string): Promise<DraftView | null> {
  return (await request<{ draft: DraftView | null }>(`/api/cases/${enc(caseId)}/draft`)).draft;
}

export async function saveDraft(caseId: string, body: SaveDraftRequest): Promise<DraftView> {
  return (await sendJson<{ draft: DraftView }>('PUT', `/api/cases/${enc(caseId)}/draft`, body)).draft;
}

export function deleteDraft(caseId: string): Promise<void> {
  return request(`/api/cases/${enc(caseId)}/draft`, { method: 'DELETE' });
}

export async function listDrafters(caseId: string): Promise<DrafterView[]> {
  return (await request<{ items: DrafterView[] }>(`/api/cases/${enc(caseId)}/drafting`)).items;
}
