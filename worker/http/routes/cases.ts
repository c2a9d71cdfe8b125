// /api/cases: the case list, one case, changes to a case and what agents write on it. The rules are
// in worker/cases/; these handlers validate, call and map refusals to HTTP.
import { Hono, type Context } from 'hono';
import { bulkChange } from '../../cases/bulk.ts';
import { caseDetail, caseSummaryById } from '../../cases/detail.ts';
import { caseHistory } from '../../cases/history.ts';
import { CaseActionError } from '../../cases/errors.ts';
import { listCases } from '../../cases/list.ts';
import type { Author } from '../../cases/plan.ts';
import { addNote, forwardCase, replyToCase } from '../../cases/reply.ts';
import { changeCase, editsOf } from '../../cases/update.ts';
import { bulkBody, forwardBody, listCasesQuery, noteBody, replyBody, updateCaseBody, type CaseSummary, type ListCasesQuery, type Page } from '../../protocol/api.ts';
import type { CaseHistory } from '../../protocol/history.ts';
import { casesOfQuery, checkViewQuery, findView } from '../../search/saved-views.ts';
import { hasText } from '../../search/query.ts';
import type { AppEnv } from '../env.ts';
import { ApiFailure, CollisionFailure, notFound } from '../errors.ts';
import { decodeCursor, encodeCursor, parseBody, parseQuery } from '../validate.ts';
import { filterContext } from './views.ts';
import { mergeRoutes } from './merge.ts';
import { draftRoutes } from './drafts.ts';

export const caseRoutes = new Hono<AppEnv>();

caseRoutes.get('/', async (c) => {
  const q = parseQuery(c, listCasesQuery);
  if (q.view !== undefined || q.q !== undefined) return c.json(await listOfQuery(c, q));
  const page = await listCases(c.var.deps.db, c.var.workspaceId, q, decodeCursor(q.cursor));
  return c.json({ items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null } satisfies Page<CaseSummary>);
});

caseRoutes.get('/:id', async (c) => {
  const detail = await caseDetail(c.var.deps.db, c.var.workspaceId, c.req.param('id'));
  if (!detail) throw notFound('case');
  return c.json(detail);
});

/** The case's changes as lines ("Ada assigned this to Team Billing"), names as they are now. */
caseRoutes.get('/:id/history', async (c) => {
  const id = c.req.param('id');
  if (!(await caseSummaryById(c.var.deps.db, c.var.workspaceId, id))) throw notFound('case');
  return c.json((await caseHistory(c.var.deps.db, c.var.workspaceId, id)) satisfies CaseHistory);
});

/** The list of a view (`view=<id>`) or of a typed filter query (`q=`, sorted by `sort`), offset-paged. */
async function listOfQuery(c: Context<AppEnv>, q: ListCasesQuery): Promise<Page<CaseSummary>> {
  const ctx = filterContext(c);
  const view = q.view !== undefined ? await findView(c.var.deps.db, c.var.workspaceId, ctx.me, q.view) : null;
  if (q.view !== undefined && !view) throw notFound('view');
  const checked = checkViewQuery(view ? view.query : (q.q ?? ''));
  if (!checked.ok) throw new ApiFailure('bad_request', checked.problems.map((p) => `${p.token}: ${p.message}`).join('; '), checked.problems);
  const index = c.var.deps.search?.d1 ?? null;
  if (!index && hasText(checked.query)) throw new ApiFailure('not_configured', 'this deployment keeps no search index: a view or filter with words cannot be answered');
  const offset = decodeCursor(q.cursor)?.[0] ?? 0;
  const page = await casesOfQuery(c.var.deps.db, index, ctx, checked.query, q.sort ?? view?.sort ?? 'activity', q.limit, offset);
  return { items: page.items, nextCursor: page.next === null ? null : encodeCursor([page.next, 'offset']) };
}

function author(c: Context<AppEnv>): Author {
  // Open mode has nobody signed in: the message says so rather than borrow an admin's name.
  return c.var.actor === 'local' || !c.var.agent ? { id: null, name: 'Local agent' } : { id: c.var.agent.id, name: c.var.agent.name };
}

function caseAction(err: unknown): never {
  if (err instanceof CaseActionError) {
    if (err.code === 'conflict') throw new CollisionFailure(err.message, err.newMessages, err.lastSeq);
    throw new ApiFailure(err.code, err.message);
  }
  throw err;
}

/**
 * The same edits on up to 500 cases: per case what it was before (or why it was not changed), and
 * the requests that undo the action.
 */
caseRoutes.post('/bulk', async (c) => {
  const body = await parseBody(c, bulkBody);
  return c.json(await bulkChange(c.var.deps, c.var.workspaceId, author(c), body).catch(caseAction));
});

/** Status, priority, assignee, tags, snooze: one event with every change; a change to what already is writes nothing. */
caseRoutes.patch('/:id', async (c) => {
  const body = await parseBody(c, updateCaseBody);
  const summary = await changeCase(c.var.deps, c.var.workspaceId, c.req.param('id'), author(c), editsOf(body)).catch(caseAction);
  return c.json(summary);
});

/** A reply to the customer (and whoever else it names): mailed, recorded, delivered per recipient. */
caseRoutes.post('/:id/replies', async (c) => {
  const body = await parseBody(c, replyBody);
  const view = await replyToCase(c.var.deps, c.var.workspaceId, c.req.param('id'), author(c), body).catch(caseAction);
  return c.json(view, 201);
});

/** An internal note: never mailed to anyone. */
caseRoutes.post('/:id/notes', async (c) => {
  const body = await parseBody(c, noteBody);
  const view = await addNote(c.var.deps, c.var.workspaceId, c.req.param('id'), author(c), body).catch(caseAction);
  return c.json(view, 201);
});

/** Sends the case to an outside address, who then takes part in it. */
caseRoutes.post('/:id/forward', async (c) => {
  const body = await parseBody(c, forwardBody);
  const view = await forwardCase(c.var.deps, c.var.workspaceId, c.req.param('id'), author(c), body).catch(caseAction);
  return c.json(view, 201);
});

/** Merge and split (routes/merge.ts). */
caseRoutes.route('/', mergeRoutes);

/** The agent's own draft and who else drafts (routes/drafts.ts). */
caseRoutes.route('/', draftRoutes);
