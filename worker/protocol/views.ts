// Views of the case list: the built-in ones and saved ones have one shape (a query in the search
// language and a sort). A personal view is its owner's; a shared one (no owner) is edited by admins.
import { z } from 'zod';
import { MAX_QUERY_LENGTH } from './constants.ts';

export const VIEW_SORTS = ['due', 'activity', 'created'] as const;
export type ViewSort = (typeof VIEW_SORTS)[number];

export interface ViewInfo {
  /** `builtin:<name>` for the built-in views, the row's id for saved ones. */
  id: string;
  name: string;
  query: string;
  sort: ViewSort;
  kind: 'builtin' | 'personal' | 'shared';
  /** How many cases the view holds now. */
  count: number;
}

export const viewBody = z
  .object({
    name: z.string().trim().min(1, 'a view needs a name').max(60, 'a view name has at most 60 characters'),
    query: z.string().max(MAX_QUERY_LENGTH),
    sort: z.enum(VIEW_SORTS).default('activity'),
    /** Shared with the whole workspace (admins only); personal otherwise. */
    shared: z.boolean().default(false),
  })
  .strict();
export type ViewBody = z.input<typeof viewBody>;

export const updateViewBody = z
  .object({
    name: viewBody.shape.name.optional(),
    query: viewBody.shape.query.optional(),
    sort: z.enum(VIEW_SORTS).optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' });
