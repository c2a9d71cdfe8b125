// filters: the filter part of a Query (query.ts) as SQL over the main database, for saved views and
// the case list's `q=`. Words and phrases are the search index's (another database), not answered
// here. Every value is bound; names (an agent, a team, a mailbox, a tag) are looked up in the same
// statement by subquery, so a renamed team changes what a view shows without the view being edited.
import { and, asc, desc, eq, inArray, isNotNull, isNull, lt, gte, sql, type SQL } from 'drizzle-orm';
import { agents, attachments, caseTags, cases, mailboxes, messages, tags, teams } from '../db/schema.ts';
import { tagKey } from '../protocol/work.ts';
import type { DateValue, Filter, Query } from './query.ts';
import { earliestDue } from '../cases/detail.ts';

const DAY = 86_400_000;
const ACTIVE = ['new', 'open', 'pending'] as const;

import type { ViewSort } from '../protocol/views.ts';
export type { ViewSort };

export interface FilterContext {
  workspaceId: string;
  /** The agent `assignee:me` means; null in open mode (then `me` matches nobody). */
  me: string | null;
  now: number;
}

/** The first millisecond (UTC) of the day a date value names. */
export function dayStart(v: DateValue, now: number): number {
  if ('day' in v) return Date.parse(`${v.day}T00:00:00Z`);
  return Math.floor(now / DAY) * DAY - v.daysAgo * DAY;
}

function lower(v: string): string {
  return v.trim().toLowerCase();
}

function positive(f: Filter, ctx: FilterContext): SQL {
  const ws = ctx.workspaceId;
  switch (f.key) {
    case 'status':
      return f.value === 'active' ? inArray(cases.status, [...ACTIVE]) : eq(cases.status, f.value);
    case 'priority':
      return eq(cases.priority, f.value);
    case 'mailbox':
      return inArray(
        cases.mailboxId,
        sql`(SELECT ${mailboxes.id} FROM ${mailboxes} WHERE ${mailboxes.workspaceId} = ${ws} AND (${mailboxes.id} = ${f.value} OR ${mailboxes.address} = ${lower(f.value)}))`,
      );
    case 'assignee': {
      const v = lower(f.value);
      if (v === 'me') return ctx.me ? eq(cases.assigneeId, ctx.me) : sql`0`;
      if (v === 'none') return isNull(cases.assigneeId);
      return inArray(
        cases.assigneeId,
        sql`(SELECT ${agents.id} FROM ${agents} WHERE ${agents.workspaceId} = ${ws} AND (${agents.id} = ${f.value} OR lower(${agents.name}) = ${v} OR lower(${agents.email}) = ${v}))`,
      );
    }
    case 'team': {
      const v = lower(f.value);
      if (v === 'none') return isNull(cases.teamId);
      return inArray(cases.teamId, sql`(SELECT ${teams.id} FROM ${teams} WHERE ${teams.workspaceId} = ${ws} AND (${teams.id} = ${f.value} OR lower(${teams.name}) = ${v}))`);
    }
    case 'tag':
      return sql`EXISTS (SELECT 1 FROM ${caseTags} INNER JOIN ${tags} ON ${tags.id} = ${caseTags.tagId} WHERE ${caseTags.caseId} = ${cases.id} AND ${tags.workspaceId} = ${ws} AND ${tags.key} = ${tagKey(f.value)})`;
    case 'kind':
      return sql`EXISTS (SELECT 1 FROM ${messages} WHERE ${messages.caseId} = ${cases.id} AND ${messages.kind} = ${f.value})`;
    case 'has':
      return f.value === 'attachment'
        ? sql`EXISTS (SELECT 1 FROM ${attachments} INNER JOIN ${messages} ON ${messages.id} = ${attachments.messageId} WHERE ${messages.caseId} = ${cases.id} AND ${attachments.inline} = 0)`
        : sql`EXISTS (SELECT 1 FROM ${messages} WHERE ${messages.caseId} = ${cases.id} AND ${messages.direction} = 'note')`;
    case 'from':
      return sql`EXISTS (SELECT 1 FROM ${messages} WHERE ${messages.caseId} = ${cases.id} AND ${messages.direction} = 'inbound' AND ${messages.fromEmail} = ${lower(f.value)})`;
    case 'to':
      // The mailbox a case came in through is where it was sent.
      return inArray(cases.mailboxId, sql`(SELECT ${mailboxes.id} FROM ${mailboxes} WHERE ${mailboxes.workspaceId} = ${ws} AND ${mailboxes.address} = ${lower(f.value)})`);
    case 'before':
      return lt(cases.createdAt, dayStart(f.value, ctx.now));
    case 'after':
      return gte(cases.createdAt, dayStart(f.value, ctx.now));
    case 'is':
      switch (f.value) {
        case 'snoozed':
          return isNotNull(cases.snoozedAt);
        case 'breached':
          return eq(cases.slaState, 'breached');
        case 'breaching':
          return inArray(cases.slaState, ['warning', 'breached']);
        case 'unassigned':
          return isNull(cases.assigneeId);
        case 'assigned':
          return isNotNull(cases.assigneeId);
      }
  }
}

/** The cases a query's filters select (all filters hold), within the workspace. Words are not looked at: see hasText. */
export function filterWhere(q: Query, ctx: FilterContext): SQL {
  // NOT over a comparison with a NULL column is NULL, not true: coalesce so that -assignee:me keeps the unassigned.
  const parts = q.filters.map((f) => (f.negated ? sql`NOT coalesce(${positive(f, ctx)}, 0)` : positive(f, ctx)));
  return and(eq(cases.workspaceId, ctx.workspaceId), ...parts)!;
}

/**
 * The order of a sort. `due`: breached cases first (so a breached case whose clock stopped never
 * sinks below the cases without one), then the earliest due time, cases without a clock last;
 * `activity`: the latest mail first; `created`: the newest case first. The id breaks ties.
 */
export function sortOrder(sort: ViewSort): SQL[] {
  switch (sort) {
    case 'due':
      return [desc(sql`${cases.slaState} = 'breached'`), asc(earliestDue), asc(cases.id)];
    case 'activity':
      return [desc(cases.lastMessageAt), desc(cases.id)];
    case 'created':
      return [desc(cases.createdAt), desc(cases.id)];
  }
}
