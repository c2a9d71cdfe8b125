// The inbox: the views (built-in and saved, GET /api/views, with live counts) over a case list
// (CaseList.tsx, live and virtualized), the resolved and closed cases, and held mail. The chosen
// tab, the selection and the filter survive a visit to a case. Built-in views that mean exactly a
// status group of the list (All open, Breaching soon, Snoozed) list through it, with its live rows.
import { For, Show } from 'solid-js';
import type { ViewInfo } from '../../../../worker/protocol/views.ts';
import { inboxTab, setInboxTab, type InboxTab } from '../../lib/route.ts';
import { createViews } from '../../stores/views.ts';
import { HeldMail } from '../held/HeldMail.tsx';
import { CaseList } from './CaseList.tsx';
import { SaveView } from './SaveView.tsx';

const AS_STATUS: Record<string, InboxTab> = { 'builtin:open': 'active', 'builtin:breaching': 'breaching', 'builtin:snoozed': 'snoozed' };

const MORE: { key: InboxTab; label: string }[] = [
  { key: 'resolved', label: 'Resolved' },
  { key: 'closed', label: 'Closed' },
  { key: 'all', label: 'All' },
  { key: 'held', label: 'Held mail' },
];

function tabOf(v: ViewInfo): InboxTab {
  return AS_STATUS[v.id] ?? `view:${v.id}`;
}

function Tab(props: { tab: InboxTab; label: string; count?: number }) {
  return (
    <button
      type="button"
      role="tab"
      data-testid={`tab-${props.tab}`}
      aria-selected={inboxTab() === props.tab}
      classList={{ tab: true, active: inboxTab() === props.tab }}
      onClick={() => setInboxTab(props.tab)}
    >
      {props.label}
      <Show when={props.count !== undefined}>
        <span class="count" data-testid={`count-${props.tab}`}>
          {props.count}
        </span>
      </Show>
    </button>
  );
}

export function Inbox() {
  const [views, refetchViews] = createViews();
  const listView = () => {
    const t = inboxTab();
    return t === 'held' ? undefined : t;
  };
  return (
    <section class="inbox">
      {/* biome-ignore lint/a11y/noNoninteractiveElementToInteractiveRole: the view tabs are a tablist inside the page's navigation landmark */}
      <nav class="tabs" role="tablist" aria-label="Views">
        <For each={views.latest ?? []}>{(v) => <Tab tab={tabOf(v)} label={v.name} count={v.count} />}</For>
        <For each={MORE}>{(t) => <Tab tab={t.key} label={t.label} />}</For>
      </nav>
      <SaveView
        current={(views.latest ?? []).find((v) => tabOf(v) === inboxTab())}
        onSaved={(id) => {
          void refetchViews();
          setInboxTab(id ? `view:${id}` : 'active');
        }}
      />
      <Show when={listView()} fallback={<HeldMail />}>
        {(view) => <CaseList view={view()} />}
      </Show>
    </section>
  );
}
