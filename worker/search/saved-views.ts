// saved-views: the built-in views (defined here, in the same shape as saved ones), the saved views
// an agent sees (their own and the shared ones), their counts in one batch, and the case list of a
// view or of a typed query. A query's words are looked up in the search index first (text-cases.ts);
// its filters and sort are the main database's.
import { and, count, eq, isNull, or } from 'drizzle-orm';
import { views, type SavedView } from '../db/schema.ts';
import type { Db } from '../db/client.ts';
import type { CaseSummary } from '../protocol/api.ts';
import { newId } from '../protocol/ids.ts';
import type { ViewBody, ViewInfo, ViewSort } from '../protocol/views.ts';
import { caseSummaries } from '../cases/detail.ts';
import { cases } from '../db/schema.ts';
import { filterWhere, sortOrder, type FilterContext } from './filters.ts';
import { parseQuery, type Query, type QueryProblem } from './query.ts';
import { amongCases, textCaseIds } from './text-cases.ts';

export interface ViewDef {
  id: string;
  name: string;
  query: string;
  sort: ViewSort;
}

/** Snoozed cases leave the views of work to do until they wake. */
export const BUILTIN_VIEWS: readonly ViewDef[] = [
  { id: 'builtin:mine', name: 'Mine', query: 'assignee:me status:active -is:snoozed', sort: 'activity' },
  { id: 'builtin:unassigned', name: 'Unassigned', query: 'is:unassigned status:active -is:snoozed', sort: 'activity' },
  { id: 'builtin:open', name: 'All open', query: 'status:active -is:snoozed', sort: 'activity' },
  { id: 'builtin:breaching', name: 'Breaching soon', query: 'is:breaching status:active -is:snoozed', sort: 'due' },
  { id: 'builtin:snoozed', name: 'Snoozed', query: 'is:snoozed', sort: 'due' },
];

export type QueryCheck = { ok: true; query: Query } | { ok: false; problems: QueryProblem[] };

/** A view's query parsed. */
export function checkViewQuery(text: string): QueryCheck {
  return parseQuery(text);
}

/** The cases a query selects: its filters, and when it has words, among the cases whose text holds them. */
async function whereOf(index: D1Database | null, ctx: FilterContext, q: Query) {
  const ids = await textCaseIds(index, ctx.workspaceId, q);
  return ids === null ? filterWhere(q, ctx) : and(filterWhere(q, ctx), amongCases(ids))!;
}

/** The saved views `me` sees: their own, then the shared ones, in position order. */
export async function savedViews(db: Db, workspaceId: string, me: string | null): Promise<SavedView[]> {
  return db
    .select()
    .from(views)
    .where(and(eq(views.workspaceId, workspaceId), me ? or(isNull(views.ownerAgentId), eq(views.ownerAgentId, me)) : isNull(views.ownerAgentId)))
    .orderBy(views.position, views.createdAt, views.id);
}

function defOf(v: SavedView): ViewDef & { kind: ViewInfo['kind'] } {
  return { id: v.id, name: v.name, query: v.query, sort: v.sort, kind: v.ownerAgentId ? 'personal' : 'shared' };
}

/** Every view `me` sees with how many cases each holds (one batch of counts). */
export async function listViews(db: Db, index: D1Database | null, ctx: FilterContext): Promise<ViewInfo[]> {
  const saved = await savedViews(db, ctx.workspaceId, ctx.me);
  const all = [...BUILTIN_VIEWS.map((v) => ({ ...v, kind: 'builtin' as const })), ...saved.map(defOf)];
  const countable = all.map((v) => ({ v, q: checkViewQuery(v.query) }));
  // The views with words ask the index first, side by side; then every count is one batch.
  const wheres = await Promise.all(countable.map(({ q }) => (q.ok ? whereOf(index, ctx, q.query) : null)));
  const queries = wheres.flatMap((w) => (w ? [db.select({ n: count() }).from(cases).where(w)] : []));
  const counts = queries.length ? await db.batch(queries as [(typeof queries)[number], ...(typeof queries)[number][]]) : [];
  let i = 0;
  // A saved view whose query no longer parses (the language changed) still lists, holding nothing.
  return countable.map(({ v, q }) => ({ id: v.id, name: v.name, query: v.query, sort: v.sort, kind: v.kind, count: q.ok ? Number(counts[i++]?.[0]?.n ?? 0) : 0 }));
}

/** A view `me` sees, by id; null when there is none. */
export async function findView(db: Db, workspaceId: string, me: string | null, id: string): Promise<ViewDef | null> {
  const builtin = BUILTIN_VIEWS.find((v) => v.id === id);
  if (builtin) return builtin;
  const [row] = await db
    .select()
    .from(views)
    .where(and(eq(views.id, id), eq(views.workspaceId, workspaceId)));
  if (!row || (row.ownerAgentId && row.ownerAgentId !== me)) return null;
  return row;
}

/** One page of the cases a query selects, in the sort's order; `offset` is where the page starts. */
export async function casesOfQuery(
  db: Db,
  index: D1Database | null,
  ctx: FilterContext,
  q: Query,
  sort: ViewSort,
  limit: number,
  offset: number,
): Promise<{ items: CaseSummary[]; next: number | null }> {
  const items = await caseSummaries(db, await whereOf(index, ctx, q), limit + 1, sortOrder(sort), offset);
  const more = items.length > limit;
  if (more) items.pop();
  return { items, next: more ? offset + limit : null };
}

export interface ViewAuthor {
  workspaceId: string;
  /** The agent saving it; null in open mode, which can only save shared views. */
  agentId: string | null;
  actor: string;
  admin: boolean;
  now: number;
}

export class ViewError extends Error {
  constructor(
    readonly code: 'bad_request' | 'forbidden' | 'not_found',
    message: string,
    readonly issues?: unknown,
  ) {
    super(message);
    this.name = 'ViewError';
  }
}

function checked(text: string): void {
  const q = checkViewQuery(text);
  if (!q.ok) throw new ViewError('bad_request', q.problems.map((p) => `${p.token}: ${p.message}`).join('; '), q.problems);
}

/** May `who` change this saved view? Their own, or a shared one when they are an admin. */
function mayEdit(who: ViewAuthor, row: SavedView): boolean {
  return row.ownerAgentId ? row.ownerAgentId === who.agentId : who.admin;
}

export async function createView(db: Db, who: ViewAuthor, body: Required<ViewBody>): Promise<SavedView> {
  checked(body.query);
  if (body.shared && !who.admin) throw new ViewError('forbidden', 'only admins share views with the workspace');
  if (!body.shared && !who.agentId) throw new ViewError('bad_request', 'nobody is signed in to own a personal view: share it instead');
  const row = {
    id: newId('view', who.now),
    workspaceId: who.workspaceId,
    ownerAgentId: body.shared ? null : who.agentId,
    name: body.name,
    query: body.query,
    sort: body.sort,
    createdBy: who.actor,
    createdAt: who.now,
    updatedAt: who.now,
  };
  await db.insert(views).values(row);
  return { ...row, position: 0 };
}

async function editable(db: Db, who: ViewAuthor, id: string): Promise<SavedView> {
  const [row] = await db
    .select()
    .from(views)
    .where(and(eq(views.id, id), eq(views.workspaceId, who.workspaceId)));
  // Someone else's personal view is not there for you at all.
  if (!row || (row.ownerAgentId && row.ownerAgentId !== who.agentId)) throw new ViewError('not_found', 'view not found');
  if (!mayEdit(who, row)) throw new ViewError('forbidden', 'only admins change shared views');
  return row;
}

export async function updateView(db: Db, who: ViewAuthor, id: string, body: { name?: string; query?: string; sort?: ViewSort }): Promise<SavedView> {
  const row = await editable(db, who, id);
  if (body.query !== undefined) checked(body.query);
  const set = { ...body, updatedAt: who.now };
  await db.update(views).set(set).where(eq(views.id, row.id));
  return { ...row, ...set };
}

export async function deleteView(db: Db, who: ViewAuthor, id: string): Promise<void> {
  const row = await editable(db, who, id);
  await db.delete(views).where(eq(views.id, row.id));
}
