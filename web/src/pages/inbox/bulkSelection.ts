// The rows chosen for a bulk action (module state: it survives opening a case), how a click or `x`
// changes them (shift-click takes the range from the last one chosen), and forgotten on sign-out.
import { createSignal } from 'solid-js';
import { onPrivateReset } from '../../lib/privateState.ts';

const [chosen, setChosen] = createSignal<ReadonlySet<string>>(new Set());
let anchor: string | null = null;
export { chosen };

onPrivateReset(() => clearChosen());

export function isChosen(id: string): boolean {
  return chosen().has(id);
}

export function clearChosen(): void {
  anchor = null;
  setChosen(new Set<string>());
}

/** Toggles one row; with `range`, every row from the last one toggled to this one takes this one's new state. */
export function toggleChosen(id: string, rows: readonly { id: string }[], range = false): void {
  const next = new Set(chosen());
  const on = !next.has(id);
  const from = range && anchor ? rows.findIndex((r) => r.id === anchor) : -1;
  const to = rows.findIndex((r) => r.id === id);
  if (from >= 0 && to >= 0) {
    for (let i = Math.min(from, to); i <= Math.max(from, to); i++) {
      const rid = rows[i]!.id;
      if (on) next.add(rid);
      else next.delete(rid);
    }
  } else if (on) next.add(id);
  else next.delete(id);
  anchor = id;
  setChosen(next);
}

/** All the rows in view chosen, or (when they all are) none. */
export function toggleAll(rows: readonly { id: string }[]): void {
  const all = rows.length > 0 && rows.every((r) => chosen().has(r.id));
  anchor = null;
  setChosen(all ? new Set<string>() : new Set(rows.map((r) => r.id)));
}

/** Keeps only the chosen rows still in view (the view changed, or rows left it). */
export function keepChosen(rows: readonly { id: string }[]): void {
  const ids = new Set(rows.map((r) => r.id));
  const kept = [...chosen()].filter((id) => ids.has(id));
  if (kept.length !== chosen().size) setChosen(new Set(kept));
}
