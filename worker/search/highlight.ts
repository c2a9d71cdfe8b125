// highlight: where the words of a query occur in a text, for the marks in search results. Pure.
// Matching folds case, accents and ß (as the index does: trigram with remove_diacritics, and the
// ß/ss variants of match.ts), so "muller" marks "Müller" and "strasse" marks "Straße".
import type { Marked, Snippet, SnippetField } from '../protocol/search.ts';

/** One character folded for comparison. */
function foldChar(c: string): string {
  return c.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/ß/g, 'ss');
}

export function fold(s: string): string {
  let out = '';
  for (const c of s) out += foldChar(c);
  return out;
}

/** The folded text and, for each of its code units, where its character starts in the original. */
function folded(text: string): { f: string; at: number[] } {
  let f = '';
  const at: number[] = [];
  let i = 0;
  for (const c of text) {
    const x = foldChar(c);
    f += x;
    for (let k = 0; k < x.length; k++) at.push(i);
    i += c.length;
  }
  return { f, at };
}

/** Every occurrence of any needle, merged where they overlap, as offsets in `text`. */
export function marksIn(text: string, needles: string[]): Array<[number, number]> {
  const { f, at } = folded(text);
  const ns = [...new Set(needles.map(fold).filter(Boolean))];
  const found: Array<[number, number]> = [];
  for (const n of ns) {
    for (let p = f.indexOf(n); p !== -1; p = f.indexOf(n, p + n.length)) {
      const last = at[p + n.length - 1]!;
      const end = last + (text.codePointAt(last)! > 0xffff ? 2 : 1);
      found.push([at[p]!, end]);
    }
  }
  found.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: Array<[number, number]> = [];
  for (const m of found) {
    const prev = merged.at(-1);
    if (prev && m[0] <= prev[1]) prev[1] = Math.max(prev[1], m[1]);
    else merged.push([m[0], m[1]]);
  }
  return merged;
}

export function mark(text: string, needles: string[]): Marked {
  return { text, marks: marksIn(text, needles) };
}

/** Characters of an excerpt around the first match. */
export const SNIPPET_WIDTH = 200;

/** An excerpt of `text` around its first match, with the marks inside it; null without a match. */
export function excerpt(field: SnippetField, text: string, needles: string[], width = SNIPPET_WIDTH): Snippet | null {
  const marks = marksIn(text, needles);
  const first = marks[0];
  if (!first) return null;
  let start = Math.max(0, first[0] - Math.floor(width / 3));
  // Start at a word or line when one is near, and never inside a surrogate pair.
  const space = text.slice(start, first[0]).search(/\s\S/);
  if (start > 0 && space !== -1) start += space + 1;
  if (start > 0 && /[\udc00-\udfff]/.test(text[start] ?? '')) start--;
  let end = Math.min(text.length, start + width);
  if (end < text.length && /[\udc00-\udfff]/.test(text[end] ?? '')) end++;
  const piece = text.slice(start, end);
  const inside = marks.filter(([a, b]) => a < end && b > start).map(([a, b]): [number, number] => [Math.max(a, start) - start, Math.min(b, end) - start]);
  // Lines of the index run together in an excerpt: one line break reads as a space.
  return { field, text: piece.replace(/\s/g, ' '), marks: inside, cutBefore: start > 0, cutAfter: end < text.length };
}
