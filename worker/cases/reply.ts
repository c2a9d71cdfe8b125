// What agents write: replies (mailed to the customer and whoever else they name), internal notes
// (never mailed) and forwards (the case sent to someone outside). Each is one D1 batch: the message,
// the outgoing mail, the participants it brings in, the case update and the events. The case update
// is plan.ts's, so a reply's new status follows the same rules as any other status change. The
// collision guard refuses to send when the agent has not seen what arrived since they started writing.
import { and, asc, desc, eq, gt, inArray } from 'drizzle-orm';
import { agents, contacts, events, messages, type Agent } from '../db/schema.ts';
import type { Db } from '../db/client.ts';
import type { Deps } from '../deps.ts';
import type { AddressView, CaseStatus, MessageView } from '../protocol/api.ts';
import type { EventBody } from '../protocol/events.ts';
import { newId } from '../protocol/ids.ts';
import { commit } from '../changes/commit.ts';
import { agentActor, insert, remove, type Change, type Write } from '../changes/change.ts';
import { workspaceAddresses } from '../db/queries/mailboxes.ts';
import { buildCaseHeaders, composeMail, subjectWithTag } from '../mail/compose.ts';
import { validateAddress } from '../mail/headers.ts';
import { ownMessageId, stageMail } from '../mail/stage.ts';
import { escapeHtml } from '../mail/templates.ts';
import { caseSeq, messageViews } from './detail.ts';
import { CaseActionError } from './errors.ts';
import { mentionTokens, planMentions } from './mentions.ts';
import { gatherCaseFacts } from './facts.ts';
import { planCaseChange, type Author, type CaseFacts, type CaseStep } from './plan.ts';

/**
 * The collision guard: messages from customers or other agents that arrived after `seenSeq`. The
 * agent's own earlier messages do not count; neither do automatic ones (auto-replies, bounces).
 */
async function collisions(deps: Deps, workspaceId: string, caseId: string, seenSeq: number, author: Author): Promise<MessageView[]> {
  const newer = await deps.db
    .select({ payload: events.payload, actor: events.actor })
    .from(events)
    .where(and(eq(events.workspaceId, workspaceId), eq(events.caseId, caseId), gt(events.seq, seenSeq), eq(events.type, 'message.added')))
    .orderBy(asc(events.seq));
  const me = agentActor(author.id);
  const ids: string[] = [];
  for (const e of newer) {
    const p = JSON.parse(e.payload) as Extract<EventBody, { type: 'message.added' }>;
    if (p.kind !== 'human' || p.direction === 'system') continue;
    if (e.actor === me) continue;
    ids.push(p.messageId);
  }
  return ids.length ? messageViews(deps.db, caseId, ids) : [];
}

async function guard(deps: Deps, workspaceId: string, caseId: string, body: { seenSeq?: number; force: boolean }, author: Author): Promise<void> {
  if (body.seenSeq === undefined || body.force) return;
  const fresh = await collisions(deps, workspaceId, caseId, body.seenSeq, author);
  if (fresh.length) {
    throw new CaseActionError('conflict', `${fresh.length} new message(s) arrived while you were writing; read them, then send again`, {
      newMessages: fresh,
      lastSeq: await caseSeq(deps.db, workspaceId, caseId),
    });
  }
}

function checkedAddresses(list: string[], field: string, own: string[]): AddressView[] {
  const out: AddressView[] = [];
  for (const raw of list) {
    const check = validateAddress(raw);
    if (!check.ok) throw new CaseActionError('bad_request', `${field}: ${check.message}`);
    if (own.includes(check.address)) throw new CaseActionError('bad_request', `${field}: ${check.address} is one of our own mailboxes`);
    if (!out.some((a) => a.email === check.address)) out.push({ email: check.address, name: '' });
  }
  return out;
}

function textToHtml(text: string): string {
  return `<!doctype html><html><body style="font-family: sans-serif; line-height: 1.4">${escapeHtml(text).replace(/\r?\n/g, '<br>\n')}</body></html>`;
}

/** Whoever an agent writes to takes part in the case from now on: their replies will thread. */
function participantWrites(workspaceId: string, caseId: string, people: AddressView[], now: number): Write[] {
  return people.flatMap((p) => [
    insert('contacts', { id: newId('contact', now), workspaceId, email: p.email, name: p.name, orgDomain: p.email.split('@')[1] ?? '', createdAt: now }, 'ignore'),
    insert('participants', { caseId, email: p.email, name: p.name, role: 'cc', contactId: { $contactId: { workspaceId, email: p.email } }, addedAt: now }, 'ignore'),
  ]);
}

export function contextOf(deps: Deps, author: Author) {
  return { by: author, now: deps.now(), secret: deps.secrets.replyTokenKey, appUrl: deps.config.appUrl };
}

/** The workspace's active agents, whom a note may mention. */
function activeAgents(db: Db, workspaceId: string): Promise<Agent[]> {
  return db
    .select()
    .from(agents)
    .where(and(eq(agents.workspaceId, workspaceId), eq(agents.active, true)));
}

/** The message.added event of a message an agent wrote. */
function added(facts: CaseFacts, messageId: string, direction: 'outbound' | 'note', status: CaseStatus): EventBody {
  return { type: 'message.added', caseId: facts.kase.id, messageId, direction, kind: 'human', reopened: false, status };
}

export interface ReplyInput {
  text: string;
  to?: string[];
  cc: string[];
  status?: CaseStatus;
  seenSeq?: number;
  force: boolean;
}

export async function replyToCase(deps: Deps, workspaceId: string, caseId: string, author: Author, input: ReplyInput): Promise<MessageView> {
  const facts = await gatherCaseFacts(deps.db, workspaceId, caseId);
  const { kase, mailbox } = facts;
  await guard(deps, workspaceId, caseId, input, author);
  const own = await workspaceAddresses(deps.db, workspaceId);
  const requester = kase.contactId ? await deps.db.select({ email: contacts.email, name: contacts.name }).from(contacts).where(eq(contacts.id, kase.contactId)).get() : undefined;
  const to = input.to ? checkedAddresses(input.to, 'to', own) : requester ? [{ email: requester.email, name: requester.name }] : [];
  if (to.length === 0) throw new CaseActionError('bad_request', 'the case has no requester to reply to; name a recipient in "to"');
  const cc = checkedAddresses(input.cc, 'cc', own).filter((a) => !to.some((t) => t.email === a.email));
  const thread = await deps.db
    .select({ rfc: messages.rfcMessageId, direction: messages.direction, kind: messages.kind })
    .from(messages)
    .where(eq(messages.caseId, caseId))
    .orderBy(asc(messages.createdAt));
  const lastCustomer = [...thread].reverse().find((m) => m.direction === 'inbound' && m.kind === 'human' && m.rfc);
  const ctx = contextOf(deps, author);
  const { now } = ctx;
  const outboxId = newId('outbox', now);
  const messageId = newId('message', now);
  const rfcMessageId = ownMessageId(outboxId, mailbox.address);
  const h = await buildCaseHeaders({
    secret: deps.secrets.replyTokenKey,
    caseId,
    mailboxAddress: mailbox.address,
    mailboxName: mailbox.displayName,
    customerLastMessageId: lastCustomer?.rfc ?? null,
    // Only the conversation with the customer: not a bounce's id, not an auto-reply's.
    threadIds: thread.filter((m) => m.direction === 'outbound' || (m.direction === 'inbound' && m.kind === 'human')).flatMap((m) => (m.rfc ? [m.rfc] : [])),
  });
  const composed = composeMail({
    from: h.from,
    to,
    cc,
    replyTo: h.replyTo,
    subject: subjectWithTag(`Re: ${kase.subject}`, kase.number),
    text: input.text,
    html: textToHtml(input.text),
    inReplyTo: h.inReplyTo,
    references: h.references,
    extraHeaders: { 'X-Loop': mailbox.address },
    date: new Date(now),
    messageId: rfcMessageId,
  });
  const status: CaseStatus = input.status ?? (kase.status === 'new' ? 'open' : kase.status);
  const out = stageMail({ id: outboxId, kind: 'reply', workspaceId, caseId, messageId, causeInboundId: null, composed, now });
  const message = insert('messages', {
    id: messageId,
    workspaceId,
    caseId,
    mailboxId: mailbox.id,
    direction: 'outbound',
    kind: 'human',
    rfcMessageId,
    inReplyTo: h.inReplyTo ?? null,
    references: JSON.stringify(h.references),
    fromEmail: mailbox.address,
    fromName: author.name,
    to: JSON.stringify(to),
    cc: JSON.stringify(cc),
    subject: composed.subject,
    text: input.text,
    html: textToHtml(input.text),
    threadRule: 'agent',
    threadReason: `written by ${author.name}`,
    authorAgentId: author.id,
    createdAt: now,
  });
  const people = [...to, ...cc].filter((a) => a.email !== requester?.email);
  // A public reply meets the response targets and moves the case in the inbox; a new status is the
  // status edit's (it may pause, resume or end the clocks, and announces itself after the message).
  const reply: CaseStep = {
    set: { messageCount: { $add: 1 }, lastMessageAt: now },
    sla: { agentReply: true },
    more: {
      writes: [message, ...participantWrites(workspaceId, caseId, people, now), ...out.writes, ...(author.id ? [remove('drafts', { caseId, agentId: author.id })] : [])],
      events: [{ caseId, actor: agentActor(author.id), body: added(facts, messageId, 'outbound', status) }],
      outgoing: out.outgoing,
      blobs: out.blobs,
    },
  };
  await commit(deps, await planCaseChange(facts, [{ kind: 'status', status }], ctx, reply));
  await deps.settle();
  return (await messageViews(deps.db, caseId, [messageId]))[0]!;
}

export interface NoteInput {
  text: string;
  seenSeq?: number;
  force: boolean;
}

/** The change a note makes: the message, and the mentions in it (mentions.ts). */
export async function planNote(facts: CaseFacts, author: Author, ctx: ReturnType<typeof contextOf>, text: string, mentionable: Agent[]): Promise<{ messageId: string; change: Change }> {
  const { kase, mailbox } = facts;
  const messageId = newId('message', ctx.now);
  const message = insert('messages', {
    id: messageId,
    workspaceId: kase.workspaceId,
    caseId: kase.id,
    mailboxId: mailbox.id,
    direction: 'note',
    kind: 'human',
    fromEmail: '',
    fromName: author.name,
    subject: kase.subject,
    text,
    threadRule: 'agent',
    threadReason: `internal note by ${author.name}`,
    authorAgentId: author.id,
    createdAt: ctx.now,
  });
  const mentions = await planMentions({ kase, mailbox, noteId: messageId, text, agents: mentionable }, ctx);
  // A note is not customer-visible activity: it does not move the case in the inbox.
  const note: CaseStep = {
    set: { messageCount: { $add: 1 } },
    more: {
      // The note sent is the agent's note draft no more (a reply draft of theirs stays).
      writes: [message, ...mentions.writes, ...(author.id ? [remove('drafts', { caseId: facts.kase.id, agentId: author.id, mode: 'note' })] : [])],
      events: [{ caseId: kase.id, actor: agentActor(author.id), body: added(facts, messageId, 'note', kase.status) }, ...mentions.events],
      outgoing: mentions.outgoing,
      blobs: mentions.blobs,
    },
  };
  return { messageId, change: await planCaseChange(facts, [], ctx, note) };
}

export async function addNote(deps: Deps, workspaceId: string, caseId: string, author: Author, input: NoteInput): Promise<MessageView> {
  const facts = await gatherCaseFacts(deps.db, workspaceId, caseId);
  await guard(deps, workspaceId, caseId, input, author);
  const mentionable = mentionTokens(input.text).length ? await activeAgents(deps.db, workspaceId) : [];
  const { messageId, change } = await planNote(facts, author, contextOf(deps, author), input.text, mentionable);
  await commit(deps, change);
  if (change.outgoing.length) await deps.settle();
  return (await messageViews(deps.db, caseId, [messageId]))[0]!;
}

/** Sends the case to someone outside (a supplier, a colleague elsewhere); they become a participant. */
export async function forwardCase(deps: Deps, workspaceId: string, caseId: string, author: Author, input: { to: string; text: string }): Promise<MessageView> {
  const facts = await gatherCaseFacts(deps.db, workspaceId, caseId);
  const { kase, mailbox } = facts;
  const own = await workspaceAddresses(deps.db, workspaceId);
  const [target] = checkedAddresses([input.to], 'to', own);
  const last = await deps.db
    .select()
    .from(messages)
    .where(and(eq(messages.caseId, caseId), eq(messages.direction, 'inbound'), inArray(messages.kind, ['human', 'list'])))
    .orderBy(desc(messages.createdAt))
    .limit(1)
    .get();
  const quoted = last
    ? [
        `---------- Forwarded message (case #${kase.number}) ----------`,
        `From: ${last.fromName ? `${last.fromName} <${last.fromEmail}>` : last.fromEmail}`,
        `Date: ${new Date(last.sentAt ?? last.createdAt).toUTCString()}`,
        `Subject: ${last.subject}`,
        '',
        last.text,
      ].join('\n')
    : '';
  const text = [input.text.trim(), quoted].filter(Boolean).join('\n\n');
  const ctx = contextOf(deps, author);
  const { now } = ctx;
  const outboxId = newId('outbox', now);
  const messageId = newId('message', now);
  const h = await buildCaseHeaders({ secret: deps.secrets.replyTokenKey, caseId, mailboxAddress: mailbox.address, mailboxName: mailbox.displayName });
  const composed = composeMail({
    from: h.from,
    to: [target!],
    replyTo: h.replyTo,
    subject: subjectWithTag(`Fwd: ${kase.subject}`, kase.number),
    text,
    html: textToHtml(text),
    references: h.references,
    extraHeaders: { 'X-Loop': mailbox.address },
    date: new Date(now),
    messageId: ownMessageId(outboxId, mailbox.address),
  });
  const out = stageMail({ id: outboxId, kind: 'forward', workspaceId, caseId, messageId, causeInboundId: null, composed, now });
  const message = insert('messages', {
    id: messageId,
    workspaceId,
    caseId,
    mailboxId: mailbox.id,
    direction: 'outbound',
    kind: 'human',
    rfcMessageId: ownMessageId(outboxId, mailbox.address),
    references: JSON.stringify(h.references),
    fromEmail: mailbox.address,
    fromName: author.name,
    to: JSON.stringify([target]),
    subject: composed.subject,
    text,
    threadRule: 'agent',
    threadReason: `forwarded by ${author.name} to ${target!.email}`,
    authorAgentId: author.id,
    createdAt: now,
  });
  const forward: CaseStep = {
    set: { messageCount: { $add: 1 } },
    more: {
      writes: [message, ...participantWrites(workspaceId, caseId, [target!], now), ...out.writes],
      events: [{ caseId, actor: agentActor(author.id), body: added(facts, messageId, 'outbound', kase.status) }],
      outgoing: out.outgoing,
      blobs: out.blobs,
    },
  };
  await commit(deps, await planCaseChange(facts, [], ctx, forward));
  await deps.settle();
  return (await messageViews(deps.db, caseId, [messageId]))[0]!;
}
