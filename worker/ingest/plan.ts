// plan: what becomes of one analysed message, from its facts. Pure — no database, no clock, no
// bindings (the time and the keys come in) — so `npm run explain` and `npm run corpus` run exactly
// this against facts of their own. Three steps:
//   prepareInbound  the keys the message offers (ids, tag, verified tokens and markers, the bounce report)
//   decideInbound   threading, flood breaker, acknowledgement eligibility, the decision (facts in)
//   planInbound     the outcome as a Change: rows, events, acknowledgement and notification
import type { Agent, Case, Mailbox } from '../db/schema.ts';
import type { DecisionRecord } from '../protocol/api.ts';
import { planAck } from '../mail/ack.ts';
import { languagePreferences } from '../mail/templates.ts';
import { planNotification } from '../mail/notify.ts';
import { looksLikeThreadMarker, tokenFromAddress, verifyReplyToken, verifyThreadMarker, type TokenCheck } from '../mail/tokens.ts';
import { slaContextFrom, slaOnCreate, type SlaContext } from '../sla/transition.ts';
import type { Analysis } from './analyze.ts';
import { parseBounce, type BounceReport } from './bounce.ts';
import { ackEligibility, decide, type Decision, type Flood } from './decide.ts';
import type { FactsKey, InboundFacts } from './facts.ts';
import { newCaseRef, planAgentNote, planAppend, planBounce, planHeld, planNewCase, type FollowUps, type Outcome, type OutcomeContext } from './outcome.ts';
import { planAttachments } from './attachments.ts';
import { sha256Hex } from './text.ts';
import { baseSubject } from '../mail/subject.ts';
import { chooseThread, liveCaseId, type ThreadChoice, type ThreadFacts } from './thread.ts';
import { derivedId } from '../protocol/ids.ts';

/** The inbound row as the plan needs it. */
export interface InboundRef {
  id: string;
  idemKey: string;
  rawKey: string;
  importBatch: string | null;
}

export interface Prepared {
  row: InboundRef;
  mailbox: Mailbox;
  ownAddresses: string[];
  analysis: Analysis & { ok: true };
  contentHash: string;
  token: TokenCheck | null;
  /** Our signed markers among the ids the message points at, with the case each names. */
  markers: Record<string, string>;
  bounce: { report: BounceReport; markerCases: string[]; tokenCases: string[] } | null;
  key: FactsKey;
  secret: string;
  appUrl: string | null;
  now: number;
}

async function verifiedMarkers(secret: string, ids: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const id of ids) {
    if (!looksLikeThreadMarker(id)) continue;
    const caseId = await verifyThreadMarker(secret, id);
    if (caseId) out[id] = caseId;
  }
  return out;
}

export async function prepareInbound(input: {
  row: InboundRef;
  mailbox: Mailbox;
  ownAddresses: string[];
  analysis: Analysis & { ok: true };
  raw: Uint8Array;
  secret: string;
  appUrl: string | null;
  now: number;
}): Promise<Prepared> {
  const { analysis, secret } = input;
  const { mail, candidates, classification, sender } = analysis;
  const contentHash = await sha256Hex(`${mail.subject.toLowerCase()}\n${mail.text.trim()}`);
  const token = candidates.token ? await verifyReplyToken(secret, candidates.token) : null;
  const referenced = [...candidates.inReplyTo, ...candidates.references];
  const markers = await verifiedMarkers(secret, referenced);
  let bounce: Prepared['bounce'] = null;
  const ids = [...referenced];
  if (classification.kind === 'bounce') {
    const report = await parseBounce(input.raw, mail.headers, mail.text);
    const o = report.original;
    const evidence = [...(o?.references ?? []), ...(o?.inReplyTo ?? []), ...(o?.messageId ? [o.messageId] : []), ...report.mentionedIds];
    const tokenCases: string[] = [];
    for (const address of [...(o?.replyAddresses ?? []), ...report.mentionedReplyAddresses]) {
      const t = tokenFromAddress(address);
      const check = t ? await verifyReplyToken(secret, t) : null;
      if (check?.ok) tokenCases.push(check.caseId);
    }
    bounce = { report, markerCases: Object.values(await verifiedMarkers(secret, evidence)), tokenCases };
    if (o?.messageId) ids.push(o.messageId);
  }
  const key: FactsKey = {
    mailbox: input.mailbox,
    inboundId: input.row.id,
    idemKey: input.row.idemKey,
    sender: sender.email,
    ids,
    tag: candidates.subjectTag,
    replySubject: candidates.replySubject,
    caseIds: [...(token?.ok ? [token.caseId] : []), ...Object.values(markers), ...(bounce ? [...bounce.markerCases, ...bounce.tokenCases] : [])],
    agentCode: token?.ok && token.purpose.startsWith('a') ? token.purpose.slice(1) : null,
    now: input.now,
  };
  return { ...input, contentHash, token, markers, bounce, key };
}

/** The threading stage's view of the facts. */
export function threadFactsOf(p: Prepared, facts: InboundFacts): ThreadFacts {
  const { candidates } = p.analysis;
  let token: ThreadFacts['token'] = null;
  // What names a merged case threads into the case it was merged into (liveCaseId).
  const live = (id: string) => liveCaseId(facts.cases, id);
  if (p.token) token = !p.token.ok ? { rejected: p.token.reason } : facts.cases[p.token.caseId] ? { caseId: live(p.token.caseId) } : { rejected: 'token names a case that does not exist here' };
  const caseByMessageId: Record<string, string> = {};
  for (const id of [...candidates.inReplyTo, ...candidates.references]) {
    const hit = facts.messagesByRfc[id]?.caseId ?? facts.sentByProviderId[id];
    if (hit) caseByMessageId[id] = live(hit);
  }
  for (const [id, caseId] of Object.entries(p.markers)) if (facts.cases[caseId]) caseByMessageId[id] = live(caseId);
  // A reply to a message that a split moved out of the token's case goes where the message went.
  const answered = candidates.inReplyTo.map((id) => caseByMessageId[id]).find((c) => c !== undefined);
  if (token && 'caseId' in token && answered && answered !== token.caseId && facts.cases[answered]?.linkedCaseId === token.caseId) token = { caseId: answered };
  const tagged = candidates.subjectTag === null ? undefined : Object.values(facts.cases).find((c) => c.number === candidates.subjectTag);
  // The sender's most recent case with the reply's subject (facts.cases holds their recent cases then).
  const bySubject =
    candidates.replySubject === null
      ? undefined
      : Object.values(facts.cases)
          .filter((c) => baseSubject(c.subject) === candidates.replySubject && (facts.participants[c.id] ?? []).includes(p.key.sender))
          .sort((a, b) => b.lastMessageAt - a.lastMessageAt)[0];
  return { token, caseByMessageId, caseByTag: tagged ? live(tagged.id) : null, caseBySubject: bySubject?.id ?? null, participants: facts.participants };
}

/** The case a delivery report is about, by evidence we signed: a marker, our reply address, or the Message-ID of mail we sent. */
function bounceCaseOf(p: Prepared, facts: InboundFacts): string | null {
  if (!p.bounce) return null;
  const signed = [...p.bounce.markerCases, ...p.bounce.tokenCases].find((id) => facts.cases[id]);
  if (signed) return liveCaseId(facts.cases, signed);
  const original = p.bounce.report.original?.messageId;
  const sent = original ? facts.messagesByRfc[original] : undefined;
  // A Message-ID a customer wrote is not enough: anyone could quote it in a fake report.
  return sent && sent.direction === 'outbound' ? sent.caseId : null;
}

/** The flood breaker's verdict on the counts, this message included. */
function floodOf(mailbox: Mailbox, p: Prepared, facts: InboundFacts): Flood | null {
  const fromSender = p.key.sender ? facts.recentFromSender + 1 : 0;
  if (fromSender > mailbox.floodMaxPerSender) return { by: 'sender', count: fromSender, limit: mailbox.floodMaxPerSender, windowMinutes: mailbox.floodWindowMinutes };
  const identical = (facts.identicalOverLimit[p.contentHash] ?? 0) + 1;
  if (identical > mailbox.floodMaxIdentical) return { by: 'identical', count: identical, limit: mailbox.floodMaxIdentical, windowMinutes: mailbox.floodWindowMinutes };
  return null;
}

export type Decided =
  | { action: 'duplicate'; record: DecisionRecord; of: NonNullable<InboundFacts['duplicate']> }
  | { action: 'note'; record: DecisionRecord; caseId: string; agentId: string }
  | { action: 'not-the-agent'; record: DecisionRecord; caseId: string }
  | { action: 'decided'; record: DecisionRecord; decision: Decision; thread: ThreadChoice; flood: Flood | null; matched: Case | null; importing: boolean };

/** Whether mail with an agent-bound token really comes from that agent. */
function agentNoteCheck(p: Prepared, facts: InboundFacts): { ok: true; agentId: string } | { ok: false; why: string } {
  const sender = p.analysis.sender.email;
  const agent = facts.agents.find((a) => a.tokenCode === p.key.agentCode);
  if (!agent?.active) return { ok: false, why: 'the reply token names no active agent' };
  if (agent.email.toLowerCase() !== sender) return { ok: false, why: `the reply token belongs to ${agent.email}, but ${sender} sent it` };
  const verdict = p.analysis.auth.verdict;
  if (verdict !== 'verified') return { ok: false, why: `${sender} could not be verified (${verdict}); notes by mail need a verified sender` };
  return { ok: true, agentId: agent.id };
}

export function decideInbound(p: Prepared, facts: InboundFacts): Decided {
  const { mailbox, analysis, now } = p;
  const { classification, candidates, auth, sender } = analysis;
  const base: DecisionRecord = { action: 'pending', kind: classification.kind, reasons: classification.reasons, auth: { verdict: auth.verdict, reasons: auth.reasons }, candidates };
  if (facts.duplicate) return { action: 'duplicate', of: facts.duplicate, record: { ...base, action: 'ignore', reason: 'duplicate', of: facts.duplicate } };

  const threadFacts = threadFactsOf(p, facts);
  // An agent answering a notification: the token names the agent. It becomes an internal note by
  // that agent, but only from that agent's own, verified address.
  if (p.key.agentCode && threadFacts.token && 'caseId' in threadFacts.token && classification.kind === 'human') {
    const caseId = threadFacts.token.caseId;
    const note = agentNoteCheck(p, facts);
    if (note.ok) return { action: 'note', caseId, agentId: note.agentId, record: { ...base, action: 'note', decision: { action: 'note', agentId: note.agentId } } };
    return { action: 'not-the-agent', caseId, record: { ...base, action: 'quarantine', reason: 'not-the-agent', considered: [note.why], decision: { action: 'quarantine', reason: 'not-the-agent' } } };
  }

  const trust = auth.verdict === 'verified' || mailbox.unverifiedPolicy === 'allow' ? 'all-rules' : auth.verdict === 'failed' ? 'none' : 'token-only';
  // A historical import is the admin's own archive: its threads are rebuilt from headers as they were.
  const importing = p.row.importBatch !== null;
  const thread = chooseThread(candidates, threadFacts, sender.email, importing ? { anySender: true, trust: 'all-rules' } : { anySender: mailbox.replyPolicy === 'any', trust });
  const matched = thread.match ? (facts.cases[thread.match.caseId] ?? null) : null;
  const flood = !importing && ['human', 'list', 'auto-reply'].includes(classification.kind) ? floodOf(mailbox, p, facts) : null;
  const acknowledge = importing
    ? { eligible: false, reason: 'imported history is never answered' }
    : ackEligibility({ kind: classification.kind, sender: sender.email, ownAddresses: p.ownAddresses, auth: auth.verdict, undeliverable: facts.undeliverable });
  const decided = decide({ classification, thread, matchedCase: matched, mailbox, now, bounceCaseId: bounceCaseOf(p, facts), flood, acknowledge });
  // Imported history does not reopen anything: it is filed as it was.
  const decision: Decision = importing && decided.action === 'append' ? { ...decided, newStatus: null, reason: `${decided.match.reason}; imported history, status unchanged` } : decided;
  const record: DecisionRecord = { ...base, action: decision.action, considered: thread.considered, decision, ...(p.bounce ? { bounce: p.bounce.report } : {}) };
  return { action: 'decided', record, decision, thread, flood, matched, importing };
}

/** Who a new case goes to: the mailbox's active default assignee, else a team turn (claimed by the caller), else nobody. */
export function assigneeOf(mailbox: Mailbox, facts: InboundFacts): { agent: Agent } | { team: string } | null {
  const named = mailbox.defaultAssigneeId ? facts.agents.find((a) => a.id === mailbox.defaultAssigneeId && a.active) : undefined;
  if (named) return { agent: named };
  return mailbox.defaultTeam ? { team: mailbox.defaultTeam } : null;
}

/** The SLA context for a case under `policyId` (the mailbox's own for a new case). */
export function slaContextOf(mailbox: Mailbox, facts: InboundFacts, policyId: string | null): SlaContext | null {
  if (!policyId) return null;
  return slaContextFrom(
    mailbox,
    facts.policies.find((p) => p.id === policyId),
    facts.calendar,
  );
}

function contextOf(p: Prepared, record: DecisionRecord, importing: boolean): OutcomeContext {
  const { analysis: a } = p;
  return {
    mailbox: p.mailbox,
    inboundId: p.row.id,
    messageKey: p.row.idemKey,
    rawKey: p.row.rawKey,
    mail: a.mail,
    sender: a.sender,
    classification: a.classification,
    auth: a.auth,
    contentHash: p.contentHash,
    ownAddresses: p.ownAddresses,
    record,
    attachments: [],
    now: p.now,
    ...(importing ? { imported: { at: a.mail.date !== null && a.mail.date < p.now ? a.mail.date : p.now } } : {}),
  };
}

/**
 * What a new case or a customer reply sends: the acknowledgement (when the sender may get one and
 * the mailbox wants it) and the assignee's notification, recorded in the same batch as the message.
 */
async function followUps(
  p: Prepared,
  facts: InboundFacts,
  decision: Decision,
  kase: { id: string; number: number; subject: string; assigneeId: string | null },
  notes: Record<string, string>,
  firstResponseDueAt: number | null = null,
): Promise<FollowUps> {
  const more: FollowUps = { writes: [], blobs: [], outgoing: [] };
  if ((decision.action !== 'new-case' && decision.action !== 'append') || decision.kind !== 'human') return more;
  const add = (x: FollowUps) => (more.writes.push(...x.writes), more.blobs.push(...x.blobs), more.outgoing.push(...x.outgoing));
  const isNew = decision.action === 'new-case';
  const { sender, mail } = p.analysis;
  if (decision.acknowledge.eligible) {
    const plan = await planAck(
      {
        mailbox: p.mailbox,
        kind: isNew ? 'create' : 'update',
        kase,
        recipient: sender,
        causeInboundId: p.row.id,
        customerMessageId: mail.messageId,
        threadIds: isNew ? [] : (facts.threadIds[kase.id] ?? []),
        // The language the customer writes in (or reads) picks the built-in wording's language.
        customerLanguages: languagePreferences(mail.headers),
        firstResponseDueAt,
        secret: p.secret,
        now: p.now,
      },
      { perCaseHour: isNew ? 0 : (facts.acksThisHour[kase.id] ?? 0), perDay: facts.acksToday, calendar: facts.calendar },
    );
    if ('skipped' in plan) notes.acknowledgement = `not sent: ${plan.skipped}`;
    else add(plan), (notes.acknowledgement = 'queued');
  } else notes.acknowledgement = `not sent: ${decision.acknowledge.reason}`;
  if (kase.assigneeId) {
    const who = sender.name || sender.email;
    const plan = await planNotification(
      facts.agents.find((a) => a.id === kase.assigneeId),
      {
        kind: isNew ? 'assignment' : 'customer-reply',
        agentId: kase.assigneeId,
        mailbox: p.mailbox,
        kase,
        summary: isNew ? `${who} opened it, and the mailbox assigned it to you.` : `${who} replied.`,
        secret: p.secret,
        appUrl: p.appUrl,
        now: p.now,
      },
    );
    if ('skipped' in plan) notes.notification = `not sent: ${plan.skipped}`;
    else add(plan), (notes.notification = 'queued');
  }
  return more;
}

/** The outcome of a decided message. `assignee` is who a new case goes to (see assigneeOf). */
export async function planInbound(p: Prepared, facts: InboundFacts, decided: Decided, assignee: Pick<Agent, 'id' | 'name'> | null = null): Promise<Outcome> {
  const importing = decided.action === 'decided' && decided.importing;
  const ctx = contextOf(p, decided.record, importing);
  switch (decided.action) {
    case 'duplicate':
      return planHeld(ctx, 'ignored', 'duplicate', decided.of.caseId, decided.of);
    case 'note':
      return planAgentNote(ctx, facts.cases[decided.caseId]!, decided.agentId);
    case 'not-the-agent':
      return planHeld(ctx, 'quarantined', 'not-the-agent', decided.caseId);
    case 'decided':
      break;
  }
  const { decision, flood } = decided;
  switch (decision.action) {
    case 'new-case': {
      const messageId = derivedId('message', p.row.id);
      const attachments = await planAttachments(p.analysis.mail.attachments, p.mailbox, messageId, p.now);
      const newFacts = { number: facts.caseCounter + 1, assignee: importing ? null : assignee, sla: importing ? null : slaContextOf(p.mailbox, facts, p.mailbox.slaPolicyId) };
      const notes: Record<string, string> = {};
      // The acknowledgement promises the first response the new case's SLA clock will start with.
      const due = decision.kind === 'human' ? slaOnCreate(newFacts.sla, 'normal', p.now).firstResponseDueAt : null;
      const more = importing ? undefined : await followUps(p, facts, decision, newCaseRef(ctx, newFacts), notes, due);
      return planNewCase(withNotes({ ...ctx, attachments }, notes), decision, newFacts, more);
    }
    case 'append': {
      const current = decided.matched!;
      const messageId = derivedId('message', p.row.id);
      const attachments = await planAttachments(p.analysis.mail.attachments, p.mailbox, messageId, p.now);
      const notes: Record<string, string> = {};
      const more = importing ? undefined : await followUps(p, facts, decision, current, notes);
      return planAppend(withNotes({ ...ctx, attachments }, notes), decision, current, slaContextOf(p.mailbox, facts, current.slaPolicyId), more);
    }
    case 'bounce':
      return planBounce(ctx, facts.cases[decision.caseId]!, p.bounce!.report);
    case 'quarantine':
      return planHeld(ctx, 'quarantined', decision.reason, decision.caseId, null, flood && flood.count === flood.limit + 1 ? flood : null);
    case 'ignore':
      return planHeld(ctx, 'ignored', decision.reason, decision.caseId);
  }
}

function withNotes(ctx: OutcomeContext, notes: Record<string, string>): OutcomeContext {
  return Object.keys(notes).length ? { ...ctx, record: { ...ctx.record, outgoing: notes } } : ctx;
}

/** A message that could not be analysed: held with the reason, its row the record. */
export function planUnreadable(input: {
  row: InboundRef & { subject: string; fromEmail: string; envelopeFrom: string };
  mailbox: Mailbox;
  ownAddresses: string[];
  reason: string;
  detail: string;
  now: number;
}): Outcome {
  const { row } = input;
  const ctx: OutcomeContext = {
    mailbox: input.mailbox,
    inboundId: row.id,
    messageKey: row.idemKey,
    rawKey: row.rawKey,
    mail: {
      messageId: null,
      inReplyTo: [],
      references: [],
      from: null,
      sender: null,
      replyTo: [],
      to: [],
      cc: [],
      subject: row.subject,
      date: null,
      text: '',
      html: null,
      attachments: [],
      headers: [],
    },
    sender: { email: row.fromEmail || row.envelopeFrom, name: '' },
    classification: { kind: 'human', reasons: [] },
    auth: null,
    contentHash: null,
    ownAddresses: input.ownAddresses,
    record: { action: 'quarantine', reason: input.reason, detail: input.detail },
    attachments: [],
    now: input.now,
  };
  return planHeld(ctx, 'quarantined', input.reason, null);
}
