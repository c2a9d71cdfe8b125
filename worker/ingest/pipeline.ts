// pipeline: one stored inbound message → its outcome. Reads like the diagram in ARCHITECTURE.md:
//   analyze (pre-scan, parse, classify) → prepare (keys) → gather (ONE D1 read batch) → decide and
//   plan (pure) → commit (ONE D1 write batch with its events) → announce (publish, outbox).
import type { BatchItem } from 'drizzle-orm/batch';
import type { Inbound, Mailbox } from '../db/schema.ts';
import { derivedId } from '../protocol/ids.ts';
import { mailboxQuery, workspaceAddresses } from '../db/queries/mailboxes.ts';
import type { Deps } from '../deps.ts';
import { pickAssignee } from '../admin/assign.ts';
import { announce, write } from '../changes/commit.ts';
import { update } from '../changes/change.ts';
import { analyze, type Analysis } from './analyze.ts';
import { factsCover, factsQueries, gatherFacts, type InboundFacts } from './facts.ts';
import { assigneeOf, decideInbound, planInbound, planUnreadable, prepareInbound, type InboundRef, type Prepared } from './plan.ts';
import type { Outcome, Stored } from './outcome.ts';

export class RawMissing extends Error {}

async function loadRaw(bucket: R2Bucket, key: string): Promise<Uint8Array> {
  const obj = await bucket.get(key);
  if (!obj) throw new RawMissing(`raw mail ${key} is not in R2`);
  return new Uint8Array(await obj.arrayBuffer());
}

/** Which collision a failed batch hit: a case number another new case took, or the same message stored twice. */
function collision(err: unknown): 'case-number' | 'duplicate' | null {
  const text = err instanceof Error ? `${err.message} ${String((err as { cause?: unknown }).cause ?? '')}` : String(err);
  if (/UNIQUE constraint failed: cases\.workspace_id, cases\.number/.test(text)) return 'case-number';
  // messages: the same message (mailbox, key) was stored by a concurrent delivery. cases: a new case's
  // id derives from the inbound id, so only a second run of the same row collides there.
  return /UNIQUE constraint failed: (messages|cases)\./.test(text) ? 'duplicate' : null;
}

/** A planned outcome collides at most this many times with concurrent deliveries before giving up (and retrying later). */
const PLAN_ATTEMPTS = 5;

export interface ProcessOptions {
  /** Raw bytes already in memory (the email handler has them); otherwise read from R2. */
  raw?: Uint8Array;
  /** The mailbox, when the caller has just read it. */
  mailbox?: Mailbox;
  /** Its workspace's addresses, read together with it. */
  ownAddresses?: string[];
  /** What the caller analysed and gathered with the row's insert (see `ahead`), for this mailbox and these addresses. */
  ahead?: Analysed & { facts: InboundFacts | null };
}

type PrepareInput = { row: InboundRef & { envelopeFrom: string; envelopeTo: string }; mailbox: Mailbox; ownAddresses: string[]; raw: Uint8Array; now: number };

/** The analysis of a message and, when it is readable, the keys its facts are looked up by. */
type Analysed = { analysis: Analysis & { ok: false }; prepared: null } | { analysis: Analysis & { ok: true }; prepared: Prepared };

async function analyzeAndPrepare(deps: Deps, input: PrepareInput): Promise<Analysed> {
  const { row, mailbox, ownAddresses, raw, now } = input;
  const secret = deps.secrets.replyTokenKey;
  const analysis = await analyze({ raw, envelopeFrom: row.envelopeFrom, recipient: row.envelopeTo, ownAddresses, replyTokenKey: secret });
  if (!analysis.ok) return { analysis, prepared: null };
  return { analysis, prepared: await prepareInbound({ row, mailbox, ownAddresses, analysis, raw, secret, appUrl: deps.config.appUrl, now }) };
}

/** Statements a caller puts in its own batch, and how to read their results. */
export type Lookahead = Analysed & {
  statements: BatchItem<'sqlite'>[];
  read(results: unknown[]): InboundFacts | null;
};

/**
 * The analysis and the facts statements of a message not yet stored, so the email handler can send
 * the facts lookup in the same batch as the row's insert: one round trip for both. The facts
 * statements exclude the row by id, so they read the same before and after its insert. Null when
 * anything goes wrong: the pipeline then does it all again from the stored row.
 */
export async function lookahead(deps: Deps, input: PrepareInput): Promise<Lookahead | null> {
  try {
    const analysed = await analyzeAndPrepare(deps, input);
    if (!analysed.prepared) return { ...analysed, statements: [], read: () => null };
    const q = factsQueries(deps.db, analysed.prepared.key);
    return { ...analysed, statements: q.statements, read: q.read };
  } catch (err) {
    console.error(`inbound ${input.row.id}: the lookahead failed, the pipeline starts over`, err);
    return null;
  }
}

export async function processInbound(deps: Deps, row: Inbound, options: ProcessOptions = {}): Promise<Stored> {
  const { db } = deps;
  const now = deps.now();
  // Independent reads go out together: every D1 round trip is latency before agents see the mail.
  const [mailbox, raw, ownAddresses] = await Promise.all([
    options.mailbox ?? mailboxQuery(db, row.mailboxId).get(),
    options.raw ?? loadRaw(deps.raw, row.rawKey),
    options.ownAddresses ?? (options.mailbox ? workspaceAddresses(db, options.mailbox.workspaceId) : null),
  ]);
  if (!mailbox) throw new Error(`mailbox ${row.mailboxId} of inbound ${row.id} no longer exists`);
  const own = ownAddresses ?? (await workspaceAddresses(db, mailbox.workspaceId));
  const { ahead } = options;
  const analysed = ahead ?? (await analyzeAndPrepare(deps, { row, mailbox, ownAddresses: own, raw, now }));
  if (!analysed.prepared) {
    const { reason, detail } = analysed.analysis;
    return commitOutcome(deps, planUnreadable({ row, mailbox, ownAddresses: own, reason, detail, now }));
  }
  const { prepared } = analysed;

  let facts = ahead?.facts && factsCover(ahead.facts.key, prepared.key) ? ahead.facts : await gatherFacts(db, prepared.key);
  const ownMessageId = derivedId('message', row.id);
  for (let attempt = 1; ; attempt++) {
    // The same row run twice at once (retry.ts claims rows so that it does not happen): the other run
    // stored it, and its outcome stands. The row is not marked a duplicate of itself.
    if (facts.duplicate?.messageId === ownMessageId) return { events: [], caseId: facts.duplicate.caseId, messageId: ownMessageId, status: 'processed' };
    const decided = decideInbound(prepared, facts);
    // A team's round-robin turn is a claim (compare-and-set on the agents table), taken only for a new case.
    const who = decided.action === 'decided' && decided.decision.action === 'new-case' && !decided.importing ? assigneeOf(mailbox, facts) : null;
    const assignee = who && 'team' in who ? await pickAssignee(db, { ...mailbox, defaultAssigneeId: null }, now, deps.presence) : (who?.agent ?? null);
    const planned = await planInbound(prepared, facts, decided, assignee);
    try {
      return await commitOutcome(deps, planned);
    } catch (err) {
      // Two deliveries at once: the UNIQUE keys let one through and rolled the other's whole batch
      // back. The loser plans again on fresh facts: a taken case number gets the next one, a stored
      // duplicate is now seen as one.
      if (!collision(err) || attempt >= PLAN_ATTEMPTS) throw err;
      facts = await gatherFacts(db, prepared.key);
    }
  }
}

async function commitOutcome(deps: Deps, planned: Outcome): Promise<Stored> {
  const done = await write(deps, planned.change);
  await announce(deps, planned.change.workspaceId, done.events, planned.change.outgoing);
  return { ...planned.result, events: done.events, outgoing: planned.change.outgoing };
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
  const failed = update(
    'inbound',
    { id: row.id },
    { attempts, lastError: message, status: giveUp ? 'quarantined' : 'failed', reason: giveUp ? 'processing-failed' : 'processing-error', nextAttemptAt: giveUp ? null : now + backoffMs(attempts) },
  );
  await write(deps, { workspaceId: row.workspaceId, writes: [failed], events: [], outgoing: [], blobs: [] });
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
