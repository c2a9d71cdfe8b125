// explain: what the Worker does with a message and why, by running what the Worker runs against a
// real D1 database: the email handler's checks and keys, then analyze → prepareInbound → gatherFacts
// (one batch) → decideInbound → assigneeOf / pickAssignee → planInbound, as pipeline.ts does. With
// `commit`, the planned change goes through the one write path (write, then announce to a publisher
// that records instead of a Durable Object, and mail that is recorded instead of sent), so a later
// message threads to an earlier one. `npm run explain` and `npm run corpus` run it in Node against a
// throwaway database or a copy of the local one; the corpus tests run it in workerd against env.DB.
import { eq, inArray } from 'drizzle-orm';
import { cases, inbound, type Agent, type Case, type Mailbox } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { makeDb, type Db } from '../db/client.ts';
import { resolveMailboxWithAddresses } from '../db/queries/mailboxes.ts';
import { seedDemo } from '../db/seed.ts';
import { pickAssignee } from '../admin/assign.ts';
import { announce, write } from '../changes/commit.ts';
import { insert, type Change, type Staged, type Write } from '../changes/change.ts';
import type { DecisionRecord } from '../protocol/api.ts';
import type { ServerEvent } from '../protocol/events.ts';
import { derivedId, newId } from '../protocol/ids.ts';
import type { Publisher } from '../realtime/publish.ts';
import { analyze, type Analysis } from './analyze.ts';
import { firstAddress, idempotencyKey } from './dedupe.ts';
import type { AttachmentLine, Desk, DeskSettings, ExplainModule, Explanation, MessageInput } from './explain-types.ts';
import { excerpt, mib, renderExplanation, time } from './explain-text.ts';
import { gatherFacts, type InboundFacts } from './facts.ts';
import type { Outcome } from './outcome.ts';
import { assigneeOf, decideInbound, planInbound, planUnreadable, prepareInbound, slaContextOf, type Decided } from './plan.ts';
import { MAX_ATTEMPTS, recordFailure } from './pipeline.ts';
import { headerValue, prescan, stripMboxFromLine } from './prescan.ts';
import { cleanLine, normalizeEmail } from './text.ts';

export type { Desk, DeskSettings, Explanation, MessageInput } from './explain-types.ts';
export { renderExplanation } from './explain-text.ts';

/** The envelope sender as Email Routing would report it: Return-Path, else the From address. */
export function envelopeOf(raw: Uint8Array): string {
  const pre = prescan(raw);
  const rp = headerValue(pre.headers, 'return-path');
  if (rp !== null) return /<([^>]*)>/.exec(rp)?.[1] ?? rp.trim();
  // No Return-Path: a relay would still have had an envelope sender; only `<>` means none.
  const from = headerValue(pre.headers, 'from') ?? '';
  return /<([^>]+@[^>]+)>/.exec(from)?.[1] ?? /[^\s<>"]+@[^\s<>"]+/.exec(from)?.[0] ?? 'unknown@sender.invalid';
}

/** The email handler's refusals (receive.ts), which answer at SMTP time before anything is stored. */
function refusal(mailbox: Mailbox | undefined, size: number, maxMessageBytes: number): string | null {
  if (!mailbox) return 'no such mailbox';
  if (!mailbox.enabled) return 'mailbox disabled';
  const limit = Math.min(maxMessageBytes, mailbox.maxMessageBytes);
  return size > limit ? `message too large: ${mib(size)}, this mailbox accepts up to ${mib(limit)}` : null;
}

/** The values a planned write puts into `table` (its insert values, or its update's set). */
function written(change: Change | null, table: 'cases' | 'attachments' | 'inbound', op: 'insert' | 'update'): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const w of (change?.writes ?? []) as Array<Write & { table?: string; values?: Record<string, unknown>; set?: Record<string, unknown> }>) {
    if (w.op !== op || w.table !== table) continue;
    const v = op === 'insert' ? w.values : w.set;
    if (v) out.push(v);
  }
  return out;
}

/** The decision record the change keeps on the inbound row (with what went out because of it). */
function recordOf(change: Change | null): DecisionRecord | null {
  const decision = written(change, 'inbound', 'update').find((set) => typeof set.decision === 'string')?.decision;
  return typeof decision === 'string' ? (JSON.parse(decision) as DecisionRecord) : null;
}

interface Run {
  mailbox: Mailbox;
  analysis: Analysis | null;
  facts: InboundFacts | null;
  decided: Decided | null;
  /** Who a new case goes to, or why nobody. */
  assignee: Pick<Agent, 'id' | 'name'> | { none: string } | null;
  /** Null when planning failed: the Worker records the failure on the row and retries. */
  planned: Outcome | null;
  failure: string | null;
  inboundId: string;
  published: ServerEvent[];
  staged: Staged[];
}

/** The numbers of cases the facts do not hold (a duplicate's case). */
async function caseNumbers(db: Db, facts: InboundFacts | null, ids: Array<string | null | undefined>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const missing: string[] = [];
  for (const id of ids) {
    if (!id) continue;
    const known = facts?.cases[id];
    if (known) out[id] = known.number;
    else missing.push(id);
  }
  if (missing.length) for (const r of await db.select({ id: cases.id, number: cases.number }).from(cases).where(inArray(cases.id, missing))) out[r.id] = r.number;
  return out;
}

function threadOf(run: Run, numbers: Record<string, number>, newNumber: number | null): Explanation['thread'] {
  const { decided, planned } = run;
  const ref = (id: string | null | undefined) => (id ? { id, number: numbers[id] ?? null } : null);
  const base = {
    status: planned?.result.status ?? 'failed',
    newStatus: null,
    linkedCase: null,
    considered: decided?.action === 'decided' ? decided.thread.considered : (decided?.record.considered ?? []),
  };
  if (run.failure !== null) {
    return {
      ...base,
      outcome: 'failed',
      case: null,
      rule: null,
      reason: 'processing-error',
      detail: `${run.failure} (the Worker records this on the inbound row and retries; after ${MAX_ATTEMPTS} attempts the message is quarantined as processing-failed)`,
    };
  }
  if (!decided) {
    // Not readable: held with the parser's reason, the raw mail kept for an admin.
    const a = run.analysis;
    return { ...base, outcome: 'held', case: null, rule: null, reason: a && !a.ok ? a.reason : 'unreadable', detail: a && !a.ok ? a.detail : null };
  }
  switch (decided.action) {
    case 'duplicate':
      return { ...base, outcome: 'duplicate', case: ref(decided.of.caseId), rule: null, reason: 'duplicate', detail: 'an earlier delivery of the same message was already dealt with' };
    case 'note':
      return { ...base, outcome: 'note', case: ref(decided.caseId), rule: 'token', reason: 'an agent answered a notification by mail: an internal note', detail: null };
    case 'not-the-agent':
      return { ...base, outcome: 'held', case: ref(decided.caseId), rule: 'token', reason: 'not-the-agent', detail: decided.record.considered?.join('; ') ?? null };
    case 'decided':
      break;
  }
  const d = decided.decision;
  switch (d.action) {
    case 'new-case':
      return {
        ...base,
        outcome: 'new-case',
        case: { id: derivedId('case', run.inboundId), number: newNumber },
        rule: d.rule,
        reason: d.reason,
        detail: null,
        linkedCase: ref(d.linkedCaseId),
      };
    case 'append':
      return { ...base, outcome: 'append', case: ref(d.match.caseId), rule: d.match.rule, reason: d.reason, detail: null, newStatus: d.newStatus };
    case 'bounce':
      return { ...base, outcome: 'bounce', case: ref(d.caseId), rule: 'references', reason: d.reason, detail: null };
    case 'quarantine':
      return { ...base, outcome: 'held', case: ref(d.caseId), rule: null, reason: d.reason, detail: d.detail };
    case 'ignore':
      return { ...base, outcome: 'ignored', case: ref(d.caseId), rule: null, reason: d.reason, detail: d.detail };
  }
}

function acknowledgementOf(run: Run, thread: Explanation['thread']): Explanation['acknowledgement'] {
  const note = recordOf(run.planned?.change ?? null)?.outgoing?.acknowledgement;
  if (note) return { sent: note === 'queued', detail: note === 'queued' ? `queued to ${run.analysis?.ok ? run.analysis.sender.email : 'the sender'}` : note.replace(/^not sent: /, '') };
  const d = run.decided?.action === 'decided' ? run.decided.decision : null;
  if (d && (d.action === 'new-case' || d.action === 'append') && !d.acknowledge.eligible) return { sent: false, detail: d.acknowledge.reason };
  if (run.decided?.action === 'decided' && run.decided.importing) return { sent: false, detail: 'imported history is never answered' };
  const why: Record<string, string> = {
    held: 'held mail is not answered',
    ignored: 'ignored mail is not answered',
    duplicate: 'the first delivery was the one answered',
    bounce: 'a delivery report is not answered',
    note: 'an internal note is not answered',
    failed: 'processing failed before anything was planned',
  };
  return { sent: false, detail: why[thread.outcome] ?? 'nothing to acknowledge' };
}

function slaOf(run: Run, thread: Explanation['thread']): Explanation['sla'] {
  const { facts, mailbox, planned } = run;
  if (!facts) return null;
  let policyId: string | null = null;
  let state: Record<string, unknown> = {};
  if (thread.outcome === 'new-case') {
    const row = written(planned?.change ?? null, 'cases', 'insert')[0] ?? {};
    policyId = (row.slaPolicyId as string | null) ?? null;
    state = row;
  } else if (thread.outcome === 'append' && thread.case) {
    const current: Case | undefined = facts.cases[thread.case.id];
    if (!current) return null;
    policyId = current.slaPolicyId;
    // The case as it is, with what the reply changes (a customer message starts the next-response clock).
    state = { ...current, ...Object.fromEntries(Object.entries(written(planned?.change ?? null, 'cases', 'update')[0] ?? {}).filter(([, v]) => v === null || typeof v !== 'object')) };
  } else return null;
  const row = policyId ? facts.policies.find((p) => p.id === policyId) : undefined;
  const ctx = slaContextOf(mailbox, facts, policyId);
  return {
    policy: row ? { id: row.id, name: row.name } : null,
    officeHours: ctx?.policy.businessHoursOnly ?? false,
    firstResponseDue: state.firstRespondedAt ? null : time(state.firstResponseDueAt),
    nextResponseDue: time(state.nextResponseDueAt),
    resolutionDue: time(state.resolutionDueAt),
  };
}

function assigneeLine(run: Run, thread: Explanation['thread']): Explanation['assignee'] {
  if (thread.outcome === 'new-case') {
    const a = run.assignee;
    if (a && 'id' in a) return { id: a.id, name: a.name };
    if (a && 'none' in a) return a;
    const m = run.mailbox;
    return { none: m.defaultAssigneeId || m.defaultTeam ? 'nobody of the default assignee or team is available' : 'the mailbox names no default assignee or team' };
  }
  const current = thread.outcome === 'append' && thread.case ? run.facts?.cases[thread.case.id] : undefined;
  if (!current) return { none: 'no case is opened or answered' };
  if (!current.assigneeId) return { none: 'the case is unassigned' };
  const agent = run.facts?.agents.find((a) => a.id === current.assigneeId);
  return { id: current.assigneeId, name: agent?.name ?? current.assigneeId };
}

function attachmentsOf(run: Run, thread: Explanation['thread']): AttachmentLine[] {
  const a = run.analysis;
  if (!a?.ok) return [];
  const rows = written(run.planned?.change ?? null, 'attachments', 'insert');
  return a.mail.attachments.map((att, i) => {
    const row = rows[i];
    const stored = row
      ? row.skippedReason
        ? `skipped: ${String(row.skippedReason)}`
        : 'stored'
      : thread.outcome === 'held'
        ? 'not stored: held mail keeps the raw message only'
        : `not stored: ${thread.outcome}`;
    return { filename: att.filename, contentType: att.contentType, size: att.content.byteLength, inline: att.inline, stored };
  });
}

async function explanationOf(db: Db, input: MessageInput, size: number, run: Run, committed: boolean, envelope: Explanation['envelope'], messageKey: string): Promise<Explanation> {
  const { analysis, facts, decided, planned } = run;
  const ids = [planned?.result.caseId, decided?.action === 'decided' ? decided.thread.held?.caseId : null];
  if (decided?.action === 'decided' && decided.decision.action === 'new-case') ids.push(decided.decision.linkedCaseId);
  const numbers = await caseNumbers(
    db,
    facts,
    ids.filter((id) => id !== derivedId('case', run.inboundId)),
  );
  const newNumber = facts ? facts.caseCounter + 1 : null;
  const thread = threadOf(run, numbers, newNumber);
  const record = recordOf(planned?.change ?? null);
  const ok = analysis?.ok ? analysis : null;
  return {
    ...(input.file !== undefined ? { file: input.file } : {}),
    size,
    verdict: 'accepted',
    mailbox: { address: run.mailbox.address, name: run.mailbox.displayName },
    inboundId: run.inboundId,
    messageKey,
    envelope,
    message: ok
      ? {
          from: { name: ok.sender.name, email: ok.sender.email },
          to: ok.mail.to.map((a) => a.email),
          cc: ok.mail.cc.map((a) => a.email),
          subject: ok.mail.subject,
          date: ok.mail.date !== null ? new Date(ok.mail.date).toISOString() : null,
          messageId: ok.mail.messageId,
          excerpt: excerpt(ok.mail.text),
          textLength: ok.mail.text.length,
          html: ok.mail.html !== null,
          attachments: attachmentsOf(run, thread),
        }
      : null,
    triage: ok ? { kind: ok.classification.kind, reasons: ok.classification.reasons, auth: { verdict: ok.auth.verdict, reasons: ok.auth.reasons } } : { kind: 'unreadable', reasons: [], auth: null },
    thread,
    acknowledgement: acknowledgementOf(run, thread),
    notification: record?.outgoing?.notification ?? null,
    sla: slaOf(run, thread),
    assignee: assigneeLine(run, thread),
    events: (committed ? run.published.map((e) => e.type) : (planned?.change.events ?? []).map((e) => e.body.type)) as string[],
    outgoing: (committed ? run.staged : (planned?.change.outgoing ?? [])).map((m) => ({ kind: m.kind, to: m.recipients })),
    committed,
    record,
  };
}

/** A desk over one D1 database (and R2 bucket, for what a commit stores). */
export async function openDesk(bindings: { DB: D1Database; RAW: R2Bucket | null }, settings: DeskSettings): Promise<Desk> {
  const db = makeDb(bindings.DB);
  const raw = bindings.RAW;
  if (settings.seed) await seedDemo(db, settings.now());
  const secret = settings.replyTokenKey;
  // Without commits nothing changes a mailbox, so each recipient is looked up once (the email handler
  // keeps them for a minute too); a conversation looks them up for every message, as the handler does.
  const mailboxes = new Map<string, ReturnType<typeof resolveMailboxWithAddresses>>();
  const resolve = (recipient: string) => {
    if (settings.commit) return resolveMailboxWithAddresses(db, recipient, secret);
    let hit = mailboxes.get(recipient);
    if (!hit) mailboxes.set(recipient, (hit = resolveMailboxWithAddresses(db, recipient, secret)));
    return hit;
  };

  async function explain(input: MessageInput): Promise<Explanation> {
    const now = settings.now();
    const bytes = stripMboxFromLine(input.bytes);
    const envelopeFrom = input.envelopeFrom ?? envelopeOf(bytes);
    const envelope = { from: normalizeEmail(envelopeFrom), to: normalizeEmail(input.recipient) };
    const resolved = await resolve(input.recipient);
    const refused = refusal(resolved?.mailbox, bytes.byteLength, settings.maxMessageBytes);
    if (refused || !resolved) {
      return {
        ...(input.file !== undefined ? { file: input.file } : {}),
        size: bytes.byteLength,
        verdict: 'rejected',
        rejected: refused ?? 'no such mailbox',
        mailbox: resolved ? { address: resolved.mailbox.address, name: resolved.mailbox.displayName } : null,
        inboundId: null,
        messageKey: null,
        envelope,
        message: null,
        triage: { kind: 'rejected', reasons: [], auth: null },
        thread: { outcome: 'rejected', status: 'rejected', case: null, rule: null, reason: refused ?? 'no such mailbox', detail: null, newStatus: null, linkedCase: null, considered: [] },
        acknowledgement: { sent: false, detail: 'refused at SMTP time: the sending server bounces it' },
        notification: null,
        sla: null,
        assignee: { none: 'no case' },
        events: [],
        outgoing: [],
        committed: false,
        record: null,
      };
    }
    const { mailbox, ownAddresses } = resolved;

    // The inbound row as the email handler stores it.
    const id = newId('inbound', now);
    const pre = prescan(bytes);
    const idemKey = await idempotencyKey(pre, bytes, envelopeFrom);
    const rawKey = `raw/${mailbox.workspaceId}/${new Date(now).toISOString().slice(0, 10)}/${id}.eml`;
    const row = {
      id,
      workspaceId: mailbox.workspaceId,
      mailboxId: mailbox.id,
      envelopeFrom: envelope.from,
      envelopeTo: envelope.to,
      rawKey,
      rawSize: bytes.byteLength,
      idemKey,
      status: 'received' as const,
      importBatch: null,
      subject: cleanLine(headerValue(pre.headers, 'subject'), 500),
      fromEmail: firstAddress(headerValue(pre.headers, 'from')) || envelope.from,
      receivedAt: now,
    };

    // The pipeline (pipeline.ts processInbound), step for step.
    const analysis = await analyze({ raw: bytes, envelopeFrom: row.envelopeFrom, recipient: row.envelopeTo, ownAddresses, replyTokenKey: secret });
    const blank: Run = { mailbox, analysis, facts: null, decided: null, assignee: null, planned: null, failure: null, inboundId: id, published: [], staged: [] };
    let run: Run;
    try {
      run = analysis.ok ? await plan(analysis) : { ...blank, planned: planUnreadable({ row, mailbox, ownAddresses, reason: analysis.reason, detail: analysis.detail, now }) };
    } catch (err) {
      // processSafely: the failure goes on the row, never out of the handler.
      run = { ...blank, failure: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
      if (settings.commit) {
        await write({ db, now: () => now }, { workspaceId: mailbox.workspaceId, writes: [insert('inbound', row)], events: [], outgoing: [], blobs: [] });
        const stored = await db.select().from(inbound).where(eq(inbound.id, id)).get();
        // recordFailure reads nothing of its deps but the database and the clock.
        if (stored) await recordFailure({ db, now: () => now } as unknown as Deps, stored, err);
      }
      return explanationOf(db, input, bytes.byteLength, run, settings.commit, envelope, idemKey);
    }

    async function plan(ok: Analysis & { ok: true }): Promise<Run> {
      const prepared = await prepareInbound({ row, mailbox, ownAddresses, analysis: ok, raw: bytes, secret, appUrl: settings.appUrl, now });
      const facts = await gatherFacts(db, prepared.key);
      const decided = decideInbound(prepared, facts);
      const who = decided.action === 'decided' && decided.decision.action === 'new-case' && !decided.importing ? assigneeOf(mailbox, facts) : null;
      let assignee: Pick<Agent, 'id' | 'name'> | null = who && 'agent' in who ? who.agent : null;
      let unclaimed: { none: string } | null = null;
      // A team's turn is a claim on the agents table; without a commit nothing may be claimed.
      if (who && 'team' in who) {
        if (settings.commit) assignee = await pickAssignee(db, { ...mailbox, defaultAssigneeId: null }, now);
        else unclaimed = { none: `team ${who.team}: its next available agent (not claimed: nothing is committed)` };
      }
      const planned = await planInbound(prepared, facts, decided, assignee);
      return { ...blank, facts, decided, assignee: unclaimed ?? assignee, planned };
    }

    const planned = run.planned!;
    if (settings.commit) {
      if (raw) await raw.put(rawKey, bytes, { httpMetadata: { contentType: 'message/rfc822' }, customMetadata: { inboundId: id, envelopeFrom, envelopeTo: input.recipient } });
      // The row's insert rides in the change's batch; the Worker stores it first, in a batch of its own.
      const change: Change = { ...planned.change, writes: [insert('inbound', row), ...planned.change.writes] };
      const hub: Publisher = { publish: async (_ws, events) => void run.published.push(...events) };
      const done = await write({ db, now: () => now, ...(raw ? { raw } : {}) }, change);
      await announce({ hub, background: () => {}, send: async (mail) => void run.staged.push(mail) }, change.workspaceId, done.events, change.outgoing);
    }
    return explanationOf(db, input, bytes.byteLength, run, settings.commit, envelope, idemKey);
  }

  return { explain };
}

export const explainModule = { openDesk, renderExplanation } satisfies ExplainModule<D1Database, R2Bucket>;
