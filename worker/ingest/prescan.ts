// The pre-scan: a single cheap pass over the raw bytes before the parser sees them. It finds the
// top-level header block, reads the few headers the idempotency key needs, and bounds what the
// parser's own limits do not (the number of sibling parts, the size of the top-level headers).
import { PARSE_LIMITS } from './limits.ts';

export interface PreScan {
  /** Byte offset where the body starts (after the blank line), or the length when there is none. */
  bodyOffset: number;
  headerBytes: number;
  /** Unfolded top-level headers, lower-case names, in order; values are raw (not RFC 2047 decoded). */
  headers: Array<[string, string]>;
  /** Lines that start with `--`: an upper bound on the number of MIME parts. */
  partLines: number;
  /** Set when the message must not be parsed; a machine-readable reason. */
  refuse: string | null;
}

const LF = 0x0a;
const CR = 0x0d;
const DASH = 0x2d;

/** Drops a leading mbox `From ` line, which some archives and test corpora keep in single-message files. */
export function stripMboxFromLine(raw: Uint8Array): Uint8Array {
  if (raw.length > 5 && raw[0] === 0x46 && raw[1] === 0x72 && raw[2] === 0x6f && raw[3] === 0x6d && raw[4] === 0x20) {
    const nl = raw.indexOf(LF);
    return nl === -1 ? raw : raw.subarray(nl + 1);
  }
  return raw;
}

export type ParseLimits = { [K in keyof typeof PARSE_LIMITS]: number };

export function prescan(raw: Uint8Array, limits: ParseLimits = PARSE_LIMITS): PreScan {
  // Header block: up to the first empty line (CRLF CRLF, LF LF, or mixed).
  let bodyOffset = raw.length;
  let lineStart = 0;
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] !== LF) continue;
    const lineLen = i - lineStart - (i > lineStart && raw[i - 1] === CR ? 1 : 0);
    if (lineLen === 0) {
      bodyOffset = i + 1;
      break;
    }
    lineStart = i + 1;
    if (lineStart > limits.maxTopHeaderBytes) break;
  }
  const headerBytes = Math.min(bodyOffset, raw.length);
  let refuse: string | null = null;
  if (headerBytes > limits.maxTopHeaderBytes) refuse = 'headers-too-large';

  // Count boundary-looking lines over the whole message: `--` at the start of a line.
  let partLines = 0;
  if (raw.length > 1 && raw[0] === DASH && raw[1] === DASH) partLines++;
  for (let i = raw.indexOf(LF); i !== -1 && i + 2 < raw.length; i = raw.indexOf(LF, i + 1)) {
    if (raw[i + 1] === DASH && raw[i + 2] === DASH) partLines++;
  }
  // Every part opens with a delimiter line, so this over-counts only by closing delimiters and
  // quoted `--` lines: generous to real mail, and it stops a flood of parts before the parser runs.
  if (!refuse && partLines > limits.maxParts) refuse = 'too-many-parts';

  const headerText = new TextDecoder('latin1').decode(raw.subarray(0, Math.min(headerBytes, limits.maxTopHeaderBytes)));
  return { bodyOffset, headerBytes, headers: parseHeaderBlock(headerText), partLines, refuse };
}

/** Unfolds a header block into [name, value] pairs; malformed lines are skipped, never fatal. */
export function parseHeaderBlock(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const line of text.split(/\r?\n/)) {
    if (line === '') break;
    if ((line[0] === ' ' || line[0] === '\t') && out.length > 0) {
      const last = out[out.length - 1]!;
      last[1] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    out.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return out;
}

export function headerValue(headers: Array<[string, string]>, name: string): string | null {
  for (const [k, v] of headers) if (k === name) return v;
  return null;
}
