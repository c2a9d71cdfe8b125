// "Sent mail", for a developer's own machine (AUTH_MODE=open): wrangler dev captures outgoing mail
// instead of delivering it, and this lists what edgecase sent, per recipient, live.
import { For, Show } from 'solid-js';
import type { OutboxKind } from '../../../worker/protocol/api.ts';
import type { OutboxItem } from '../api/outbox.ts';
import { DeliveryList } from '../components/Deliveries.tsx';
import { Loadable } from '../components/Loadable.tsx';
import { caseHref, formatDate, now, relativeTime, safeApiUrl } from '../lib/format.ts';
import { createOutbox } from '../stores/outbox.ts';

const KIND_LABELS: Record<OutboxKind, string> = {
  'ack-create': 'acknowledgement (new case)',
  'ack-update': 'acknowledgement (follow-up)',
  reply: 'reply',
  forward: 'forward',
  notification: 'agent notification',
};

export function Outbox() {
  const { items, refetch } = createOutbox();
  document.title = 'Sent mail · edgecase';

  return (
    <section class="outbox">
      <h2 class="page-title">Sent mail</h2>
      <p class="hint">Local mode: mail edgecase sends is captured by wrangler dev, not delivered. The newest 50, with each recipient's status; “sent” means the (local) mail service took it.</p>
      <Loadable error={items.error} loading={items.loading} value={items.error ? undefined : items()} failure="Could not load sent mail" retry={() => void refetch()}>
        {(list) => (
          <div data-testid="outbox-list">
            <Show when={list().length > 0} fallback={<p class="empty">Nothing sent yet.</p>}>
              <ul class="rows">
                <For each={list()}>{(item) => <OutboxRow item={item} />}</For>
              </ul>
            </Show>
          </div>
        )}
      </Loadable>
    </section>
  );
}

function OutboxRow(props: { item: OutboxItem }) {
  const m = () => props.item;
  return (
    <li class="row outbox-row" data-testid="outbox-row" data-kind={m().kind} data-outbox-id={m().id} data-case-id={m().caseId ?? ''}>
      <div class="outbox-head">
        <span class={`badge okind okind-${m().kind}`} title={m().kind}>
          {KIND_LABELS[m().kind] ?? m().kind}
        </span>
        <span class="subject">{m().subject || '(no subject)'}</span>
        <time class="time" datetime={new Date(m().createdAt).toISOString()} title={formatDate(m().createdAt)}>
          {relativeTime(m().createdAt, now())}
        </time>
      </div>
      <div class="outbox-meta">
        <span class="muted">from {m().from}</span>
        <Show when={m().caseId}>
          {(id) => (
            <a href={caseHref(id())} data-testid="outbox-case-link">
              open case
            </a>
          )}
        </Show>
        <Show when={safeApiUrl(m().rawUrl)}>
          {(href) => (
            <a href={href()} download={`${m().id}.eml`} data-testid="outbox-raw">
              Download .eml
            </a>
          )}
        </Show>
      </div>
      <DeliveryList deliveries={m().recipients} />
    </li>
  );
}
