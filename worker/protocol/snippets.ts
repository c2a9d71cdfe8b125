// Canned replies (GET/POST /api/snippets, PATCH/DELETE /api/snippets/:id, POST /api/snippets/:id/render):
// an agent's own and the workspace's shared ones, with the placeholders a snippet may use.
import { z } from 'zod';

/** What a snippet may say; anything else between {{ }} is refused when it is saved. */
export const SNIPPET_PLACEHOLDERS = ['customer.first_name', 'customer.name', 'customer.email', 'case.number', 'case.subject', 'agent.name', 'agent.first_name', 'mailbox.name'] as const;
export type SnippetPlaceholder = (typeof SNIPPET_PLACEHOLDERS)[number];

export const SNIPPET_NAME_MAX = 100;
export const SNIPPET_BODY_MAX = 20_000;
export const SNIPPET_SHORTCUT = /^[a-z0-9-]{1,32}$/;

export interface SnippetView {
  id: string;
  name: string;
  shortcut: string | null;
  body: string;
  /** True for one shared with the workspace (only admins change those). */
  shared: boolean;
  /** Whether the agent asking may change or delete it. */
  editable: boolean;
  updatedAt: number;
}

const name = z.string().trim().min(1, 'name must not be empty').max(SNIPPET_NAME_MAX, `name may have at most ${SNIPPET_NAME_MAX} characters`);
const shortcut = z
  .string()
  .trim()
  .transform((s) => (s.startsWith(';') ? s.slice(1) : s))
  .pipe(z.string().regex(SNIPPET_SHORTCUT, 'shortcut must be 1 to 32 lower-case letters, digits or hyphens'))
  .nullable();
const body = z.string().min(1, 'body must not be empty').max(SNIPPET_BODY_MAX, `body may have at most ${SNIPPET_BODY_MAX} characters`);

export const createSnippetBody = z.strictObject({ name, shortcut: shortcut.optional(), body, shared: z.boolean().optional() });
export type CreateSnippetBody = z.infer<typeof createSnippetBody>;

export const updateSnippetBody = z.strictObject({ name: name.optional(), shortcut: shortcut.optional(), body: body.optional() });
export type UpdateSnippetBody = z.infer<typeof updateSnippetBody>;

export const renderSnippetBody = z.strictObject({
  caseId: z.string().min(1, 'caseId is required').max(100),
  /** `html` when the composer writes HTML: the values are escaped then. */
  mode: z.enum(['text', 'html'], 'mode must be text or html').optional(),
});
export type RenderSnippetBody = z.infer<typeof renderSnippetBody>;

export interface RenderedSnippet {
  text: string;
  /** Placeholders with no value for this case; they were left empty. */
  missing: string[];
}
