// Tags, snooze and bulk actions: the requests of working the queue.
import type { BulkBody, BulkResult, CaseSummary, TagCount } from '../../../worker/protocol/api.ts';
import { request, sendJson } from './request.ts';

const enc = encodeURIComponent;

export async function listTags(q?: string): Promise<TagCount[]> {
  const qs = q ? `?${new URLSearchParams({ q })}` : '';
  return (await request<{ items: TagCount[] }>(`/api/tags${qs}`)).items;
}

export function changeTags(caseId: string, tags: { add?: string[]; remove?: string[] }): Promise<CaseSummary> {
  return sendJson('PATCH', `/api/cases/${enc(caseId)}`, { tags });
}

/** Snoozes until a time, or until the customer writes (`until: null`); `null` wakes the case. */
export function snoozeCase(caseId: string, snooze: { until: number | null } | null): Promise<CaseSummary> {
  return sendJson('PATCH', `/api/cases/${enc(caseId)}`, { snooze });
}

export function bulkChange(body: BulkBody): Promise<BulkResult> {
  return sendJson('POST', '/api/cases/bulk', body);
}

export function updateTag(id: string, body: { name?: string; color?: string }): Promise<TagCount> {
  return sendJson('PATCH', `/api/admin/tags/${enc(id)}`, body);
}

export function mergeTag(id: string, into: string): Promise<TagCount> {
  return sendJson('POST', `/api/admin/tags/${enc(id)}/merge`, { into });
}

export function deleteTag(id: string): Promise<void> {
  return request(`/api/admin/tags/${enc(id)}`, { method: 'DELETE' });
}
