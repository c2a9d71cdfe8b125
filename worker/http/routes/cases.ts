import { and, desc, eq, inArray, lt, or, sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { agents, attachments, cases, contacts, messages, participants } from '../../db/schema.ts';
import { caseSummary, messageView } from '../../cases/views.ts';
import { eventInsert, runWithEvents } from '../../ingest/store.ts';
import { listCasesQuery, updateCaseBody, type CaseDetail, type CaseSummary, type Page } from '../../protocol/api.ts';
import type { EventBody } from '../../protocol/events.ts';
import type { Db } from '../../deps.ts';
import type { AppEnv } from '../app.ts';
import { ApiFailure, notFound } from '../errors.ts';
import { decodeCursor, encodeCursor, parseBody, parseQuery } from '../validate.ts';

export const caseRoutes = new Hono<AppEnv>();

const ACTIVE = ['new', 'open', 'pending'] as const;

async function summaries(db: Db, where: ReturnType<typeof and>, limit: number): Promise<CaseSummary[]> {
  const rows = await db
    .select({ c: cases, contactEmail: contacts.email, contactName: contacts.name, agentId: agents.id, agentName: agents.name })
    .from(cases)
    .leftJoin(contacts, eq(cases.contactId, contacts.id))
    .leftJoin(agents, eq(cases.assigneeId, agents.id))
    .where(where)
    .orderBy(desc(cases.lastMessageAt), desc(cases.id))
    .limit(limit);
  return rows.map((r) =>
    caseSummary(r.c, r.contactEmail ? { email: r.contactEmail, name: r.contactName ?? '' } : null, r.agentId ? { id: r.agentId, name: r.agentName ?? '' } : null),
  );
}

caseRoutes.get('/', async (c) => {
  const q = parseQuery(c, listCasesQuery);
  const { db } = c.var.deps;
  const cursor = decodeCursor(q.cursor);
  const where = and(
    eq(cases.workspaceId, c.var.workspaceId),
    q.status === 'all' ? undefined : q.status === 'active' ? inArray(cases.status, [...ACTIVE]) : eq(cases.status, q.status),
    q.mailbox ? eq(cases.mailboxId, q.mailbox) : undefined,
    q.assignee ? (q.assignee === 'none' ? sql`${cases.assigneeId} IS NULL` : eq(cases.assigneeId, q.assignee)) : undefined,
    cursor ? or(lt(cases.lastMessageAt, cursor[0]), and(eq(cases.lastMessageAt, cursor[0]), lt(cases.id, cursor[1]))) : undefined,
  );
  const items = await summaries(db, where, q.limit + 1);
  const more = items.length > q.limit;
  if (more) items.pop();
  const last = items[items.length - 1];
  return c.json({ items, nextCursor: more && last ? encodeCursor([last.lastMessageAt, last.id]) : null } satisfies Page<CaseSummary>);
});

caseRoutes.get('/:id', async (c) => {
  const { db } = c.var.deps;
  const id = c.req.param('id');
  const [summary] = await summaries(db, and(eq(cases.id, id), eq(cases.workspaceId, c.var.workspaceId)), 1);
  if (!summary) throw notFound('case');
  const [people, msgs] = await Promise.all([
    db.select().from(participants).where(eq(participants.caseId, id)).orderBy(participants.addedAt),
    db.select().from(messages).where(eq(messages.caseId, id)).orderBy(messages.createdAt, messages.id),
  ]);
  const atts = msgs.length ? await db.select().from(attachments).where(inArray(attachments.messageId, msgs.map((m) => m.id))) : [];
  const detail: CaseDetail = {
    case: summary,
    participants: people.map((p) => ({ email: p.email, name: p.name, role: p.role })),
    messages: msgs.map((m) => messageView(m, atts.filter((a) => a.messageId === m.id))),
  };
  return c.json(detail);
});

caseRoutes.patch('/:id', async (c) => {
  const body = await parseBody(c, updateCaseBody);
  const deps = c.var.deps;
  const id = c.req.param('id');
  const ws = c.var.workspaceId;
  const current = await deps.db.select().from(cases).where(and(eq(cases.id, id), eq(cases.workspaceId, ws))).get();
  if (!current) throw notFound('case');
  let assignee: { id: string; name: string } | null | undefined;
  if (body.assigneeId !== undefined) {
    if (body.assigneeId === null) assignee = null;
    else {
      assignee = (await deps.db.select({ id: agents.id, name: agents.name }).from(agents).where(and(eq(agents.id, body.assigneeId), eq(agents.workspaceId, ws), eq(agents.active, true))).get()) ?? undefined;
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
  const update = deps.db
    .update(cases)
    .set({
      ...(body.status ? { status: body.status } : {}),
      ...(body.priority ? { priority: body.priority } : {}),
      ...(assignee !== undefined ? { assigneeId: assignee?.id ?? null } : {}),
      ...(closing ? { closedAt: now } : reopening ? { closedAt: null } : {}),
      updatedAt: now,
    })
    .where(eq(cases.id, id));
  const events = await runWithEvents(deps.db, [update], [eventInsert(deps.db, ws, id, `agent:${c.var.actor}`, event, now)], [event], now);
  await deps.hub.publish(ws, events);
  const [summary] = await summaries(deps.db, eq(cases.id, id), 1);
  return c.json(summary);
});
