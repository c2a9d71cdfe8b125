// The inbox's keys, outside form controls: j/k move the selection, Home/End go to the first or last
// loaded row, Enter opens the selected case, / goes to the filter, a assigns the selected case to the
// agent, e closes it and x chooses it for a bulk action. In the filter: Escape clears it, ArrowDown goes into the list, Enter opens.
import { onCleanup, onMount, type Accessor } from 'solid-js';
import type { CaseSummary } from '../../../../worker/protocol/api.ts';
import { caseHref } from '../../lib/format.ts';
import { navigate } from '../../lib/route.ts';
import { handlesEnter, isTyping } from '../../lib/util.ts';
import { assignTarget, changeCase, withPending } from '../../stores/caseActions.ts';
import { selectedId, setFilterText } from './selection.ts';

function actOnSelected(key: 'a' | 'e', row: CaseSummary): boolean {
  const shown = withPending(row);
  if (key === 'e') {
    if (shown.status !== 'closed') void changeCase(row, { status: 'closed' }, 'close');
    return true;
  }
  const me = assignTarget();
  if (!me) return false;
  if (shown.assignee?.id !== me.id) void changeCase(row, { assignee: me }, 'assign');
  return true;
}

/** Listens on the document while the list is mounted; answers the filter input's key handler. */
export function useListKeys(rows: Accessor<CaseSummary[]>, select: (index: number) => void, filter: () => HTMLInputElement | undefined, choose: (id: string) => void) {
  function onKeyDown(e: KeyboardEvent): void {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
    // `/` is the search box's, on every page; `f` filters the rows already loaded.
    if (e.key === 'f' && !isTyping(e.target)) {
      e.preventDefault();
      filter()?.focus();
      filter()?.select();
      return;
    }
    if (isTyping(e.target)) return;
    const items = rows();
    if (items.length === 0) return;
    const id = selectedId();
    const at = id ? items.findIndex((c) => c.id === id) : -1;
    switch (e.key) {
      case 'j':
      case 'k':
        e.preventDefault();
        select(at < 0 ? 0 : e.key === 'j' ? Math.min(items.length - 1, at + 1) : Math.max(0, at - 1));
        return;
      case 'Home':
      case 'End':
        // To the first or last loaded row; at the end, the next page loads by itself.
        e.preventDefault();
        select(e.key === 'Home' ? 0 : items.length - 1);
        return;
      case 'Enter': {
        const row = at >= 0 ? items[at] : undefined;
        if (!row || handlesEnter(e.target)) return;
        e.preventDefault();
        navigate(caseHref(row.id));
        return;
      }
      case 'x': {
        const row = at >= 0 ? items[at] : undefined;
        if (!row) return;
        e.preventDefault();
        choose(row.id);
        return;
      }
      case 'a':
      case 'e': {
        const row = at >= 0 ? items[at] : undefined;
        if (row && actOnSelected(e.key, row)) e.preventDefault();
        return;
      }
      default:
        return;
    }
  }

  function onFilterKey(e: KeyboardEvent & { currentTarget: HTMLInputElement }): void {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      setFilterText('');
      e.currentTarget.blur();
    } else if (e.key === 'ArrowDown' || e.key === 'Enter') {
      // Into the list: ArrowDown selects the first match, Enter opens the selected (or first) one.
      const items = rows();
      if (items.length === 0) return;
      e.preventDefault();
      const id = selectedId();
      const at = Math.max(0, id ? items.findIndex((c) => c.id === id) : 0);
      if (e.key === 'Enter') navigate(caseHref(items[at]?.id ?? items[0]!.id));
      else select(at);
    }
  }

  onMount(() => document.addEventListener('keydown', onKeyDown));
  onCleanup(() => document.removeEventListener('keydown', onKeyDown));
  return { onFilterKey };
}
