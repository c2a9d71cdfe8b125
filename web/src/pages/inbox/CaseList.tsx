// The case list of one view: live (stores/caseList.ts merges events into it), virtualized (only the
// rows in sight are in the DOM; further pages load while scrolling), a filter over the loaded rows,
// and the list's keys.
import { For, Show, createEffect, createMemo, untrack } from 'solid-js';
import type { CaseSummary } from '../../../../worker/protocol/api.ts';
import type { ListView } from '../../api/cases.ts';
import { ActionNotice } from '../../components/ActionNotice.tsx';
import { Loadable } from '../../components/Loadable.tsx';
import { assignTarget } from '../../stores/caseActions.ts';
import { createCaseList } from '../../stores/caseList.ts';
import { currentSession } from '../../stores/session.ts';
import { BulkBar } from './BulkBar.tsx';
import { chosen, keepChosen, toggleAll, toggleChosen } from './bulkSelection.ts';
import { CaseRow } from './CaseRow.tsx';
import { useListKeys } from './listKeys.ts';
import { filterText, keepSelection, matchesFilter, needle, setFilterText, setSelectedId } from './selection.ts';
import { createVirtualScroll } from './virtualScroll.ts';

/** The next page is fetched when the rows in sight come this close to the end of what is loaded. */
const LOAD_AHEAD = 80;

export function CaseList(props: { view: ListView }) {
  const list = createCaseList(() => props.view);
  const { current, loadMore, loadingMore, moreError } = list;
  let listEl: HTMLUListElement | undefined;
  let filterEl: HTMLInputElement | undefined;

  /** The rows of the list: everything loaded, or what matches the filter. */
  const rows = createMemo(
    (): CaseSummary[] => {
      const items = current()?.items;
      if (!items) return [];
      const f = needle();
      return f ? items.filter((c) => matchesFilter(c, f)) : items;
    },
    [],
    // The store's array stays the same object as it changes: always tell.
    { equals: false },
  );

  const scroll = createVirtualScroll(
    rows,
    () => props.view,
    () => listEl,
  );

  // Scrolled near the end of what is loaded: the next page comes (not while filtering, which would
  // otherwise pull in every page looking for matches).
  createEffect(() => {
    const d = current();
    if (!d?.nextCursor || needle() || loadingMore() || moreError()) return;
    if (scroll.range().end >= rows().length - LOAD_AHEAD) void untrack(loadMore);
  });

  function rowLink(id: string): HTMLAnchorElement | null {
    for (const row of listEl?.querySelectorAll<HTMLElement>('[data-testid="case-row"]') ?? []) {
      if (row.dataset.caseId === id) return row.querySelector('a');
    }
    return null;
  }

  function select(index: number): void {
    const id = rows()[index]?.id;
    if (!id) return;
    setSelectedId(id);
    scroll.reveal(index);
    // Focus follows the selection, so Enter on the focused link and our Enter agree.
    rowLink(id)?.focus({ preventScroll: true });
  }

  keepSelection(
    rows,
    () => props.view,
    () => !!current(),
  );
  const { onFilterKey } = useListKeys(
    rows,
    select,
    () => filterEl,
    (id) => toggleChosen(id, rows()),
  );
  // A chosen row that left the view (another agent closed it, a filter hides it) is no longer chosen.
  createEffect(() => keepChosen(rows()));
  const allChosen = () => rows().length > 0 && rows().every((c) => chosen().has(c.id));

  return (
    <Loadable error={list.data.error} loading={list.data.loading} value={current()} failure="Could not load cases" retry={() => void list.refetch()}>
      {(d) => (
        <div class="list-wrap">
          <div class="list-tools">
            <input type="checkbox" data-testid="choose-all" aria-label="Choose every case in view" title="Choose every case in view" checked={allChosen()} onChange={() => toggleAll(rows())} />
            <input
              ref={filterEl}
              type="search"
              class="case-filter"
              data-testid="case-filter"
              placeholder="Filter loaded cases by subject or contact  ( f )"
              aria-label="Filter the loaded cases by subject or contact"
              autocomplete="off"
              spellcheck={false}
              value={filterText()}
              onInput={(e) => setFilterText(e.currentTarget.value)}
              onKeyDown={onFilterKey}
            />
            <span class="list-count" data-testid="case-count" aria-live="polite">
              {needle() ? `${rows().length} of ${d().items.length} loaded` : `${d().items.length}${d().nextCursor ? '+' : ''} case${d().items.length === 1 ? '' : 's'}`}
            </span>
          </div>
          <ActionNotice />
          <BulkBar />
          <div class="case-list" data-testid="case-list" data-view={d().view} ref={scroll.setScroller} onScroll={(e) => scroll.setScrollTop(e.currentTarget.scrollTop)}>
            <Show when={rows().length > 0} fallback={<p class="empty">{needle() ? 'No loaded case matches the filter.' : 'No cases here yet.'}</p>}>
              <ul class="rows virtual" ref={listEl} style={{ height: `${rows().length * scroll.rowHeight()}px` }} aria-label="Cases">
                <For each={scroll.visible()}>
                  {(c, i) => (
                    <CaseRow
                      case={c}
                      index={scroll.range().start + i()}
                      setSize={current()?.nextCursor ? -1 : rows().length}
                      rowHeight={scroll.rowHeight()}
                      onChoose={(id, range) => toggleChosen(id, rows(), range)}
                    />
                  )}
                </For>
              </ul>
            </Show>
          </div>
          <div class="more" data-testid="list-more">
            <Show when={loadingMore()}>
              <span class="muted">Loading more…</span>
            </Show>
            <Show when={moreError()}>
              {(msg) => (
                <>
                  <span class="error-text">Could not load more: {msg()}</span>
                  <button type="button" onClick={() => void loadMore()}>
                    Retry
                  </button>
                </>
              )}
            </Show>
            <Show when={d().nextCursor && !loadingMore() && !moreError()}>
              <button type="button" data-testid="load-more" onClick={() => void loadMore()}>
                {needle() ? 'Load more to filter' : 'Load more'}
              </button>
            </Show>
          </div>
          <KeyHint />
        </div>
      )}
    </Loadable>
  );
}

function KeyHint() {
  return (
    <p class="hint">
      <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>Enter</kbd> opens · <kbd>/</kbd> filters · <kbd>x</kbd> chooses (shift-click: a range) ·{' '}
      <Show when={assignTarget()} fallback={<span title="Open mode names no agent to assign to">assigning needs a signed-in agent</span>}>
        {(m) => (
          <>
            <kbd>a</kbd> assigns to {currentSession()?.mode === 'open' ? m().name : 'you'}
          </>
        )}
      </Show>{' '}
      · <kbd>e</kbd> closes
    </p>
  );
}
