// pipeline: one stored inbound message → its outcome. Reads top-down like the diagram in
// ARCHITECTURE.md: analyze (pre-scan, parse, classify) → dedupe → thread → decide → store → publish.
import { and, eq, inArray, ne } from 'drizzle-orm';
import { cases, inbound, messages, type Inbound } from '../db/schema.ts';
import { mailboxById, storeAppend, storeHeld, storeNewCase, threadFacts, type StoreContext, type Stored } from './store.ts';
import { workspaceAddresses } from '../db/queries/mailboxes.ts';
import type { Deps } from '../deps.ts';
import { verifyReplyToken } from '../mail/tokens.ts';
import { analyze } from './analyze.ts';
import { decide } from './decide.ts';
import { chooseThread } from './thread.ts';

export class RawMissing extends Error {}

async function loadRaw(bucket: R2Bucket, key: string): Promise<Uint8Array> {
  const obj = await bucket.get(key);
  if (!obj) throw new RawMissing(`raw mail ${key} is not in R2`);
  return new Uint8Array(await obj.arrayBuffer());
}

/** An earlier delivery of the same message that was already dealt with. */
async function findDuplicate(deps: Deps, row: Inbound): Promise<{ caseId: string | null; messageId: string | null } | null> {
  const msg = await deps.db
    .select({ id: messages.id, caseId: messages.caseId })
    .from(messages)
    .where(and(eq(messages.mailboxId, row.mailboxId), eq(messages.messageKey, row.idemKey)))
    .get();
  if (msg) return { caseId: msg.caseId, messageId: msg.id };
  const held = await deps.db
    .select({ id: inbound.id, caseId: inbound.caseId })
    .from(inbound)
    .where(and(eq(inbound.mailboxId, row.mailboxId), eq(inbound.idemKey, row.idemKey), ne(inbound.id, row.id), inArray(inbound.status, ['quarantined', 'ignored'])))
    .get();
  return held ? { caseId: held.caseId, messageId: null } : null;
}

function isUniqueViolation(err: unknown): boolean {
  const text = err instanceof Error ? `${err.message} ${String((err as { cause?: unknown }).cause ?? '')}` : String(err);
  return /UNIQUE constraint failed: messages\./.test(text);
}

export async function processInbound(deps: Deps, row: Inbound, rawBytes?: Uint8Array): Promise<Stored> {
  const { db } = deps;
  const now = deps.now();
  const mailbox = await mailboxById(db, row.mailboxId);
  if (!mailbox) throw new Error(`mailbox ${row.mailboxId} of inbound ${row.id} no longer exists`);
  const raw = rawBytes ?? (await loadRaw(deps.raw, row.rawKey));
  const ownAddresses = await workspaceAddresses(db, mailbox.workspaceId);
  const analysis = await analyze({ raw, envelopeFrom: row.envelopeFrom, recipient: row.envelopeTo, ownAddresses });

  const base = { db, mailbox, inboundId: row.id, messageKey: row.idemKey, rawKey: row.rawKey, envelopeFrom: row.envelopeFrom, ownAddresses, now };
  if (!analysis.ok) {
    const ctx: StoreContext = {
      ...base,
      mail: emptyMail(row),
      sender: { email: row.envelopeFrom.toLowerCase(), name: '' },
      decisionJson: JSON.stringify({ action: 'quarantine', reason: analysis.reason, detail: analysis.detail }),
    };
    return publish(deps, mailbox.workspaceId, await storeHeld(ctx, 'quarantined', analysis.reason, null));
  }

  const { mail, sender, classification, candidates } = analysis;
  const duplicate = await findDuplicate(deps, row);
  const explain = (extra: object) => JSON.stringify({ kind: classification.kind, reasons: classification.reasons, candidates, ...extra });
  if (duplicate) {
    const ctx: StoreContext = { ...base, mail, sender, decisionJson: explain({ action: 'ignore', reason: 'duplicate', of: duplicate }) };
    return publish(deps, mailbox.workspaceId, await storeHeld(ctx, 'ignored', 'duplicate', duplicate.caseId, duplicate));
  }

  const token = candidates.token ? await verifyReplyToken(deps.secrets.replyTokenKey, candidates.token) : null;
  const facts = await threadFacts(
    db,
    mailbox.workspaceId,
    [...candidates.inReplyTo, ...candidates.references],
    candidates.subjectTag,
    token ? (token.ok ? { caseId: token.caseId } : { rejected: token.reason }) : null,
  );
  const thread = chooseThread(candidates, facts, sender.email, mailbox.replyPolicy === 'any');
  const matchedCase = thread.match
    ? ((await db.select({ id: cases.id, status: cases.status, closedAt: cases.closedAt }).from(cases).where(eq(cases.id, thread.match.caseId)).get()) ?? null)
    : null;
  const decision = decide({ classification, thread, matchedCase, mailbox, now });
  const ctx: StoreContext = { ...base, mail, sender, decisionJson: explain({ considered: thread.considered, decision }) };

  try {
    switch (decision.action) {
      case 'new-case':
        return publish(deps, mailbox.workspaceId, await storeNewCase(ctx, decision, deps.raw));
      case 'append':
        return publish(deps, mailbox.workspaceId, await storeAppend(ctx, decision, matchedCase!, deps.raw));
      case 'quarantine':
        return publish(deps, mailbox.workspaceId, await storeHeld(ctx, 'quarantined', decision.reason, decision.caseId));
      case 'ignore':
        return publish(deps, mailbox.workspaceId, await storeHeld(ctx, 'ignored', decision.reason, decision.caseId));
    }
  } catch (err) {
    // Two copies of one message processed at once: the UNIQUE key let one through and rolled the
    // other's whole batch back. The loser is a duplicate, not a failure.
    if (!isUniqueViolation(err)) throw err;
    const winner = await findDuplicate(deps, row);
    const dup: StoreContext = { ...ctx, decisionJson: explain({ action: 'ignore', reason: 'duplicate', of: winner }) };
    return publish(deps, mailbox.workspaceId, await storeHeld(dup, 'ignored', 'duplicate', winner?.caseId ?? null, winner ?? undefined));
  }
}

async function publish(deps: Deps, workspaceId: string, stored: Stored): Promise<Stored> {
  await deps.hub.publish(workspaceId, stored.events);
  return stored;
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
export async function processSafely(deps: Deps, row: Inbound, raw?: Uint8Array): Promise<Stored | null> {
  try {
    return await processInbound(deps, row, raw);
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
