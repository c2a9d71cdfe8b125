// The inbox: view tabs, the case list (live, virtualized: only the rows in sight are in the DOM, and
// further pages load while scrolling), a filter over the loaded rows, and held mail.
import { For, Match, Show, Switch, createEffect, createMemo, createResource, createSignal, onCleanup, onMount, untrack } from 'solid-js';
import type { ResourceFetcherInfo } from 'solid-js';
import { unwrap } from 'solid-js/store';
import type { CaseStatus, CaseSummary } from '../../../../worker/protocol/api.ts';
import { assignTarget, changeCase, onCaseSaved, withPending } from '../../stores/caseActions.ts';
import { ActionNotice } from '../../components/ActionNotice.tsx';
import { listCases, type ListView } from '../../api/cases.ts';
import { errorMessage } from '../../api/errors.ts';
import { PRIORITY_LABELS, STATUS_LABELS, caseHref, formatDate, now, relativeTime } from '../../lib/format.ts';
import { HeldMail } from '../held/HeldMail.tsx';
import { onResync, onServerEvent } from '../../realtime/live.ts';
import { initials } from '../../realtime/presence.ts';
import { RowPresence } from '../../components/Presence.tsx';
import { navigate } from '../../lib/route.ts';
import { onPrivateReset } from '../../lib/privateState.ts';
import { currentSession } from '../../stores/session.ts';
import { SlaBadge } from '../../components/SlaBadge.tsx';
import { createDeepSignal } from '../../stores/resource.ts';
import { createDebounced, handlesEnter, isTyping } from '../../lib/util.ts';

type Tab = ListView | 'held';

const TABS: { key: Tab; label: string }[] = [
  { key: 'active', label: 'Active' },
  { key: 'breaching', label: 'Breaching soon' },
  { key: 'new', label: 'New' },
  { key: 'open', label: 'Open' },
  { key: 'pending', label: 'Pending' },
  { key: 'resolved', label: 'Resolved' },
  { key: 'closed', label: 'Closed' },
  { key: 'all', label: 'All' },
  { key: 'held', label: 'Held mail' },
];

const PAGE_SIZE = 50;
/** The API's largest page: each further page while scrolling, and the top of the list a refresh reloads. */
const MAX_PAGE = 200;
/** Rows kept in the DOM above and below those in sight. */
const OVERSCAN = 8;
/** The next page is fetched when the rows in sight come this close to the end of what is loaded. */
const LOAD_AHEAD = 80;
/** Until a row has been measured. */
const DEFAULT_ROW_HEIGHT = 36;
const MIN_LIST_HEIGHT = 240;
/** Room under the list for the "load more" line and the keyboard hint. */
const LIST_BOTTOM_GAP = 76;
const ACTIVE: readonly CaseStatus[] = ['new', 'open', 'pending'];

// Module state, so the chosen tab and selection survive a visit to a case.
const [tab, setTab] = createSignal<Tab>('active');
const [selectedId, setSelectedId] = createSignal<string | null>(null);
const [filterText, setFilterText] = createSignal('');
const scrollPositions = new Map<ListView, number>();

/** Shows the inbox with the held mail tab open (from anywhere, e.g. the flood banner). */
export function openHeldMail(): void {
  setTab('held');
  navigate('#/');
}

interface ListData {
  view: ListView;
  items: CaseSummary[];
  nextCursor: string | null;
}

/** Last list seen per view: shown at once when coming back, while a fresh copy loads. */
const cache = new Map<ListView, ListData>();
// Whoever signs in next sees nothing of what the previous agent had on screen.
onPrivateReset(() => {
  cache.clear();
  scrollPositions.clear();
  setSelectedId(null);
  setFilterText('');
});
function remember(data: ListData): void {
  cache.set(data.view, structuredClone(data));
}

function inView(view: ListView, status: CaseStatus): boolean {
  if (view === 'all') return true;
  if (view === 'active') return ACTIVE.includes(status);
  return view === status;
}

export function Inbox() {
  const listView = () => {
    const t = tab();
    return t === 'held' ? undefined : t;
  };
  return (
    <section class="inbox">
      {/* biome-ignore lint/a11y/noNoninteractiveElementToInteractiveRole: the view tabs are a tablist inside the page's navigation landmark */}
      <nav class="tabs" role="tablist" aria-label="Views">
        <For each={TABS}>
          {(t) => (
            <button type="button" role="tab" data-testid={`tab-${t.key}`} aria-selected={tab() === t.key} classList={{ tab: true, active: tab() === t.key }} onClick={() => setTab(t.key)}>
              {t.label}
            </button>
          )}
        </For>
      </nav>
      <Show when={listView()} fallback={<HeldMail />}>
        {(view) => <CaseList view={view()} />}
      </Show>
    </section>
  );
}

/** Whether the view lists by last message, newest first (the order the cursor follows). */
function byLastMessage(view: ListView): boolean {
  return view !== 'breaching';
}

/** True when `c` sorts after `last` in the list's order (last message, newest first; then id). */
function sortsAfter(c: CaseSummary, last: CaseSummary): boolean {
  return c.lastMessageAt < last.lastMessageAt || (c.lastMessageAt === last.lastMessageAt && c.id < last.id);
}

/**
 * A refresh reloads the top of the list (up to MAX_PAGE rows) and keeps what was loaded further down:
 * someone who scrolled through thousands of cases does not lose them to an event.
 */
function mergeHead(view: ListView, prev: ListData | undefined, page: { items: CaseSummary[]; nextCursor: string | null }): ListData {
  const last = page.items[page.items.length - 1];
  if (!prev || !page.nextCursor || !last || !byLastMessage(view)) return { view, items: page.items, nextCursor: page.nextCursor };
  const head = new Set(page.items.map((c) => c.id));
  const tail = prev.items.filter((c) => !head.has(c.id) && sortsAfter(c, last) && inView(view, c.status));
  return { view, items: [...page.items, ...tail], nextCursor: tail.length > 0 ? prev.nextCursor : page.nextCursor };
}

async function fetchList(view: ListView, info: ResourceFetcherInfo<ListData>): Promise<ListData> {
  const prev = info.value && info.value.view === view ? info.value : undefined;
  const limit = prev ? Math.min(MAX_PAGE, Math.max(PAGE_SIZE, prev.items.length)) : PAGE_SIZE;
  try {
    return mergeHead(view, prev, await listCases(view, limit));
  } catch (err) {
    // A failed background refresh keeps what is on screen; the next event or resync tries again.
    if (prev && info.refetching) {
      console.warn('refreshing the case list failed', err);
      return prev;
    }
    throw err;
  }
}

function matchesFilter(c: CaseSummary, needle: string): boolean {
  return (
    c.subject.toLowerCase().includes(needle) || (c.contact !== null && (c.contact.email.toLowerCase().includes(needle) || c.contact.name.toLowerCase().includes(needle))) || `#${c.number}` === needle
  );
}

function CaseList(props: { view: ListView }) {
  const cached = cache.get(props.view);
  const [data, { refetch, mutate }] = createResource(() => props.view, fetchList, cached ? { storage: createDeepSignal, initialValue: cached } : { storage: createDeepSignal });
  const [loadingMore, setLoadingMore] = createSignal(false);
  const [moreError, setMoreError] = createSignal<string | null>(null);
  const [scroller, setScroller] = createSignal<HTMLDivElement>();
  const [scrollTop, setScrollTop] = createSignal(0);
  const [viewport, setViewport] = createSignal(600);
  const [rowHeight, setRowHeight] = createSignal(DEFAULT_ROW_HEIGHT);
  let listEl: HTMLUListElement | undefined;
  let filterEl: HTMLInputElement | undefined;

  /** The loaded page for the current tab, or undefined while it loads or after a failure. */
  const current = (): ListData | undefined => {
    if (data.error) return undefined;
    const d = data();
    return d && d.view === props.view ? d : undefined;
  };

  const needle = () => filterText().trim().toLowerCase();
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

  // Only the rows in sight (and a few around them) are in the DOM.
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

  const refresh = createDebounced(() => void refetch(), 200);

  function insert(summary: CaseSummary): void {
    if (!inView(props.view, summary.status)) return;
    mutate((prev) => {
      if (!prev || prev.view !== props.view || prev.items.some((c) => c.id === summary.id)) return prev;
      return { ...prev, items: [summary, ...prev.items] };
    });
  }

  /** Lays a change over a loaded row at once (the refresh that follows brings the rest). */
  function patch(caseId: string, changes: Partial<CaseSummary>): void {
    mutate((prev) => {
      if (!prev || prev.view !== props.view) return prev;
      const at = prev.items.findIndex((c) => c.id === caseId);
      const row = prev.items[at];
      if (!row) return prev;
      const items = prev.items.slice();
      items[at] = { ...row, ...changes };
      return { ...prev, items };
    });
  }

  onServerEvent((event) => {
    if (event.type === 'case.updated') patch(event.caseId, event.changes);
    switch (event.type) {
      case 'case.created':
        insert(event.case);
        // A refetch already under way when the event came may answer without the new case and
        // replace the list: a fresh one, started after it, puts it back.
        refresh();
        return;
      case 'case.updated':
      case 'message.added':
      case 'sla.updated':
        refresh();
        return;
      default:
        return;
    }
  });
  onResync(refresh);
  onCleanup(onCaseSaved((saved) => patch(saved.id, saved)));

  async function loadMore(): Promise<void> {
    const d = current();
    if (!d?.nextCursor || loadingMore()) return;
    const { view, nextCursor: cursor } = d;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const page = await listCases(view, MAX_PAGE, cursor);
      mutate((prev) => {
        if (!prev || prev.view !== view || prev.nextCursor !== cursor) return prev;
        const seen = new Set(prev.items.map((c) => c.id));
        return { ...prev, items: [...prev.items, ...page.items.filter((c) => !seen.has(c.id))], nextCursor: page.nextCursor };
      });
    } catch (err) {
      setMoreError(errorMessage(err));
    } finally {
      setLoadingMore(false);
    }
  }

  // Scrolled near the end of what is loaded: the next page comes (not while filtering, which would
  // otherwise pull in every page looking for matches).
  createEffect(() => {
    const d = current();
    if (!d?.nextCursor || needle() || loadingMore() || moreError()) return;
    if (range().end >= rows().length - LOAD_AHEAD) void untrack(loadMore);
  });

  // The scroll box: its height follows the window, its rows' height is measured once rendered.
  createEffect(() => {
    const el = scroller();
    if (!el) return;
    const view = untrack(() => props.view);
    const fit = () => {
      const top = el.getBoundingClientRect().top;
      el.style.maxHeight = `${Math.max(MIN_LIST_HEIGHT, Math.floor(window.innerHeight - top - LIST_BOTTOM_GAP))}px`;
      setViewport(el.clientHeight || viewport());
      const link = listEl?.querySelector<HTMLElement>('.row-link');
      // The link's own height (the row is clipped to the measured height), plus the row's border.
      if (link && link.offsetHeight > 0) setRowHeight(link.offsetHeight + 1);
    };
    const observer = new ResizeObserver(fit);
    observer.observe(el);
    window.addEventListener('resize', fit);
    onCleanup(() => {
      observer.disconnect();
      window.removeEventListener('resize', fit);
      scrollPositions.set(view, el.scrollTop);
    });
    // Back from a case: where the agent was, with the selected row in sight.
    requestAnimationFrame(() => {
      fit();
      const saved = scrollPositions.get(view) ?? 0;
      el.scrollTop = saved;
      setScrollTop(el.scrollTop);
      const id = selectedId();
      const at = id ? rows().findIndex((c) => c.id === id) : -1;
      if (at >= 0) reveal(at, 'center');
    });
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
    reveal(index);
    // Focus follows the selection, so Enter on the focused link and our Enter agree.
    rowLink(id)?.focus({ preventScroll: true });
  }

  /** Keeps a selection when its row goes (closed, moved to another view): the row after it. */
  let selectedAt = -1;
  let selectedIn: ListView | null = null;
  createEffect(() => {
    const list = rows();
    const id = selectedId();
    const view = props.view;
    if (!id) return;
    const at = list.findIndex((c) => c.id === id);
    if (at >= 0) {
      selectedAt = at;
      selectedIn = view;
    } else if (selectedIn === view && selectedAt >= 0 && list.length > 0 && !needle() && current()) {
      const next = list[Math.min(selectedAt, list.length - 1)];
      if (next) untrack(() => setSelectedId(next.id));
    }
  });

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

  function onKeyDown(e: KeyboardEvent): void {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === '/' && !isTyping(e.target)) {
      e.preventDefault();
      filterEl?.focus();
      filterEl?.select();
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
  onCleanup(() => {
    document.removeEventListener('keydown', onKeyDown);
    // Shown at once next time while a fresh copy loads. (Not through props: the tab that chose this
    // list may be gone already.)
    const d = data.error ? undefined : data();
    if (d) remember(unwrap(d));
  });

  const me = assignTarget;

  return (
    <Switch>
      <Match when={data.error && !data.loading}>
        <div class="error" role="alert">
          <p>Could not load cases: {errorMessage(data.error)}</p>
          <button type="button" onClick={() => void refetch()}>
            Retry
          </button>
        </div>
      </Match>
      <Match when={current()}>
        {(d) => (
          <div class="list-wrap">
            <div class="list-tools">
              <input
                ref={filterEl}
                type="search"
                class="case-filter"
                data-testid="case-filter"
                placeholder="Filter loaded cases by subject or contact  ( / )"
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
            <div class="case-list" data-testid="case-list" data-view={d().view} ref={setScroller} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
              <Show when={rows().length > 0} fallback={<p class="empty">{needle() ? 'No loaded case matches the filter.' : 'No cases here yet.'}</p>}>
                <ul class="rows virtual" ref={listEl} style={{ height: `${rows().length * rowHeight()}px` }} aria-label="Cases">
                  <For each={visible()}>
                    {(c, i) => {
                      // The row as shown: a change on its way (stores/caseActions.ts) shows at once.
                      const v = () => withPending(c);
                      const index = () => range().start + i();
                      return (
                        <li
                          data-testid="case-row"
                          data-case-id={c.id}
                          aria-posinset={index() + 1}
                          aria-setsize={current()?.nextCursor ? -1 : rows().length}
                          classList={{ row: true, selected: selectedId() === c.id }}
                          style={{ transform: `translateY(${index() * rowHeight()}px)`, height: `${rowHeight()}px` }}
                        >
                          <a href={caseHref(c.id)} class="row-link" onFocus={() => setSelectedId(c.id)} onClick={() => setSelectedId(c.id)}>
                            <span class="num">#{c.number}</span>
                            <span class="subject">{c.subject || '(no subject)'}</span>
                            <span class="contact" title={c.contact?.email ?? ''}>
                              {c.contact ? c.contact.name || c.contact.email : 'unknown sender'}
                              <Show when={c.contact?.name && c.contact.name !== c.contact.email}>
                                <span class="email"> {c.contact?.email}</span>
                              </Show>
                            </span>
                            <span class="meta">
                              <RowPresence caseId={c.id} />
                              <Show when={v().assignee}>
                                {(a) => (
                                  <span class="avatar assignee" data-testid="row-assignee" data-assignee-id={a().id} title={`Assigned to ${a().name}`}>
                                    {initials(a().name)}
                                  </span>
                                )}
                              </Show>
                              <Show when={v().priority === 'high' || v().priority === 'urgent'}>
                                <span class={`badge prio prio-${v().priority}`}>{PRIORITY_LABELS[v().priority]}</span>
                              </Show>
                              <SlaBadge caseId={c.id} sla={c.sla} />
                              <span class={`badge status status-${v().status}`}>{STATUS_LABELS[v().status]}</span>
                            </span>
                            <time class="time" datetime={new Date(c.lastMessageAt).toISOString()} title={formatDate(c.lastMessageAt)}>
                              {relativeTime(c.lastMessageAt, now())}
                            </time>
                            <span class="count" title={`${c.messageCount} message${c.messageCount === 1 ? '' : 's'}`}>
                              {c.messageCount} msg{c.messageCount === 1 ? '' : 's'}
                            </span>
                          </a>
                        </li>
                      );
                    }}
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
            <p class="hint">
              <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>Enter</kbd> opens · <kbd>/</kbd> filters ·{' '}
              <Show when={me()} fallback={<span title="Open mode names no agent to assign to">assigning needs a signed-in agent</span>}>
                {(m) => (
                  <>
                    <kbd>a</kbd> assigns to {currentSession()?.mode === 'open' ? m().name : 'you'}
                  </>
                )}
              </Show>{' '}
              · <kbd>e</kbd> closes
            </p>
          </div>
        )}
      </Match>
      <Match when={true}>
        <p class="loading">Loading…</p>
      </Match>
    </Switch>
  );
}
