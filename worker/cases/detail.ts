// A case with everything an agent sees: participants, messages with their attachments, authors and
// deliveries, the acknowledgements sent on it, the addresses that bounced before, and the seq the
// view reflects.
import { and, asc, desc, eq, inArray, isNotNull, max, sql, type SQL } from 'drizzle-orm';
import { agents, attachments, caseTags, cases, contacts, events, messages, outbox, outboxRecipients, participants, tags, teams } from '../db/schema.ts';
import type { Db } from '../deps.ts';
import { parseMail } from '../ingest/parse.ts';
import type { AckView, CaseDetail, CaseSummary, MessageView, UndeliverableView } from '../protocol/api.ts';
import { mergeInfo } from './suggest.ts';
import { caseSummary, deliveryView, messageView, tagList } from './views.ts';

/** The earliest SLA target a case has to meet (what its badge shows), for ordering in SQL. */
export const earliestDue = sql<number>`min(coalesce(${cases.firstResponseDueAt}, 9e15), coalesce(${cases.nextResponseDueAt}, 9e15), coalesce(${cases.resolutionDueAt}, 9e15))`;

/** A row's tags in the same query (a correlated subquery: no second round trip, no ids bound). */
const tagsJson = sql<
  string | null
>`(SELECT json_group_array(json_object('id', t.id, 'name', t.name, 'color', t.color)) FROM (SELECT ${tags.id} AS id, ${tags.name} AS name, ${tags.color} AS color FROM ${caseTags} INNER JOIN ${tags} ON ${tags.id} = ${caseTags.tagId} WHERE ${caseTags.caseId} = ${cases.id} ORDER BY ${tags.key}) t)`;

/**
 * Case list rows, by last message (newest first), or by the earliest SLA target (most overdue
 * first), each with the id as a tie-breaker so that cursors are exact.
 */
export async function caseSummaries(db: Db, where: ReturnType<typeof and>, limit: number, order: 'recent' | 'due' | SQL[] = 'recent', offset = 0): Promise<CaseSummary[]> {
  const rows = await db
    .select({ c: cases, contactEmail: contacts.email, contactName: contacts.name, agentId: agents.id, agentName: agents.name, teamId: teams.id, teamName: teams.name, tags: tagsJson })
    .from(cases)
    .leftJoin(contacts, eq(cases.contactId, contacts.id))
    .leftJoin(agents, eq(cases.assigneeId, agents.id))
    .leftJoin(teams, eq(cases.teamId, teams.id))
    .where(where)
    .orderBy(...(Array.isArray(order) ? order : order === 'due' ? [asc(earliestDue), asc(cases.id)] : [desc(cases.lastMessageAt), desc(cases.id)]))
    .limit(limit)
    .offset(offset);
  return rows.map((r) =>
    caseSummary(
      r.c,
      r.contactEmail ? { email: r.contactEmail, name: r.contactName ?? '' } : null,
      r.agentId ? { id: r.agentId, name: r.agentName ?? '' } : null,
      tagList(r.tags),
      r.teamId ? { id: r.teamId, name: r.teamName ?? '' } : null,
    ),
  );
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

const ACK_KINDS = ['ack-create', 'ack-update'] as const;

/** The text of mail we composed ourselves (small, kept in its outbox row); '' when it cannot be had. */
async function sentText(mime: string | null): Promise<string> {
  if (mime === null) return '';
  try {
    return (await parseMail(new TextEncoder().encode(mime))).text;
  } catch {
    return '';
  }
}

/**
 * What the case view adds to the thread: the acknowledgements sent on the case, and every address of
 * the case (a participant, or a recipient of its mail) that is marked undeliverable or that mail of
 * the workspace bounced from. One round trip.
 */
async function sentAndBounced(db: Db, workspaceId: string, caseId: string): Promise<{ acknowledgements: AckView[]; undeliverable: UndeliverableView[] }> {
  const addresses = db
    .select({ email: participants.email })
    .from(participants)
    .where(eq(participants.caseId, caseId))
    .union(db.select({ email: outboxRecipients.recipient }).from(outboxRecipients).where(eq(outboxRecipients.caseId, caseId)));
  const [acks, ackDeliveries, marked, bounced] = await db.batch([
    db
      .select()
      .from(outbox)
      .where(and(eq(outbox.workspaceId, workspaceId), eq(outbox.caseId, caseId), inArray(outbox.kind, [...ACK_KINDS])))
      .orderBy(outbox.createdAt, outbox.id),
    db
      .select()
      .from(outboxRecipients)
      .where(and(eq(outboxRecipients.caseId, caseId), inArray(outboxRecipients.kind, [...ACK_KINDS]))),
    db
      .select({ email: contacts.email, reason: contacts.undeliverableReason, at: contacts.undeliverableAt })
      .from(contacts)
      .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.undeliverable, true), inArray(contacts.email, addresses))),
    db
      .select({ email: outboxRecipients.recipient, code: outboxRecipients.errorCode, error: outboxRecipients.error, at: outboxRecipients.updatedAt })
      .from(outboxRecipients)
      .innerJoin(outbox, eq(outbox.id, outboxRecipients.outboxId))
      .where(and(eq(outbox.workspaceId, workspaceId), eq(outboxRecipients.status, 'bounced'), inArray(outboxRecipients.recipient, addresses)))
      .orderBy(desc(outboxRecipients.updatedAt)),
  ]);
  const acknowledgements = await Promise.all(
    acks.map(
      async (a): Promise<AckView> => ({
        outboxId: a.id,
        kind: a.kind as AckView['kind'],
        subject: a.subject,
        text: await sentText(a.mime),
        createdAt: a.createdAt,
        deliveries: ackDeliveries.filter((d) => d.outboxId === a.id).map(deliveryView),
      }),
    ),
  );
  // One entry per address: the newest word on it.
  const byEmail = new Map<string, UndeliverableView>();
  const note = (v: UndeliverableView) => {
    const old = byEmail.get(v.email);
    if (!old || (v.at ?? 0) > (old.at ?? 0)) byEmail.set(v.email, v);
  };
  for (const m of marked) note({ email: m.email, reason: m.reason || 'marked undeliverable', at: m.at });
  for (const b of bounced) note({ email: b.email, reason: `${b.code ?? ''} ${b.error ?? ''}`.trim() || 'bounced', at: b.at });
  return { acknowledgements, undeliverable: [...byEmail.values()] };
}

export async function caseDetail(db: Db, workspaceId: string, caseId: string): Promise<CaseDetail | null> {
  const summary = await caseSummaryById(db, workspaceId, caseId);
  if (!summary) return null;
  const [people, views, seq, more, merge] = await Promise.all([
    db.select().from(participants).where(eq(participants.caseId, caseId)).orderBy(participants.addedAt),
    messageViews(db, caseId),
    caseSeq(db, workspaceId, caseId),
    sentAndBounced(db, workspaceId, caseId),
    mergeInfo(db, workspaceId, caseId),
  ]);
  return { case: summary, seq, participants: people.map((p) => ({ email: p.email, name: p.name, role: p.role })), messages: views, ...more, merge };
}
