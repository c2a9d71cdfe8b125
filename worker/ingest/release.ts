// What an agent does with held mail (the exception log): release it into a case, which makes its
// sender a participant, discard it, or, when it failed or could not be read, run it through the
// pipeline again. Each is recorded (who, when) and raises an event; discarding is soft: the row and
// the raw mail stay.
import { and, eq, inArray, isNull } from 'drizzle-orm';
import { cases, inbound, type Inbound } from '../db/schema.ts';
import { workspaceAddresses } from '../db/queries/mailboxes.ts';
import type { Deps } from '../deps.ts';
import type { EventBody } from '../protocol/events.ts';
import { REPROCESSABLE_REASONS } from '../protocol/constants.ts';
import { retryInbound } from './retry.ts';
import { analyze } from './analyze.ts';
import { planAppend, planNewCase, type Outcome, type OutcomeContext, type Stored } from './outcome.ts';
import { planAttachments } from './attachments.ts';
import { gatherFacts, type FactsKey } from './facts.ts';
import { assigneeOf, slaContextOf } from './plan.ts';
import { pickAssignee } from '../admin/assign.ts';
import { mailboxQuery } from '../db/queries/mailboxes.ts';
import { derivedId } from '../protocol/ids.ts';
import { commit } from '../changes/commit.ts';
import { update } from '../changes/change.ts';
import { sha256Hex } from './text.ts';

export class ReleaseRefused extends Error {
  readonly code: 'not_found' | 'conflict' | 'bad_request';
  constructor(code: 'not_found' | 'conflict' | 'bad_request', message: string) {
    super(message);
    this.code = code;
  }
}

/** Held mail that an agent may act on. Duplicates and loops are not: releasing them does harm. */
function assertActionable(row: Inbound): void {
  if (row.status !== 'quarantined' && row.status !== 'ignored') throw new ReleaseRefused('conflict', `this message is ${row.status}, not held`);
  if (row.reason === 'duplicate') throw new ReleaseRefused('conflict', 'a duplicate delivery: the original is already in its case');
  if (row.reason === 'loop') throw new ReleaseRefused('conflict', 'our own mail coming back: releasing it would start a loop');
}

export async function releaseInbound(deps: Deps, workspaceId: string, inboundId: string, actor: string, target: { caseId?: string }): Promise<Stored> {
  const row = await deps.db
    .select()
    .from(inbound)
    .where(and(eq(inbound.id, inboundId), eq(inbound.workspaceId, workspaceId)))
    .get();
  if (!row) throw new ReleaseRefused('not_found', 'inbound message not found');
  assertActionable(row);
  const mailbox = await mailboxQuery(deps.db, row.mailboxId).get();
  if (!mailbox) throw new ReleaseRefused('conflict', 'its mailbox no longer exists');
  const obj = await deps.raw.get(row.rawKey);
  if (!obj) throw new ReleaseRefused('conflict', 'the raw message is missing');
  const raw = new Uint8Array(await obj.arrayBuffer());
  const ownAddresses = await workspaceAddresses(deps.db, workspaceId);
  const analysis = await analyze({ raw, envelopeFrom: row.envelopeFrom, recipient: row.envelopeTo, ownAddresses, replyTokenKey: deps.secrets.replyTokenKey });
  if (!analysis.ok) throw new ReleaseRefused('conflict', `the message cannot be parsed (${analysis.reason}); download the raw message instead`);
  const now = deps.now();
  // Claim the row first: of a release and a discard racing, one wins and the other gets a 409.
  const claimed = await deps.db
    .update(inbound)
    .set({ resolvedBy: actor, resolvedAt: now })
    .where(and(eq(inbound.id, row.id), inArray(inbound.status, ['quarantined', 'ignored']), isNull(inbound.resolvedBy)))
    .returning({ id: inbound.id })
    .get();
  if (!claimed) throw new ReleaseRefused('conflict', 'someone else has just released or discarded this message');
  const { mail, sender, auth } = analysis;
  // The agent decided it is mail to file: it becomes a person's message, and says why.
  const was = analysis.classification;
  const classification = { kind: was.kind, reasons: [`released by ${actor}`, ...(was.reasons.length ? [`was ${was.kind}: ${was.reasons.join(', ')}`] : [])] };
  let previously: unknown = null;
  try {
    previously = row.decision ? JSON.parse(row.decision) : null;
  } catch {
    previously = row.decision;
  }
  const ctx: OutcomeContext = {
    mailbox,
    inboundId: row.id,
    messageKey: row.idemKey,
    rawKey: row.rawKey,
    ownAddresses,
    now,
    mail,
    sender,
    classification,
    auth,
    contentHash: await sha256Hex(`${mail.subject.toLowerCase()}\n${mail.text.trim()}`),
    releasedBy: actor,
    record: { action: 'release', by: actor, target, previously: { status: row.status, reason: row.reason, decision: previously } },
    attachments: await planAttachments(mail.attachments, mailbox, derivedId('message', row.id), now),
  };
  const kind = was.kind === 'human' || was.kind === 'list' || was.kind === 'auto-reply' ? was.kind : 'human';
  const reason = `released from ${row.status} (${row.reason}) by ${actor}`;
  const ack = { eligible: false, reason: 'released by an agent' };
  const caseId = target.caseId ?? row.caseId;
  const key: FactsKey = { mailbox, inboundId: row.id, idemKey: row.idemKey, sender: sender.email, ids: [], tag: null, caseIds: caseId ? [caseId] : [], agentCode: null, now };
  try {
    for (let attempt = 1; ; attempt++) {
      const facts = await gatherFacts(deps.db, key);
      let planned: Outcome;
      if (caseId) {
        const kase = facts.cases[caseId];
        if (!kase) throw new ReleaseRefused('bad_request', 'no such case in this workspace');
        const newStatus = kase.status === 'pending' || kase.status === 'resolved' || kase.status === 'closed' ? 'open' : null;
        planned = planAppend(ctx, { action: 'append', kind, match: { caseId, rule: 'released', reason }, newStatus, reason, acknowledge: ack }, kase, slaContextOf(mailbox, facts, kase.slaPolicyId));
      } else {
        const who = assigneeOf(mailbox, facts);
        const assignee = who && 'team' in who ? await pickAssignee(deps.db, { ...mailbox, defaultAssigneeId: null }, now, deps.presence) : (who?.agent ?? null);
        const sla = slaContextOf(mailbox, facts, mailbox.slaPolicyId);
        planned = planNewCase(ctx, { action: 'new-case', kind, rule: 'new', linkedCaseId: null, reason, acknowledge: ack }, { number: facts.caseCounter + 1, assignee, sla });
      }
      try {
        const done = await commit(deps, planned.change);
        return { ...planned.result, events: done.events, outgoing: planned.change.outgoing };
      } catch (err) {
        // A concurrent new case took the number: plan again with the next one.
        if (attempt >= 5 || !/UNIQUE constraint failed: cases\.workspace_id, cases\.number/.test(`${String(err)} ${String((err as { cause?: unknown }).cause ?? '')}`)) throw err;
      }
    }
  } catch (err) {
    // Give the row back, so the release can be tried again (or the message discarded).
    await deps.db.update(inbound).set({ resolvedBy: null, resolvedAt: null }).where(eq(inbound.id, row.id));
    throw err;
  }
}

export async function discardInbound(deps: Deps, workspaceId: string, inboundId: string, actor: string): Promise<void> {
  const row = await deps.db
    .select()
    .from(inbound)
    .where(and(eq(inbound.id, inboundId), eq(inbound.workspaceId, workspaceId)))
    .get();
  if (!row) throw new ReleaseRefused('not_found', 'inbound message not found');
  if (row.status !== 'quarantined' && row.status !== 'ignored' && row.status !== 'failed') throw new ReleaseRefused('conflict', `this message is ${row.status}, not held`);
  const now = deps.now();
  // Conditional: a release (or another discard) that got there first is not undone.
  const done = await deps.db
    .update(inbound)
    .set({ status: 'discarded', resolvedBy: actor, resolvedAt: now, nextAttemptAt: null })
    .where(and(eq(inbound.id, inboundId), eq(inbound.status, row.status), isNull(inbound.resolvedBy)))
    .returning({ id: inbound.id })
    .get();
  if (!done) throw new ReleaseRefused('conflict', 'someone else has just released or discarded this message');
  const body: EventBody = { type: 'inbound.resolved', caseId: row.caseId, inboundId, status: 'discarded', by: actor };
  await commit(deps, { workspaceId, writes: [], events: [{ caseId: row.caseId, actor: `agent:${actor}`, body }], outgoing: [], blobs: [] });
}

const REPROCESSABLE = new Set<string>(REPROCESSABLE_REASONS);

/** Mail that may run through the pipeline again: it failed, or could not be read. */
async function assertReprocessable(deps: Deps, row: Inbound): Promise<void> {
  switch (row.status) {
    case 'processed': {
      const kase = row.caseId ? await deps.db.select({ number: cases.number }).from(cases).where(eq(cases.id, row.caseId)).get() : undefined;
      throw new ReleaseRefused(
        'conflict',
        kase ? `this message is already in case #${kase.number}; there is nothing to reprocess` : 'this message was already processed; there is nothing to reprocess',
      );
    }
    case 'discarded':
      throw new ReleaseRefused('conflict', 'this message was discarded');
    case 'received':
      throw new ReleaseRefused('conflict', 'this message is being processed right now');
    case 'failed':
      return;
    case 'quarantined':
    case 'ignored':
      if (REPROCESSABLE.has(row.reason ?? '')) return;
      throw new ReleaseRefused('conflict', `held as ${row.reason ?? row.status}: processing it again would decide the same; release or discard it instead`);
  }
}

/**
 * Runs a failed or unreadable message through the pipeline again from its raw mail, as the
 * scheduled retry does, without waiting for it; answers the row as it came out (a case, held
 * again, or failed again with the error). Of two reprocesses at once, one runs and the other is
 * refused.
 */
export async function reprocessInbound(deps: Deps, workspaceId: string, inboundId: string, actor: string): Promise<Inbound> {
  const row = await deps.db
    .select()
    .from(inbound)
    .where(and(eq(inbound.id, inboundId), eq(inbound.workspaceId, workspaceId)))
    .get();
  if (!row) throw new ReleaseRefused('not_found', 'inbound message not found');
  await assertReprocessable(deps, row);
  const run = await retryInbound(deps, row, deps.now());
  if (!run.claimed) throw new ReleaseRefused('conflict', 'someone else is processing, releasing or discarding this message right now');
  const after = await deps.db.select().from(inbound).where(eq(inbound.id, row.id)).get();
  if (!after) throw new ReleaseRefused('not_found', 'inbound message not found');
  const now = deps.now();
  // Who ran it goes on the events log, as releases and discards do; mail that became a case leaves
  // the exception log resolved by them.
  const intoCase = after.status === 'processed';
  const body: EventBody = { type: 'inbound.reprocessed', caseId: after.caseId, inboundId, status: after.status, reason: after.reason, by: actor };
  const resolve = intoCase ? [update('inbound', { id: row.id, status: 'processed', resolvedBy: null }, { resolvedBy: actor, resolvedAt: now })] : [];
  await commit(deps, { workspaceId, writes: resolve, events: [{ caseId: after.caseId, actor: `agent:${actor}`, body }], outgoing: [], blobs: [] });
  return intoCase && after.resolvedBy === null ? { ...after, resolvedBy: actor, resolvedAt: now } : after;
}
