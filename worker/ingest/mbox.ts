// mbox: archives hold many messages, each introduced by a `From ` line (mboxo/mboxrd). Pure.
import { stripMboxFromLine } from './prescan.ts';

const LF = 0x0a;
// A separator: `From <sender> <asctime date>` (the date has a clock time and a year); `From <sender>`
// alone or `From <address> …`, as writers that leave the date out (or write a message number) do;
// or Thunderbird's `From - …`. "From Russia with love" at the start of a body line is none of them.
const SEPARATOR = /^From (-(\s.*)?|\S+\s.*\b\d{1,2}:\d{2}(:\d{2})?\b.*\b\d{4}\b.*|\S+\s*|\S*@\S*(\s.*)?)$/;
// Thunderbird's separator is unambiguous enough to count where the empty line before it is missing.
const THUNDERBIRD = /^From -(\s|$)/;
const HEADER = /^[\x21-\x39\x3b-\x7e]+:/;

function lineAt(bytes: Uint8Array, at: number): string {
  let end = bytes.indexOf(LF, at);
  if (end === -1) end = bytes.length;
  return new TextDecoder('latin1').decode(bytes.subarray(at, Math.min(end, at + 500))).replace(/\r$/, '');
}

/** Whether the line at `at` starts a message: a separator followed by a header line. */
function separatorAt(bytes: Uint8Array, at: number, afterBlank: boolean): boolean {
  if (bytes[at] !== 0x46) return false;
  const line = lineAt(bytes, at);
  if (!SEPARATOR.test(line) || !(afterBlank || THUNDERBIRD.test(line))) return false;
  const next = bytes.indexOf(LF, at);
  return next !== -1 && HEADER.test(lineAt(bytes, next + 1));
}

/**
 * Splits an mbox archive into messages, without their `From ` separator lines. A separator is a
 * `From ` line as above, at the start of the file or after an empty line (Thunderbird's anywhere),
 * and followed by a header; writers that do not escape `From ` in bodies are handled by those
 * rules. Bytes that do not start with a separator are one message. A UTF-8 byte order mark before
 * the first separator is dropped. The number of messages found is the length of the result.
 */
export function splitMbox(file: Uint8Array): Uint8Array[] {
  const bytes = file[0] === 0xef && file[1] === 0xbb && file[2] === 0xbf && file[3] === 0x46 ? file.subarray(3) : file;
  if (!separatorAt(bytes, 0, true)) return [file];
  const starts: number[] = [0];
  for (let i = bytes.indexOf(LF); i !== -1 && i + 5 < bytes.length; i = bytes.indexOf(LF, i + 1)) {
    const prevBlank = i >= 1 && (bytes[i - 1] === LF || (bytes[i - 1] === 0x0d && i >= 2 && bytes[i - 2] === LF));
    if (separatorAt(bytes, i + 1, prevBlank)) starts.push(i + 1);
  }
  const out: Uint8Array[] = [];
  for (let k = 0; k < starts.length; k++) {
    const part = unescapeFromLines(stripMboxFromLine(bytes.subarray(starts[k]!, starts[k + 1] ?? bytes.length)));
    if (part.some((b) => b !== 0x0a && b !== 0x0d && b !== 0x20)) out.push(part);
  }
  return out;
}

/**
 * Undoes the mboxrd escape: a body line `>From `, `>>From `, … loses one `>` (the writer added it so
 * the line could not pass for a separator). The same as the import command's reader does, so an
 * archive imported either way stores the same bytes and is recognised as the same mail.
 */
export function unescapeFromLines(part: Uint8Array): Uint8Array {
  const drop: number[] = [];
  for (let at = 0; at < part.length; ) {
    if (part[at] === 0x3e) {
      let j = at;
      while (part[j] === 0x3e) j++;
      // "From "
      if (part[j] === 0x46 && part[j + 1] === 0x72 && part[j + 2] === 0x6f && part[j + 3] === 0x6d && part[j + 4] === 0x20) drop.push(at);
    }
    const next = part.indexOf(LF, at);
    if (next === -1) break;
    at = next + 1;
  }
  if (drop.length === 0) return part;
  const out = new Uint8Array(part.length - drop.length);
  let from = 0;
  let to = 0;
  for (const d of drop) {
    out.set(part.subarray(from, d), to);
    to += d - from;
    from = d + 1;
  }
  out.set(part.subarray(from), to);
  return out;
}

/** Whether a file should be read as an archive of many messages, from its name. */
export function isMboxArchive(path: string): boolean {
  return /(^|\/)mailbox\/|mbox/i.test(path);
}
