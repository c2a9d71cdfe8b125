// compose: values in, one RFC 5322 message out. Pure (no bindings; the clock is `date`), so the
// outbox can build a mail, store it, and hand the same bytes to `send_email` on every retry.
//
// mimetext builds the MIME tree (multipart/alternative, /related for inline images, /mixed for
// files); the header values and the part bodies are ours, because mimetext writes what it is given
// (see the notes at `newMessage`). Every top-level header value comes from headers.ts.
import { createMimeMessage } from 'mimetext/browser';
import type { MIMEMessage, MIMEMessageContent } from 'mimetext/browser';
import {
  MailComposeError,
  assertHeaderBlock,
  checkExtraHeaders,
  encodeWords,
  formatAddress,
  formatAddressList,
  formatDate,
  formatMessageIds,
  formatUnstructured,
  normalizeMessageId,
  requireAddress,
  requireMessageId,
  safeHeaderValue,
  trimReferences,
  type NamedAddress,
} from './headers.ts';
import { looksLikeThreadMarker, signReplyToken, threadMarker } from './tokens.ts';

export interface OutgoingAttachment {
  filename: string;
  contentType: string;
  content: Uint8Array;
  /** Shown in the HTML body (needs `contentId` and an HTML body); otherwise a download. */
  inline?: boolean;
  /** Without angle brackets; the HTML refers to it as `cid:<contentId>`. */
  contentId?: string;
}

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

const SUBJECT_MAX_CHARS = 500;
const FILENAME_MAX_CHARS = 100;
const UTF8 = new TextEncoder();

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

// ---- bodies ------------------------------------------------------------------------------------

// eslint-disable-next-line no-control-regex
const BODY_CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/**
 * RFC 2045 §6.7 quoted-printable of UTF-8 text: line ends become CRLF, lines stay within 76
 * characters (soft breaks never split an `=XX`), `=` and non-ASCII are escaped, as is whitespace at
 * the end of a line. mimetext would label raw UTF-8 `7bit` and never wrap a long line.
 */
export function quotedPrintable(text: string): string {
  return text
    .replace(BODY_CONTROLS, '')
    .split(/\r\n|\r|\n/)
    .map(encodeQpLine)
    .join('\r\n');
}

function encodeQpLine(line: string): string {
  const bytes = UTF8.encode(line);
  let out = '';
  let current = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    const last = i === bytes.length - 1;
    const literal = (b >= 33 && b <= 126 && b !== 61) || ((b === 32 || b === 9) && !last);
    const token = literal ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
    if (current.length + token.length > 75) {
      out += `${current}=\r\n`;
      current = '';
    }
    current += token;
  }
  return out + current;
}

/** Base64 in 76-character lines (RFC 2045 §6.8). */
export function base64Lines(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  const b64 = btoa(binary);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  return lines.join('\r\n');
}

// ---- attachments -------------------------------------------------------------------------------

const MIME_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$/;

/**
 * A bare `type/subtype` or application/octet-stream. Parameters are dropped (they would be written
 * into the header verbatim); multipart/* and message/* cannot be carried in base64 (RFC 2046
 * §5.1.1, §5.2.1), so they travel as octet-stream.
 */
export function safeContentType(value: string | null | undefined): string {
  const type = String(value ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  if (!MIME_TYPE.test(type) || type.startsWith('multipart/') || type.startsWith('message/')) return 'application/octet-stream';
  return type;
}

/** A file name without controls or path, at most 100 characters, keeping its extension. */
export function safeFilename(value: string | null | undefined): string {
  let name = safeHeaderValue(value, 10_000).replace(/[/\\]/g, '_').replace(/^\.+/, '');
  const chars = Array.from(name);
  if (chars.length > FILENAME_MAX_CHARS) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : '';
    name =
      chars
        .slice(0, FILENAME_MAX_CHARS - Array.from(ext).length)
        .join('')
        .trimEnd() + ext;
  }
  return name || 'attachment';
}

// RFC 2231 §7 attribute-char: what may stay unescaped in an extended parameter value.
const ATTRIBUTE_CHAR = /^[A-Za-z0-9!#$&+\-.^_`|~]$/;

/**
 * `filename="…"` for plain ASCII names; otherwise RFC 2231 `filename*=UTF-8''…`, split into
 * `filename*0*=`, `filename*1*=` … sections so that no header line grows past 78 characters.
 */
function dispositionParam(param: string, name: string): string {
  if (/^[\x20-\x7e]*$/.test(name) && !/["\\]/.test(name)) return `${param}="${name}"`;
  let encoded = '';
  for (const b of UTF8.encode(name)) {
    const ch = String.fromCharCode(b);
    encoded += b < 128 && ATTRIBUTE_CHAR.test(ch) ? ch : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  const first = `UTF-8''`;
  if (first.length + encoded.length + param.length + 3 <= 70) return `${param}*=${first}${encoded}`;
  const sections: string[] = [];
  let rest = encoded;
  while (rest.length > 0) {
    let cut = Math.min(rest.length, 54);
    // Never split a %XX escape.
    const pct = rest.lastIndexOf('%', cut - 1);
    if (pct !== -1 && pct > cut - 3) cut = pct;
    sections.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  return sections.map((s, i) => `${param}*${i}*=${i === 0 ? first : ''}${s}`).join(';\r\n ');
}

/**
 * The `name` parameter of Content-Type. RFC 2231 is the standard, but older Outlook reads only the
 * de-facto `name="=?UTF-8?B?…?="` form, so non-ASCII names get that one (mail libraries commonly
 * write both); readers that know RFC 2231 use Content-Disposition's `filename*` first.
 */
function contentTypeName(name: string): string {
  if (/^[\x20-\x7e]*$/.test(name) && !/["\\]/.test(name) && !name.includes('=?')) return `name="${name}"`;
  // Folded between words inside the quotes (FWS is allowed in a quoted-string), to keep lines short.
  return `name="${encodeWords(name, 7)}"`;
}

function addAttachment(msg: MIMEMessage, a: OutgoingAttachment, index: number, hasHtml: boolean): void {
  const field = `attachments[${index}]`;
  if (!a || !(a.content instanceof Uint8Array)) throw new MailComposeError('attachment-invalid', field, `${field}: content must be a Uint8Array.`);
  const filename = safeFilename(a.filename);
  const contentType = safeContentType(a.contentType);
  // An inline part only makes sense next to HTML that shows it; without HTML it is a download.
  const inline = a.inline === true && hasHtml;
  const headers: Record<string, string> = {};
  if (inline || a.contentId !== undefined) {
    const cid = normalizeContentId(a.contentId);
    if (cid === null) throw new MailComposeError('attachment-invalid', field, `${field}: an inline attachment needs a contentId of printable ASCII without spaces or angle brackets.`);
    headers['Content-ID'] = `<${cid}>`;
  }
  const part: MIMEMessageContent = msg.addAttachment({
    filename,
    contentType,
    encoding: 'base64',
    inline,
    data: base64Lines(a.content),
    headers,
  });
  // mimetext writes `name="<filename>"` verbatim; replace both header values with encoded ones.
  part.setHeader('Content-Type', `${contentType};\r\n ${contentTypeName(filename)}`);
  part.setHeader('Content-Disposition', `${inline ? 'inline' : 'attachment'};\r\n ${dispositionParam('filename', filename)}`);
  // mimetext sorts parts by substring: a Content-Disposition containing "inline" is inline and one
  // containing "attachment" is a download, so `attachment; filename="inline.png"` would be both and
  // be written twice. The part knows what it is; say so.
  part.isAttachment = () => !inline;
  part.isInlineAttachment = () => inline;
}

function normalizeContentId(id: string | undefined): string | null {
  if (typeof id !== 'string') return null;
  let bare = id.trim();
  if (bare.startsWith('<') && bare.endsWith('>')) bare = bare.slice(1, -1);
  return /^[\x21-\x7e]{1,200}$/.test(bare) && !/[<>"\\]/.test(bare) ? bare : null;
}

// ---- subjects and case threading ---------------------------------------------------------------

// A chain of reply prefixes as mail programs write them in several languages ("Re: AW: RE[2]:").
const REPLY_PREFIXES = /^(?:\s*(?:re|aw|sv|antw|réf|ref|rif|odp|ynt|回复|回覆|答复)\s*(?:\[\d+\])?\s*[:：])+\s*/iu;
// The exact form the ingest side recognises (worker/ingest/thread.ts), so "tagged" means the same here.
const ANY_TAG = /\[#(\d{1,9})\]/g;

/**
 * The subject with ` [#number]` once. Idempotent: a subject already tagged with this number keeps
 * its one tag. A chain of reply prefixes collapses into one `Re: `. The ingest side reads the FIRST
 * tag of a subject (worker/ingest/thread.ts), so when the subject also carries someone else's tag
 * (another helpdesk's "[#4521]") ours goes in front of the text instead of at the end.
 */
export function subjectWithTag(subject: string, number: number): string {
  if (!Number.isSafeInteger(number) || number < 1 || number > 999_999_999) {
    throw new MailComposeError('tag-invalid', 'number', `A case number must be a whole number from 1 to 999999999, not ${String(number)}.`);
  }
  let text = safeHeaderValue(subject, SUBJECT_MAX_CHARS);
  let prefix = '';
  const replied = REPLY_PREFIXES.exec(text);
  if (replied) {
    prefix = 'Re: ';
    text = text.slice(replied[0].length);
  }
  const tags = [...text.matchAll(ANY_TAG)];
  const ours = (m: RegExpMatchArray) => Number(m[1]) === number;
  if (tags.length > 0 && ours(tags[0]!)) return prefix + text;
  // Remove any copy of ours that sits behind a foreign tag, then place ours.
  const rest = text
    .replace(ANY_TAG, (m, n: string) => (Number(n) === number ? '' : m))
    .replace(/ {2,}/g, ' ')
    .trim();
  const tag = `[#${number}]`;
  if (!rest) return `${prefix}${tag}`;
  return tags.some((m) => !ours(m)) ? `${prefix}${tag} ${rest}` : `${prefix}${rest} ${tag}`;
}

export interface CaseHeadersInput {
  secret: string;
  caseId: string;
  /** The mailbox's own address, e.g. support@acme.test. */
  mailboxAddress: string;
  mailboxName: string;
  /** The Message-ID of the customer's latest mail, if it had a usable one. */
  customerLastMessageId?: string | null;
  /** Message-IDs already in the thread, oldest first (root first). */
  threadIds?: string[];
}

export interface CaseHeaders {
  from: { email: string; name: string };
  /** `reply+<signed token>@<mailbox domain>`: a reply to it threads by token. */
  replyTo: string;
  inReplyTo?: string;
  /** Root, our marker, …, the customer's latest id (unless it is the root); ≤ 2048 octets. */
  references: string[];
  /** Our signed pseudo Message-ID for this case (tokens.ts `threadMarker`), without brackets. */
  marker: string;
}

/**
 * From, Reply-To, In-Reply-To and References for mail about a case. Cloudflare sets the Message-ID
 * of what we send, so our own signed marker goes into References (right after the root, so trimming
 * never touches it), and the customer's latest Message-ID comes last, as its parent (RFC 5322
 * §3.6.4). Unusable ids from stored mail are left out rather than failing the send.
 */
export async function buildCaseHeaders(input: CaseHeadersInput): Promise<CaseHeaders> {
  const mailbox = requireAddress(input.mailboxAddress, 'mailboxAddress');
  const domain = mailbox.slice(mailbox.lastIndexOf('@') + 1);
  const token = await signReplyToken(input.secret, input.caseId);
  const replyTo = requireAddress(`reply+${token}@${domain}`, 'replyTo');
  const marker = await threadMarker(input.secret, input.caseId, domain);

  const inReplyTo = normalizeMessageId(input.customerLastMessageId);
  const thread = (input.threadIds ?? []).map(normalizeMessageId).filter((id): id is string => id !== null && id !== marker);
  // The root is the thread's first id (the customer's own first mail when that is all there is).
  const root = thread[0] ?? inReplyTo;
  const middle = thread.slice(1).filter((id) => id !== inReplyTo);
  const ordered = [root, marker, ...middle, inReplyTo].filter((id): id is string => id !== null);
  // trimReferences keeps the first copy of an id, so a root that is also the parent stays first.
  const references = trimReferences(ordered, [marker, ...(inReplyTo ? [inReplyTo] : [])]);

  const result: CaseHeaders = {
    from: { email: mailbox, name: safeHeaderValue(input.mailboxName, 200) },
    replyTo,
    references,
    marker,
  };
  if (inReplyTo) result.inReplyTo = inReplyTo;
  return result;
}
