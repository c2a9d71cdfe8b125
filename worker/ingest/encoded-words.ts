// encoded-words: RFC 2047 encoded words of a raw header value, grouped as the parser decodes them,
// and their bytes. Pure; recode.ts uses them to check a word's label against its bytes.
import { concat, fromBase64, fromQuotedPrintable, latin1Bytes } from './transfer.ts';

const WORD = /=\?([^?\s]+)\?([QqBb])\?([^?]*)\?=/g;

export interface Word {
  at: number;
  charset: string;
  encoding: string;
  text: string;
  labelAt: number;
}

/** Encoded words in groups the parser decodes as one (adjacent, same charset and encoding). */
export function wordGroups(value: string): Word[][] {
  const groups: Word[][] = [];
  let last: Word | null = null;
  let lastEnd = -1;
  let joined = '';
  for (const m of value.matchAll(WORD)) {
    const word = { at: m.index, charset: m[1]!, encoding: m[2]!.toUpperCase(), text: m[3]!, labelAt: m.index + 2 };
    const between = lastEnd >= 0 ? value.slice(lastEnd, m.index) : null;
    const joins =
      last !== null &&
      between !== null &&
      /^[ \t\r\n]*$/.test(between) &&
      last.charset === word.charset &&
      last.encoding === word.encoding &&
      (word.encoding !== 'B' || (joined.length % 4 === 0 && !joined.endsWith('=')));
    if (joins) {
      groups.at(-1)!.push(word);
      joined += word.text;
    } else {
      groups.push([word]);
      joined = word.text;
    }
    last = word;
    lastEnd = m.index + m[0].length;
  }
  return groups;
}

export function wordBytes(group: Word[]): Uint8Array {
  return concat(group.map((w) => (w.encoding === 'B' ? fromBase64(latin1Bytes(w.text)) : fromQuotedPrintable(latin1Bytes(w.text), true))));
}
