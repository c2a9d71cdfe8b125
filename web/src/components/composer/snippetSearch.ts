// Fuzzy search over canned replies: each word of the query must appear, in order of its letters
// (a subsequence), in the name, the shortcut or the body; closer and earlier matches rank higher.
import type { SnippetView } from '../../../../worker/protocol/snippets.ts';

/** 0 when `needle`'s letters do not all occur in `hay` in order; else higher for a tighter, earlier match. */
export function fuzzyScore(needle: string, hay: string): number {
  if (!needle) return 1;
  const h = hay.toLowerCase();
  const exact = h.indexOf(needle);
  if (exact >= 0) return 1000 - Math.min(exact, 900);
  let at = -1;
  let first = -1;
  for (const ch of needle) {
    at = h.indexOf(ch, at + 1);
    if (at < 0) return 0;
    if (first < 0) first = at;
  }
  return Math.max(1, 500 - (at - first) - Math.min(first, 400));
}

export function searchSnippets(all: readonly SnippetView[], query: string): SnippetView[] {
  const words = query.toLowerCase().replace(/^;/, '').split(/\s+/).filter(Boolean);
  const scored = all
    .map((s) => {
      let score = 0;
      for (const w of words) {
        const best = Math.max(fuzzyScore(w, s.shortcut ?? '') * 3, fuzzyScore(w, s.name) * 2, fuzzyScore(w, s.body));
        if (best === 0) return { s, score: 0 };
        score += best;
      }
      if (words.length === 1 && s.shortcut === words[0]) score += 10_000;
      return { s, score: words.length === 0 ? 1 : score };
    })
    .filter((x) => x.score > 0);
  return scored.sort((a, b) => b.score - a.score || a.s.name.localeCompare(b.s.name)).map((x) => x.s);
}
