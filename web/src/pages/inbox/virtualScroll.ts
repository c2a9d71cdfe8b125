// The case list's scroll box: only the rows in sight (and a few around them) are in the DOM, all of
// one measured height. The box's height follows the window; coming back to a view scrolls to where
// the agent was, with the selected row in sight.
import { createEffect, createMemo, createSignal, onCleanup, untrack, type Accessor } from 'solid-js';
import type { CaseSummary } from '../../../../worker/protocol/api.ts';
import type { ListView } from '../../api/cases.ts';
import { scrollPositions, selectedId } from './selection.ts';

/** Rows kept in the DOM above and below those in sight. */
const OVERSCAN = 8;
/** Until a row has been measured. */
const DEFAULT_ROW_HEIGHT = 36;
const MIN_LIST_HEIGHT = 240;
/** Room under the list for the "load more" line and the keyboard hint. */
const LIST_BOTTOM_GAP = 76;

export function createVirtualScroll(rows: Accessor<CaseSummary[]>, view: Accessor<ListView>, list: () => HTMLUListElement | undefined) {
  const [scroller, setScroller] = createSignal<HTMLDivElement>();
  const [scrollTop, setScrollTop] = createSignal(0);
  const [viewport, setViewport] = createSignal(600);
  const [rowHeight, setRowHeight] = createSignal(DEFAULT_ROW_HEIGHT);

  const range = createMemo(
    () => {
      const h = rowHeight();
      const n = rows().length;
      const start = Math.max(0, Math.floor(scrollTop() / h) - OVERSCAN);
      const end = Math.min(n, Math.ceil((scrollTop() + viewport()) / h) + OVERSCAN);
      return { start, end: Math.max(start, end) };
    },
    { start: 0, end: 0 },
    { equals: (a, b) => a.start === b.start && a.end === b.end },
  );
  const visible = createMemo(() => {
    const { start, end } = range();
    return rows().slice(start, end);
  });

  /** Scrolls row `index` into sight; the DOM follows at once, so its link can be focused next. */
  function reveal(index: number, where: 'nearest' | 'center' = 'nearest'): void {
    const el = scroller();
    if (!el) return;
    const h = rowHeight();
    const top = index * h;
    const bottom = top + h;
    let next = el.scrollTop;
    if (where === 'center') next = top - (el.clientHeight - h) / 2;
    else if (top < el.scrollTop) next = top;
    else if (bottom > el.scrollTop + el.clientHeight) next = bottom - el.clientHeight;
    next = Math.max(0, Math.min(next, rows().length * h - el.clientHeight));
    if (next !== el.scrollTop) el.scrollTop = next;
    setScrollTop(el.scrollTop);
  }

  createEffect(() => {
    const el = scroller();
    if (!el) return;
    const v = untrack(view);
    const fit = () => {
      const top = el.getBoundingClientRect().top;
      el.style.maxHeight = `${Math.max(MIN_LIST_HEIGHT, Math.floor(window.innerHeight - top - LIST_BOTTOM_GAP))}px`;
      setViewport(el.clientHeight || viewport());
      const link = list()?.querySelector<HTMLElement>('.row-link');
      // The link's own height (the row is clipped to the measured height), plus the row's border.
      if (link && link.offsetHeight > 0) setRowHeight(link.offsetHeight + 1);
    };
    const observer = new ResizeObserver(fit);
    observer.observe(el);
    window.addEventListener('resize', fit);
    onCleanup(() => {
      observer.disconnect();
      window.removeEventListener('resize', fit);
      scrollPositions.set(v, el.scrollTop);
    });
    // Back from a case: where the agent was, with the selected row in sight.
    requestAnimationFrame(() => {
      fit();
      const saved = scrollPositions.get(v) ?? 0;
      el.scrollTop = saved;
      setScrollTop(el.scrollTop);
      const id = selectedId();
      const at = id ? rows().findIndex((c) => c.id === id) : -1;
      if (at >= 0) reveal(at, 'center');
    });
  });

  return { setScroller, setScrollTop, range, visible, rowHeight, reveal };
}
