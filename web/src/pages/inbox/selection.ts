// What the inbox remembers between visits (module state, so that it survives opening a case): the
// selected row, the filter, and where each view was scrolled to. Forgotten on sign-out.
import { createEffect, createSignal, untrack, type Accessor } from 'solid-js';
import type { CaseSummary } from '../../../../worker/protocol/api.ts';
import type { ListView } from '../../api/cases.ts';
import { onPrivateReset } from '../../lib/privateState.ts';

const [selectedId, setSelectedId] = createSignal<string | null>(null);
const [filterText, setFilterText] = createSignal('');
export { filterText, selectedId, setFilterText, setSelectedId };
export const scrollPositions = new Map<ListView, number>();

// Whoever signs in next sees nothing of what the previous agent had on screen.
onPrivateReset(() => {
  scrollPositions.clear();
  setSelectedId(null);
  setFilterText('');
});

/** The filter as matched: trimmed, lower case. */
export const needle = () => filterText().trim().toLowerCase();

export function matchesFilter(c: CaseSummary, needle: string): boolean {
  return (
    c.subject.toLowerCase().includes(needle) || (c.contact !== null && (c.contact.email.toLowerCase().includes(needle) || c.contact.name.toLowerCase().includes(needle))) || `#${c.number}` === needle
  );
}

/** Keeps a selection when its row goes (closed, moved to another view): the row after it. */
export function keepSelection(rows: Accessor<CaseSummary[]>, view: Accessor<ListView>, loaded: Accessor<boolean>): void {
  let selectedAt = -1;
  let selectedIn: ListView | null = null;
  createEffect(() => {
    const list = rows();
    const id = selectedId();
    const v = view();
    if (!id) return;
    const at = list.findIndex((c) => c.id === id);
    if (at >= 0) {
      selectedAt = at;
      selectedIn = v;
    } else if (selectedIn === v && selectedAt >= 0 && list.length > 0 && !needle() && loaded()) {
      const next = list[Math.min(selectedAt, list.length - 1)];
      if (next) untrack(() => setSelectedId(next.id));
    }
  });
}
