import { and, eq, gt, inArray, lt, or, sql } from 'drizzle-orm';
import { Hono, type Context } from 'hono';
import { agents, cases, mailboxes } from '../../db/schema.ts';
import { planNotification } from '../../mail/notify.ts';
import { slaContextFor } from '../../sla/apply.ts';
import { slaTransition } from '../../sla/transition.ts';
import { commit } from '../../changes/commit.ts';
import { statementWrite, type Blob, type Staged, type Write } from '../../changes/change.ts';
import { caseDetail, caseSummaries, earliestDue } from '../../cases/detail.ts';
import { forwardBody, listCasesQuery, noteBody, replyBody, updateCaseBody, type CaseSummary, type Page } from '../../protocol/api.ts';
import { addNote, CaseActionError, forwardCase, replyToCase, type Author } from '../../cases/reply.ts';
import type { EventBody } from '../../protocol/events.ts';
import type { AppEnv } from '../env.ts';
import { ApiFailure, CollisionFailure, notFound } from '../errors.ts';
import { decodeCursor, encodeCursor, parseBody, parseQuery } from '../validate.ts';

export const caseRoutes = new Hono<AppEnv>();

const ACTIVE = ['new', 'open', 'pending'] as const;

caseRoutes.get('/', async (c) => {
  const q = parseQuery(c, listCasesQuery);
  const { db } = c.var.deps;
  const cursor = decodeCursor(q.cursor);
  // Breaching soon lists the most overdue first; every other view the latest mail first.
  const byDue = q.status === 'breaching';
  const where = and(
    eq(cases.workspaceId, c.var.workspaceId),
    q.status === 'all'
      ? undefined
      : q.status === 'active'
        ? inArray(cases.status, [...ACTIVE])
        : q.status === 'breaching'
          ? and(inArray(cases.status, [...ACTIVE]), inArray(cases.slaState, ['warning', 'breached']))
          : eq(cases.status, q.status),
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
  const next = last ? (byDue ? [last.sla?.dueAt ?? 9e15, last.id] : [last.lastMessageAt, last.id]) : null;
  return c.json({ items, nextCursor: more && next ? encodeCursor(next) : null } satisfies Page<CaseSummary>);
});

caseRoutes.get('/:id', async (c) => {
  const detail = await caseDetail(c.var.deps.db, c.var.workspaceId, c.req.param('id'));
  if (!detail) throw notFound('case');
  return c.json(detail);
});

caseRoutes.patch('/:id', async (c) => {
  const body = await parseBody(c, updateCaseBody);
  const deps = c.var.deps;
  const id = c.req.param('id');
  const ws = c.var.workspaceId;
  const current = await deps.db
    .select()
    .from(cases)
    .where(and(eq(cases.id, id), eq(cases.workspaceId, ws)))
    .get();
  if (!current) throw notFound('case');
  let assignee: { id: string; name: string } | null | undefined;
  if (body.assigneeId !== undefined) {
    if (body.assigneeId === null) assignee = null;
    else {
      assignee =
        (await deps.db
          .select({ id: agents.id, name: agents.name })
          .from(agents)
          .where(and(eq(agents.id, body.assigneeId), eq(agents.workspaceId, ws), eq(agents.active, true)))
          .get()) ?? undefined;
      if (!assignee) throw new ApiFailure('bad_request', 'no such active agent in this workspace');
    }
  }
  const now = deps.now();
  const closing = body.status === 'closed' && current.status !== 'closed';
  const reopening = body.status !== undefined && body.status !== 'closed' && current.status === 'closed';
  const changes: Extract<EventBody, { type: 'case.updated' }>['changes'] = {};
  if (body.status) changes.status = body.status;
  if (body.priority) changes.priority = body.priority;
  if (assignee !== undefined) changes.assignee = assignee;
  const event: EventBody = { type: 'case.updated', caseId: id, changes };
  // SLA: pending pauses the clocks, resolving ends them, a new priority re-plans them.
  let sla = {};
  if (current.slaPolicyId && (body.status || body.priority)) {
    const mailbox = await deps.db.select().from(mailboxes).where(eq(mailboxes.id, current.mailboxId)).get();
    const ctx = mailbox ? await slaContextFor(deps.db, mailbox, current.slaPolicyId) : null;
    sla = slaTransition(current, ctx, { ...(body.status ? { status: body.status } : {}), ...(body.priority ? { priority: body.priority } : {}) }, now) ?? {};
  }
  const update = deps.db
    .update(cases)
    .set({
      ...(body.status ? { status: body.status } : {}),
      ...(body.priority ? { priority: body.priority } : {}),
      ...(assignee !== undefined ? { assigneeId: assignee?.id ?? null } : {}),
      ...(closing ? { closedAt: now } : reopening ? { closedAt: null } : {}),
      ...sla,
      updatedAt: now,
    })
    .where(eq(cases.id, id));
  // A new assignee hears about it by mail, unless they assigned the case to themselves.
  const notify: Staged[] = [];
  const extra: Write[] = [];
  const blobs: Blob[] = [];
  if (assignee && assignee.id !== current.assigneeId && assignee.id !== c.var.actor) {
    const mailbox = await deps.db.select().from(mailboxes).where(eq(mailboxes.id, current.mailboxId)).get();
    if (mailbox) {
      const agentRow = await deps.db.select().from(agents).where(eq(agents.id, assignee.id)).get();
      const plan = await planNotification(agentRow, {
        kind: 'assignment',
        agentId: assignee.id,
        mailbox,
        kase: { id, number: current.number, subject: current.subject },
        summary: `${c.var.agent && c.var.actor !== 'local' ? c.var.agent.name : 'An agent'} assigned it to you.`,
        secret: deps.secrets.replyTokenKey,
        appUrl: deps.config.appUrl,
        now,
      });
      if (!('skipped' in plan)) {
        extra.push(...plan.writes);
        blobs.push(...plan.blobs);
        notify.push(...plan.outgoing);
      }
    }
  }
  await commit(deps, { workspaceId: ws, writes: [statementWrite(update), ...extra], events: [{ caseId: id, actor: `agent:${c.var.actor}`, body: event }], outgoing: notify, blobs });
  await deps.settle();
  const [summary] = await caseSummaries(deps.db, eq(cases.id, id), 1);
  return c.json(summary);
});

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
