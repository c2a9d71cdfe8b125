// Header values for mail we send. Everything that ends up in an outgoing header line goes through
// this file, and every function here returns text that cannot start a new header line: customer
// subjects and names are stripped of line breaks, addresses are validated or refused, Message-IDs are
// checked, and the only CRLFs in a value are the folds these functions insert themselves (CRLF
// followed by a space, RFC 5322 §2.2.3). Pure; no bindings.

// ---- errors ------------------------------------------------------------------------------------

export const MAIL_ERROR_CODES = ['address-invalid', 'no-recipients', 'header-not-allowed', 'header-value-invalid', 'message-id-invalid', 'attachment-invalid', 'tag-invalid'] as const;
export type MailErrorCode = (typeof MAIL_ERROR_CODES)[number];

/** A mail we were asked to compose cannot be composed safely. `field` names the input at fault. */
export class MailComposeError extends Error {
  readonly code: MailErrorCode;
  readonly field: string;
  constructor(code: MailErrorCode, field: string, message: string) {
    super(message);
    this.name = 'MailComposeError';
    this.code = code;
    this.field = field;
  }
}

/** A bounded, quoted rendering of hostile input for error messages (controls shown escaped). */
function shown(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

// ---- free text: subjects, display names, header values -----------------------------------------

// Line breaks in every spelling a mail program might honour: CR, LF, NEL, LINE/PARAGRAPH SEPARATOR.
const LINE_BREAKS = /[\r\n\u0085\u2028\u2029]+/g;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;
// Bidi embeddings, overrides and isolates: they inject nothing, but they let a display name or a
// subject show text in another order than it is written ("Invoice‮fdp.exe").
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/g;

/**
 * A header value as one clean line. Decision: STRIP, not reject. Subjects and names come from
 * customers' mail and an agent must still be able to answer "Hello\r\nBcc: x"; what is removed is
 * exactly what could end the header line (CR, LF and their Unicode cousins become one space), other
 * control characters and bidi overrides are dropped, and the result is trimmed. Addresses are the
 * exception: a mangled address is another address, so `validateAddress` refuses instead.
 */
export function safeHeaderValue(value: string | null | undefined, maxChars = 998): string {
  const clean = String(value ?? '')
    .replace(LINE_BREAKS, ' ')
    .replace(/\t/g, ' ')
    .replace(CONTROLS, '')
    .replace(BIDI_CONTROLS, '')
    .trim();
  return truncateChars(clean, maxChars);
}

/** Cut to at most `max` code points without splitting a surrogate pair. */
function truncateChars(value: string, max: number): string {
  if (value.length <= max) return value;
  const chars = Array.from(value);
  return chars.length <= max ? value : chars.slice(0, max).join('').trimEnd();
}

const UTF8 = new TextEncoder();

function utf8Length(value: string): number {
  return UTF8.encode(value).byteLength;
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

// RFC 2047 §2: an encoded-word is at most 75 characters. `=?UTF-8?B?` + `?=` is 12 of them, which
// leaves 63 base64 characters, i.e. 45 bytes of text per word once rounded down to whole triplets.
const ENCODED_WORD_MAX = 75;
const ENCODED_WORD_OVERHEAD = '=?UTF-8?B?'.length + '?='.length;
// RFC 5322 §2.1.1: lines SHOULD stay within 78 characters and MUST stay within 998.
const LINE_SOFT_LIMIT = 78;
const LINE_HARD_LIMIT = 998;
const FOLD = '\r\n ';

/**
 * Text as RFC 2047 B-encoded words, folded between words. Each word holds whole characters (never
 * half a UTF-8 sequence, RFC 2047 §5), so every word decodes on its own. `firstColumn` is where the
 * first word starts (after `Subject: `), so the first line also stays within 78 characters.
 */
export function encodeWords(text: string, firstColumn = 0): string {
  const words: string[] = [];
  let budget = Math.max(16, Math.min(ENCODED_WORD_MAX, LINE_SOFT_LIMIT - firstColumn));
  let chunk = '';
  let chunkBytes = 0;
  const maxBytesFor = (room: number) => Math.floor((room - ENCODED_WORD_OVERHEAD) / 4) * 3;
  for (const ch of text) {
    const n = utf8Length(ch);
    if (chunk && chunkBytes + n > maxBytesFor(budget)) {
      words.push(`=?UTF-8?B?${base64(UTF8.encode(chunk))}?=`);
      chunk = '';
      chunkBytes = 0;
      budget = ENCODED_WORD_MAX; // later words start a continuation line after one space
    }
    chunk += ch;
    chunkBytes += n;
  }
  if (chunk || words.length === 0) words.push(`=?UTF-8?B?${base64(UTF8.encode(chunk))}?=`);
  return words.join(FOLD);
}

/** Printable ASCII that no reader could take for an encoded word. */
function isPlainAscii(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text) && !text.includes('=?');
}

/** The longest subject we write, in characters; longer ones are cut (whole characters only). */
export const SUBJECT_MAX_CHARS = 500;

/**
 * An unstructured header value (Subject): cleaned, then written as it is when it is plain ASCII,
 * folded at its own spaces when long, and RFC 2047-encoded when it is not ASCII, looks like an
 * encoded word, or has a run of text too long to fold.
 */
export function formatUnstructured(value: string, headerName: string, maxChars = SUBJECT_MAX_CHARS): string {
  const text = safeHeaderValue(value, maxChars);
  const firstColumn = headerName.length + 2;
  if (!isPlainAscii(text)) return encodeWords(text, firstColumn);
  if (firstColumn + text.length <= LINE_SOFT_LIMIT) return text;
  // Fold before the last space of a run (it stays, so unfolding restores the text exactly, and no
  // continuation line is only whitespace, RFC 5322 §3.2.2).
  const parts = text.split(/(?= \S)/);
  const lines: string[] = [];
  let line = '';
  let column = firstColumn;
  for (const part of parts) {
    if (line && column + part.length > LINE_SOFT_LIMIT) {
      lines.push(line);
      line = '';
      column = 0;
    }
    line += part;
    column += part.length;
  }
  lines.push(line);
  if (lines.some((l, i) => l.length + (i === 0 ? firstColumn : 0) > LINE_HARD_LIMIT)) return encodeWords(text, firstColumn);
  // A fold is CRLF before the existing space, so join with bare CRLF.
  return lines.join('\r\n');
}

// ---- addresses ---------------------------------------------------------------------------------

export const ADDRESS_PROBLEMS = [
  'empty',
  'too-long',
  'control-char',
  'whitespace',
  'at-sign',
  'local-empty',
  'local-too-long',
  'local-invalid',
  'domain-empty',
  'domain-literal',
  'domain-invalid',
  'domain-no-dot',
] as const;
export type AddressProblem = (typeof ADDRESS_PROBLEMS)[number];

export type AddressCheck =
  | { ok: true /** local part as given, domain lower case (IDN as A-labels) */; address: string; local: string; domain: string }
  | { ok: false; problem: AddressProblem; message: string };

// RFC 5321 §4.5.3.1: local part ≤ 64 octets, domain ≤ 255; a path of ≤ 256 including the angle
// brackets leaves 254 for the mailbox itself.
const LOCAL_MAX = 64;
const ADDRESS_MAX = 254;
const DOMAIN_MAX = 253;
// Dot-atom local parts only: quoted local parts ("a b"@x) are legal but never worth the risk here.
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function bad(problem: AddressProblem, message: string): AddressCheck {
  return { ok: false, problem, message };
}

/**
 * A pragmatic RFC 5321 mailbox check for addresses we put into headers and hand to the sender:
 * exactly one `@`, no spaces or control characters, a dot-atom local part of ≤ 64 octets, a domain
 * of LDH labels with at least one dot (no `localhost`, no `[1.2.3.4]` literals, no all-numeric top
 * label), ≤ 254 octets in all. Internationalised domains become A-labels; non-ASCII local parts
 * (SMTPUTF8) are refused. The domain comes back lower case; the local part keeps its case.
 */
export function validateAddress(input: string): AddressCheck {
  const addr = typeof input === 'string' ? input : '';
  if (addr.length === 0) return bad('empty', 'The address is empty.');
  if (addr.length > 1024) return bad('too-long', 'The address is longer than 254 octets.');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(addr)) return bad('control-char', `The address ${shown(addr)} contains a control character or line break.`);
  if (/\s/.test(addr)) return bad('whitespace', `The address ${shown(addr)} contains whitespace.`);
  const at = addr.split('@');
  if (at.length !== 2) return bad('at-sign', `The address ${shown(addr)} must contain exactly one "@".`);
  const [local, rawDomain] = at as [string, string];
  if (local.length === 0) return bad('local-empty', `The address ${shown(addr)} has nothing before the "@".`);
  if (rawDomain.length === 0) return bad('domain-empty', `The address ${shown(addr)} has no domain after the "@".`);
  if (!/^[\x21-\x7e]+$/.test(local) || !LOCAL_PART.test(local)) {
    return bad('local-invalid', `The part before the "@" in ${shown(addr)} has characters or dots that are not allowed.`);
  }
  if (local.length > LOCAL_MAX) return bad('local-too-long', `The part before the "@" in ${shown(addr)} is longer than ${LOCAL_MAX} characters.`);
  if (rawDomain.startsWith('[')) return bad('domain-literal', `The address ${shown(addr)} uses an IP address literal instead of a domain.`);
  const domain = asciiDomain(rawDomain);
  if (domain === null || domain.length > DOMAIN_MAX) return bad('domain-invalid', `The domain of ${shown(addr)} is not a valid host name.`);
  const labels = domain.split('.');
  if (labels.some((l) => !LABEL.test(l))) return bad('domain-invalid', `The domain of ${shown(addr)} is not a valid host name.`);
  if (labels.length < 2) return bad('domain-no-dot', `The domain of ${shown(addr)} has no dot; local host names cannot receive mail from us.`);
  if (/^[0-9]+$/.test(labels.at(-1)!)) return bad('domain-invalid', `The domain of ${shown(addr)} looks like an IP address, not a host name.`);
  const address = `${local}@${domain}`;
  if (address.length > ADDRESS_MAX) return bad('too-long', `The address ${shown(addr)} is longer than ${ADDRESS_MAX} octets.`);
  return { ok: true, address, local, domain };
}

/** Lower-case ASCII host name, with IDNs converted to A-labels by the URL parser; null if unusable. */
function asciiDomain(domain: string): string | null {
  if (/^[\x21-\x7e]+$/.test(domain)) return domain.toLowerCase();
  // Only plain label text goes to the URL parser, so it cannot reinterpret a port, path or userinfo.
  if (/[/?#:@%\\[\]<>"'`^{|}]/.test(domain)) return null;
  try {
    return new URL(`http://${domain}/`).hostname.toLowerCase();
  } catch {
    return null;
  }
}

/** `validateAddress` for code paths that must not continue with a bad address. */
export function requireAddress(input: string, field: string): string {
  const check = validateAddress(input);
  if (!check.ok) throw new MailComposeError('address-invalid', field, `${field}: ${check.message}`);
  return check.address;
}

export interface NamedAddress {
  email: string;
  name?: string | null;
}

// RFC 5322 atext plus the space between words: a display name made of these needs no quoting.
const PHRASE_ATOMS = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]+$/;
const DISPLAY_NAME_MAX = 200;

/**
 * `Name <local@domain>` with the display name written the way RFC 5322/2047 want it: as it is when
 * it is made of plain words, as a quoted string (with `"` and `\` escaped) when it has specials such
 * as `,` `.` `@` `<`, and as UTF-8 encoded words when it is not ASCII. Without a name, the bare
 * address. Throws MailComposeError for an invalid address.
 */
export function formatAddress(mailbox: NamedAddress, field = 'address'): string {
  const address = requireAddress(mailbox.email, field);
  const name = safeHeaderValue(mailbox.name, DISPLAY_NAME_MAX);
  if (!name) return address;
  let phrase: string;
  if (!isPlainAscii(name)) phrase = encodeWords(name, 6);
  else if (PHRASE_ATOMS.test(name)) phrase = name.replace(/ {2,}/g, ' ');
  else phrase = `"${name.replace(/[\\"]/g, '\\$&')}"`;
  const lastLine = phrase.slice(phrase.lastIndexOf('\n') + 1);
  // Fold before the angle address when the line would run long.
  return lastLine.length + address.length + 3 > LINE_SOFT_LIMIT ? `${phrase}${FOLD}<${address}>` : `${phrase} <${address}>`;
}

/** Several mailboxes for To/Cc, one per line. */
export function formatAddressList(mailboxes: NamedAddress[], field: string): string {
  return mailboxes.map((m, i) => formatAddress(m, `${field}[${i}]`)).join(`,${FOLD}`);
}

// ---- Message-IDs and References ----------------------------------------------------------------

// The same bound the ingest side applies when it reads ids (worker/ingest/text.ts), so an id we
// send is one we would also have stored.
const MESSAGE_ID_MAX = 400;

/**
 * A Message-ID without its angle brackets, or null when it cannot be written into a header safely:
 * it must be printable ASCII without spaces or angle brackets, contain an `@`, and be ≤ 400 chars.
 */
export function normalizeMessageId(id: string | null | undefined): string | null {
  if (typeof id !== 'string') return null;
  let bare = id.trim();
  if (bare.startsWith('<') && bare.endsWith('>')) bare = bare.slice(1, -1);
  if (bare.length === 0 || bare.length > MESSAGE_ID_MAX) return null;
  if (!/^[\x21-\x7e]+$/.test(bare) || /[<>]/.test(bare) || !bare.includes('@')) return null;
  return bare;
}

export function requireMessageId(id: string, field: string): string {
  const bare = normalizeMessageId(id);
  if (bare === null) throw new MailComposeError('message-id-invalid', field, `${field}: ${shown(String(id))} is not a usable Message-ID.`);
  return bare;
}

const REFERENCES_PREFIX = 'References: ';

/** Octets of the unfolded `References: <a> <b> …` line. */
export function referencesHeaderBytes(ids: string[]): number {
  if (ids.length === 0) return 0;
  return REFERENCES_PREFIX.length + ids.reduce((n, id) => n + id.length + 2, 0) + (ids.length - 1);
}

/** The most ids a References header of ours carries: Cloudflare's send refuses more than 100. */
export const MAX_REFERENCES = 100;
/**
 * References trimmed to at most `maxIds` ids and `maxBytes` (measured on the unfolded line; folds
 * cost two more octets per id). Invalid ids are dropped, duplicates kept once, in order (oldest
 * first). When too long, ids go from the MIDDLE, oldest first: the root stays, every id in `keep`
 * stays (our marker, the parent), and so do the most recent ids, which mail clients thread by. Ids
 * in `keep` that are not in `ids` are not added; if those alone are too long, they are returned anyway.
 */
export function trimReferences(ids: string[], keep: string[] = [], maxBytes = 2048, maxIds = MAX_REFERENCES): string[] {
  const list: string[] = [];
  const seen = new Set<string>();
  for (const raw of ids) {
    const id = normalizeMessageId(raw);
    if (id !== null && !seen.has(id)) {
      seen.add(id);
      list.push(id);
    }
  }
  let size = referencesHeaderBytes(list);
  let count = list.length;
  if (size <= maxBytes && count <= maxIds) return list;
  const mustKeep = new Set(keep.map(normalizeMessageId).filter((id): id is string => id !== null));
  const dropped = new Set<number>();
  for (let i = 1; i < list.length && (size > maxBytes || count > maxIds); i++) {
    if (mustKeep.has(list[i]!)) continue;
    dropped.add(i);
    size -= list[i]!.length + 3; // "<", ">" and the separating space
    count--;
  }
  return list.filter((_, i) => !dropped.has(i));
}

/** Message-IDs as a folded header value, one per line. Each id must already be normalized. */
export function formatMessageIds(ids: string[]): string {
  return ids.map((id) => `<${requireMessageId(id, 'references')}>`).join(FOLD);
}

// ---- other header fields -------------------------------------------------------------------------

/** The only extra headers a caller may add, in their canonical spelling. */
export const EXTRA_HEADER_ALLOW_LIST = [
  'Auto-Submitted',
  'X-Auto-Response-Suppress',
  'Precedence',
  'List-Id',
  'List-Unsubscribe',
  'List-Unsubscribe-Post',
  // Names our own mailbox, so other systems (and we) can recognise mail that comes back around.
  'X-Loop',
] as const;
export type ExtraHeaderName = (typeof EXTRA_HEADER_ALLOW_LIST)[number];

const EXTRA_BY_LOWER = new Map<string, ExtraHeaderName>(EXTRA_HEADER_ALLOW_LIST.map((n) => [n.toLowerCase(), n]));

/**
 * Allow-listed extra headers in canonical spelling with checked values. These are structured
 * headers, so their values must be printable ASCII on one line: anything else is refused, not
 * cleaned, because a half-cleaned `List-Unsubscribe` URL would be wrong rather than safe.
 */
export function checkExtraHeaders(extra: Record<string, string> | undefined): Array<[ExtraHeaderName, string]> {
  const out: Array<[ExtraHeaderName, string]> = [];
  const seen = new Set<string>();
  for (const [rawName, rawValue] of Object.entries(extra ?? {})) {
    const name = EXTRA_BY_LOWER.get(rawName.toLowerCase());
    if (!name) throw new MailComposeError('header-not-allowed', 'extraHeaders', `The header ${shown(rawName)} may not be set; allowed: ${EXTRA_HEADER_ALLOW_LIST.join(', ')}.`);
    if (seen.has(name)) throw new MailComposeError('header-not-allowed', 'extraHeaders', `The header ${name} is given twice.`);
    seen.add(name);
    const value = typeof rawValue === 'string' ? rawValue.trim() : '';
    if (!/^[\x20-\x7e]+$/.test(value) || name.length + 2 + value.length > LINE_HARD_LIMIT) {
      throw new MailComposeError('header-value-invalid', 'extraHeaders', `The value of ${name} must be printable ASCII on one line, at most ${LINE_HARD_LIMIT - name.length - 2} characters.`);
    }
    out.push([name, value]);
  }
  return out;
}

/** `Sun, 24 Nov 2026 10:00:00 +0000` (RFC 5322 §3.3), always in UTC. */
export function formatDate(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/**
 * Last line of defence: a header block (up to the first empty line) in which every line is either
 * `Name: value` or a fold, none longer than 998 octets, with no bare CR or LF. Throws otherwise.
 */
export function assertHeaderBlock(raw: string): void {
  const end = raw.indexOf('\r\n\r\n');
  const block = end === -1 ? raw : raw.slice(0, end);
  if (/\r(?!\n)|(?<!\r)\n/.test(block)) throw new MailComposeError('header-value-invalid', 'headers', 'The composed header block contains a bare CR or LF.');
  for (const line of block.split('\r\n')) {
    const ok = /^[\x21-\x39\x3b-\x7e]+:/.test(line) || /^[ \t]+\S/.test(line);
    if (!ok || UTF8.encode(line).byteLength > LINE_HARD_LIMIT) {
      throw new MailComposeError('header-value-invalid', 'headers', `The composed header block has a malformed line: ${shown(line)}.`);
    }
  }
}
