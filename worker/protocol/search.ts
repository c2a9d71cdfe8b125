// The search API: GET /api/search?q=… answers case summaries with the text that matched, marked.
import { z } from 'zod';
import type { CaseSummary } from './api.ts';

export const searchQuery = z.object({
  /** A query in the language of worker/search/query.ts; the parser bounds its length. */
  q: z.string().default(''),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(200).optional(),
});
export type SearchQuery = z.infer<typeof searchQuery>;

/**
 * Text with the stretches that matched, as [start, end) offsets in UTF-16 units. The text is the
 * user's, never HTML: the web app renders the marks as elements around text nodes.
 */
export interface Marked {
  text: string;
  marks: Array<[number, number]>;
}

export type SnippetField = 'body' | 'notes' | 'people' | 'files';

export interface Snippet extends Marked {
  field: SnippetField;
  /** Whether the text was cut before / after the excerpt (the app shows an ellipsis). */
  cutBefore: boolean;
  cutAfter: boolean;
}

export interface SearchHit {
  case: CaseSummary;
  subject: Marked;
  /** Where the words matched outside the subject; null when only the subject or the filters did. */
  snippet: Snippet | null;
}

export interface SearchPage {
  items: SearchHit[];
  nextCursor: string | null;
}
