// list: the case list's filters and its cursor pages. Breaching soon lists the most overdue first;
// every other view the latest mail first; the id breaks ties, so a cursor is exact.
import { and, eq, gt, inArray, lt, or, sql } from 'drizzle-orm';
import { cases } from '../db/schema.ts';
import type { Db } from '../db/client.ts';
import type { CaseSummary, ListCasesQuery } from '../protocol/api.ts';
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
    case 'active':
      return inArray(cases.status, [...ACTIVE]);
    case 'breaching':
      return and(inArray(cases.status, [...ACTIVE]), inArray(cases.slaState, ['warning', 'breached']));
    default:
      return eq(cases.status, status);
  }
}

/** One page of a workspace's cases; `cursor` is a previous page's `next`. */
export async function listCases(db: Db, workspaceId: string, q: ListCasesQuery, cursor: [number, string] | null): Promise<CasePage> {
  const byDue = q.status === 'breaching';
  const where = and(
    eq(cases.workspaceId, workspaceId),
    statusFilter(q.status),
    q.mailbox ? eq(cases.mailboxId, q.mailbox) : undefined,
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
