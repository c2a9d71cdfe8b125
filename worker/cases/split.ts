// split: a message and those after it become a new case, linked to the old one, as gather → plan →
// commit. The messages keep their Message-IDs and our mail its deliveries, so a later reply to any of
// them threads into the new case (ingest/plan.ts: a reply to a message moved out of the token's case
// goes where the message went).
import { and, asc, eq } from 'drizzle-orm';
import { agentActor, insert, update, type Change, type Write } from '../changes/change.ts';
import { commit } from '../changes/commit.ts';
import { agents, messages, outbox, participants, workspaces, type Agent, type Case, type Participant } from '../db/schema.ts';
import type { Db } from '../db/client.ts';
import type { Deps } from '../deps.ts';
import { derivedId } from '../protocol/ids.ts';
import type { SplitResult } from '../protocol/merge.ts';
import { slaOnCreate } from '../sla/transition.ts';
import { systemLine } from './system-line.ts';
import { CaseActionError } from './errors.ts';
import { gatherCaseFacts } from './facts.ts';
import type { Author, CaseFacts } from './plan.ts';
import { caseSummary } from './views.ts';

/** A statement binds at most 100 values: longer id lists are written in slices. */
const SLICE = 90;

type MessageRow = Pick<typeof messages.$inferSelect, 'id' | 'createdAt' | 'direction' | 'fromEmail' | 'fromName' | 'subject'>;

export interface SplitFacts extends CaseFacts {
  /** The case's messages, oldest first. */
  messages: MessageRow[];
  /** Our outgoing mail of the case, with the message it carries. */
  outbox: Array<{ id: string; messageId: string | null }>;
  participants: Participant[];
  assignee: Agent | null;
  caseCounter: number;
}

export async function gatherSplitFacts(db: Db, workspaceId: string, caseId: string): Promise<SplitFacts> {
  const base = await gatherCaseFacts(db, workspaceId, caseId);
  const [msgs, sent, people, counter, assignee] = await db.batch([
    db
      .select({ id: messages.id, createdAt: messages.createdAt, direction: messages.direction, fromEmail: messages.fromEmail, fromName: messages.fromName, subject: messages.subject })
      .from(messages)
      .where(eq(messages.caseId, caseId))
      .orderBy(asc(messages.createdAt), asc(messages.id)),
    db
      .select({ id: outbox.id, messageId: outbox.messageId })
      .from(outbox)
      .where(and(eq(outbox.workspaceId, workspaceId), eq(outbox.caseId, caseId))),
    db.select().from(participants).where(eq(participants.caseId, caseId)),
    db.select({ n: workspaces.caseCounter }).from(workspaces).where(eq(workspaces.id, workspaceId)),
    db
      .select()
      .from(agents)
      .where(and(eq(agents.workspaceId, workspaceId), eq(agents.id, base.kase.assigneeId ?? ''))),
  ]);
  return { ...base, messages: msgs, outbox: sent, participants: people, caseCounter: counter[0]?.n ?? 0, assignee: assignee[0] ?? null };
}

function slices<T>(xs: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += SLICE) out.push(xs.slice(i, i + SLICE));
  return out;
}

const LINE_REASON = 'a split of a case';

/** The split as one Change, and the new case's id and number. Pure. Throws CaseActionError('bad_request'). */
export function planSplit(facts: SplitFacts, messageId: string, ctx: { by: Author; now: number }): { change: Change; newCase: { id: string; number: number }; moved: string[] } {
  const { kase, now } = { ...facts, now: ctx.now };
  if (kase.mergedIntoId) throw new CaseActionError('bad_request', 'this case was merged into another; split that one');
  const at = facts.messages.findIndex((m) => m.id === messageId);
  if (at === -1) throw new CaseActionError('bad_request', 'no such message in this case');
  if (at === 0) throw new CaseActionError('bad_request', 'that is the first message: splitting there would leave this case empty');
  const moving = facts.messages.slice(at);
  const staying = facts.messages.slice(0, at);
  const moved = moving.map((m) => m.id);
  const first = moving[0]!;
  const ws = kase.workspaceId;
  const number = facts.caseCounter + 1;
  const id = derivedId('case', first.id, `s${now.toString(36)}`);
  const sla = slaOnCreate(kase.slaPolicyId ? facts.sla : null, kase.priority, now);
  const requester = first.direction === 'inbound' && first.fromEmail ? { email: first.fromEmail, name: first.fromName } : null;
  const row: Case = {
    ...kase,
    id,
    number,
    subject: first.subject || kase.subject,
    status: 'open',
    linkedCaseId: kase.id,
    mergedIntoId: null,
    snoozedAt: null,
    snoozedUntil: null,
    snoozedBy: null,
    messageCount: moving.length + 1,
    createdAt: now,
    updatedAt: now,
    lastMessageAt: Math.max(...moving.map((m) => m.createdAt)),
    closedAt: null,
    ...sla,
    slaPolicyId: kase.slaPolicyId ? (facts.sla?.policy.id ?? null) : null,
  };
  const { contactId: _contact, ...columns } = row;
  const contactId = requester ? { $contactId: { workspaceId: ws, email: requester.email } } : kase.contactId;
  const outboxIds = facts.outbox.filter((o) => o.messageId !== null && moved.includes(o.messageId)).map((o) => o.id);
  const lineOld = derivedId('message', kase.id, `s${now.toString(36)}`);
  const lineNew = derivedId('message', id, `s${now.toString(36)}`);
  const writes: Write[] = [
    insert('cases', { ...columns, contactId }),
    update('workspaces', { id: ws }, { caseCounter: { $max: number } }),
    ...slices(moved).flatMap((ids) => [
      update('messages', { workspaceId: ws, caseId: kase.id, id: { $in: ids } }, { caseId: id }),
      update('inbound', { workspaceId: ws, messageId: { $in: ids } }, { caseId: id }),
    ]),
    ...slices(outboxIds).flatMap((ids) => [update('outbox', { workspaceId: ws, id: { $in: ids } }, { caseId: id }), update('outboxRecipients', { outboxId: { $in: ids } }, { caseId: id })]),
    // Everyone who took part may answer in either case.
    ...facts.participants.map((p) => insert('participants', { caseId: id, email: p.email, name: p.name, role: p.role, contactId: p.contactId, addedAt: now }, 'ignore')),
    systemLine(kase, lineOld, `${ctx.by.name} split ${moving.length === 1 ? 'a message' : `${moving.length} messages`} off into #${number}`, LINE_REASON, now),
    systemLine(row, lineNew, `${ctx.by.name} split this case off #${kase.number}`, LINE_REASON, now),
    update('cases', { id: kase.id, workspaceId: ws }, { messageCount: { $add: 1 - moving.length }, lastMessageAt: Math.max(kase.createdAt, ...staying.map((m) => m.createdAt)), updatedAt: now }),
  ];
  const actor = agentActor(ctx.by.id);
  const contact = requester ?? null;
  const assignee = facts.assignee ? { id: facts.assignee.id, name: facts.assignee.name } : null;
  const change: Change = {
    workspaceId: ws,
    writes,
    events: [
      { caseId: id, actor, body: { type: 'case.created', caseId: id, case: caseSummary(row, contact, assignee) } },
      { caseId: kase.id, actor, body: { type: 'case.split', caseId: kase.id, newCaseId: id, newNumber: number, messageIds: moved, by: ctx.by.name } },
      { caseId: kase.id, actor, body: { type: 'message.added', caseId: kase.id, messageId: lineOld, direction: 'system', kind: 'human', reopened: false, status: kase.status } },
    ],
    outgoing: [],
    blobs: [],
  };
  return { change, newCase: { id, number }, moved };
}

/** Splits the case at `messageId`. Throws CaseActionError (not_found, bad_request). */
export async function splitCase(deps: Deps, workspaceId: string, caseId: string, messageId: string, by: Author): Promise<SplitResult> {
  const facts = await gatherSplitFacts(deps.db, workspaceId, caseId);
  const planned = planSplit(facts, messageId, { by, now: deps.now() });
  await commit(deps, planned.change);
  await deps.settle();
  return { caseId, newCase: planned.newCase, moved: planned.moved.length };
}
