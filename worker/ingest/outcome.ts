// outcome: the rows and events of each thing that can become of an inbound message (a new case, a
// message on a case, a delivery report, an agent's note, held mail), as a Change. Pure: the facts come
// in (case number, assignee, SLA context, the case as it is), nothing is read here. commit() writes
// the change in one D1 batch with its events; attachment bytes go to R2 first as its blobs, under
// keys derived from the inbound id, so a retried run overwrites rather than piles up.
import type { Agent, Case, Mailbox } from '../db/schema.ts';
import { derivedId, newId } from '../protocol/ids.ts';
import type { AddressView, CaseStatus, DecisionRecord, InboundStatus, MessageKind } from '../protocol/api.ts';
import type { EventBody, ServerEvent } from '../protocol/events.ts';
import { caseSummary } from '../cases/views.ts';
import { wokenByMail } from '../cases/snooze.ts';
import { slaOnCreate, slaTransition, type SlaContext } from '../sla/transition.ts';
import type { ParsedMail } from './parse.ts';
import type { Decision, Flood } from './decide.ts';
import type { Classification } from './classify.ts';
import type { AuthResult } from './authenticate.ts';
import { describeBounce, isPermanent, type BounceReport } from './bounce.ts';
import type { AttachmentPlan } from './attachments.ts';
import { insert, update, type Blob, type Change, type Staged, type Write } from '../changes/change.ts';
import { bouncedDeliveries } from '../mail/bounced.ts';
import { listPeople, peopleOf } from './people.ts';
// ---- what every outcome knows ----------------------------------------------------------------

export interface OutcomeContext {
  mailbox: Mailbox;
  inboundId: string;
  messageKey: string;
  rawKey: string;
  mail: ParsedMail;
  sender: AddressView;
  classification: Classification;
  /** Null when the message could not be parsed far enough to tell. */
  auth: AuthResult | null;
  contentHash: string | null;
  /** Addresses we receive at: never added as participants or contacts. */
  ownAddresses: string[];
  /** What was decided and why, kept on the inbound row. */
  record: DecisionRecord;
  /** The message's attachments under the mailbox's policy (planAttachments). */
  attachments: AttachmentPlan[];
  now: number;
  /** Set when an agent released this message from quarantine: who, for the audit trail. */
  releasedBy?: string;
  /** Historical import: cases are filed closed, in the message's own time, with no SLA. */
  imported?: { at: number };
}

export interface Stored {
  events: ServerEvent[];
  /** Mail to send once the batch has committed. */
  outgoing?: Staged[];
  caseId: string | null;
  messageId: string | null;
  /** For held messages, why (e.g. `not-a-participant`). */
  reason?: string;
  status: InboundStatus;
}

/** An outcome before it is written: the change, and what the pipeline reports once it is. */
export interface Outcome {
  change: Change;
  result: Omit<Stored, 'events' | 'outgoing'>;
}

/** Acknowledgements and notifications, planned with the outcome and written in its batch. */
export interface FollowUps {
  writes: Write[];
  blobs: Blob[];
  outgoing: Staged[];
}

const NO_FOLLOW_UPS: FollowUps = { writes: [], blobs: [], outgoing: [] };

function outcome(ctx: OutcomeContext, caseId: string | null, actor: string, writes: Write[], bodies: EventBody[], result: Outcome['result'], more: FollowUps = NO_FOLLOW_UPS): Outcome {
  return {
    change: {
      workspaceId: ctx.mailbox.workspaceId,
      writes: [...writes, ...more.writes],
      events: bodies.map((body) => ({ caseId, actor, body })),
      outgoing: more.outgoing,
      blobs: [...ctx.attachments.flatMap((a) => (a.blob ? [a.blob] : [])), ...more.blobs],
    },
    result,
  };
}

function contactUpsert(workspaceId: string, a: AddressView, now: number): Write {
  return insert(
    'contacts',
    { id: newId('contact', now), workspaceId, email: a.email, name: a.name, orgDomain: a.email.split('@')[1] ?? '', createdAt: now },
    { target: ['workspaceId', 'email'], set: { name: { $fillEmpty: true } } },
  );
}

function participantInsert(ws: string, caseId: string, p: AddressView & { role: 'requester' | 'cc' }, now: number): Write {
  return insert('participants', { caseId, email: p.email, name: p.name, role: p.role, contactId: { $contactId: { workspaceId: ws, email: p.email } }, addedAt: now }, 'ignore');
}

function authColumns(ctx: OutcomeContext) {
  return { authVerdict: ctx.auth?.verdict ?? null, authResults: ctx.auth ? JSON.stringify(ctx.auth) : null };
}

function messageInsert(ctx: OutcomeContext, caseId: string, messageId: string, kind: MessageKind, rule: string, reason: string): Write {
  const m = ctx.mail;
  return insert('messages', {
    id: messageId,
    workspaceId: ctx.mailbox.workspaceId,
    caseId,
    mailboxId: ctx.mailbox.id,
    direction: 'inbound',
    kind,
    messageKey: ctx.messageKey,
    rfcMessageId: m.messageId,
    inReplyTo: m.inReplyTo[0] ?? null,
    references: JSON.stringify(m.references),
    fromEmail: ctx.sender.email,
    fromName: ctx.sender.name,
    to: JSON.stringify(m.to),
    cc: JSON.stringify(m.cc),
    subject: m.subject,
    text: m.text,
    html: m.html,
    rawKey: ctx.rawKey,
    inboundId: ctx.inboundId,
    threadRule: rule,
    threadReason: reason,
    kindReasons: JSON.stringify(ctx.classification.reasons),
    ...authColumns(ctx),
    sentAt: m.date,
    createdAt: ctx.imported?.at ?? ctx.now,
  });
}

function inboundDone(ctx: OutcomeContext, status: InboundStatus, reason: string | null, caseId: string | null, messageId: string | null): Write {
  return update(
    'inbound',
    { id: ctx.inboundId },
    {
      status,
      reason,
      caseId,
      messageId,
      decision: JSON.stringify(ctx.record),
      subject: ctx.mail.subject,
      fromEmail: ctx.sender.email,
      contentHash: ctx.contentHash,
      ...(ctx.releasedBy ? { resolvedBy: ctx.releasedBy, resolvedAt: ctx.now } : {}),
      processedAt: ctx.now,
      lastError: null,
      nextAttemptAt: null,
    },
  );
}

function actorOf(ctx: OutcomeContext): string {
  return ctx.releasedBy ? `agent:${ctx.releasedBy}` : `contact:${ctx.sender.email}`;
}

function released(ctx: OutcomeContext, caseId: string): EventBody[] {
  return ctx.releasedBy ? [{ type: 'inbound.resolved', caseId, inboundId: ctx.inboundId, status: 'processed', by: ctx.releasedBy }] : [];
}

// ---- the outcomes ----------------------------------------------------------------------------

/** What a new case needs to be planned besides the message: its number, assignee and clocks. */
export interface NewCaseFacts {
  number: number;
  assignee: Pick<Agent, 'id' | 'name'> | null;
  sla: SlaContext | null;
}

/** The case a new case will be, for planning its follow-ups before its rows. */
export function newCaseRef(ctx: OutcomeContext, facts: NewCaseFacts) {
  return { id: derivedId('case', ctx.inboundId), number: facts.number, subject: ctx.mail.subject || '(no subject)', assigneeId: facts.assignee?.id ?? null };
}

export function planNewCase(ctx: OutcomeContext, decision: Decision & { action: 'new-case' }, facts: NewCaseFacts, more?: FollowUps): Outcome {
  const { mailbox, now } = ctx;
  const ws = mailbox.workspaceId;
  const messageId = derivedId('message', ctx.inboundId);
  const ref = newCaseRef(ctx, facts);
  const caseId = ref.id;
  // A list or newsletter case is for reading, not a promise to answer: it starts no SLA clock.
  const clock = ctx.imported || decision.kind === 'list' ? null : facts.sla;
  const sla = slaOnCreate(clock, 'normal', now);
  const at = ctx.imported?.at ?? now;
  const row: Case = {
    id: caseId,
    workspaceId: ws,
    mailboxId: mailbox.id,
    number: facts.number,
    subject: ref.subject,
    status: ctx.imported ? 'closed' : 'new',
    priority: 'normal',
    assigneeId: ref.assigneeId,
    team: mailbox.defaultTeam,
    teamId: mailbox.defaultTeamId,
    snoozedAt: null,
    snoozedUntil: null,
    snoozedBy: null,
    linkedCaseId: decision.linkedCaseId,
    mergedIntoId: null,
    statusChangedAt: at,
    messageCount: 1,
    createdAt: at,
    updatedAt: at,
    lastMessageAt: at,
    closedAt: ctx.imported ? at : null,
    slaPolicyId: clock?.policy.id ?? null,
    contactId: null,
    ...sla,
  };
  const people = decision.kind === 'list' ? listPeople(peopleOf(ctx, 'requester'), ctx.sender) : peopleOf(ctx, 'requester');
  const { contactId: _contact, ...columns } = row;
  const writes: Write[] = [
    ...people.map((p) => contactUpsert(ws, p, now)),
    insert('cases', { ...columns, contactId: { $contactId: { workspaceId: ws, email: ctx.sender.email } } }),
    // The counter follows the numbers handed out; a concurrent new case that took the same number fails the batch (UNIQUE), and is planned again.
    update('workspaces', { id: ws }, { caseCounter: { $max: facts.number } }),
    ...people.map((p) => participantInsert(ws, caseId, p, now)),
    messageInsert(ctx, caseId, messageId, decision.kind, decision.rule, decision.reason),
    ...ctx.attachments.map((a) => insert('attachments', a.row)),
    inboundDone(ctx, 'processed', null, caseId, messageId),
  ];
  const bodies: EventBody[] = [{ type: 'case.created', caseId, case: caseSummary(row, ctx.sender, facts.assignee) }, ...released(ctx, caseId)];
  return outcome(ctx, caseId, actorOf(ctx), writes, bodies, { caseId, messageId, status: 'processed' }, more);
}

export function planAppend(ctx: OutcomeContext, decision: Decision & { action: 'append' }, current: Case, sla: SlaContext | null, more?: FollowUps): Outcome {
  const { mailbox, now } = ctx;
  const ws = mailbox.workspaceId;
  const caseId = decision.match.caseId;
  const messageId = derivedId('message', ctx.inboundId);
  // A participant vouches for the people they copy in; auto-replies bring nobody, list mail only its
  // sender. A message an agent released from quarantine makes its sender a participant too: that is
  // what releasing means.
  const copied = decision.kind === 'auto-reply' ? [] : decision.kind === 'list' ? listPeople(peopleOf(ctx, 'cc'), ctx.sender) : peopleOf(ctx, 'cc');
  const people = copied.filter((p) => p.email !== ctx.sender.email || ctx.releasedBy);
  const status: CaseStatus = decision.newStatus ?? current.status;
  // The SLA clocks: a customer's message starts the next-response clock, and a reopened or resumed
  // case moves its due times. Auto-replies and list mail never reset a case's clock.
  const list = decision.kind === 'list';
  const woken = wokenByMail(current, decision.kind, Boolean(ctx.imported)); // the customer writing wakes a snoozed case
  const clocks =
    decision.kind === 'auto-reply' || (list && !decision.newStatus)
      ? null
      : slaTransition(current, sla, { ...(decision.newStatus ? { status: decision.newStatus } : {}), customerMessage: !list }, now);
  const writes: Write[] = [
    ...people.map((p) => contactUpsert(ws, p, now)),
    ...people.map((p) => participantInsert(ws, caseId, { ...p, role: 'cc' }, now)),
    messageInsert(ctx, caseId, messageId, decision.kind, decision.match.rule, decision.reason),
    ...ctx.attachments.map((a) => insert('attachments', a.row)),
    update(
      'cases',
      { id: caseId },
      {
        messageCount: { $add: 1 },
        updatedAt: now,
        // An auto-reply is not activity: it must not float the case to the top of the inbox.
        ...(decision.kind === 'auto-reply' ? {} : { lastMessageAt: ctx.imported ? { $max: ctx.imported.at } : now }),
        ...(decision.newStatus ? { status: decision.newStatus, closedAt: null } : {}),
        ...(clocks ?? {}),
        ...woken.set,
      },
    ),
    inboundDone(ctx, 'processed', null, caseId, messageId),
  ];
  const bodies: EventBody[] = [{ type: 'message.added', caseId, messageId, direction: 'inbound', kind: decision.kind, reopened: decision.newStatus !== null, status }, ...released(ctx, caseId)];
  return outcome(ctx, caseId, actorOf(ctx), writes, [...bodies, ...woken.bodies], { caseId, messageId, status: 'processed' }, more);
}

/** Quarantined or ignored: the inbound row is the record (the raw mail stays in R2), plus one event. */
export function planHeld(
  ctx: OutcomeContext,
  status: 'quarantined' | 'ignored',
  reason: string,
  caseId: string | null,
  duplicateOf?: { messageId: string | null } | null,
  /** The first message over the flood limit also raises one event for admins. */
  floodStarted?: Flood | null,
): Outcome {
  const bodies: EventBody[] = [{ type: 'inbound.held', caseId, inboundId: ctx.inboundId, status, reason }];
  if (floodStarted) {
    bodies.push({
      type: 'flood.detected',
      caseId: null,
      inboundId: ctx.inboundId,
      by: floodStarted.by,
      sender: ctx.sender.email,
      count: floodStarted.count,
      windowMinutes: floodStarted.windowMinutes,
    });
  }
  const messageId = duplicateOf?.messageId ?? null;
  // Held mail keeps no attachments of its own: a release parses the raw message again.
  return outcome({ ...ctx, attachments: [] }, caseId, 'system', [inboundDone(ctx, status, reason, caseId, messageId)], bodies, { caseId, messageId, status, reason });
}

/**
 * A delivery report about mail of a case: a system message on the case ("Delivery to x failed:
 * 5.1.1 …", or for a delay warning "… is delayed"), and permanently failed recipients marked
 * undeliverable, so no acknowledgement goes to them again. The case's status and its place in the
 * inbox do not change.
 */
export function planBounce(ctx: OutcomeContext, current: Pick<Case, 'id' | 'status'>, report: BounceReport): Outcome {
  const { mailbox, now } = ctx;
  const ws = mailbox.workspaceId;
  const caseId = current.id;
  const messageId = derivedId('message', ctx.inboundId);
  const writes: Write[] = [
    insert('messages', {
      id: messageId,
      workspaceId: ws,
      caseId,
      mailboxId: mailbox.id,
      direction: 'system',
      kind: 'bounce',
      messageKey: ctx.messageKey,
      rfcMessageId: ctx.mail.messageId,
      fromEmail: ctx.sender.email,
      fromName: ctx.sender.name,
      subject: ctx.mail.subject,
      text: describeBounce(report),
      rawKey: ctx.rawKey,
      inboundId: ctx.inboundId,
      threadRule: 'references',
      threadReason: report.warning ? 'a delivery warning (delayed, still being retried) about mail we sent for this case' : 'a delivery report about mail we sent for this case',
      kindReasons: JSON.stringify(ctx.classification.reasons),
      ...authColumns(ctx),
      createdAt: now,
    }),
    update('cases', { id: caseId }, { messageCount: { $add: 1 }, updatedAt: now }),
    ...report.recipients
      .filter(isPermanent)
      .map((r) =>
        update('contacts', { workspaceId: ws, email: r.recipient }, { undeliverable: true, undeliverableReason: `${r.status || 'failed'} ${r.diagnostic}`.trim().slice(0, 500), undeliverableAt: now }),
      ),
    inboundDone(ctx, 'processed', null, caseId, messageId),
  ];
  const body: EventBody = { type: 'message.added', caseId, messageId, direction: 'system', kind: 'bounce', reopened: false, status: current.status };
  // The deliveries it refuses show as bounced, with its reason.
  const bounced = bouncedDeliveries({ mailboxAddress: mailbox.address, caseId, report, now });
  return outcome({ ...ctx, attachments: [] }, caseId, 'system', [...writes, ...bounced.writes], [body, ...bounced.bodies], { caseId, messageId, status: 'processed' });
}

/** An agent's answer to a notification mail: an internal note on the case, by that agent. */
export function planAgentNote(ctx: OutcomeContext, current: Pick<Case, 'id' | 'status'>, agentId: string): Outcome {
  const { mailbox, now } = ctx;
  const caseId = current.id;
  const messageId = derivedId('message', ctx.inboundId);
  const writes: Write[] = [
    insert('messages', {
      id: messageId,
      workspaceId: mailbox.workspaceId,
      caseId,
      mailboxId: mailbox.id,
      direction: 'note',
      kind: 'human',
      messageKey: ctx.messageKey,
      rfcMessageId: ctx.mail.messageId,
      fromEmail: ctx.sender.email,
      fromName: ctx.sender.name,
      subject: ctx.mail.subject,
      text: ctx.mail.text,
      html: ctx.mail.html,
      rawKey: ctx.rawKey,
      inboundId: ctx.inboundId,
      threadRule: 'token',
      threadReason: 'an agent answered a notification by mail; posted as an internal note',
      authorAgentId: agentId,
      ...authColumns(ctx),
      createdAt: now,
    }),
    update('cases', { id: caseId }, { messageCount: { $add: 1 }, updatedAt: now }),
    inboundDone(ctx, 'processed', null, caseId, messageId),
  ];
  const body: EventBody = { type: 'message.added', caseId, messageId, direction: 'note', kind: 'human', reopened: false, status: current.status };
  return outcome({ ...ctx, attachments: [] }, caseId, `agent:${agentId}`, writes, [body], { caseId, messageId, status: 'processed' });
}
