// Reads an mbox archive as a stream, one message at a time, however large the file is. Only the
// message being read is held in memory (and not even that past `maxBytes`).
//
// A message starts at a `From ` separator line that
//   - starts the file or follows an empty line (Thunderbird's `From - …` may follow any line),
//   - is `From <sender> <date>` with a clock time and a year (`From jo@example.com Mon Nov 23
//     08:12:00 2026`), `From <sender>` alone or `From <address> …` (writers that leave the date out,
//     or write a message number), or Thunderbird's `From - …`,
//   - and is followed by a header line.
// Anything else starting with "From " is body text: writers that never escaped it (mboxo) are read
// right as long as the line does not also look like all three. Lines escaped the mboxrd way
// (`>From `, `>>From `, …) lose one `>`. A UTF-8 byte order mark before the first line is skipped.
// The rules are the same as worker/ingest/mbox.ts's, so both count the same messages in a file.
import { createReadStream } from 'node:fs';

const LF = 0x0a;
const CR = 0x0d;
const FROM_ = Buffer.from('From ');
const ESCAPED_FROM = /^>+From /;
// Asctime as mail programs write it, loosely: any order, but a clock time and a four-digit year.
const CLOCK = /(^|\s)\d{1,2}:\d{2}(:\d{2})?(\s|$)/;
const YEAR = /(^|\s)\d{4}(\s|$)/;
// A header field name (printable ASCII but the colon) and the colon.
const HEADER_LINE = /^[\x21-\x39\x3b-\x7e]+:/;

/** Production Email Routing's limit; a message over it is reported, not read into memory. */
export const MAX_MESSAGE_BYTES = 25 * 1024 * 1024;

function text(line, max = 1000) {
  return line.toString('latin1', 0, Math.min(line.length, max)).replace(/\r?\n$/, '');
}

function isBlank(line) {
  return (line.length === 1 && line[0] === LF) || (line.length === 2 && line[0] === CR && line[1] === LF);
}

/** Whether a line may be a separator (the following line decides). */
export function isSeparatorLine(line) {
  if (line.length < 6 || line.compare(FROM_, 0, 5, 0, 5) !== 0) return false;
  const rest = text(line).slice(5);
  if (rest === '-' || /^-\s/.test(rest)) return true; // Thunderbird
  const space = rest.search(/\s/);
  if (space === 0 || rest === '') return false;
  if (space === -1 || rest.slice(space).trim() === '') return true; // `From <sender>` alone
  if (rest.slice(0, space).includes('@')) return true; // `From <address> …`
  const date = rest.slice(space);
  return CLOCK.test(date) && YEAR.test(date);
}

/** Thunderbird's separator, a separator even where the empty line before it is missing. */
export function isThunderbirdLine(line) {
  return isSeparatorLine(line) && /^From -(\s|$)/.test(text(line, 10));
}

export function isHeaderLine(line) {
  return HEADER_LINE.test(text(line, 200));
}

/**
 * The envelope sender a separator names, when it is an address: not Thunderbird's `-`, not a bare
 * MAILER-DAEMON, and not the `…@xxx` message numbers of Gmail's exports.
 */
export function envelopeSender(separator) {
  const rest = text(separator).slice(5).trim();
  const token = rest.split(/\s+/)[0]?.replace(/^<(.*)>$/, '$1') ?? '';
  if (!token.includes('@') || /@xxx$/i.test(token) || token.length > 320) return null;
  return token;
}

/**
 * Lines of a file from `start`, each with its byte offset, line ending included. A line longer than
 * `maxLine` is handed on in pieces (`partial: true` on all but the last), so that no line can fill
 * the memory either.
 */
async function* lines(file, start, readSize, maxLine) {
  const stream = createReadStream(file, { start, highWaterMark: readSize });
  let carry = null;
  let carryAt = start;
  let at = start;
  for await (const chunk of stream) {
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(LF, from);
      if (nl === -1) break;
      const piece = chunk.subarray(from, nl + 1);
      if (carry) {
        yield { line: Buffer.concat([carry, piece]), offset: carryAt };
        carry = null;
      } else {
        yield { line: piece, offset: at + from };
      }
      from = nl + 1;
    }
    if (from < chunk.length) {
      const rest = chunk.subarray(from);
      if (!carry) carryAt = at + from;
      carry = carry ? Buffer.concat([carry, rest]) : Buffer.from(rest);
      if (carry.length > maxLine) {
        // No line ending in sight: hand the piece on; a separator is never this long.
        yield { line: carry, offset: carryAt, partial: true };
        carry = null;
        carryAt = at + chunk.length;
      }
    }
    at += chunk.length;
  }
  if (carry) yield { line: carry, offset: carryAt };
}

/**
 * The messages of an mbox file from byte `start` (which must be the start of the file or of a
 * separator line), in order: { index, offset, end, envelopeFrom, raw, size, oversize }.
 * `offset` is where the message's separator starts and `end` where the next one does (or the end
 * of the file): a reader resumes at `end`. With `collect: false` only the boundaries are found
 * (`raw` is null), which is how messages are counted. A message over `maxBytes` is not kept in
 * memory: `raw` is null, `oversize` true and `size` how large it was.
 *
 * A file that does not start with a separator is read as one message. `readSize` is how much is
 * read at a time, `maxLine` the longest line looked at whole (longer ones are body text).
 */
export async function* readMbox(file, { start = 0, collect = true, maxBytes = MAX_MESSAGE_BYTES, readSize = 1 << 20, maxLine = 1 << 16 } = {}) {
  let index = 0;
  let current = null; // the message being read
  let pending = null; // a separator candidate waiting for the next line: { line, offset }
  let prevBlank = true; // the start of the file counts as following an empty line
  let afterPartial = false;
  let mode = 'unknown'; // 'mbox' once a separator was confirmed, 'single' when the file starts otherwise
  let eof = start;

  const begin = (offset, envelopeFrom) => ({ offset, envelopeFrom, parts: collect ? [] : null, size: 0, lastLen: 0, lastBlank: false, content: false });
  const add = (msg, line, escaped, whole = true) => {
    const piece = escaped ? line.subarray(1) : line;
    msg.size += piece.length;
    if (msg.parts && msg.size > maxBytes) msg.parts = null; // too large: keep counting, stop keeping
    if (msg.parts) msg.parts.push(piece);
    msg.lastLen = piece.length;
    msg.lastBlank = whole && isBlank(piece);
    msg.content ||= piece.some((b) => b !== LF && b !== CR && b !== 0x20 && b !== 0x09);
  };
  const finish = (msg, end) => {
    // In an mbox the empty line before the next separator (or the end) belongs to the archive.
    const trim = mode === 'mbox' && msg.lastBlank;
    const size = trim ? msg.size - msg.lastLen : msg.size;
    // Whitespace only: what an mbox writer leaves at the end, not a message.
    if (size <= 0 || !msg.content) return null;
    const oversize = size > maxBytes;
    let raw = null;
    if (msg.parts && !oversize) {
      raw = Buffer.concat(msg.parts);
      if (trim) raw = raw.subarray(0, size);
    }
    return { index: index++, offset: msg.offset, end, envelopeFrom: msg.envelopeFrom, raw, size, oversize };
  };

  for await (const item of lines(file, start, readSize, maxLine)) {
    let { line, offset } = item;
    const { partial } = item;
    if (offset === 0 && line[0] === 0xef && line[1] === 0xbb && line[2] === 0xbf && line[3] === 0x46) {
      // A byte order mark before the first separator (an archive saved by a Windows editor).
      line = line.subarray(3);
      offset = 3;
    }
    eof = offset + line.length;
    const continuation = afterPartial;
    afterPartial = !!partial;
    if (mode === 'single') {
      add(current, line, false, !continuation);
      continue;
    }
    if (pending) {
      const candidate = pending;
      pending = null;
      if (!continuation && isHeaderLine(line)) {
        mode = 'mbox';
        if (current) {
          const done = finish(current, candidate.offset);
          if (done) yield done;
        }
        current = begin(candidate.offset, envelopeSender(candidate.line));
        add(current, line, false);
        prevBlank = false;
        continue;
      }
      // Not a separator after all: an unescaped "From " line of the body.
      current ??= begin(candidate.offset, null);
      add(current, candidate.line, false);
    }
    if (mode === 'unknown' && !isBlank(line) && !isSeparatorLine(line)) {
      // Not an mbox: one message (an .eml file, say), taken as it is.
      mode = 'single';
      current ??= begin(offset, null);
      add(current, line, false, !continuation);
      continue;
    }
    if (!continuation && !partial && (prevBlank || isThunderbirdLine(line)) && isSeparatorLine(line)) {
      pending = { line: Buffer.from(line), offset };
      prevBlank = false;
      continue;
    }
    current ??= begin(offset, null);
    add(current, line, mode === 'mbox' && !continuation && line[0] === 0x3e && ESCAPED_FROM.test(text(line, 100)), !continuation);
    prevBlank = !continuation && !partial && isBlank(line);
  }
  if (pending) {
    current ??= begin(pending.offset, null);
    add(current, pending.line, false);
  }
  if (current) {
    const done = finish(current, eof);
    if (done) yield done;
  }
}
