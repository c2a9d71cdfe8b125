// Shared reply drafts (GET/PUT/DELETE /api/cases/:id/draft, GET /api/cases/:id/drafting): each agent's
// unsent reply or note on a case, kept on the server so it follows them to another device. The text
// is the writer's alone; others only learn that someone is drafting.
import { z } from 'zod';

export const DRAFT_BODY_MAX = 100_000;

export interface DraftView {
  caseId: string;
  mode: 'reply' | 'note';
  body: string;
  cc: string[];
  /** The newest customer message the draft was written against. */
  baseMessageId: string | null;
  /** Send this back with the next save: a save naming an older one is refused. */
  version: number;
  updatedAt: number;
}

/** Someone else with an unsent draft on the case: who and what kind, never the text. */
export interface DrafterView {
  agentId: string;
  name: string;
  mode: 'reply' | 'note';
  updatedAt: number;
}

export const saveDraftBody = z.strictObject({
  mode: z.enum(['reply', 'note'], { message: 'mode must be "reply" or "note"' }),
  body: z.string().max(DRAFT_BODY_MAX, `body may have at most ${DRAFT_BODY_MAX} characters`),
  cc: z.array(z.string().trim().max(320, 'a cc address may have at most 320 characters')).max(20, 'at most 20 cc addresses').default([]),
  baseMessageId: z.string().min(1, 'baseMessageId must not be empty').max(100).nullable(),
  /** The version last read or saved; left out to create the draft. */
  version: z.number().int().min(1, 'version starts at 1').optional(),
});
export type SaveDraftBody = z.infer<typeof saveDraftBody>;
export type SaveDraftRequest = z.input<typeof saveDraftBody>;
