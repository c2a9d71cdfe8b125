// The bell in the top bar: the signed-in agent's unread notifications (mentions in notes), live by
// the notification.added event (every app receives it; only the agent it names counts it).
import { For, Show, createSignal, onMount } from 'solid-js';
import type { NotificationList, NotificationView } from '../../../worker/protocol/notifications.ts';
import { listNotifications, markNotificationsRead } from '../api/notifications.ts';
import { navigate } from '../lib/route.ts';
import { onServerEvent } from '../realtime/live.ts';
import { currentSession } from '../stores/session.ts';
import '../styles/bell.css';

export function NotificationBell() {
  const [list, setList] = createSignal<NotificationList>({ items: [], unread: 0 });
  const [open, setOpen] = createSignal(false);
  const refresh = () =>
    listNotifications()
      .then(setList)
      .catch(() => undefined);
  onMount(refresh);
  onServerEvent((event) => {
    if (event.type === 'notification.added' && event.agentId === currentSession()?.id) void refresh();
  });

  async function openOne(n: NotificationView): Promise<void> {
    setOpen(false);
    if (!n.readAt) setList(await markNotificationsRead({ ids: [n.id] }).catch(() => list()));
    if (n.caseId) navigate(`#/cases/${n.caseId}`);
  }

  return (
    <div class="bell-box">
      <button type="button" class="bell" data-testid="bell" data-unread={list().unread} aria-label={`Notifications, ${list().unread} unread`} onClick={() => setOpen(!open())}>
        <svg class="bell-icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
          <path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z" />
        </svg>
        <Show when={list().unread > 0}>
          <span class="bell-count" data-testid="bell-count">
            {list().unread}
          </span>
        </Show>
      </button>
      <Show when={open()}>
        <div class="bell-list" data-testid="bell-list" role="menu">
          <Show when={list().items.length > 0} fallback={<p class="hint">Nothing yet: you see it here when someone mentions you in a note.</p>}>
            <button type="button" class="link-button" onClick={async () => setList(await markNotificationsRead({ all: true }).catch(() => list()))}>
              Mark all read
            </button>
            <For each={list().items}>
              {(n) => (
                <button type="button" class="bell-item" classList={{ unread: !n.readAt }} data-testid="bell-item" role="menuitem" onClick={() => void openOne(n)}>
                  <strong>
                    {n.by || 'Someone'} mentioned you in #{n.caseNumber ?? '?'}
                  </strong>
                  <span class="bell-excerpt">{n.excerpt}</span>
                </button>
              )}
            </For>
          </Show>
        </div>
      </Show>
    </div>
  );
}
