// names: attachment file names that are safe to save and tell attachments apart. Pure.
//
// A sender's name is kept, made safe. A part without one is named the way mail clients name it: an
// attached message after its subject (`<subject>.eml`), any other part after its
// Content-Description, else after its type (`image.jpg`, `document.pdf`), always with the extension
// of its type so a download opens in the right program. Two attachments never share a name.
import { decodeWords } from 'postal-mime';
import { chooseCharset } from './charset.ts';

/** Bytes of a name (UTF-8) at most: the limit of common file systems, with room for " (99)". */
export const MAX_FILENAME_BYTES = 240;

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/jpg': 'jpg',
  'image/pjpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/bmp': 'bmp',
  'image/tiff': 'tif',
  'image/svg+xml': 'svg',
  'image/heic': 'heic',
  'image/heif': 'heif',
  'image/avif': 'avif',
  'image/x-icon': 'ico',
  'image/vnd.microsoft.icon': 'ico',
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
  'audio/ogg': 'ogg',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/amr': 'amr',
  'video/mp4': 'mp4',
  'video/quicktime': 'mov',
  'video/x-msvideo': 'avi',
  'video/mpeg': 'mpg',
  'video/webm': 'webm',
  'video/3gpp': '3gp',
  'application/pdf': 'pdf',
  'application/zip': 'zip',
  'application/x-zip-compressed': 'zip',
  'application/gzip': 'gz',
  'application/x-gzip': 'gz',
  'application/x-7z-compressed': '7z',
  'application/vnd.rar': 'rar',
  'application/x-rar-compressed': 'rar',
  'application/x-tar': 'tar',
  'application/json': 'json',
  'application/xml': 'xml',
  'application/rtf': 'rtf',
  'application/msword': 'doc',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.ms-excel': 'xls',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.ms-powerpoint': 'ppt',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
  'application/vnd.oasis.opendocument.text': 'odt',
  'application/vnd.oasis.opendocument.spreadsheet': 'ods',
  'application/vnd.oasis.opendocument.presentation': 'odp',
  'application/vnd.ms-outlook': 'msg',
  'application/ms-tnef': 'dat',
  'application/vnd.ms-tnef': 'dat',
  'application/pkcs7-signature': 'p7s',
  'application/x-pkcs7-signature': 'p7s',
  'application/pkcs7-mime': 'p7m',
  'application/x-pkcs7-mime': 'p7m',
  'application/pgp-signature': 'asc',
  'application/pgp-encrypted': 'pgp',
  'application/pgp-keys': 'asc',
  'application/ics': 'ics',
  'application/octet-stream': 'bin',
  'text/plain': 'txt',
  'text/html': 'html',
  'text/csv': 'csv',
  'text/calendar': 'ics',
  'text/vcard': 'vcf',
  'text/x-vcard': 'vcf',
  'text/xml': 'xml',
  'text/rtf': 'rtf',
  'text/markdown': 'md',
  'text/css': 'css',
  'text/rfc822-headers': 'txt',
  'message/rfc822': 'eml',
  'message/global': 'eml',
  'message/delivery-status': 'txt',
  'message/global-delivery-status': 'txt',
  'message/disposition-notification': 'txt',
  'message/feedback-report': 'txt',
};

const BASES: Record<string, string> = {
  'message/rfc822': 'message',
  'message/global': 'message',
  'message/delivery-status': 'delivery-status',
  'message/global-delivery-status': 'delivery-status',
  'message/disposition-notification': 'read-receipt',
  'message/feedback-report': 'feedback-report',
  'text/rfc822-headers': 'message-headers',
  'text/calendar': 'invite',
  'application/ics': 'invite',
  'application/ms-tnef': 'winmail',
  'application/vnd.ms-tnef': 'winmail',
  'application/pkcs7-signature': 'smime',
  'application/x-pkcs7-signature': 'smime',
  'application/pgp-signature': 'signature',
  'application/octet-stream': 'attachment',
};

const ARCHIVES = new Set(['zip', 'gz', '7z', 'rar', 'tar']);

/** The extension for a content type, without the dot: from the table, else a short subtype, else `bin`. */
export function extensionFor(type: string): string {
  const t = type.toLowerCase();
  const known = EXTENSIONS[t];
  if (known) return known;
  const [top, sub = ''] = t.split('/');
  const bare = sub.replace(/^(x-|vnd\.)/, '');
  if (/^[a-z0-9]{2,5}$/.test(bare)) return bare;
  return top === 'text' ? 'txt' : top === 'message' ? 'eml' : 'bin';
}

function baseFor(type: string, ext: string): string {
  const t = type.toLowerCase();
  const known = BASES[t];
  if (known) return known;
  const top = t.split('/')[0];
  if (top === 'image' || top === 'audio' || top === 'video' || top === 'text') return top;
  if (ARCHIVES.has(ext)) return 'archive';
  return top === 'application' ? 'document' : 'attachment';
}

/** A generic name for a part of this type: `image.jpg`, `document.pdf`, `attachment.bin`. */
export function genericName(type: string): string {
  const ext = extensionFor(type);
  return `${baseFor(type, ext)}.${ext}`;
}

// C0/C1 controls and DEL; the bidirectional overrides and isolates that make `gpj.exe` look like
// `exe.jpg`; zero-width characters and the BOM; U+FFFD left by a decoder that did not fit.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufffd]/g;
// Characters Windows refuses (`<>:"|?*`) are left alone: they are no danger here, the download
// route quotes and encodes the name (RFC 6266/8187), and a browser saving the file adapts it.
const DEVICE = /^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i;

function utf8Length(s: string): number {
  return new TextEncoder().encode(s).length;
}

/** Cuts `s` to at most `max` UTF-8 bytes, never inside a character. */
function cut(s: string, max: number): string {
  if (utf8Length(s) <= max) return s;
  let out = '';
  let bytes = 0;
  for (const ch of s) {
    const n = utf8Length(ch);
    if (bytes + n > max) break;
    out += ch;
    bytes += n;
  }
  return out;
}

/** Splits `name.ext` (an extension is 1–10 letters or digits after a dot that does not start the name). */
export function splitExtension(name: string): [string, string] {
  const m = /^(.+?)(\.[\p{L}\p{N}]{1,10})$/u.exec(name);
  return m ? [m[1]!, m[2]!] : [name, ''];
}

/**
 * A name that can be saved as it is: no path separators (a sender's `C:\Users\…\a.pdf` keeps its
 * last segment; text that is no path, such as a subject, has them replaced), no controls or
 * invisible characters, no leading dots, not a device name, at most MAX_FILENAME_BYTES (the
 * extension kept). Empty when nothing of the name is left.
 */
export function safeFilename(name: string | null | undefined, { path = true } = {}): string {
  if (!name) return '';
  const visible = name.replace(INVISIBLE, '');
  const segments = path ? visible.split(/[/\\]+/) : [visible.replace(/[/\\]/g, '_')];
  let out = (segments.findLast((s) => s.trim() !== '') ?? '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  if (DEVICE.test(out)) out = `_${out}`;
  if (utf8Length(out) > MAX_FILENAME_BYTES) {
    const [stem, ext] = splitExtension(out);
    out = cut(stem, MAX_FILENAME_BYTES - utf8Length(ext)).trim() + ext;
  }
  return out;
}

/** `stem` with the extension of `type` unless it has one already. */
function withExtension(stem: string, type: string): string {
  if (splitExtension(stem)[1]) return stem;
  const ext = `.${extensionFor(type)}`;
  return safeFilename(cut(stem, MAX_FILENAME_BYTES - ext.length) + ext);
}

const MAX_SUBJECT_SCAN = 64 * 1024;

/** The Subject of a message given as raw bytes (an attached message), decoded; empty when none. */
export function subjectOf(raw: Uint8Array): string {
  const head = raw.subarray(0, MAX_SUBJECT_SCAN);
  let collecting = false;
  const lines: Uint8Array[] = [];
  for (let start = 0; start < head.length; ) {
    const nl = head.indexOf(0x0a, start);
    const next = nl === -1 ? head.length : nl + 1;
    let end = nl === -1 ? head.length : nl;
    if (end > start && head[end - 1] === 0x0d) end--;
    if (end === start) break; // the end of the header block
    const line = head.subarray(start, end);
    const folded = line[0] === 0x20 || line[0] === 0x09;
    if (collecting && !folded) break;
    if (collecting) lines.push(line);
    else if (!folded && /^subject[ \t]*:/i.test(String.fromCharCode(...line.subarray(0, 12)))) {
      collecting = true;
      lines.push(line.subarray(line.indexOf(0x3a) + 1));
    }
    start = next;
  }
  if (!lines.length) return '';
  const bytes = new Uint8Array(lines.reduce((n, l) => n + l.length, 0));
  let at = 0;
  for (const l of lines) {
    bytes.set(l, at);
    at += l.length;
  }
  const charset = chooseCharset(bytes) ?? 'utf-8';
  return decodeWords(new TextDecoder(charset).decode(bytes).trim());
}

export interface NamingPart {
  filename: string | null;
  mimeType: string;
  description?: string | undefined;
  content: Uint8Array;
}

/** The name a part is saved under, before names are made distinct. */
export function attachmentName(part: NamingPart): string {
  const type = part.mimeType.toLowerCase() || 'application/octet-stream';
  const given = safeFilename(part.filename);
  if (given) return given;
  if (type === 'message/rfc822' || type === 'message/global') {
    const subject = safeFilename(subjectOf(part.content), { path: false });
    // Always `.eml`: a subject such as "Release 2.1" has a dot, not an extension.
    if (subject) return `${cut(subject, MAX_FILENAME_BYTES - 4).trim()}.eml`;
  }
  // Some clients put the content type itself there: no name.
  const description = part.description?.trim().toLowerCase() === type ? '' : safeFilename(part.description, { path: false });
  if (description) return withExtension(description, type);
  return genericName(type);
}

/** The same names, made distinct (case-insensitively) by numbering repeats: `a.pdf`, `a (2).pdf`. */
export function distinctNames(names: string[]): string[] {
  const taken = new Set<string>();
  return names.map((name) => {
    let out = name;
    if (taken.has(out.toLowerCase())) {
      const [stem, ext] = splitExtension(name);
      for (let n = 2; taken.has(out.toLowerCase()); n++) out = `${stem} (${n})${ext}`;
    }
    taken.add(out.toLowerCase());
    return out;
  });
}
