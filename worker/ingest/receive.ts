// receive: the email() adapter. Policy refusals (unknown mailbox, too large) are answered with
// setReject so the sender's server bounces with a reason. Otherwise the raw bytes go to R2 and an
// `inbound` row to D1 before anything else; if either write fails we throw, which tells the sending
// server to try again later. Nothing after that point throws: processing failures are retried.
import { eq } from 'drizzle-orm';
import { inbound } from '../db/schema.ts';
import { resolveMailboxWithAddresses } from '../db/queries/mailboxes.ts';
import type { Deps } from '../deps.ts';
import { newId } from '../protocol/ids.ts';
import { firstAddress, idempotencyKey } from './dedupe.ts';
import { processSafely } from './pipeline.ts';
import { headerValue, prescan } from './prescan.ts';
import type { Stored } from './store.ts';
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

export type ReceiveResult =
  | { verdict: 'rejected'; reason: string }
  | { verdict: 'accepted'; inboundId: string; outcome: Stored | null };

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

export async function receiveEmail(message: IncomingEmail, deps: Deps, options: ReceiveOptions = {}): Promise<ReceiveResult> {
  const resolved = await resolveMailboxWithAddresses(deps.db, message.to, deps.secrets.replyTokenKey);
  const mailbox = resolved?.mailbox;
  if (!resolved || !mailbox || !mailbox.enabled) {
    const reason = mailbox ? 'mailbox disabled' : 'no such mailbox';
    message.setReject(reason);
    return { verdict: 'rejected', reason };
  }
  const limit = Math.min(deps.config.maxMessageBytes, mailbox.maxMessageBytes);
  const tooLarge = (size: number) => `message too large: ${mib(size)}, this mailbox accepts up to ${mib(limit)}`;
  if (message.rawSize > limit) {
    const reason = tooLarge(message.rawSize);
    message.setReject(reason);
    return { verdict: 'rejected', reason };
  }
  const raw = await readAll(message.raw, limit);
  if (!raw) {
    const reason = tooLarge(limit + 1);
    message.setReject(reason);
    return { verdict: 'rejected', reason };
  }

  const now = deps.now();
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
  const row = await deps.db
    .insert(inbound)
    .values({
      id,
      workspaceId: mailbox.workspaceId,
      mailboxId: mailbox.id,
      envelopeFrom: normalizeEmail(message.from),
      envelopeTo: normalizeEmail(message.to),
      rawKey,
      rawSize: raw.byteLength,
      idemKey,
      status: 'received',
      importBatch: options.importBatch ?? null,
      subject: cleanLine(headerValue(pre.headers, 'subject'), 500),
      // Normalised now, so the flood breaker can count this sender before the message is parsed.
      fromEmail: firstAddress(headerValue(pre.headers, 'from')) || normalizeEmail(message.from),
      receivedAt: now,
    })
    .returning()
    .get();
  const outcome = await processSafely(deps, row, { raw, mailbox, ownAddresses: resolved.ownAddresses });
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
    await deps.db.update(inbound).set({ forwardedTo: error ? null : address, forwardError: error }).where(eq(inbound.id, inboundId));
  } catch (err) {
    console.error(`inbound ${inboundId}: could not record the catch-all forward`, err);
  }
}
