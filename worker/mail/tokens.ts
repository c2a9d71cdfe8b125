// Signed reply tokens: the `<token>` in `reply+<token>@support.example`. A token names a case and a
// purpose and carries an HMAC, so a reply to that address threads to that case and nothing can forge
// one for another case. Lower-case base32 only: mail systems may change the case of a local part.

const B32 = '0123456789abcdefghjkmnpqrstvwxyz';
const MAC_CHARS = 16; // 80 bits

/** `c`: a customer's reply. `a<code>`: an agent answering a notification (code = agents.token_code). */
export type TokenPurpose = 'c' | `a${string}`;

// Imported once per secret for the isolate's life: a key is not bound to the request that made it
// (a pending import is, so the key is kept only once it exists).
const keys = new Map<string, CryptoKey>();

async function hmacKey(secret: string): Promise<CryptoKey> {
  const known = keys.get(secret);
  if (known) return known;
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  keys.set(secret, key);
  return key;
}

function base32(bytes: Uint8Array, chars: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length >= chars) break;
  }
  return out;
}

async function mac(secret: string, caseId: string, purpose: string): Promise<string> {
  const sig = await crypto.subtle.sign('HMAC', await hmacKey(secret), new TextEncoder().encode(`${caseId}|${purpose}`));
  return base32(new Uint8Array(sig), MAC_CHARS);
}

/** `case_01abc…` + purpose → `01abc…-c-<mac>`. */
export async function signReplyToken(secret: string, caseId: string, purpose: TokenPurpose = 'c'): Promise<string> {
  const body = caseId.startsWith('case_') ? caseId.slice(5) : caseId;
  return `${body}-${purpose}-${await mac(secret, `case_${body}`, purpose)}`;
}

export type TokenCheck = { ok: true; caseId: string; purpose: string } | { ok: false; reason: string };

function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** `<case>-<purpose>-<mac>`, as replyToken writes it. */
const TOKEN_SHAPE = /^([0-9a-z]{8,40})-(c|a[0-9a-z]{4,10})-([0-9a-z]{16})$/;

/** Local part of the reply addresses we hand out: reply+<token>@<mailbox domain>. */
export const REPLY_LOCAL_PART = 'reply';

export async function verifyReplyToken(secret: string, token: string): Promise<TokenCheck> {
  const m = TOKEN_SHAPE.exec(token.toLowerCase());
  if (!m) return { ok: false, reason: 'token-malformed' };
  const caseId = `case_${m[1]}`;
  const expected = await mac(secret, caseId, m[2]!);
  return constantTimeEqual(expected, m[3]!) ? { ok: true, caseId, purpose: m[2]! } : { ok: false, reason: 'token-bad-signature' };
}

/**
 * `reply+TOKEN@domain` → TOKEN (even a mangled one: it is checked, and its rejection recorded); a
 * tag shaped like our token under another local part, too. Any other plus-address is the sender's
 * own sorting (`support+billing@`), no token: null, as for an address without a tag.
 */
export function tokenFromAddress(address: string): string | null {
  const local = address.toLowerCase().split('@')[0] ?? '';
  const plus = local.indexOf('+');
  if (plus === -1) return null;
  const tag = local.slice(plus + 1);
  if (tag.length === 0) return null;
  return local.slice(0, plus) === REPLY_LOCAL_PART || TOKEN_SHAPE.test(tag) ? tag : null;
}

// ---- thread markers ----------------------------------------------------------------------------
// Cloudflare sets the Message-ID of mail we send, so we cannot rely on recognising it when a reply
// comes back. Instead every mail we send about a case carries a signed marker of ours in References
// (`<ec-<case>-<mac>@<mailbox domain>>`); mail clients keep References in replies, so the marker
// threads the reply, and a message whose own Message-ID is such a marker is our own mail, looping.

const MARKER = /^ec-([0-9a-z]{8,40})-([0-9a-z]{16})@([^@\s<>]+)$/;

export async function threadMarker(secret: string, caseId: string, domain: string): Promise<string> {
  const body = caseId.startsWith('case_') ? caseId.slice(5) : caseId;
  return `ec-${body}-${await mac(secret, `case_${body}`, 'marker')}@${domain.toLowerCase()}`;
}

/** A Message-ID (without angle brackets) that is one of our markers, verified: the case it names. */
export async function verifyThreadMarker(secret: string, id: string): Promise<string | null> {
  const m = MARKER.exec(id.toLowerCase());
  if (!m) return null;
  const caseId = `case_${m[1]}`;
  return constantTimeEqual(await mac(secret, caseId, 'marker'), m[2]!) ? caseId : null;
}

export function looksLikeThreadMarker(id: string): boolean {
  return MARKER.test(id.toLowerCase());
}
