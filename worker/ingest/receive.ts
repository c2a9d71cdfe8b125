// receive: the email() adapter. Policy refusals (unknown mailbox, too large) are answered with
// setReject so the sender's server bounces with a reason. Otherwise the raw bytes go to R2 and an
// `inbound` row to D1 before anything else; if either write fails we throw, which tells the sending
// server to try again later. Nothing after that point throws: processing failures are retried.
import { eq } from 'drizzle-orm';
import { inbound, type Inbound, type Mailbox } from '../db/schema.ts';
import type { BatchItem } from 'drizzle-orm/batch';
import { forgetMailbox, mailboxQuery, recentMailbox, rememberMailbox, resolveMailboxWithAddresses, workspaceAddressesQuery, type Resolved } from '../db/queries/mailboxes.ts';
import type { Deps } from '../deps.ts';
import { newId } from '../protocol/ids.ts';
import { firstAddress, idempotencyKey } from './dedupe.ts';
import { lookahead, processSafely } from './pipeline.ts';
import { headerValue, prescan } from './prescan.ts';
import type { Stored } from './outcome.ts';
import { cleanLine, normalizeEmail } from './text.ts';

/** What the Email Worker runtime hands us; a subset of ForwardableEmailMessage, so tests can build one. */
export interface IncomingEmail {
  readonly from: string;
  readonly to: string;
  readonly raw: ReadableStream<Uint8Array>;
  readonly rawSize: number;
  setReject(reason: string): void;
  /** Email Routing can pass a message on to a verified destination address. */
  forward?(rcptTo: string, headers?: Headers): Promise<unknown>;
}

/** Held for these reasons, a message goes on to the mailbox's catch-all address when it has one. */
const FORWARD_WHEN_HELD = new Set(['not-a-participant', 'unverified-sender', 'auth-failed']);

export type ReceiveResult = { verdict: 'rejected'; reason: string } | { verdict: 'accepted'; inboundId: string; outcome: Stored | null };

/** Mail up to this size is analysed before its row is stored, so the facts lookup joins the insert. */
const LOOKAHEAD_MAX_BYTES = 2 * 1024 * 1024;

function mib(n: number): string {
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** Reads a stream of at most `max` bytes; null (and the stream cancelled) when it holds more. */
export async function readAll(stream: ReadableStream<Uint8Array>, max: number): Promise<Uint8Array | null> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    // rawSize is what the sender declared; the stream is what arrived. Bound both.
    if (total > max) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

export interface ReceiveOptions {
  /** A historical import: the message is filed (closed, in its own time), never answered. */
  importBatch?: string;
}

/** Why a mailbox refuses a message of this size, or null when it takes it. */
function refusal(deps: Deps, mailbox: Mailbox | undefined, size: number): string | null {
  if (!mailbox) return 'no such mailbox';
  if (!mailbox.enabled) return 'mailbox disabled';
  const limit = limitOf(deps, mailbox);
  return size > limit ? `message too large: ${mib(size)}, this mailbox accepts up to ${mib(limit)}` : null;
}

function limitOf(deps: Deps, mailbox: Mailbox): number {
  return Math.min(deps.config.maxMessageBytes, mailbox.maxMessageBytes);
}

export async function receiveEmail(message: IncomingEmail, deps: Deps, options: ReceiveOptions = {}): Promise<ReceiveResult> {
  const now = deps.now();
  const reject = (reason: string): ReceiveResult => (message.setReject(reason), { verdict: 'rejected', reason });
  // A mailbox this isolate resolved a moment ago takes the message without a round trip first; it is
  // read again with the insert below. A refusal is never decided on remembered settings.
  let remembered = recentMailbox(message.to, now);
  if (remembered && refusal(deps, remembered.mailbox, message.rawSize)) remembered = null;
  let resolved: Resolved;
  if (remembered) resolved = remembered;
  else {
    const found = await resolveMailboxWithAddresses(deps.db, message.to, deps.secrets.replyTokenKey);
    const refused = refusal(deps, found?.mailbox, message.rawSize);
    if (refused || !found) return reject(refused ?? 'no such mailbox');
    resolved = found;
    rememberMailbox(message.to, resolved, now);
  }
  let { mailbox, ownAddresses } = resolved;
  const raw = await readAll(message.raw, limitOf(deps, mailbox));
  if (!raw) {
    // The stream was longer than the size announced. Refused on fresh settings; if the limit was
    // raised meanwhile the stream is gone, so that is a temporary failure and the sender tries again.
    if (remembered) {
      forgetMailbox(message.to);
      const fresh = await resolveMailboxWithAddresses(deps.db, message.to, deps.secrets.replyTokenKey);
      if (fresh?.mailbox.enabled && limitOf(deps, fresh.mailbox) > limitOf(deps, mailbox)) throw new Error('the message is longer than announced, and the mailbox limit changed meanwhile; try again');
      return reject(refusal(deps, fresh?.mailbox, limitOf(deps, mailbox) + 1) ?? 'message too large');
    }
    return reject(refusal(deps, mailbox, limitOf(deps, mailbox) + 1)!);
  }

  const id = newId('inbound', now);
  const pre = prescan(raw);
  const idemKey = await idempotencyKey(pre, raw, message.from);
  const day = new Date(now).toISOString().slice(0, 10);
  const rawKey = `raw/${mailbox.workspaceId}/${day}/${id}.eml`;
  // Both writes must succeed before we accept; an exception here is a temporary SMTP failure.
  await deps.raw.put(rawKey, raw, {
    httpMetadata: { contentType: 'message/rfc822' },
    customMetadata: { inboundId: id, envelopeFrom: message.from, envelopeTo: message.to },
  });
  const values = {
    id,
    workspaceId: mailbox.workspaceId,
    mailboxId: mailbox.id,
    envelopeFrom: normalizeEmail(message.from),
    envelopeTo: normalizeEmail(message.to),
    rawKey,
    rawSize: raw.byteLength,
    idemKey,
    status: 'received' as const,
    importBatch: options.importBatch ?? null,
    subject: cleanLine(headerValue(pre.headers, 'subject'), 500),
    // Normalised now, so the flood breaker can count this sender before the message is parsed.
    fromEmail: firstAddress(headerValue(pre.headers, 'from')) || normalizeEmail(message.from),
    receivedAt: now,
  };
  // The facts lookup rides in the insert's batch: one round trip stores the row and reads all the
  // plan needs. Only for mail of ordinary size, so that a message too costly to parse is stored before
  // it is parsed and fails as a row an admin can see, never before it was stored.
  const ahead = raw.byteLength <= LOOKAHEAD_MAX_BYTES ? await lookahead(deps, { row: values, mailbox, ownAddresses, raw, now }) : null;
  const reread = remembered ? [mailboxQuery(deps.db, mailbox.id), workspaceAddressesQuery(deps.db, mailbox.workspaceId)] : [];
  const statements = [deps.db.insert(inbound).values(values).returning(), ...reread, ...(ahead?.statements ?? [])] as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]];
  const results = (await deps.db.batch(statements).catch((err: unknown) => {
    forgetMailbox(message.to);
    throw err;
  })) as unknown[];
  const row = (results[0] as Inbound[])[0]!;
  let fresh = true;
  if (remembered) {
    const [again] = results[1] as Mailbox[];
    const refused = refusal(deps, again, raw.byteLength);
    if (refused) {
      // Changed in the last minute (disabled, limit lowered): refused as it would have been.
      forgetMailbox(message.to);
      await deps.db.delete(inbound).where(eq(inbound.id, id));
      await deps.raw.delete(rawKey);
      return reject(refused);
    }
    const addresses = (results[2] as Array<{ address: string }>).map((a) => a.address);
    // Settings changed since they were remembered: what was looked up ahead used the old ones.
    fresh = JSON.stringify([again, addresses]) === JSON.stringify([mailbox, ownAddresses]);
    mailbox = again!;
    ownAddresses = addresses;
    rememberMailbox(message.to, { mailbox, ownAddresses }, now);
  }
  const known = ahead && fresh ? { ...ahead, facts: ahead.read(results.slice(1 + reread.length)) } : undefined;
  const outcome = await processSafely(deps, row, { raw, mailbox, ownAddresses, ahead: known });
  if (!options.importBatch && outcome?.status === 'quarantined' && FORWARD_WHEN_HELD.has(outcome.reason ?? '') && mailbox.catchAllAddress && message.forward) {
    await forwardToCatchAll(deps, message, id, mailbox.catchAllAddress);
  }
  // With an execution context, deliveries continue after we return; without one (tests, scripts)
  // this waits for them.
  await deps.settle();
  return { verdict: 'accepted', inboundId: id, outcome };
}

/** The catch-all: a copy to a person who looks at held mail. The original stays held either way. */
async function forwardToCatchAll(deps: Deps, message: IncomingEmail, inboundId: string, address: string): Promise<void> {
  let error: string | null = null;
  try {
    await message.forward!(address, new Headers({ 'X-Edgecase-Held': 'catch-all' }));
  } catch (err) {
    // Typically: the address is not a verified destination in Email Routing.
    error = (err instanceof Error ? err.message : String(err)).slice(0, 500);
  }
  try {
    await deps.db
      .update(inbound)
      .set({ forwardedTo: error ? null : address, forwardError: error })
      .where(eq(inbound.id, inboundId));
  } catch (err) {
    console.error(`inbound ${inboundId}: could not record the catch-all forward`, err);
  }
}
