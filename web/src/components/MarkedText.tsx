// Text with the stretches a search matched in <mark>: the text stays text nodes (never innerHTML),
// the offsets come from the server (protocol/search.ts Marked).
import { For } from 'solid-js';
import type { Marked } from '../api/search.ts';

/** The text cut at the marks: [piece, marked?] in order. */
export function pieces(m: Marked): Array<[string, boolean]> {
  const out: Array<[string, boolean]> = [];
  let at = 0;
  for (const [a, b] of m.marks) {
    if (a < at || b <= a || b > m.text.length) continue;
    if (a > at) out.push([m.text.slice(at, a), false]);
    out.push([m.text.slice(a, b), true]);
    at = b;
  }
  if (at < m.text.length) out.push([m.text.slice(at), false]);
  return out;
}

export function MarkedText(props: { value: Marked; before?: boolean; after?: boolean }) {
  return (
    <>
      {props.before ? '…' : ''}
      <For each={pieces(props.value)}>{([text, marked]) => (marked ? <mark>{text}</mark> : text)}</For>
      {props.after ? '…' : ''}
    </>
  );
}
