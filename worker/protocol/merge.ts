// Merge and split of cases: request bodies and the case view's merge suggestions. No cloudflare:*
// imports: the web app uses these.
import { z } from 'zod';

/** POST /api/cases/:id/merge: the cases to absorb into this one (the survivor). */
export const mergeBody = z
  .object({
    absorb: z.array(z.string().min(1).max(100)).min(1, 'name at least one case to merge into this one').max(20, 'at most 20 cases can be merged at once'),
  })
  .strict();
export type MergeBody = z.infer<typeof mergeBody>;

/** POST /api/cases/:id/split: this message and those after it become a new case. */
export const splitBody = z.object({ messageId: z.string().min(1).max(100) }).strict();
export type SplitBody = z.infer<typeof splitBody>;

export interface MergeResult {
  caseId: string;
  absorbed: Array<{ id: string; number: number }>;
}

export interface SplitResult {
  caseId: string;
  newCase: { id: string; number: number };
  moved: number;
}

/** Why the case view offers a merge: the same sender with a similar subject, or the same mail filed twice (two of our addresses). */
export type SuggestionReason = 'same-sender-subject' | 'same-message';

/** A case as the merge dialog shows it beside the others. */
export interface MergeCandidate {
  id: string;
  number: number;
  subject: string;
  status: string;
  messageCount: number;
  lastMessageAt: number;
}

/** Another case the case view offers to merge with (never merged without an agent). */
export interface MergeSuggestion extends MergeCandidate {
  reason: SuggestionReason;
}

/** What the case view adds for merges: where an absorbed case went, and the cases that look like this one. */
export interface MergeInfo {
  mergedInto: { id: string; number: number } | null;
  suggestions: MergeSuggestion[];
}
