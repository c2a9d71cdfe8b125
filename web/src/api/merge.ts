// Merge and split: the customer's cases for the dialog, and the two actions.
import type { MergeCandidate, MergeResult, SplitResult } from '../../../worker/protocol/merge.ts';
import { request, sendJson } from './request.ts';

const enc = encodeURIComponent;

export function mergeCandidates(caseId: string): Promise<{ items: MergeCandidate[] }> {
  return request(`/api/cases/${enc(caseId)}/merge-candidates`);
}

export function mergeCases(survivorId: string, absorb: string[]): Promise<MergeResult> {
  return sendJson('POST', `/api/cases/${enc(survivorId)}/merge`, { absorb });
}

export function splitCase(caseId: string, messageId: string): Promise<SplitResult> {
  return sendJson('POST', `/api/cases/${enc(caseId)}/split`, { messageId });
}
