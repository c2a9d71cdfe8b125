// facts: everything the ingest plan needs to know from D1 about one message, read in ONE batch (a
// batch is one round trip, and every round trip costs the whole Worker CPU and latency). The plan is
// pure; it gets these facts, never the database.
import { and, asc, count, desc, eq, gte, inArray, isNotNull, ne, or, sql, type SQL } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { agents, calendars, cases, contacts, inbound, messages, outbox, outboxRecipients, participants, slaPolicies, workspaces, type Agent, type Case, type Mailbox } from '../db/schema.ts';
import type { Db } from '../db/client.ts';
import { outboxIdOf, ownMessageId } from '../mail/stage.ts';

/** What to look up: the keys a message offers (its ids, tag, tokens, sender), known before the plan. */
export interface FactsKey {
  mailbox: Mailbox;
  inboundId: string;
  idemKey: string;
  /** The sender's address (lower case; '' when there is none). */
  sender: string;
  /** Message-IDs the message points at (In-Reply-To, References) and, for a delivery report, the original's. */
  ids: string[];
  /** The subject tag's case number. */
  tag: number | null;
  /** A reply's base subject (thread.ts replySubjectOf): the sender's recent cases are candidates then. */
  replySubject?: string | null;
  /** Cases named by something we signed (reply token, thread marker), verified before the lookup. */
  caseIds: string[];
  /** An agent's token code (a reply to a notification). */
  agentCode: string | null;
  now: number;
}

export interface InboundFacts {
  key: FactsKey;
  /** An earlier delivery of the same message that was already dealt with. */
  duplicate: { caseId: string | null; messageId: string | null } | null;
  /** Messages this mailbox received in its flood window, this one not included. */
  recentFromSender: number;
  /** Content hashes at or above the mailbox's identical-message limit in the window, with their counts. */
  identicalOverLimit: Record<string, number>;
  undeliverable: boolean;
  /** Stored messages by Message-ID (one per id: the first). */
  messagesByRfc: Record<string, { caseId: string; direction: string }>;
  /** Mail we sent, by the Message-ID Cloudflare gave it. */
  sentByProviderId: Record<string, string>;
  /** Every case the keys lead to, with its participants and its thread's Message-IDs in order. */
  cases: Record<string, Case>;
  participants: Record<string, string[]>;
  threadIds: Record<string, string[]>;
  /** Acknowledgements to the sender in the last hour, per case. */
  acksThisHour: Record<string, number>;
  acksToday: number;
  /** Agents the plan may name: assignees of those cases, the mailbox's default assignee and team, the token's agent. */
  agents: Agent[];
  policies: Array<typeof slaPolicies.$inferSelect>;
  calendar: typeof calendars.$inferSelect | undefined;
  /** The workspace's case counter: a new case takes the next number. */
  caseCounter: number;
}

const MAX_IDS = 100;
/** How many of a sender's latest cases a reply's subject is compared with. */
const RECENT_CASES_OF_SENDER = 20;

function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

/** The cases those matching `where` were merged into (a subquery). */
function mergeTargets(db: Db, where: SQL) {
  return db
    .select({ id: cases.mergedIntoId })
    .from(cases)
    .where(and(where, isNotNull(cases.mergedIntoId)));
}

/** The statements of the facts batch, in a fixed order, and how to read their results. */
export function factsQueries(db: Db, key: FactsKey): { statements: BatchItem<'sqlite'>[]; read(results: unknown[]): InboundFacts } {
  const { mailbox, now } = key;
  const ws = mailbox.workspaceId;
  const ids = uniq(key.ids).slice(0, MAX_IDS);
  const none = ['\u0000'];
  const idList = ids.length ? ids : none;
  // The cases the keys lead to, as one condition on `cases` (subqueries keep it one statement).
  const byMessage = db
    .select({ c: messages.caseId })
    .from(messages)
    .where(and(eq(messages.workspaceId, ws), inArray(messages.rfcMessageId, idList)));
  const bySent = db.select({ c: outboxRecipients.caseId }).from(outboxRecipients).where(inArray(outboxRecipients.providerMessageId, idList));
  // Mail we composed carries ownMessageId(); a reply's In-Reply-To can name the outbox row itself.
  const ownIds = uniq(ids.map(outboxIdOf).filter((id): id is string => id !== null));
  const byOwn = db
    .select({ c: outbox.caseId })
    .from(outbox)
    .where(and(eq(outbox.workspaceId, ws), inArray(outbox.id, ownIds.length ? ownIds : none)));
  const parts: SQL[] = ids.length ? [inArray(cases.id, byMessage), inArray(cases.id, bySent)] : [];
  if (ownIds.length) parts.push(inArray(cases.id, byOwn));
  if (key.caseIds.length) parts.push(inArray(cases.id, uniq(key.caseIds)));
  if (key.tag !== null) parts.push(eq(cases.number, key.tag));
  if (key.replySubject && key.sender) {
    const recentOfSender = db
      .select({ id: cases.id })
      .from(cases)
      .innerJoin(participants, eq(participants.caseId, cases.id))
      .where(and(eq(cases.workspaceId, ws), eq(participants.email, key.sender)))
      .orderBy(desc(cases.lastMessageAt))
      .limit(RECENT_CASES_OF_SENDER);
    parts.push(inArray(cases.id, recentOfSender));
  }
  // No keys, no candidates (never `or()` of nothing, which would be every case of the workspace).
  const keyed = and(eq(cases.workspaceId, ws), parts.length ? or(...parts) : sql`0`)!;
  // A case the keys name may have been merged into another: that one is a candidate too (cases/merge.ts
  // points every absorbed case at its survivor; the second step covers a merge racing another).
  const candidate = and(eq(cases.workspaceId, ws), or(keyed, inArray(cases.id, mergeTargets(db, keyed)), inArray(cases.id, mergeTargets(db, inArray(cases.id, mergeTargets(db, keyed))))))!;
  const candidateIds = db.select({ id: cases.id }).from(cases).where(candidate);
  const since = now - mailbox.floodWindowMinutes * 60_000;
  const recentWhere = and(eq(inbound.mailboxId, mailbox.id), gte(inbound.receivedAt, since), ne(inbound.id, key.inboundId), ne(inbound.status, 'discarded'));
  const ackKinds = inArray(outboxRecipients.kind, ['ack-create', 'ack-update']);
  const agentWho: SQL[] = [
    inArray(
      agents.id,
      db
        .select({ a: cases.assigneeId })
        .from(cases)
        .where(and(candidate, isNotNull(cases.assigneeId))),
    ),
  ];
  if (mailbox.defaultAssigneeId) agentWho.push(eq(agents.id, mailbox.defaultAssigneeId));
  if (mailbox.defaultTeam) agentWho.push(eq(agents.team, mailbox.defaultTeam));
  if (key.agentCode) agentWho.push(eq(agents.tokenCode, key.agentCode));

  // Lookups that cannot find anything are left out: a message without references or tokens skips them.
  const anyIds = ids.length > 0;
  const anyCases = anyIds || key.caseIds.length > 0 || key.tag !== null || (!!key.replySubject && !!key.sender);
  const want: Record<string, boolean> = {
    byRfc: anyIds,
    sent: anyIds,
    own: ownIds.length > 0,
    caseRows: anyCases,
    people: anyCases,
    thread: anyCases,
    acksHour: anyCases && key.sender !== '',
    agentRows: anyCases || agentWho.length > 1,
  };
  const named: Array<[string, unknown]> = [
    [
      'byRfc',
      db
        .select({ rfc: messages.rfcMessageId, caseId: messages.caseId, direction: messages.direction })
        .from(messages)
        .where(and(eq(messages.workspaceId, ws), inArray(messages.rfcMessageId, idList)))
        .orderBy(asc(messages.createdAt)),
    ],
    [
      'sent',
      db
        .select({ id: outboxRecipients.providerMessageId, caseId: outboxRecipients.caseId })
        .from(outboxRecipients)
        .innerJoin(outbox, eq(outbox.id, outboxRecipients.outboxId))
        .where(and(eq(outbox.workspaceId, ws), inArray(outboxRecipients.providerMessageId, idList))),
    ],
    [
      'own',
      db
        .select({ id: outbox.id, caseId: outbox.caseId, from: outbox.fromAddress })
        .from(outbox)
        .where(and(eq(outbox.workspaceId, ws), inArray(outbox.id, ownIds.length ? ownIds : none))),
    ],
    ['caseRows', db.select().from(cases).where(candidate)],
    ['people', db.select({ caseId: participants.caseId, email: participants.email }).from(participants).where(inArray(participants.caseId, candidateIds))],
    [
      'thread',
      db
        .select({ caseId: messages.caseId, rfc: messages.rfcMessageId })
        .from(messages)
        // The conversation with the customer only: what our mail's References chain (no bounce, no auto-reply).
        .where(
          and(inArray(messages.caseId, candidateIds), isNotNull(messages.rfcMessageId), or(eq(messages.direction, 'outbound'), and(eq(messages.direction, 'inbound'), eq(messages.kind, 'human')))),
        )
        .orderBy(asc(messages.createdAt)),
    ],
    [
      'acksHour',
      db
        .select({ caseId: outboxRecipients.caseId, n: count() })
        .from(outboxRecipients)
        .where(and(ackKinds, eq(outboxRecipients.recipient, key.sender), gte(outboxRecipients.createdAt, now - 3_600_000), inArray(outboxRecipients.caseId, candidateIds)))
        .groupBy(outboxRecipients.caseId),
    ],
    [
      'acksDay',
      db
        .select({ n: count() })
        .from(outboxRecipients)
        .where(and(ackKinds, eq(outboxRecipients.recipient, key.sender), gte(outboxRecipients.createdAt, now - 86_400_000))),
    ],
    [
      'agentRows',
      db
        .select()
        .from(agents)
        .where(and(eq(agents.workspaceId, ws), or(...agentWho))),
    ],
    [
      'dupMsg',
      db
        .select({ id: messages.id, caseId: messages.caseId })
        .from(messages)
        .where(and(eq(messages.mailboxId, mailbox.id), eq(messages.messageKey, key.idemKey)))
        .limit(1),
    ],
    [
      'dupHeld',
      db
        .select({ id: inbound.id, caseId: inbound.caseId })
        .from(inbound)
        .where(and(eq(inbound.mailboxId, mailbox.id), eq(inbound.idemKey, key.idemKey), ne(inbound.id, key.inboundId), inArray(inbound.status, ['quarantined', 'ignored'])))
        .limit(1),
    ],
    // Copies of one message (a relay's redeliveries, the same key) count once: a redelivery is a
    // duplicate, not a flood.
    [
      'fromSender',
      db
        .select({ n: sql<number>`count(DISTINCT ${inbound.idemKey})` })
        .from(inbound)
        .where(and(recentWhere, eq(inbound.fromEmail, key.sender))),
    ],
    // Counted per content hash, so the count does not need the parsed text; only hashes near the limit come back.
    [
      'identical',
      db
        .select({ hash: inbound.contentHash, n: sql<number>`count(DISTINCT ${inbound.idemKey})` })
        .from(inbound)
        .where(and(recentWhere, isNotNull(inbound.contentHash)))
        .groupBy(inbound.contentHash)
        .having(sql`count(DISTINCT ${inbound.idemKey}) >= ${mailbox.floodMaxIdentical}`),
    ],
    [
      'contact',
      db
        .select({ undeliverable: contacts.undeliverable })
        .from(contacts)
        .where(and(eq(contacts.workspaceId, ws), eq(contacts.email, key.sender)))
        .limit(1),
    ],
    [
      'policies',
      db
        .select()
        .from(slaPolicies)
        .where(
          or(
            eq(slaPolicies.id, mailbox.slaPolicyId ?? ''),
            inArray(
              slaPolicies.id,
              db
                .select({ p: cases.slaPolicyId })
                .from(cases)
                .where(and(candidate, isNotNull(cases.slaPolicyId))),
            ),
          ),
        ),
    ],
    [
      'calendar',
      db
        .select()
        .from(calendars)
        .where(eq(calendars.id, mailbox.calendarId ?? ''))
        .limit(1),
    ],
    ['counter', db.select({ n: workspaces.caseCounter }).from(workspaces).where(eq(workspaces.id, ws))],
  ];
  const included = named.filter(([n]) => want[n] ?? true);
  const statements = included.map(([, q]) => q) as BatchItem<'sqlite'>[];

  function read(results: unknown[]): InboundFacts {
    const got: Record<string, unknown> = {};
    for (const [i, [n]] of included.entries()) got[n] = results[i];
    const all = named.map(([n]) => got[n] ?? []);
    const [byRfc, sent, own, caseRows, people, thread, acksHour, acksDay, agentRows, dupMsg, dupHeld, fromSender, identical, contact, policies, calendar, counter] = all as [
      Array<{ rfc: string | null; caseId: string; direction: string }>,
      Array<{ id: string | null; caseId: string | null }>,
      Array<{ id: string; caseId: string | null; from: string }>,
      Case[],
      Array<{ caseId: string; email: string }>,
      Array<{ caseId: string; rfc: string | null }>,
      Array<{ caseId: string | null; n: number }>,
      Array<{ n: number }>,
      Agent[],
      Array<{ id: string; caseId: string }>,
      Array<{ id: string; caseId: string | null }>,
      Array<{ n: number }>,
      Array<{ hash: string | null; n: number }>,
      Array<{ undeliverable: boolean }>,
      Array<typeof slaPolicies.$inferSelect>,
      Array<typeof calendars.$inferSelect>,
      Array<{ n: number }>,
    ];
    if (!counter[0]) throw new Error(`workspace ${ws} not found`);
    const facts: InboundFacts = {
      key,
      duplicate: dupMsg[0] ? { caseId: dupMsg[0].caseId, messageId: dupMsg[0].id } : dupHeld[0] ? { caseId: dupHeld[0].caseId, messageId: null } : null,
      recentFromSender: key.sender ? (fromSender[0]?.n ?? 0) : 0,
      identicalOverLimit: Object.fromEntries(identical.filter((r) => r.hash).map((r) => [r.hash!, r.n])),
      undeliverable: contact[0]?.undeliverable ?? false,
      messagesByRfc: {},
      sentByProviderId: {},
      cases: Object.fromEntries(caseRows.map((c) => [c.id, c])),
      participants: Object.fromEntries(caseRows.map((c) => [c.id, [] as string[]])),
      threadIds: {},
      acksThisHour: {},
      acksToday: acksDay[0]?.n ?? 0,
      agents: agentRows,
      policies,
      calendar: calendar[0],
      caseCounter: counter[0].n,
    };
    for (const r of byRfc) if (r.rfc && !facts.messagesByRfc[r.rfc]) facts.messagesByRfc[r.rfc] = { caseId: r.caseId, direction: r.direction };
    for (const r of sent) if (r.id && r.caseId && !facts.sentByProviderId[r.id]) facts.sentByProviderId[r.id] = r.caseId;
    // Ours only with the domain we wrote it with: the same id at another domain is not our mail.
    for (const r of own) if (r.caseId) facts.sentByProviderId[ownMessageId(r.id, r.from)] ??= r.caseId;
    for (const r of people) (facts.participants[r.caseId] ??= []).push(r.email);
    for (const r of thread) if (r.rfc) (facts.threadIds[r.caseId] ??= []).push(r.rfc);
    for (const r of acksHour) if (r.caseId) facts.acksThisHour[r.caseId] = r.n;
    return facts;
  }
  return { statements, read };
}

/** The facts, in one round trip. */
export async function gatherFacts(db: Db, key: FactsKey): Promise<InboundFacts> {
  const q = factsQueries(db, key);
  return q.read((await db.batch(q.statements as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]])) as unknown[]);
}

/** Whether facts gathered for `had` also answer `need` (the same message, looked up with fewer keys). */
export function factsCover(had: FactsKey, need: FactsKey): boolean {
  if (had.mailbox.id !== need.mailbox.id || had.inboundId !== need.inboundId || had.idemKey !== need.idemKey || had.sender !== need.sender) return false;
  if (had.tag !== need.tag || had.agentCode !== need.agentCode || (had.replySubject ?? null) !== (need.replySubject ?? null)) return false;
  const ids = new Set(had.ids.slice(0, MAX_IDS));
  const caseIds = new Set(had.caseIds);
  return (
    uniq(need.ids)
      .slice(0, MAX_IDS)
      .every((id) => ids.has(id)) && need.caseIds.every((id) => caseIds.has(id))
  );
}
