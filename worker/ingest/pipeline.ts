// pipeline: one stored inbound message → its outcome. Reads top-down like the diagram in
// ARCHITECTURE.md: analyze (pre-scan, parse, classify) → dedupe → thread → decide → store → publish.
import { and, count, eq, gte, inArray, ne } from 'drizzle-orm';
import { cases, contacts, inbound, messages, type Inbound, type Mailbox } from '../db/schema.ts';
import { mailboxById, storeAgentNote, storeAppend, storeBounce, storeHeld, storeNewCase, threadFacts, type ExtraWork, type StoreContext, type Stored } from './store.ts';
import { agents } from '../db/schema.ts';
import { planAck, type AckLimits } from '../mail/ack.ts';
import { ackCaseHourQuery, ackDayQuery } from '../db/queries/acks.ts';
import { calendarQuery, slaPolicyQuery } from '../sla/apply.ts';
import { slaContextFrom } from '../sla/transition.ts';
import { planNotification } from '../mail/notify.ts';
import { announce } from '../changes/commit.ts';
import type { ExtraResult } from './store.ts';
import type { AuthVerdict } from '../protocol/api.ts';
import { workspaceAddresses } from '../db/queries/mailboxes.ts';
import { derivedId } from '../protocol/ids.ts';
import type { Deps } from '../deps.ts';
import { looksLikeThreadMarker, tokenFromAddress, verifyReplyToken, verifyThreadMarker } from '../mail/tokens.ts';
import { analyze } from './analyze.ts';
import { parseBounce, type BounceReport } from './bounce.ts';
import { ackEligibility, decide, type Decision, type Flood } from './decide.ts';
import { sha256Hex } from './text.ts';
import { chooseThread } from './thread.ts';

export class RawMissing extends Error {}

async function loadRaw(bucket: R2Bucket, key: string): Promise<Uint8Array> {
  const obj = await bucket.get(key);
  if (!obj) throw new RawMissing(`raw mail ${key} is not in R2`);
  return new Uint8Array(await obj.arrayBuffer());
}

/** The two lookups that find an earlier delivery of the same message that was already dealt with. */
function duplicateQueries(deps: Deps, row: Inbound) {
  return [
    deps.db
      .select({ id: messages.id, caseId: messages.caseId })
      .from(messages)
      .where(and(eq(messages.mailboxId, row.mailboxId), eq(messages.messageKey, row.idemKey)))
      .limit(1),
    deps.db
      .select({ id: inbound.id, caseId: inbound.caseId })
      .from(inbound)
      .where(and(eq(inbound.mailboxId, row.mailboxId), eq(inbound.idemKey, row.idemKey), ne(inbound.id, row.id), inArray(inbound.status, ['quarantined', 'ignored'])))
      .limit(1),
  ] as const;
}

type Duplicate = { caseId: string | null; messageId: string | null };

function duplicateFrom(msg: { id: string; caseId: string }[], held: { id: string; caseId: string | null }[]): Duplicate | null {
  if (msg[0]) return { caseId: msg[0].caseId, messageId: msg[0].id };
  return held[0] ? { caseId: held[0].caseId, messageId: null } : null;
}

/** An earlier delivery of the same message that was already dealt with. */
async function findDuplicate(deps: Deps, row: Inbound): Promise<Duplicate | null> {
  const [msg, held] = await deps.db.batch(duplicateQueries(deps, row));
  return duplicateFrom(msg, held);
}

function isUniqueViolation(err: unknown): boolean {
  const text = err instanceof Error ? `${err.message} ${String((err as { cause?: unknown }).cause ?? '')}` : String(err);
  // cases: a new case's id derives from the inbound id, so only a second run of the same row collides there.
  return /UNIQUE constraint failed: (messages|cases)\./.test(text);
}

/** Ids of ours among the threading candidates: signed markers name their case directly. */
async function markerCases(deps: Deps, workspaceId: string, ids: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const id of ids) {
    if (!looksLikeThreadMarker(id)) continue;
    const caseId = await verifyThreadMarker(deps.secrets.replyTokenKey, id);
    if (caseId) out[id] = caseId;
  }
  if (Object.keys(out).length === 0) return out;
  const known = new Set((await deps.db.select({ id: cases.id }).from(cases).where(and(eq(cases.workspaceId, workspaceId), inArray(cases.id, [...new Set(Object.values(out))])))).map((r) => r.id));
  for (const [id, caseId] of Object.entries(out)) if (!known.has(caseId)) delete out[id];
  return out;
}

/**
 * The case a delivery report is about, by evidence we signed: a marker of ours in the original's
 * References (or anywhere in the report), our reply address in its Reply-To, or the Message-ID of
 * mail we sent. A Message-ID a customer wrote is not enough: anyone could quote it in a fake report.
 */
async function bounceCase(deps: Deps, workspaceId: string, report: BounceReport): Promise<string | null> {
  const o = report.original;
  const ids = [...(o?.references ?? []), ...(o?.inReplyTo ?? []), ...(o?.messageId ? [o.messageId] : []), ...report.mentionedIds];
  const byMarker = Object.values(await markerCases(deps, workspaceId, ids))[0];
  if (byMarker) return byMarker;
  for (const address of [...(o?.replyAddresses ?? []), ...report.mentionedReplyAddresses]) {
    const token = tokenFromAddress(address);
    if (!token) continue;
    const check = await verifyReplyToken(deps.secrets.replyTokenKey, token);
    if (!check.ok) continue;
    const row = await deps.db.select({ id: cases.id }).from(cases).where(and(eq(cases.id, check.caseId), eq(cases.workspaceId, workspaceId))).get();
    if (row) return row.id;
  }
  if (o?.messageId) {
    const sent = await deps.db
      .select({ caseId: messages.caseId })
      .from(messages)
      .where(and(eq(messages.workspaceId, workspaceId), eq(messages.rfcMessageId, o.messageId), eq(messages.direction, 'outbound')))
      .get();
    if (sent) return sent.caseId;
  }
  return null;
}

/**
 * What the decision needs to know from D1 besides threading, in one round trip: an earlier delivery
 * of this message, what this mailbox received recently from this sender and with this content (the
 * flood breaker counts from D1, so restarts lose nothing), and whether the sender is undeliverable.
 * In the same trip, what storing and acknowledging will need: the mailbox's SLA policy and calendar,
 * and the acknowledgements this sender got today. Every D1 round trip costs the whole Worker CPU.
 */
async function priorFacts(deps: Deps, mailbox: Mailbox, row: Inbound, sender: string, contentHash: string, now: number) {
  const since = now - mailbox.floodWindowMinutes * 60_000;
  const recent = (extra: ReturnType<typeof eq>) =>
    deps.db
      .select({ n: count() })
      .from(inbound)
      .where(and(eq(inbound.mailboxId, mailbox.id), extra, gte(inbound.receivedAt, since), ne(inbound.id, row.id), ne(inbound.status, 'discarded')));
  const [msg, held, bySender, byContent, contact, policy, calendar, acksToday] = await deps.db.batch([
    ...duplicateQueries(deps, row),
    recent(eq(inbound.fromEmail, sender)),
    recent(eq(inbound.contentHash, contentHash)),
    deps.db.select({ undeliverable: contacts.undeliverable }).from(contacts).where(and(eq(contacts.workspaceId, mailbox.workspaceId), eq(contacts.email, sender))).limit(1),
    slaPolicyQuery(deps.db, mailbox.slaPolicyId),
    calendarQuery(deps.db, mailbox.calendarId),
    ackDayQuery(deps.db, sender, now),
  ]);
  return {
    duplicate: duplicateFrom(msg, held),
    recent: { fromSender: sender ? (bySender[0]?.n ?? 0) : 0, identical: byContent[0]?.n ?? 0 },
    undeliverable: contact[0]?.undeliverable ?? false,
    sla: slaContextFrom(mailbox, policy[0], calendar[0]),
    calendar: calendar[0],
    acksToday: acksToday[0]?.n ?? 0,
  };
}

/** The flood breaker's verdict on the counts, this message included. */
function floodOf(mailbox: Mailbox, sender: string, recent: { fromSender: number; identical: number }): Flood | null {
  const fromSender = sender ? recent.fromSender + 1 : 0;
  if (fromSender > mailbox.floodMaxPerSender) return { by: 'sender', count: fromSender, limit: mailbox.floodMaxPerSender, windowMinutes: mailbox.floodWindowMinutes };
  const identical = recent.identical + 1;
  if (identical > mailbox.floodMaxIdentical) return { by: 'identical', count: identical, limit: mailbox.floodMaxIdentical, windowMinutes: mailbox.floodWindowMinutes };
  return null;
}

export interface ProcessOptions {
  /** Raw bytes already in memory (the email handler has them); otherwise read from R2. */
  raw?: Uint8Array;
  /** The mailbox, when the caller has just read it. */
  mailbox?: Mailbox;
  /** Its workspace's addresses, read together with it. */
  ownAddresses?: string[];
}

export async function processInbound(deps: Deps, row: Inbound, options: ProcessOptions = {}): Promise<Stored> {
  const { db } = deps;
  const now = deps.now();
  // Independent reads go out together: every D1 round trip is latency before agents see the mail.
  const [mailbox, raw] = await Promise.all([options.mailbox ?? mailboxById(db, row.mailboxId), options.raw ?? loadRaw(deps.raw, row.rawKey)]);
  if (!mailbox) throw new Error(`mailbox ${row.mailboxId} of inbound ${row.id} no longer exists`);
  const ownAddresses = options.ownAddresses ?? (await workspaceAddresses(db, mailbox.workspaceId));
  const analysis = await analyze({ raw, envelopeFrom: row.envelopeFrom, recipient: row.envelopeTo, ownAddresses, replyTokenKey: deps.secrets.replyTokenKey });

  const base = { db, raw: deps.raw, mailbox, inboundId: row.id, messageKey: row.idemKey, rawKey: row.rawKey, envelopeFrom: row.envelopeFrom, ownAddresses, now };
  if (!analysis.ok) {
    const ctx: StoreContext = {
      ...base,
      mail: emptyMail(row),
      sender: { email: row.fromEmail || row.envelopeFrom, name: '' },
      classification: { kind: 'human', reasons: [] },
      auth: null,
      contentHash: null,
      decisionJson: JSON.stringify({ action: 'quarantine', reason: analysis.reason, detail: analysis.detail }),
    };
    return publish(deps, mailbox.workspaceId, await storeHeld(ctx, 'quarantined', analysis.reason, null));
  }

  const { mail, sender, classification, candidates, auth } = analysis;
  const contentHash = await sha256Hex(`${mail.subject.toLowerCase()}\n${mail.text.trim()}`);
  const explain = (extra: object) =>
    JSON.stringify({ kind: classification.kind, reasons: classification.reasons, auth: { verdict: auth.verdict, reasons: auth.reasons }, candidates, ...extra });
  const prior = await priorFacts(deps, mailbox, row, sender.email, contentHash, now);
  const ctxFor = (decisionJson: string): StoreContext => ({ ...base, mail, sender, classification, auth, contentHash, decisionJson, sla: prior.sla });
  const duplicate = prior.duplicate;
  if (duplicate) {
    return publish(deps, mailbox.workspaceId, await storeHeld(ctxFor(explain({ action: 'ignore', reason: 'duplicate', of: duplicate })), 'ignored', 'duplicate', duplicate.caseId, duplicate));
  }

  const token = candidates.token ? await verifyReplyToken(deps.secrets.replyTokenKey, candidates.token) : null;
  const referenced = [...candidates.inReplyTo, ...candidates.references];
  const facts = await threadFacts(db, mailbox.workspaceId, referenced, candidates.subjectTag, token ? (token.ok ? { caseId: token.caseId } : { rejected: token.reason }) : null);
  const markers = await markerCases(deps, mailbox.workspaceId, referenced);
  if (Object.keys(markers).length) {
    Object.assign(facts.caseByMessageId, markers);
    const missing = Object.values(markers).filter((id) => !facts.participants[id]);
    if (missing.length) Object.assign(facts.participants, (await threadFacts(db, mailbox.workspaceId, [], null, null, missing)).participants);
    for (const id of missing) facts.participants[id] ??= [];
  }
  // An agent answering a notification: the token names the agent. It becomes an internal note by
  // that agent, but only from that agent's own, verified address.
  if (token?.ok && token.purpose.startsWith('a') && facts.token && 'caseId' in facts.token && classification.kind === 'human') {
    const note = await agentNote(deps, mailbox, row, token.caseId, token.purpose.slice(1), sender.email, auth.verdict);
    if (note.ok) {
      const ctx = ctxFor(explain({ decision: { action: 'note', agentId: note.agentId } }));
      return publish(deps, mailbox.workspaceId, await storeAgentNote(ctx, token.caseId, note.agentId));
    }
    const ctx = ctxFor(explain({ considered: [note.why], decision: { action: 'quarantine', reason: 'not-the-agent' } }));
    return publish(deps, mailbox.workspaceId, await storeHeld(ctx, 'quarantined', 'not-the-agent', token.caseId));
  }

  const trust = auth.verdict === 'verified' || mailbox.unverifiedPolicy === 'allow' ? 'all-rules' : auth.verdict === 'failed' ? 'none' : 'token-only';
  // A historical import is the admin's own archive: its threads are rebuilt from headers as they were.
  const importing = row.importBatch !== null;
  const thread = chooseThread(candidates, facts, sender.email, importing ? { anySender: true, trust: 'all-rules' } : { anySender: mailbox.replyPolicy === 'any', trust });
  // The matched case, and the acknowledgements its sender got about it in the last hour.
  const [matched, acksThisHour] = thread.match
    ? await db.batch([db.select().from(cases).where(eq(cases.id, thread.match.caseId)).limit(1), ackCaseHourQuery(db, sender.email, thread.match.caseId, now)])
    : [[], []];
  const matchedCase = matched[0] ?? null;

  let bounceCaseId: string | null = null;
  let report: BounceReport | null = null;
  if (classification.kind === 'bounce') {
    report = await parseBounce(raw, mail.headers, mail.text);
    bounceCaseId = await bounceCase(deps, mailbox.workspaceId, report);
  }
  const flood = !importing && ['human', 'list', 'auto-reply'].includes(classification.kind) ? floodOf(mailbox, sender.email, prior.recent) : null;
  const acknowledge = ackEligibility({ kind: classification.kind, sender: sender.email, ownAddresses, auth: auth.verdict, undeliverable: prior.undeliverable });
  const decided = decide({ classification, thread, matchedCase, mailbox, now, bounceCaseId, flood, acknowledge: importing ? { eligible: false, reason: 'imported history is never answered' } : acknowledge });
  // Imported history does not reopen anything: it is filed as it was.
  const decision = importing && decided.action === 'append' ? { ...decided, newStatus: null, reason: `${decided.match.reason}; imported history, status unchanged` } : decided;
  const ctx = ctxFor(explain({ considered: thread.considered, decision, ...(report ? { bounce: report } : {}) }));
  const limits = { perCaseHour: decision.action === 'append' ? (acksThisHour[0]?.n ?? 0) : 0, perDay: prior.acksToday, calendar: prior.calendar };
  const outgoing = importing ? undefined : followUps(deps, ctx, decision, mail.messageId, now, limits);
  if (importing) ctx.imported = { at: mail.date !== null && mail.date < now ? mail.date : now };

  try {
    switch (decision.action) {
      case 'new-case':
        return publish(deps, mailbox.workspaceId, await storeNewCase(ctx, decision, deps.raw, outgoing));
      case 'append':
        return publish(deps, mailbox.workspaceId, await storeAppend(ctx, decision, matchedCase!, deps.raw, outgoing));
      case 'bounce':
        return publish(deps, mailbox.workspaceId, await storeBounce(ctx, decision.caseId, report!));
      case 'quarantine':
        return publish(deps, mailbox.workspaceId, await storeHeld(ctx, 'quarantined', decision.reason, decision.caseId, undefined, flood && flood.count === flood.limit + 1 ? flood : null));
      case 'ignore':
        return publish(deps, mailbox.workspaceId, await storeHeld(ctx, 'ignored', decision.reason, decision.caseId));
    }
  } catch (err) {
    // Two copies of one message processed at once: the UNIQUE key let one through and rolled the
    // other's whole batch back. The loser is a duplicate, not a failure.
    if (!isUniqueViolation(err)) throw err;
    // The same row run twice at once (retry.ts claims rows so that it does not happen): the other run
    // stored it, and its outcome stands. The row is not marked a duplicate of itself.
    const own = await db.select({ id: messages.id, caseId: messages.caseId }).from(messages).where(eq(messages.id, derivedId('message', row.id))).get();
    if (own) return { events: [], caseId: own.caseId, messageId: own.id, status: 'processed' };
    const winner = await findDuplicate(deps, row);
    return publish(deps, mailbox.workspaceId, await storeHeld(ctxFor(explain({ action: 'ignore', reason: 'duplicate', of: winner })), 'ignored', 'duplicate', winner?.caseId ?? null, winner ?? undefined));
  }
}

async function publish(deps: Deps, workspaceId: string, stored: Stored): Promise<Stored> {
  await announce(deps, workspaceId, stored.events, stored.outgoing ?? []);
  return stored;
}

/**
 * What a new case or a customer reply sends: the acknowledgement (when the sender may get one and
 * the mailbox wants it) and the assignee's notification. Recorded in the same batch as the message.
 */
function followUps(deps: Deps, ctx: StoreContext, decision: Decision, customerMessageId: string | null, now: number, limits: AckLimits): ExtraWork | undefined {
  if ((decision.action !== 'new-case' && decision.action !== 'append') || decision.kind !== 'human') return undefined;
  const isNew = decision.action === 'new-case';
  return async (kase) => {
    const more: ExtraResult = { writes: [], blobs: [], outgoing: [] };
    const add = (p: ExtraResult) => (more.writes.push(...p.writes), more.blobs.push(...p.blobs), more.outgoing.push(...p.outgoing));
    const notes: Record<string, string> = {};
    if (decision.acknowledge.eligible) {
      const threadIds = isNew ? [] : (await deps.db.select({ id: messages.rfcMessageId }).from(messages).where(eq(messages.caseId, kase.id)).orderBy(messages.createdAt)).map((r) => r.id).filter((x): x is string => !!x);
      const plan = await planAck({
        mailbox: ctx.mailbox,
        kind: isNew ? 'create' : 'update',
        kase,
        recipient: ctx.sender,
        causeInboundId: ctx.inboundId,
        customerMessageId,
        threadIds,
        secret: deps.secrets.replyTokenKey,
        now,
      }, limits);
      if ('skipped' in plan) notes.acknowledgement = `not sent: ${plan.skipped}`;
      else {
        add(plan);
        notes.acknowledgement = 'queued';
      }
    } else notes.acknowledgement = `not sent: ${decision.acknowledge.reason}`;
    if (kase.assigneeId) {
      const agent = await deps.db.select().from(agents).where(eq(agents.id, kase.assigneeId)).get();
      const plan = await planNotification(agent, {
        kind: isNew ? 'assignment' : 'customer-reply',
        agentId: kase.assigneeId,
        mailbox: ctx.mailbox,
        kase,
        summary: isNew ? `${ctx.sender.name || ctx.sender.email} opened it, and the mailbox assigned it to you.` : `${ctx.sender.name || ctx.sender.email} replied.`,
        secret: deps.secrets.replyTokenKey,
        appUrl: deps.config.appUrl,
        now,
      });
      if ('skipped' in plan) notes.notification = `not sent: ${plan.skipped}`;
      else {
        add(plan);
        notes.notification = 'queued';
      }
    }
    ctx.decisionJson = JSON.stringify({ ...JSON.parse(ctx.decisionJson), outgoing: notes });
    return more;
  };
}

/** Whether mail with an agent-bound token really comes from that agent. */
async function agentNote(deps: Deps, mailbox: Mailbox, row: Inbound, caseId: string, code: string, sender: string, verdict: AuthVerdict): Promise<{ ok: true; agentId: string } | { ok: false; why: string }> {
  const agent = await deps.db.select().from(agents).where(and(eq(agents.workspaceId, mailbox.workspaceId), eq(agents.tokenCode, code))).get();
  if (!agent || !agent.active) return { ok: false, why: 'the reply token names no active agent' };
  if (agent.email.toLowerCase() !== sender) return { ok: false, why: `the reply token belongs to ${agent.email}, but ${sender} sent it` };
  if (verdict !== 'verified') return { ok: false, why: `${sender} could not be verified (${verdict}); notes by mail need a verified sender` };
  void row;
  void caseId;
  return { ok: true, agentId: agent.id };
}

function emptyMail(row: Inbound): StoreContext['mail'] {
  return { messageId: null, inReplyTo: [], references: [], from: null, sender: null, replyTo: [], to: [], cc: [], subject: row.subject, date: null, text: '', html: null, attachments: [], headers: [] };
}

// ---- failures and retries ------------------------------------------------------------------------

export const MAX_ATTEMPTS = 5;

/** 1, 2, 4, 8 … minutes, at most an hour. */
export function backoffMs(attempts: number): number {
  return Math.min(60, 2 ** Math.max(0, attempts - 1)) * 60_000;
}

/** Records a processing failure on the row; the fifth one quarantines it for an admin to look at. */
export async function recordFailure(deps: Deps, row: Inbound, err: unknown): Promise<void> {
  const now = deps.now();
  const attempts = row.attempts + 1;
  const message = (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 2000);
  const giveUp = attempts >= MAX_ATTEMPTS;
  await deps.db
    .update(inbound)
    .set({
      attempts,
      lastError: message,
      status: giveUp ? 'quarantined' : 'failed',
      reason: giveUp ? 'processing-failed' : 'processing-error',
      nextAttemptAt: giveUp ? null : now + backoffMs(attempts),
    })
    .where(eq(inbound.id, row.id));
  console.error(`inbound ${row.id} attempt ${attempts} failed${giveUp ? ' (quarantined)' : ''}: ${message}`);
}

/** Runs the pipeline; a failure is recorded, never thrown: the raw mail is safe, a retry will come. */
export async function processSafely(deps: Deps, row: Inbound, options: ProcessOptions = {}): Promise<Stored | null> {
  try {
    return await processInbound(deps, row, options);
  } catch (err) {
    try {
      await recordFailure(deps, row, err);
    } catch (again) {
      // D1 is down too: the row stays `received` and the scheduled retry picks it up.
      console.error(`inbound ${row.id}: could not record the failure`, again);
    }
    return null;
  }
}
