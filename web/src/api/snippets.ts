// Canned replies: the snippets the agent sees, writing them, and filling one for a case.
import type { CreateSnippetBody, RenderedSnippet, SnippetView, UpdateSnippetBody } from '../../../worker/protocol/snippets.ts';
import { request, sendJson } from './request.ts';

const enc = encodeURIComponent;

export async function listSnippets(): Promise<SnippetView[]> {
  return (await request<{ items: SnippetView[] }>('/api/snippets')).items;
}

export function createSnippet(body: CreateSnippetBody): Promise<SnippetView> {
  return sendJson('POST', '/api/snippets', body);
}

export function updateSnippet(id: string, body: UpdateSnippetBody): Promise<SnippetView> {
  return sendJson('PATCH', `/api/snippets/${enc(id)}`, body);
}

export function deleteSnippet(id: string): Promise<void> {
  return request(`/api/snippets/${enc(id)}`, { method: 'DELETE' });
}

/** The snippet's text with the case's and the agent's values (plain text, as the composer writes). */
export function renderSnippet(id: string, caseId: string): Promise<RenderedSnippet> {
  return sendJson('POST', `/api/snippets/${enc(id)}/render`, { caseId, mode: 'text' });
}
