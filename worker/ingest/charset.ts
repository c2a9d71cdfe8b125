// charset: which decoder reads a run of 8-bit mail text. Pure; runs in workerd and Node.
//
// The order is the one careful mail readers use: strict UTF-8 first (RFC 6532 allows raw UTF-8 in
// headers, and mail labelled Latin-1 that is valid UTF-8 is UTF-8: real Latin-1 text almost never
// is), then the charset the part or the message declares, then the declared charset's relatives
// (Japanese mail labelled ISO-2022-JP often carries Shift_JIS or EUC-JP bytes), then a detector.
// A decoder "fits" when it reads every byte without an error and, for a one-byte charset, without
// turning bytes into C1 controls (what a wrong one-byte guess typically produces). When nothing
// fits, no decision is made and the caller keeps what it had; the raw message is in R2 either way.
import { analyse } from 'chardet';

const MULTI_BYTE = new Set(['utf-8', 'utf-16le', 'utf-16be', 'gbk', 'gb18030', 'big5', 'euc-jp', 'iso-2022-jp', 'shift_jis', 'euc-kr']);

// Names mail uses that the WHATWG Encoding Standard (which TextDecoder follows) does not list, for
// encodings it does have. Windows code page numbers first: cp932 is what WHATWG calls shift_jis.
const ALIASES: Record<string, string> = {
  cp932: 'shift_jis',
  ms932: 'shift_jis',
  windows932: 'shift_jis',
  shiftjis: 'shift_jis',
  cp936: 'gbk',
  ms936: 'gbk',
  windows936: 'gbk',
  euccn: 'gbk',
  cp949: 'euc-kr',
  ms949: 'euc-kr',
  uhc: 'euc-kr',
  cp950: 'big5',
  ms950: 'big5',
  eucjp: 'euc-jp',
  iso2022jp1: 'iso-2022-jp',
  iso2022jp2: 'iso-2022-jp',
  iso2022jp3: 'iso-2022-jp',
  latin1: 'windows-1252',
  iso88591: 'windows-1252',
  tis620: 'windows-874',
  cp874: 'windows-874',
  utf8: 'utf-8',
};

/** Relatives tried when a declared charset does not fit, strictest first. */
const RELATIVES: Record<string, string[]> = {
  'iso-2022-jp': ['euc-jp', 'shift_jis'],
  'euc-jp': ['shift_jis'],
  shift_jis: ['euc-jp'],
  big5: ['gb18030'],
  gbk: ['big5'],
  gb18030: ['big5'],
};

// Labels that say nothing about 8-bit bytes: a message that declares US-ASCII or UTF-8 and carries
// bytes that are not UTF-8 does not know its charset.
const UNINFORMATIVE = new Set(['us-ascii', 'ascii', 'ansi_x3.4-1968', 'utf-8', 'utf8', 'unknown-8bit', 'x-unknown', 'unknown']);

// Decoders by canonical name, fatal (throwing) and lenient; a label a runtime lacks maps to null.
// Bounded: keys are canonical names of the Encoding Standard, a few dozen at most.
const fatalDecoders = new Map<string, TextDecoder | null>();
const labels = new Map<string, string | null>();
const MAX_LABELS = 256;

/** The canonical TextDecoder name for a charset as mail writes it, or null when there is none. */
export function charsetLabel(name: string | null | undefined): string | null {
  if (!name) return null;
  const raw = name
    .trim()
    .replace(/^["']|["']$/g, '')
    .toLowerCase();
  if (!raw || raw.length > 64) return null;
  const known = labels.get(raw);
  if (known !== undefined) return known;
  let label: string | null = null;
  const squeezed = raw.replace(/^(x-|cs)/, '').replace(/[\s._:-]+/g, '');
  for (const candidate of [raw, ALIASES[squeezed], raw.replace(/^x-/, '')]) {
    if (!candidate) continue;
    try {
      const encoding = new TextDecoder(candidate).encoding;
      // `replacement` (ISO-2022-KR, HZ…) decodes everything to U+FFFD: no decoder at all.
      if (encoding !== 'replacement' && encoding !== 'x-user-defined') label = encoding;
    } catch {
      // not an encoding this runtime has
    }
    if (label) break;
  }
  if (labels.size < MAX_LABELS) labels.set(raw, label);
  return label;
}

function fatalDecoder(label: string): TextDecoder | null {
  let d = fatalDecoders.get(label);
  if (d === undefined) {
    try {
      d = new TextDecoder(label, { fatal: true, ignoreBOM: false });
    } catch {
      d = null;
    }
    fatalDecoders.set(label, d);
  }
  return d;
}

export function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! > 0x7f) return false;
  return true;
}

/**
 * The text when `label` reads every byte and, for a one-byte charset, yields no C1 control;
 * otherwise null. `partial` allows a multi-byte character cut off at the end (a capped sample).
 */
export function decodeIfFits(bytes: Uint8Array, label: string, partial = false): string | null {
  const decoder = fatalDecoder(label);
  if (!decoder) return null;
  let text: string;
  try {
    text = decoder.decode(bytes, { stream: partial });
    // A streaming decode keeps state: end it so the shared decoder starts clean next time.
    if (partial) decoder.decode();
  } catch {
    return null;
  }
  if (!MULTI_BYTE.has(label) && /[\u0080-\u009f]/.test(text)) return null;
  return text;
}

/** The detector's candidates for a sample, most likely first, as canonical names. */
function detected(sample: Uint8Array): string[] {
  const out: string[] = [];
  for (const match of analyse(sample.subarray(0, DETECT_SAMPLE_BYTES))) {
    const label = charsetLabel(match.name);
    // UTF-16/32 "fit" almost any even run of bytes; UTF-8 was tried first already.
    if (!label || label === 'utf-8' || label.startsWith('utf-16') || out.includes(label)) continue;
    out.push(label);
  }
  return out;
}

/** The detector reads this much; more text does not change its mind, only its run time. */
export const DETECT_SAMPLE_BYTES = 64 * 1024;

export interface CharsetChoice {
  /** What the caller already believes the bytes are (a declared charset), tried after UTF-8. */
  declared?: Array<string | null | undefined>;
  /** More text of the same message for the detector, when `bytes` alone is short (a subject). */
  sample?: Uint8Array;
  /** `bytes` is a capped prefix: a character cut at its end is no misfit. */
  partial?: boolean;
}

/**
 * The canonical name of the first decoder that fits `bytes`, in the order above; null for bytes
 * that need no decision (ASCII) or when nothing fits.
 */
export function chooseCharset(bytes: Uint8Array, choice: CharsetChoice = {}): string | null {
  if (isAscii(bytes)) return null;
  const partial = choice.partial ?? false;
  if (decodeIfFits(bytes, 'utf-8', partial) !== null) return 'utf-8';
  const tried = new Set<string>(['utf-8']);
  const attempt = (label: string | null): boolean => {
    if (!label || tried.has(label)) return false;
    tried.add(label);
    return decodeIfFits(bytes, label, partial) !== null;
  };
  for (const name of choice.declared ?? []) {
    if (!name || UNINFORMATIVE.has(name.trim().toLowerCase())) continue;
    const label = charsetLabel(name);
    if (!label) continue;
    if (attempt(label)) return label;
    for (const relative of RELATIVES[label] ?? []) if (attempt(relative)) return relative;
  }
  for (const label of detected(choice.sample && choice.sample.length > bytes.length ? choice.sample : bytes)) {
    if (attempt(label)) return label;
  }
  return null;
}

/** Whether a declared charset reads these bytes as they are (7-bit bytes need no decision). */
export function declaredFits(bytes: Uint8Array, declared: string | null | undefined, partial = false): boolean {
  const label = charsetLabel(declared);
  if (!label) return false;
  if (label === 'iso-2022-jp' || label === 'utf-16le' || label === 'utf-16be') return decodeIfFits(bytes, label, partial) !== null;
  return isAscii(bytes) || decodeIfFits(bytes, label, partial) !== null;
}
