// The inbox: view tabs over a case list per status group (CaseList.tsx, live and virtualized), and
// held mail. The chosen tab, the selection and the filter survive a visit to a case.
import { For, Show } from 'solid-js';
import { inboxTab, setInboxTab, type InboxTab } from '../../lib/route.ts';
import { HeldMail } from '../held/HeldMail.tsx';
import { CaseList } from './CaseList.tsx';

const TABS: { key: InboxTab; label: string }[] = [
  { key: 'active', label: 'Active' },
  { key: 'breaching', label: 'Breaching soon' },
  { key: 'new', label: 'New' },
  { key: 'open', label: 'Open' },
  { key: 'pending', label: 'Pending' },
  { key: 'snoozed', label: 'Snoozed' },
  { key: 'resolved', label: 'Resolved' },
  { key: 'closed', label: 'Closed' },
  { key: 'all', label: 'All' },
  { key: 'held', label: 'Held mail' },
];

export function Inbox() {
  const listView = () => {
    const t = inboxTab();
    return t === 'held' ? undefined : t;
  };
  return (
    <section class="inbox">
      {/* biome-ignore lint/a11y/noNoninteractiveElementToInteractiveRole: the view tabs are a tablist inside the page's navigation landmark */}
      <nav class="tabs" role="tablist" aria-label="Views">
        <For each={TABS}>
          {(t) => (
            <button
              type="button"
              role="tab"
              data-testid={`tab-${t.key}`}
              aria-selected={inboxTab() === t.key}
              classList={{ tab: true, active: inboxTab() === t.key }}
              onClick={() => setInboxTab(t.key)}
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
