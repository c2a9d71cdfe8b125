// parse: raw bytes → ParsedMail, with postal-mime bounded explicitly. Pure; runs in workerd and Node.
import PostalMime, { addressParser } from 'postal-mime';
import type { Address, Email, PostalMimeOptions } from 'postal-mime';
import type { AddressView } from '../protocol/api.ts';
import { PARSE_LIMITS } from './limits.ts';
import { attachmentName, distinctNames } from './names.ts';
import { recodeMail } from './recode.ts';
import { cleanLine, cleanText, extractMessageIds, htmlToText, normalizeEmail } from './text.ts';

export interface ParsedAttachment {
  filename: string;
  contentType: string;
  disposition: string | null;
  contentId: string | null;
  /** Referenced from the HTML by `cid:` (an inline image) or marked inline with a Content-ID. */
  inline: boolean;
  content: Uint8Array;
}

export interface ParsedMail {
  messageId: string | null;
  inReplyTo: string[];
  references: string[];
  from: AddressView | null;
  sender: AddressView | null;
  replyTo: AddressView[];
  to: AddressView[];
  cc: AddressView[];
  subject: string;
  /** Date header in ms, or null when absent or unparsable. */
  date: number | null;
  text: string;
  html: string | null;
  attachments: ParsedAttachment[];
  /**
   * All headers, lower-case names, values unfolded but not RFC 2047-decoded, in order (repeats
   * kept). Raw 8-bit text in them is read as recode.ts decided; the bytes as sent are in R2.
   */
  headers: Array<[string, string]>;
}

export class ParseRefused extends Error {
  readonly reason: string;
  constructor(reason: string, detail: string) {
    super(`${reason}: ${detail}`);
    this.name = 'ParseRefused';
    this.reason = reason;
  }
}

function flatten(list: Address[] | Address | undefined): AddressView[] {
  if (!list) return [];
  const out: AddressView[] = [];
  for (const a of Array.isArray(list) ? list : [list]) {
    if (a.group) {
      for (const m of a.group) if (m.address) out.push({ email: normalizeEmail(m.address), name: cleanLine(m.name, 200) });
    } else if (a.address) {
      out.push({ email: normalizeEmail(a.address), name: cleanLine(a.name, 200) });
    }
  }
  return out.filter((a) => a.email.includes('@'));
}

// One `@`, something on both sides, no space or angle bracket: what a reply can be sent to.
const USABLE_ADDRESS = /^[^\s@<>]+@[^\s@<>.][^\s@<>]*$/;

/**
 * The author: the first usable mailbox of the From headers. A first mailbox that is empty (`"Name" <>`)
 * or garbage does not hide a valid one after it, in the same header or in a second From header
 * (postal-mime looks at the first mailbox of the first header only).
 */
function author(email: Email): AddressView | null {
  for (const h of email.headers) {
    if (h.key !== 'from' || !h.value) continue;
    for (const a of flatten(addressParser(h.value))) {
      // RFC 5322 allows comments inside an address: `pete(his account)@silly.test`.
      const address = a.email.replace(/\((?:[^()\\]|\\.)*\)/g, '');
      if (USABLE_ADDRESS.test(address) && !address.endsWith('.')) return { ...a, email: address };
    }
  }
  // Nothing usable: what the parser found, if anything has an `@` (the envelope decides otherwise).
  return flatten(email.from)[0] ?? null;
}

// Whitespace alone (NBSP and zero-width spaces too) is no text view: an empty text/plain beside the
// real HTML part.
const VISIBLE = /[^\s\u200b-\u200d\u2060]/;

function toBytes(content: ArrayBuffer | Uint8Array | string): Uint8Array {
  if (typeof content === 'string') return new TextEncoder().encode(content);
  return content instanceof Uint8Array ? content : new Uint8Array(content);
}

/**
 * postal-mime on a received mail: recoded first (recode.ts: 8-bit text in a charset it does not
 * read, or misdeclared), under the ingest's limits. Every parse of a received mail goes through
 * here, the bounce report's second look included, so both read the same text.
 */
export function parseBounded(raw: Uint8Array, options: Pick<PostalMimeOptions, 'attachmentEncoding' | 'forceRfc822Attachments'> = {}): Promise<Email> {
  return PostalMime.parse(recodeMail(raw), {
    ...options,
    maxNestingDepth: PARSE_LIMITS.maxNestingDepth,
    maxHeadersSize: PARSE_LIMITS.maxHeadersSize,
    maxRfc822NestingDepth: PARSE_LIMITS.maxRfc822NestingDepth,
  });
}

export async function parseMail(raw: Uint8Array): Promise<ParsedMail> {
  let email: Email;
  try {
    email = await parseBounded(raw, { attachmentEncoding: 'arraybuffer' });
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    const reason = /nesting/i.test(detail) ? 'nesting-too-deep' : /header/i.test(detail) ? 'headers-too-large' : 'parse-failed';
    throw new ParseRefused(reason, cleanLine(detail, 300));
  }
  return normalize(email);
}

export function normalize(email: Email): ParsedMail {
  const html = email.html ? cleanText(email.html) : null;
  const text = email.text && VISIBLE.test(email.text) ? cleanText(email.text) : html ? htmlToText(html) : '';
  const dateMs = email.date ? Date.parse(email.date) : NaN;
  const htmlLower = html?.toLowerCase() ?? '';
  const filenames = distinctNames(email.attachments.map((a) => attachmentName({ filename: a.filename, mimeType: a.mimeType, description: a.description, content: toBytes(a.content) })));
  return {
    messageId: extractMessageIds(email.messageId)[0] ?? null,
    inReplyTo: extractMessageIds(email.inReplyTo),
    references: extractMessageIds(email.references),
    from: author(email),
    sender: flatten(email.sender)[0] ?? null,
    replyTo: flatten(email.replyTo),
    to: flatten(email.to),
    cc: flatten(email.cc),
    subject: cleanLine(email.subject, 998),
    date: Number.isFinite(dateMs) ? dateMs : null,
    text,
    html,
    attachments: email.attachments.map((a, i) => {
      const contentId = a.contentId ? cleanLine(a.contentId, 400).replace(/^<|>$/g, '') : null;
      const referenced = contentId !== null && htmlLower.includes(`cid:${contentId.toLowerCase()}`);
      return {
        filename: filenames[i]!,
        contentType: cleanLine(a.mimeType, 200).toLowerCase() || 'application/octet-stream',
        disposition: a.disposition,
        contentId,
        inline: Boolean(a.related) || referenced || (a.disposition === 'inline' && contentId !== null),
        content: toBytes(a.content),
      };
    }),
    headers: email.headers.map((h) => [h.key, cleanLine(h.value, 8192)] as [string, string]),
  };
}
