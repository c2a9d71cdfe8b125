// dedupe: the idempotency key of an inbound message. Delivery is at least once, so the same mail can
// arrive twice; the key makes the second arrival a no-op. Pure (hashing only).
import { headerValue, type PreScan } from './prescan.ts';
import { extractMessageIds, normalizeEmail, sha256Hex } from './text.ts';

/** The first address in a raw (undecoded) header value, lower case; '' when there is none. */
export function firstAddress(value: string | null): string {
  if (!value) return '';
  const angle = /<([^<>\s]+@[^<>\s]+)>/.exec(value);
  if (angle) return normalizeEmail(angle[1]);
  const bare = /([^\s<>",;:]+@[^\s<>",;:]+)/.exec(value);
  return bare ? normalizeEmail(bare[1]) : '';
}

/**
 * `mid:` + hash(sender, Message-ID) when the message has a Message-ID: a second copy from the same
 * sender is the same message, whatever relays added on the way. Without one, `body:` + hash of the
 * author-written headers and the body: the trace headers that relays (and Cloudflare) prepend are
 * left out, so a redelivery still hashes the same.
 */
export async function idempotencyKey(pre: PreScan, raw: Uint8Array, envelopeFrom: string): Promise<string> {
  const sender = firstAddress(headerValue(pre.headers, 'from')) || normalizeEmail(envelopeFrom);
  const messageId = extractMessageIds(headerValue(pre.headers, 'message-id'))[0];
  if (messageId) return `mid:${await sha256Hex(`${sender}\n${messageId.toLowerCase()}`)}`;
  const authored = ['from', 'to', 'cc', 'subject', 'date'].map((n) => `${n}:${headerValue(pre.headers, n) ?? ''}`).join('\n');
  const headHash = await sha256Hex(authored);
  const bodyHash = await sha256Hex(raw.subarray(pre.bodyOffset));
  return `body:${await sha256Hex(`${headHash}\n${bodyHash}`)}`;
}
