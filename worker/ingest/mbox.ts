// mbox: archives hold many messages, each introduced by a `From ` line (mboxo/mboxrd). Pure.
import { stripMboxFromLine } from './prescan.ts';

const LF = 0x0a;

function startsWithFrom(bytes: Uint8Array, at: number): boolean {
  return bytes[at] === 0x46 && bytes[at + 1] === 0x72 && bytes[at + 2] === 0x6f && bytes[at + 3] === 0x6d && bytes[at + 4] === 0x20;
}

/**
 * Splits an mbox archive into messages, without their `From ` separator lines. A separator is a
 * `From ` line at the start of the file or after an empty line; a bare `From ` line inside a body
 * (unescaped, as some writers leave them) does not split unless it follows a blank line.
 * Bytes that do not start with `From ` are one message.
 */
export function splitMbox(bytes: Uint8Array): Uint8Array[] {
  if (!startsWithFrom(bytes, 0)) return [bytes];
  const starts: number[] = [0];
  for (let i = bytes.indexOf(LF); i !== -1 && i + 5 < bytes.length; i = bytes.indexOf(LF, i + 1)) {
    const prevBlank = i >= 1 && (bytes[i - 1] === LF || (bytes[i - 1] === 0x0d && i >= 2 && bytes[i - 2] === LF));
    if (prevBlank && startsWithFrom(bytes, i + 1)) starts.push(i + 1);
  }
  const out: Uint8Array[] = [];
  for (let k = 0; k < starts.length; k++) {
    const part = stripMboxFromLine(bytes.subarray(starts[k]!, starts[k + 1] ?? bytes.length));
    if (part.some((b) => b !== 0x0a && b !== 0x0d && b !== 0x20)) out.push(part);
  }
  return out;
}
