// Tags, snooze and bulk actions: the request schemas and shapes of working the queue, for the Worker
// and the web app. Ranges live here; rules that need the case (a closed case cannot be snoozed) are
// the planners' (worker/cases/).
import { z } from 'zod';
import { CASE_PRIORITIES, CASE_STATUSES } from './constants.ts';

export const TAG_NAME_MAX = 40;
/** How far ahead a snooze may reach. */
export const SNOOZE_MAX_MS = 366 * 24 * 60 * 60 * 1000;
export const BULK_MAX_CASES = 500;

// C0, DEL and C1 controls, and the line and paragraph separators: a tag is one line of text.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** A tag's name as an agent types it: trimmed, 1–40 characters, one line. Unique per workspace regardless of case. */
export const tagName = z
  .string()
  .trim()
  .min(1, 'a tag needs a name')
  .max(TAG_NAME_MAX, `a tag name has at most ${TAG_NAME_MAX} characters`)
  .refine((v) => !CONTROL.test(v), 'a tag name cannot hold control characters');

/** The key two tag names are compared by. */
export function tagKey(name: string): string {
  return name.trim().toLowerCase();
}

export const tagColor = z.string().regex(/^#[0-9a-f]{6}$/i, 'a colour is #rrggbb');

export interface TagView {
  id: string;
  name: string;
  /** #rrggbb */
  color: string;
}

/** A tag with how many cases carry it (GET /api/tags, for autocomplete and the admin page). */
export interface TagCount extends TagView {
  cases: number;
}

/** A case's snooze: until when (null: until the customer writes), and the agent id ('local' in open mode) who snoozed it. */
export interface SnoozeView {
  until: number | null;
  by: string;
}

/** Why a snoozed case woke: its time came, or the customer wrote. */
export type WakeReason = 'time' | 'customer';

export const tagEdit = z
  .object({
    add: z.array(tagName).max(20).default([]),
    remove: z.array(tagName).max(20).default([]),
  })
  .strict()
  .refine((t) => t.add.length + t.remove.length > 0, 'name a tag to add or remove');

/** A snooze: until a time (ms since the epoch), or null for until the customer replies. `null` instead of the object wakes the case. */
export const snoozeEdit = z.object({ until: z.number().int().positive().nullable() }).strict().nullable();

/** What an agent changes on a case (PATCH /api/cases/:id), and what a bulk action changes on each of its cases. */
export const caseEdits = z
  .object({
    status: z.enum(CASE_STATUSES).optional(),
    priority: z.enum(CASE_PRIORITIES).optional(),
    assigneeId: z.string().max(100).nullable().optional(),
    tags: tagEdit.optional(),
    snooze: snoozeEdit.optional(),
  })
  .strict();

export const bulkBody = z
  .object({
    caseIds: z
      .array(z.string().min(1).max(100))
      .min(1, 'choose at least one case')
      .max(BULK_MAX_CASES, `a bulk action takes at most ${BULK_MAX_CASES} cases`)
      .refine((ids) => new Set(ids).size === ids.length, 'a case is named twice'),
    edits: caseEdits.refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' }),
  })
  .strict();
export type BulkBody = z.input<typeof bulkBody>;
export type CaseEditsBody = z.input<typeof caseEdits>;

/** What a case was before a bulk action changed it: the fields the action touched. */
export interface CaseBefore {
  status?: (typeof CASE_STATUSES)[number];
  priority?: (typeof CASE_PRIORITIES)[number];
  assigneeId?: string | null;
  /** The tag names it had. */
  tags?: string[];
  snooze?: { until: number | null } | null;
}

export type BulkOutcome =
  | { caseId: string; ok: true; changed: boolean; before: CaseBefore }
  /** Not found (or of another workspace), or refused (a closed case cannot be snoozed), or its batch failed. */
  | { caseId: string; ok: false; error: { code: string; message: string } };

export interface BulkResult {
  results: BulkOutcome[];
  /** The requests that put the changed cases back as they were (one per group of cases with the same before). */
  undo: BulkBody[];
}

export const tagsQuery = z.object({ q: z.string().trim().max(TAG_NAME_MAX).optional() }).strict();

export const updateTagBody = z
  .object({ name: tagName.optional(), color: tagColor.optional() })
  .strict()
  .refine((b) => b.name !== undefined || b.color !== undefined, 'nothing to change');
export const mergeTagBody = z.object({ into: z.string().min(1).max(100) }).strict();
