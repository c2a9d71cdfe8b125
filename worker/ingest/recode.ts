// recode: the raw message as the parser should read it, when its 8-bit text is not what it says.
// Pure; runs in workerd and Node. The stored raw mail (R2) is never touched: only the copy handed
// to postal-mime is rewritten.
//
// postal-mime reads every header line as UTF-8 and a body without a charset as UTF-8, and decodes an
// encoded word or a body with the charset it is labelled with, whatever the bytes are. So
//   - a header with raw 8-bit bytes that are not UTF-8 (a GB2312 or Latin-1 subject, filename or
//     display name, written by a client that never encoded it) is transcoded to UTF-8 here, with the
//     charset chosen as charset.ts does: the part's or the message's declared charset, then a
//     detector over all such text of the message at once (one subject alone is too short for it);
//   - an encoded word or a text part whose label does not fit its bytes (Shift_JIS bytes labelled
//     ISO-2022-JP, Latin-1 labelled UTF-8) is relabelled with a charset that fits;
//   - a text part with 8-bit text and no charset gets the charset that fits.
// Only the header lines of each entity are ever rewritten; bodies keep their bytes. Anything that
// cannot be decided stays as it was.
import { charsetLabel, chooseCharset, DETECT_SAMPLE_BYTES, decodeIfFits, isAscii } from './charset.ts';
import { PARSE_LIMITS } from './limits.ts';
import { binary, concat, fromBase64, fromQuotedPrintable, latin1Bytes } from './transfer.ts';
import { wordBytes, wordGroups } from './encoded-words.ts';

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const TAB = 0x09;
const DASH = 0x2d;

/** How much of a text part is read to check its charset: enough to be sure, bounded for huge parts. */
const BODY_CHECK_BYTES = 1024 * 1024;

interface Line {
  start: number;
  /** Where the line's content ends, before CR LF. */
  end: number;
  /** Where the next line starts. */
  next: number;
}

interface Field {
  name: string;
  lines: Line[];
}

interface Entity {
  fields: Field[];
  headerStart: number;
  type: string;
  charset: string | null;
  boundary: string | null;
  encoding: string;
  disposition: string;
  /** Where a text part's body starts and ends; -1 for entities whose body is not text. */
  bodyStart: number;
  bodyEnd: number;
  defaultType: string;
  rfc822Depth: number;
}

interface Change {
  start: number;
  end: number;
  bytes: Uint8Array;
}

// A BOM inside a header line is kept as a character, as the parser keeps it: decoding it away
// would turn a line the parser sees as junk into a header.
const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const encoder = new TextEncoder();

function param(value: string, name: string): string | null {
  const m = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^\\s;"]+))`, 'i').exec(value);
  return m ? (m[1] ?? m[2] ?? null) : null;
}

function newEntity(headerStart: number, defaultType: string, rfc822Depth: number): Entity {
  return { fields: [], headerStart, type: defaultType, charset: null, boundary: null, encoding: '', disposition: '', bodyStart: -1, bodyEnd: -1, defaultType, rfc822Depth };
}

function fieldBytes(raw: Uint8Array, field: Field): Uint8Array {
  return field.lines.length === 1 ? raw.subarray(field.lines[0]!.start, field.lines[0]!.end) : concat(field.lines.map((l) => raw.subarray(l.start, l.end)));
}

function fieldValue(raw: Uint8Array, field: Field): string {
  const text = binary(fieldBytes(raw, field));
  const colon = text.indexOf(':');
  return colon === -1 ? '' : text.slice(colon + 1).trim();
}

/** Reads an entity's Content-* headers the way the parser does: the first of each counts. */
function readContentHeaders(raw: Uint8Array, e: Entity): void {
  const first = (name: string) => e.fields.find((f) => f.name === name);
  const ct = first('content-type');
  if (ct) {
    const value = fieldValue(raw, ct);
    e.type = (value.split(';')[0] ?? '').trim().toLowerCase() || e.defaultType;
    e.charset = param(value, 'charset');
    e.boundary = param(value, 'boundary');
  }
  const cte = first('content-transfer-encoding');
  if (cte) e.encoding = (/[\w-]+/.exec(fieldValue(raw, cte).toLowerCase()) ?? [''])[0]!;
  const cd = first('content-disposition');
  if (cd) e.disposition = (fieldValue(raw, cd).split(';')[0] ?? '').trim().toLowerCase();
}

function isBoundary(raw: Uint8Array, line: Line, marker: Uint8Array): 'open' | 'close' | null {
  const len = line.end - line.start;
  if (len < marker.length) return null;
  for (let i = 0; i < marker.length; i++) if (raw[line.start + i] !== marker[i]) return null;
  let at = line.start + marker.length;
  let close = false;
  if (raw[at] === DASH && raw[at + 1] === DASH && at + 1 < line.end) {
    close = true;
    at += 2;
  }
  for (; at < line.end; at++) if (raw[at] !== SP && raw[at] !== TAB) return null;
  return close ? 'close' : 'open';
}

/** The MIME skeleton: every entity's header fields and where text bodies are. Null when over the bounds. */
function scan(raw: Uint8Array): Entity[] | null {
  const entities: Entity[] = [newEntity(0, 'text/plain', 0)];
  const stack: Array<{ marker: Uint8Array; entity: Entity }> = [];
  let current: Entity | null = entities[0]!;
  let inHeader = true;
  let headerBytes = 0;

  const endHeader = (e: Entity, next: number): Entity | null => {
    readContentHeaders(raw, e);
    if (e.type.startsWith('multipart/') && e.boundary) {
      if (stack.length >= PARSE_LIMITS.maxNestingDepth) throw new RangeError('nesting');
      stack.push({ marker: encoder.encode(`--${e.boundary}`), entity: e });
      return null;
    }
    if (e.type === 'message/rfc822' && e.disposition !== 'attachment' && !/base64|quoted-printable/.test(e.encoding) && e.rfc822Depth < PARSE_LIMITS.maxRfc822NestingDepth) {
      const inner = newEntity(next, 'text/plain', e.rfc822Depth + 1);
      entities.push(inner);
      inHeader = true;
      return inner;
    }
    if ((e.type === 'text/plain' || e.type === 'text/html') && e.disposition !== 'attachment') e.bodyStart = next;
    return e;
  };

  for (let start = 0; start < raw.length; ) {
    const nl = raw.indexOf(LF, start);
    const next = nl === -1 ? raw.length : nl + 1;
    let end = nl === -1 ? raw.length : nl;
    if (end > start && raw[end - 1] === CR) end--;
    const line = { start, end, next };

    if (stack.length && raw[start] === DASH && raw[start + 1] === DASH) {
      let hit = -1;
      let kind: 'open' | 'close' | null = null;
      for (let i = stack.length - 1; i >= 0 && hit === -1; i--) {
        kind = isBoundary(raw, line, stack[i]!.marker);
        if (kind) hit = i;
      }
      if (hit !== -1) {
        if (current && inHeader) readContentHeaders(raw, current);
        if (current && current.bodyStart >= 0 && current.bodyEnd < 0) current.bodyEnd = start;
        const parent = stack[hit]!.entity;
        stack.length = hit + 1;
        if (kind === 'close') {
          stack.pop();
          current = null;
          inHeader = false;
        } else {
          if (entities.length > PARSE_LIMITS.maxParts) throw new RangeError('parts');
          current = newEntity(next, parent.type === 'multipart/digest' ? 'message/rfc822' : 'text/plain', parent.rfc822Depth);
          entities.push(current);
          inHeader = true;
        }
        start = next;
        continue;
      }
    }

    if (inHeader && current) {
      if (end === start) {
        inHeader = false;
        current = endHeader(current, next);
      } else {
        headerBytes += end - start;
        if (headerBytes > PARSE_LIMITS.maxHeadersSize) throw new RangeError('headers');
        const last = current.fields.at(-1);
        if ((raw[start] === SP || raw[start] === TAB) && last) last.lines.push(line);
        else {
          const colon = raw.subarray(start, Math.min(end, start + 200)).indexOf(0x3a);
          current.fields.push({
            name: binary(raw.subarray(start, colon === -1 ? end : start + colon))
              .trim()
              .toLowerCase(),
            lines: [line],
          });
        }
      }
    }
    start = next;
  }
  if (current && inHeader) readContentHeaders(raw, current);
  if (current && current.bodyStart >= 0 && current.bodyEnd < 0) current.bodyEnd = raw.length;
  return entities;
}

/** The decoded start of a text part, and whether that is only part of it. */
function bodySample(raw: Uint8Array, e: Entity): { bytes: Uint8Array; partial: boolean } {
  const body = raw.subarray(e.bodyStart, e.bodyEnd);
  if (e.encoding === 'base64') {
    const cap = Math.ceil((BODY_CHECK_BYTES * 4) / 3) + 4;
    return { bytes: fromBase64(body.subarray(0, cap)), partial: body.length > cap };
  }
  const slice = body.subarray(0, BODY_CHECK_BYTES);
  return { bytes: e.encoding === 'quoted-printable' ? fromQuotedPrintable(slice) : slice, partial: body.length > slice.length };
}

/** Label edits for the encoded words of a header value whose bytes do not fit their label. */
function relabels(value: string, declared: string[], sample: Uint8Array): Array<{ at: number; length: number; label: string }> {
  const out: Array<{ at: number; length: number; label: string }> = [];
  for (const group of wordGroups(value)) {
    const bytes = wordBytes(group);
    if (isAscii(bytes)) continue;
    const written = group[0]!.charset.split('*')[0]!;
    const label = charsetLabel(written);
    if (label?.startsWith('utf-16')) continue;
    let choice: string | null;
    if (decodeIfFits(bytes, 'utf-8') !== null) choice = 'utf-8';
    else if (label && decodeIfFits(bytes, label) !== null) continue;
    else choice = chooseCharset(bytes, { declared: [written, ...declared], sample: concat([bytes, sample], DETECT_SAMPLE_BYTES) });
    if (!choice || choice === label) continue;
    for (const w of group) out.push({ at: w.labelAt, length: w.charset.length, label: choice });
  }
  return out;
}

function setCharset(value: string, charset: string): string {
  const m = /;\s*charset\s*=\s*("[^"]*"|[^\s;"]*)/i.exec(value);
  if (!m) return `${value.replace(/[;\s]+$/, '')}; charset="${charset}"`;
  const at = m.index + m[0].length - m[1]!.length;
  return `${value.slice(0, at)}"${charset}"${value.slice(at + m[1]!.length)}`;
}

/** Whether the bytes hold `=?`, the start of an encoded word. */
function hasWord(bytes: Uint8Array): boolean {
  for (let at = bytes.indexOf(0x3d); at !== -1; at = bytes.indexOf(0x3d, at + 1)) if (bytes[at + 1] === 0x3f) return true;
  return false;
}

function recode(raw: Uint8Array): Uint8Array | null {
  const entities = scan(raw);
  if (!entities) return null;
  const declared: string[] = [];
  for (const e of entities) if (e.charset && !declared.includes(e.charset)) declared.push(e.charset);

  // Text parts whose charset must change, and the undeclared 8-bit text the detector may read.
  const newCharset = new Map<Entity, string>();
  const sampleParts: Uint8Array[] = [];
  for (const e of entities) {
    if (e.bodyStart < 0 || e.bodyEnd <= e.bodyStart) continue;
    const { bytes, partial } = bodySample(raw, e);
    if (isAscii(bytes)) continue;
    const label = charsetLabel(e.charset);
    if (label?.startsWith('utf-16')) continue;
    if (decodeIfFits(bytes, 'utf-8', partial) !== null) {
      // No charset reads as UTF-8 already; a label that says otherwise is wrong.
      if (e.charset !== null && label !== 'utf-8') newCharset.set(e, 'utf-8');
      continue;
    }
    if (!label || !e.charset) sampleParts.push(bytes.subarray(0, DETECT_SAMPLE_BYTES));
    if (label && decodeIfFits(bytes, label, partial) !== null) continue;
    const choice = chooseCharset(bytes, { declared: [e.charset, ...declared], partial });
    if (choice && choice !== label) newCharset.set(e, choice);
  }

  // Header fields with 8-bit bytes that are not UTF-8, read together by the detector.
  const undecoded: Array<{ e: Entity; field: Field; bytes: Uint8Array }> = [];
  let wordsSeen = false;
  for (const e of entities) {
    for (const field of e.fields) {
      const bytes = fieldBytes(raw, field);
      if (!isAscii(bytes) && decodeIfFits(bytes, 'utf-8') === null) {
        undecoded.push({ e, field, bytes });
        sampleParts.unshift(bytes);
      }
      wordsSeen ||= hasWord(bytes);
    }
  }
  if (newCharset.size === 0 && undecoded.length === 0 && !wordsSeen) return null;
  const sample = concat(
    sampleParts.flatMap((p) => [p, new Uint8Array([SP])]),
    DETECT_SAMPLE_BYTES,
  );
  const fieldCharset = new Map<Field, string>();
  for (const { e, field, bytes } of undecoded) {
    const choice = chooseCharset(bytes, { declared: [e.charset, ...declared], sample });
    if (choice) fieldCharset.set(field, choice);
  }

  const changes: Change[] = [];
  const eol = raw.indexOf(LF) > 0 && raw[raw.indexOf(LF) - 1] === CR ? '\r\n' : '\n';
  for (const e of entities) {
    const charset = newCharset.get(e);
    const ctField = e.fields.find((f) => f.name === 'content-type');
    if (charset && !ctField) {
      changes.push({ start: e.headerStart, end: e.headerStart, bytes: encoder.encode(`Content-Type: ${e.type}; charset="${charset}"${eol}`) });
    }
    for (const field of e.fields) {
      const bytes = fieldBytes(raw, field);
      const chosen = fieldCharset.get(field);
      if (chosen === undefined && !(charset && field === ctField) && !hasWord(bytes)) continue;
      const asUtf8 = chosen !== undefined || (!isAscii(bytes) && decodeIfFits(bytes, 'utf-8') !== null);
      const readLine = (l: Line) => {
        const lineBytes = raw.subarray(l.start, l.end);
        if (chosen) return new TextDecoder(chosen).decode(lineBytes);
        return asUtf8 ? utf8.decode(lineBytes) : binary(lineBytes);
      };
      let texts = field.lines.map(readLine);
      let changed = chosen !== undefined && chosen !== 'utf-8';
      const value = texts.join('');
      if (value.includes('=?')) {
        const edits = relabels(value, declared, sample);
        if (edits.length) {
          changed = true;
          // Labels never span a fold (they hold no whitespace), so each edit falls in one line.
          let base = 0;
          texts = texts.map((t) => {
            let out = t;
            for (const edit of edits.filter((x) => x.at >= base && x.at < base + t.length).reverse()) {
              const at = edit.at - base;
              out = out.slice(0, at) + edit.label + out.slice(at + edit.length);
            }
            base += t.length;
            return out;
          });
        }
      }
      if (charset && field === ctField) {
        texts = [setCharset(texts.join(''), charset)];
        changed = true;
      }
      if (!changed) continue;
      const last = field.lines.at(-1)!;
      const ends = field === ctField && charset ? [raw.subarray(last.end, last.next)] : field.lines.map((l) => raw.subarray(l.end, l.next));
      const encode = asUtf8 ? (t: string) => encoder.encode(t) : latin1Bytes;
      changes.push({ start: field.lines[0]!.start, end: last.next, bytes: concat(texts.flatMap((t, i) => [encode(t), ends[i]!])) });
    }
  }
  if (changes.length === 0) return null;
  changes.sort((a, b) => a.start - b.start);
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const c of changes) {
    parts.push(raw.subarray(at, c.start), c.bytes);
    at = c.end;
  }
  parts.push(raw.subarray(at));
  return concat(parts);
}

/**
 * The message with its 8-bit header text as UTF-8 and every charset label fitting its bytes, or the
 * same bytes when nothing needed that. Never throws: a message this cannot read is left to the
 * parser and its limits, as it came.
 */
export function recodeMail(raw: Uint8Array): Uint8Array {
  try {
    return recode(raw) ?? raw;
  } catch {
    return raw;
  }
}
