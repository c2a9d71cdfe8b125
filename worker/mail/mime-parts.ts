// The bodies and attachments of mail we send: quoted-printable text, base64 files, and the
// Content-Type and Content-Disposition values of each attachment part, written so that no value
// mimetext copies into a part header can end the header line. Pure; no bindings.
import type { MIMEMessage, MIMEMessageContent } from 'mimetext/browser';
import { MailComposeError, encodeWords, safeHeaderValue } from './headers.ts';

export interface OutgoingAttachment {
  filename: string;
  contentType: string;
  content: Uint8Array;
  /** Shown in the HTML body (needs `contentId` and an HTML body); otherwise a download. */
  inline?: boolean;
  /** Without angle brackets; the HTML refers to it as `cid:<contentId>`. */
  contentId?: string;
}

const FILENAME_MAX_CHARS = 100;
const UTF8 = new TextEncoder();

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

/** One attachment part of `msg`, its file name and type made safe; throws MailComposeError for bad content. */
export function addAttachment(msg: MIMEMessage, a: OutgoingAttachment, index: number, hasHtml: boolean): void {
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
