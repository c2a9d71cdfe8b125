// A case with everything an agent sees: participants, messages with their attachments, authors and
// deliveries, and the seq the view reflects.
import { and, asc, desc, eq, inArray, isNotNull, max, sql } from 'drizzle-orm';
import { agents, attachments, cases, contacts, events, messages, outbox, outboxRecipients, participants } from '../db/schema.ts';
import type { Db } from '../deps.ts';
import type { CaseDetail, CaseSummary, MessageView } from '../protocol/api.ts';
import { caseSummary, deliveryView, messageView } from './views.ts';

/** The earliest SLA target a case has to meet (what its badge shows), for ordering in SQL. */
export const earliestDue = sql<number>`min(coalesce(${cases.firstResponseDueAt}, 9e15), coalesce(${cases.nextResponseDueAt}, 9e15), coalesce(${cases.resolutionDueAt}, 9e15))`;

/**
 * Case list rows, by last message (newest first), or by the earliest SLA target (most overdue
 * first), each with the id as a tie-breaker so that cursors are exact.
 */
export async function caseSummaries(db: Db, where: ReturnType<typeof and>, limit: number, order: 'recent' | 'due' = 'recent'): Promise<CaseSummary[]> {
  const rows = await db
    .select({ c: cases, contactEmail: contacts.email, contactName: contacts.name, agentId: agents.id, agentName: agents.name })
    .from(cases)
    .leftJoin(contacts, eq(cases.contactId, contacts.id))
    .leftJoin(agents, eq(cases.assigneeId, agents.id))
    .where(where)
    .orderBy(...(order === 'due' ? [asc(earliestDue), asc(cases.id)] : [desc(cases.lastMessageAt), desc(cases.id)]))
    .limit(limit);
  return rows.map((r) => caseSummary(r.c, r.contactEmail ? { email: r.contactEmail, name: r.contactName ?? '' } : null, r.agentId ? { id: r.agentId, name: r.agentName ?? '' } : null));
}

/** One case's list row, or null when the workspace has no such case. */
export async function caseSummaryById(db: Db, workspaceId: string, caseId: string): Promise<CaseSummary | null> {
  const [summary] = await caseSummaries(db, and(eq(cases.id, caseId), eq(cases.workspaceId, workspaceId)), 1);
  return summary ?? null;
}

/** Message views for some messages of a case (all of them when `ids` is absent). */
export async function messageViews(db: Db, caseId: string, ids?: string[]): Promise<MessageView[]> {
  // One round trip, and no list of ids bound as parameters (a long case has more messages than a
  // statement takes variables): what belongs to the messages is selected by the same condition.
  const which = and(eq(messages.caseId, caseId), ids ? inArray(messages.id, ids.length ? ids : ['']) : undefined);
  const msgIds = db.select({ id: messages.id }).from(messages).where(which);
  const [msgs, atts, authors, sent] = await db.batch([
    db.select().from(messages).where(which).orderBy(messages.createdAt, messages.id),
    db.select().from(attachments).where(inArray(attachments.messageId, msgIds)),
    db
      .select({ id: agents.id, name: agents.name })
      .from(agents)
      .where(
        inArray(
          agents.id,
          db
            .select({ id: messages.authorAgentId })
            .from(messages)
            .where(and(which, isNotNull(messages.authorAgentId))),
        ),
      ),
    db.select({ r: outboxRecipients, messageId: outbox.messageId }).from(outboxRecipients).innerJoin(outbox, eq(outbox.id, outboxRecipients.outboxId)).where(inArray(outbox.messageId, msgIds)),
  ]);
  if (msgs.length === 0) return [];
  return msgs.map((m) =>
    messageView(
      m,
      atts.filter((a) => a.messageId === m.id),
      {
        author: authors.find((a) => a.id === m.authorAgentId) ?? null,
        deliveries: sent.filter((d) => d.messageId === m.id).map((d) => deliveryView(d.r)),
      },
    ),
  );
}

export async function caseSeq(db: Db, workspaceId: string, caseId: string): Promise<number> {
  const row = await db
    .select({ seq: max(events.seq) })
    .from(events)
    .where(and(eq(events.workspaceId, workspaceId), eq(events.caseId, caseId)))
    .get();
  return row?.seq ?? 0;
}

export async function caseDetail(db: Db, workspaceId: string, caseId: string): Promise<CaseDetail | null> {
  const summary = await caseSummaryById(db, workspaceId, caseId);
  if (!summary) return null;
  const [people, views, seq] = await Promise.all([
    db.select().from(participants).where(eq(participants.caseId, caseId)).orderBy(participants.addedAt),
    messageViews(db, caseId),
    caseSeq(db, workspaceId, caseId),
  ]);
  return { case: summary, seq, participants: people.map((p) => ({ email: p.email, name: p.name, role: p.role })), messages: views };
}
