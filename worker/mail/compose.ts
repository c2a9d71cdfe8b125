// compose: values in, one RFC 5322 message out. Pure (no bindings; the clock is `date`), so the
// outbox can build a mail, store it, and hand the same bytes to `send_email` on every retry.
//
// mimetext builds the MIME tree (multipart/alternative, /related for inline images, /mixed for
// files); the header values and the part bodies are ours, because mimetext writes what it is given
// (see the notes at `newMessage`). Every top-level header value comes from headers.ts.
import { createMimeMessage } from 'mimetext/browser';
import type { MIMEMessage } from 'mimetext/browser';
import {
  MailComposeError,
  SUBJECT_MAX_CHARS,
  assertHeaderBlock,
  checkExtraHeaders,
  formatAddress,
  formatAddressList,
  formatDate,
  formatMessageIds,
  formatUnstructured,
  requireAddress,
  requireMessageId,
  safeHeaderValue,
  trimReferences,
  type NamedAddress,
} from './headers.ts';
import { addAttachment, quotedPrintable, type OutgoingAttachment } from './mime-parts.ts';
import { looksLikeThreadMarker } from './tokens.ts';

// The part encodings and the case threading headers have their own modules; importers keep this one.
export { base64Lines, quotedPrintable, safeContentType, safeFilename, type OutgoingAttachment } from './mime-parts.ts';
export { buildCaseHeaders, subjectWithTag, type CaseHeaders, type CaseHeadersInput } from './case-headers.ts';

export interface ComposeInput {
  from: NamedAddress;
  to: NamedAddress[];
  cc?: NamedAddress[];
  replyTo?: string;
  subject: string;
  text: string;
  html?: string;
  inReplyTo?: string;
  /** Oldest first; trimmed to 2048 octets like `trimReferences`, keeping root, parent and our marker. */
  references?: string[];
  attachments?: OutgoingAttachment[];
  /** Only names in EXTRA_HEADER_ALLOW_LIST (headers.ts); anything else is refused. */
  extraHeaders?: Record<string, string>;
  /** The Date header; now when absent. */
  date?: Date;
  /**
   * A Message-ID of our own, without brackets. The send binding requires one in raw mail (Cloudflare
   * may replace it with its own; the id it reports back is the one we record).
   */
  messageId?: string;
}

export interface ComposedMail {
  /** The whole message, CRLF line ends, ending in CRLF. A Message-ID only when one is given. */
  raw: string;
  /** The top-level headers we wrote, as on the wire but unfolded (encoded words stay encoded). */
  headers: Record<string, string>;
  /** Envelope recipients: To then Cc, normalized, each once. */
  to: string[];
  /** Envelope sender: the From address, normalized. */
  from: string;
  /** The subject as the recipient will read it (cleaned, not encoded). */
  subject: string;
}

export function composeMail(input: ComposeInput): ComposedMail {
  const from = requireAddress(input.from?.email, 'from');
  const fromHeader = formatAddress(input.from, 'from');

  // Envelope and headers list each recipient once; an address in To is not repeated in Cc.
  const seen = new Set<string>();
  const unique = (list: NamedAddress[] | undefined, field: string) => {
    const out: Array<{ email: string; name: string }> = [];
    (list ?? []).forEach((m, i) => {
      const email = requireAddress(m?.email, `${field}[${i}]`);
      const key = email.toLowerCase();
      if (seen.has(key)) return;
      seen.add(key);
      out.push({ email, name: m.name ?? '' });
    });
    return out;
  };
  const to = unique(input.to, 'to');
  const cc = unique(input.cc, 'cc');
  if (to.length === 0) throw new MailComposeError('no-recipients', 'to', 'to: at least one recipient is needed.');

  const subject = safeHeaderValue(input.subject, SUBJECT_MAX_CHARS);
  const inReplyTo = input.inReplyTo === undefined ? null : requireMessageId(input.inReplyTo, 'inReplyTo');
  const references = (input.references ?? []).map((id, i) => requireMessageId(id, `references[${i}]`));
  // Trimming again is a no-op for lists from buildCaseHeaders; for others it keeps the root, the
  // parent and any thread marker of ours.
  const keep = [...references.slice(0, 1), ...(inReplyTo ? [inReplyTo] : []), ...references.filter(looksLikeThreadMarker)];
  const trimmed = trimReferences(references, keep);

  const headers: Array<[string, string]> = [
    ['Date', formatDate(input.date ?? new Date())],
    ['From', fromHeader],
  ];
  if (input.messageId !== undefined) headers.push(['Message-ID', `<${requireMessageId(input.messageId, 'messageId')}>`]);
  if (input.replyTo !== undefined) headers.push(['Reply-To', formatAddress({ email: input.replyTo }, 'replyTo')]);
  headers.push(['To', formatAddressList(to, 'to')]);
  if (cc.length > 0) headers.push(['Cc', formatAddressList(cc, 'cc')]);
  headers.push(['Subject', formatUnstructured(subject, 'Subject', SUBJECT_MAX_CHARS)]);
  if (inReplyTo) headers.push(['In-Reply-To', `<${inReplyTo}>`]);
  if (trimmed.length > 0) headers.push(['References', formatMessageIds(trimmed)]);
  for (const [name, value] of checkExtraHeaders(input.extraHeaders)) headers.push([name, value]);

  const msg = newMessage(headers);
  msg.addMessage({ contentType: 'text/plain', encoding: 'quoted-printable', data: quotedPrintable(input.text ?? '') });
  const hasHtml = typeof input.html === 'string';
  if (hasHtml) msg.addMessage({ contentType: 'text/html', encoding: 'quoted-printable', data: quotedPrintable(input.html!) });
  for (const [i, a] of (input.attachments ?? []).entries()) addAttachment(msg, a, i, hasHtml);

  let raw = msg.asRaw();
  if (!raw.endsWith('\r\n')) raw += '\r\n';
  assertHeaderBlock(raw);

  const record: Record<string, string> = {};
  for (const [name, value] of headers) record[name] = unfold(value);
  record['MIME-Version'] = '1.0';
  return { raw, headers: record, to: [...to, ...cc].map((m) => m.email), from, subject };
}

/**
 * A mimetext message whose header fields are ours. mimetext, left alone, would: write a Date from
 * the clock and a Message-ID of its own (Math.random at the From domain) — so that field is
 * disabled unless the caller gives one; write every Subject and display name as one unbounded
 * `=?utf-8?B?…?=` word (RFC 2047 caps words at 75 chars); and write addresses and custom values
 * verbatim, CR/LF included. So each field is given our finished value and an identity `dump`.
 * Its boundaries come from Math.random too; ours come from crypto.getRandomValues.
 */
function newMessage(headers: Array<[string, string]>): MIMEMessage {
  const msg = createMimeMessage();
  const fields = msg.headers.fields;
  const messageId = fields.find((f) => f.name === 'Message-ID');
  if (messageId) messageId.disabled = true;
  for (const [name, value] of headers) {
    const field = fields.find((f) => f.name.toLowerCase() === name.toLowerCase());
    const dump = (v: unknown) => (typeof v === 'string' ? v : '');
    if (field) {
      field.value = value;
      field.dump = dump;
      field.disabled = false;
    } else {
      msg.headers.setCustom({ name, value, custom: true, dump });
    }
  }
  msg.boundaries = { mixed: boundary('mixed'), alt: boundary('alt'), related: boundary('rel') };
  return msg;
}

function boundary(kind: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `ec-${kind}-${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function unfold(value: string): string {
  return value.replace(/\r\n(?=[ \t])/g, '');
}
