// parse: raw bytes → ParsedMail, with postal-mime bounded explicitly. Pure; runs in workerd and Node.
import PostalMime from 'postal-mime';
import type { Address, Email } from 'postal-mime';
import type { AddressView } from '../protocol/api.ts';
import { PARSE_LIMITS } from './limits.ts';
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
  /** All headers, lower-case names, values unfolded but not RFC 2047-decoded, in order (repeats kept). */
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

function toBytes(content: ArrayBuffer | Uint8Array | string): Uint8Array {
  if (typeof content === 'string') return new TextEncoder().encode(content);
  return content instanceof Uint8Array ? content : new Uint8Array(content);
}

export async function parseMail(raw: Uint8Array): Promise<ParsedMail> {
  let email: Email;
  try {
    email = await PostalMime.parse(raw, {
      maxNestingDepth: PARSE_LIMITS.maxNestingDepth,
      maxHeadersSize: PARSE_LIMITS.maxHeadersSize,
      maxRfc822NestingDepth: PARSE_LIMITS.maxRfc822NestingDepth,
      attachmentEncoding: 'arraybuffer',
    });
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    const reason = /nesting/i.test(detail) ? 'nesting-too-deep' : /header/i.test(detail) ? 'headers-too-large' : 'parse-failed';
    throw new ParseRefused(reason, cleanLine(detail, 300));
  }
  return normalize(email);
}

export function normalize(email: Email): ParsedMail {
  const html = email.html ? cleanText(email.html) : null;
  const text = email.text ? cleanText(email.text) : html ? htmlToText(html) : '';
  const dateMs = email.date ? Date.parse(email.date) : NaN;
  const htmlLower = html?.toLowerCase() ?? '';
  return {
    messageId: extractMessageIds(email.messageId)[0] ?? null,
    inReplyTo: extractMessageIds(email.inReplyTo),
    references: extractMessageIds(email.references),
    from: flatten(email.from)[0] ?? null,
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
        filename: cleanLine(a.filename, 255) || `attachment-${i + 1}${guessExtension(a.mimeType)}`,
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

const EXTENSIONS: Record<string, string> = {
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'image/gif': '.gif',
  'application/pdf': '.pdf',
  'text/plain': '.txt',
  'text/html': '.html',
  'message/rfc822': '.eml',
  'text/calendar': '.ics',
  'message/delivery-status': '.txt',
};
function guessExtension(type: string): string {
  return EXTENSIONS[type.toLowerCase()] ?? '';
}
