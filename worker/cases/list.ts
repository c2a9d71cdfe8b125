// list: the case list's filters and its cursor pages. Breaching soon lists the most overdue first;
// every other view the latest mail first; the id breaks ties, so a cursor is exact. Snoozed cases
// leave the views of work to do (active, new, open, pending, breaching) and are listed as `snoozed`.
import { and, eq, gt, inArray, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import { caseTags, cases, tags } from '../db/schema.ts';
import type { Db } from '../db/client.ts';
import { tagKey, type CaseSummary, type ListCasesQuery } from '../protocol/api.ts';
import { caseSummaries, earliestDue } from './detail.ts';

const ACTIVE = ['new', 'open', 'pending'] as const;

export interface CasePage {
  items: CaseSummary[];
  /** Where the next page starts (the last row's sort key and id), or null on the last page. */
  next: [number, string] | null;
}

function statusFilter(status: ListCasesQuery['status']) {
  switch (status) {
    case 'all':
      return undefined;
    case 'snoozed':
      return isNotNull(cases.snoozedAt);
    case 'active':
      return and(inArray(cases.status, [...ACTIVE]), isNull(cases.snoozedAt));
    case 'breaching':
      return and(inArray(cases.status, [...ACTIVE]), inArray(cases.slaState, ['warning', 'breached']), isNull(cases.snoozedAt));
    case 'new':
    case 'open':
    case 'pending':
      return and(eq(cases.status, status), isNull(cases.snoozedAt));
    default:
      return eq(cases.status, status);
  }
}

/** Cases carrying the workspace's tag of this name (any case). */
function tagFilter(workspaceId: string, name: string) {
  const tagged = sql`SELECT 1 FROM ${caseTags} INNER JOIN ${tags} ON ${tags.id} = ${caseTags.tagId} WHERE ${caseTags.caseId} = ${cases.id} AND ${tags.workspaceId} = ${workspaceId} AND ${tags.key} = ${tagKey(name)}`;
  return sql`EXISTS (${tagged})`;
}

/** One page of a workspace's cases; `cursor` is a previous page's `next`. */
export async function listCases(db: Db, workspaceId: string, q: ListCasesQuery, cursor: [number, string] | null): Promise<CasePage> {
  const byDue = q.status === 'breaching';
  const where = and(
    eq(cases.workspaceId, workspaceId),
    statusFilter(q.status),
    q.mailbox ? eq(cases.mailboxId, q.mailbox) : undefined,
    q.tag ? tagFilter(workspaceId, q.tag) : undefined,
    q.assignee ? (q.assignee === 'none' ? sql`${cases.assigneeId} IS NULL` : eq(cases.assigneeId, q.assignee)) : undefined,
    !cursor
      ? undefined
      : byDue
        ? or(gt(earliestDue, cursor[0]), and(sql`${earliestDue} = ${cursor[0]}`, gt(cases.id, cursor[1])))
        : or(lt(cases.lastMessageAt, cursor[0]), and(eq(cases.lastMessageAt, cursor[0]), lt(cases.id, cursor[1]))),
  );
  const items = await caseSummaries(db, where, q.limit + 1, byDue ? 'due' : 'recent');
  const more = items.length > q.limit;
  if (more) items.pop();
  const last = items[items.length - 1];
  const next: [number, string] | null = more && last ? (byDue ? [last.sla?.dueAt ?? 9e15, last.id] : [last.lastMessageAt, last.id]) : null;
  return { items, next };
}
