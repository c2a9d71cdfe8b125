// The inbox: view tabs, the case list (live), and held mail.
import { For, Match, Show, Switch, createResource, createSignal, onCleanup, onMount } from 'solid-js';
import type { ResourceFetcherInfo } from 'solid-js';
import type { CaseStatus, CaseSummary } from '../../worker/protocol/api.ts';
import { errorMessage, listCases, type ListView } from './client.ts';
import { PRIORITY_LABELS, STATUS_LABELS, caseHref, formatDate, now, relativeTime } from './format.ts';
import { HeldMail } from './HeldMail.tsx';
import { onResync, onServerEvent } from './live.ts';
import { navigate } from './route.ts';
import { onPrivateReset } from './session.ts';
import { createDeepSignal } from './store.ts';
import { createDebounced, handlesEnter, isTyping } from './util.ts';

type Tab = ListView | 'held';

const TABS: { key: Tab; label: string }[] = [
  { key: 'active', label: 'Active' },
  { key: 'new', label: 'New' },
  { key: 'open', label: 'Open' },
  { key: 'pending', label: 'Pending' },
  { key: 'resolved', label: 'Resolved' },
  { key: 'closed', label: 'Closed' },
  { key: 'all', label: 'All' },
  { key: 'held', label: 'Held mail' },
];

const PAGE_SIZE = 50;
/** The API's largest page; a refresh reloads everything shown, up to this. */
const MAX_PAGE = 200;
const ACTIVE: readonly CaseStatus[] = ['new', 'open', 'pending'];

// Module state, so the chosen tab and selection survive a visit to a case.
const [tab, setTab] = createSignal<Tab>('active');
const [selectedId, setSelectedId] = createSignal<string | null>(null);

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
  setSelectedId(null);
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
      <nav class="tabs" role="tablist" aria-label="Views">
        <For each={TABS}>
          {(t) => (
            <button
              type="button"
              role="tab"
              data-testid={`tab-${t.key}`}
              aria-selected={tab() === t.key}
              classList={{ tab: true, active: tab() === t.key }}
              onClick={() => setTab(t.key)}
            >
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

async function fetchList(view: ListView, info: ResourceFetcherInfo<ListData>): Promise<ListData> {
  const prev = info.value && info.value.view === view ? info.value : undefined;
  const limit = prev ? Math.min(MAX_PAGE, Math.max(PAGE_SIZE, prev.items.length)) : PAGE_SIZE;
  try {
    const page = await listCases(view, limit);
    const data: ListData = { view, items: page.items, nextCursor: page.nextCursor };
    remember(data);
    return data;
  } catch (err) {
    // A failed background refresh keeps what is on screen; the next event or resync tries again.
    if (prev && info.refetching) {
      console.warn('refreshing the case list failed', err);
      return prev;
    }
    throw err;
  }
}

function CaseList(props: { view: ListView }) {
  const cached = cache.get(props.view);
  const [data, { refetch, mutate }] = createResource(() => props.view, fetchList, cached ? { storage: createDeepSignal, initialValue: cached } : { storage: createDeepSignal });
  const [loadingMore, setLoadingMore] = createSignal(false);
  const [moreError, setMoreError] = createSignal<string | null>(null);
  let listEl: HTMLUListElement | undefined;

  /** The loaded page for the current tab, or undefined while it loads or after a failure. */
  const current = (): ListData | undefined => {
    if (data.error) return undefined;
    const d = data();
    return d && d.view === props.view ? d : undefined;
  };

  const refresh = createDebounced(() => void refetch(), 200);

  function insert(summary: CaseSummary): void {
    if (!inView(props.view, summary.status)) return;
    mutate((prev) => {
      if (!prev || prev.view !== props.view || prev.items.some((c) => c.id === summary.id)) return prev;
      const next = { ...prev, items: [summary, ...prev.items] };
      remember(next);
      return next;
    });
  }

  onServerEvent((event) => {
    switch (event.type) {
      case 'case.created':
        insert(event.case);
        return;
      case 'case.updated':
      case 'message.added':
        refresh();
        return;
      default:
        return;
    }
  });
  onResync(refresh);

  async function loadMore(): Promise<void> {
    const d = current();
    if (!d?.nextCursor || loadingMore()) return;
    const { view, nextCursor: cursor } = d;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const page = await listCases(view, PAGE_SIZE, cursor);
      mutate((prev) => {
        if (!prev || prev.view !== view || prev.nextCursor !== cursor) return prev;
        const seen = new Set(prev.items.map((c) => c.id));
        const next = { ...prev, items: [...prev.items, ...page.items.filter((c) => !seen.has(c.id))], nextCursor: page.nextCursor };
        remember(next);
        return next;
      });
    } catch (err) {
      setMoreError(errorMessage(err));
    } finally {
      setLoadingMore(false);
    }
  }

  function rowLink(id: string): HTMLAnchorElement | null {
    for (const row of listEl?.querySelectorAll<HTMLElement>('[data-testid="case-row"]') ?? []) {
      if (row.dataset.caseId === id) return row.querySelector('a');
    }
    return null;
  }

  function onKeyDown(e: KeyboardEvent): void {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || isTyping(e.target)) return;
    const items = current()?.items;
    if (!items || items.length === 0) return;
    const at = items.findIndex((c) => c.id === selectedId());
    if (e.key === 'j' || e.key === 'k') {
      const next = at < 0 ? 0 : e.key === 'j' ? Math.min(items.length - 1, at + 1) : Math.max(0, at - 1);
      const id = items[next]?.id;
      if (!id) return;
      e.preventDefault();
      setSelectedId(id);
      // Focus follows the selection, so Enter on the focused link and our Enter agree.
      const link = rowLink(id);
      link?.focus({ preventScroll: true });
      link?.scrollIntoView({ block: 'nearest' });
    } else if (e.key === 'Enter' && !handlesEnter(e.target)) {
      const id = at >= 0 ? items[at]?.id : undefined;
      if (!id) return;
      e.preventDefault();
      navigate(caseHref(id));
    }
  }

  onMount(() => {
    document.addEventListener('keydown', onKeyDown);
    const id = selectedId();
    if (id) rowLink(id)?.scrollIntoView({ block: 'center' });
  });
  onCleanup(() => document.removeEventListener('keydown', onKeyDown));

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
            <div class="case-list" data-testid="case-list" data-view={d().view}>
              <Show when={d().items.length > 0} fallback={<p class="empty">No cases here yet.</p>}>
                <ul class="rows" ref={listEl}>
                  <For each={d().items}>
                    {(c) => (
                      <li data-testid="case-row" data-case-id={c.id} classList={{ row: true, selected: selectedId() === c.id }}>
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
                            <Show when={c.priority === 'high' || c.priority === 'urgent'}>
                              <span class={`badge prio prio-${c.priority}`}>{PRIORITY_LABELS[c.priority]}</span>
                            </Show>
                            <span class={`badge status status-${c.status}`}>{STATUS_LABELS[c.status]}</span>
                          </span>
                          <time class="time" datetime={new Date(c.lastMessageAt).toISOString()} title={formatDate(c.lastMessageAt)}>
                            {relativeTime(c.lastMessageAt, now())}
                          </time>
                          <span class="count" title={`${c.messageCount} message${c.messageCount === 1 ? '' : 's'}`}>
                            {c.messageCount} msg{c.messageCount === 1 ? '' : 's'}
                          </span>
                        </a>
                      </li>
                    )}
                  </For>
                </ul>
              </Show>
            </div>
            <Show when={d().nextCursor}>
              <div class="more">
                <button type="button" disabled={loadingMore()} onClick={() => void loadMore()}>
                  {loadingMore() ? 'Loading…' : 'Load more'}
                </button>
                <Show when={moreError()}>{(msg) => <span class="error-text">{msg()}</span>}</Show>
              </div>
            </Show>
            <p class="hint">
              <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>Enter</kbd> opens
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
