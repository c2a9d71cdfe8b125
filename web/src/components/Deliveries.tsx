// Per-recipient delivery of mail we sent. `delivery.updated` events change what is shown at once,
// before any refetch: a status is replaced only by a newer one. Wording never says "delivered":
// "sent" means the mail service took it; what the recipient's server did shows up as a bounce, if at all.
import { For, Show, createSignal } from 'solid-js';
import type { DeliveryStatus, DeliveryView } from '../../../worker/protocol/api.ts';
import { formatDate } from '../lib/format.ts';
import { onServerEvent } from '../realtime/live.ts';
import { onPrivateReset } from '../stores/session.ts';

interface Override {
  status: DeliveryStatus;
  error: string | null;
  at: number;
}

const MAX_OVERRIDES = 500;
const [overrides, setOverrides] = createSignal<ReadonlyMap<string, Override>>(new Map());

const keyOf = (outboxId: string, recipient: string) => `${outboxId}\n${recipient.toLowerCase()}`;

onServerEvent((event) => {
  if (event.type !== 'delivery.updated') return;
  setOverrides((prev) => {
    const key = keyOf(event.outboxId, event.recipient);
    const old = prev.get(key);
    if (old && old.at > event.at) return prev;
    const next = new Map(prev);
    next.delete(key);
    next.set(key, { status: event.status, error: event.error, at: event.at });
    // Oldest first in insertion order: drop from the front.
    while (next.size > MAX_OVERRIDES) next.delete(next.keys().next().value as string);
    return next;
  });
});
onPrivateReset(() => setOverrides(new Map()));

/** The delivery as last known: the fetched row, or a live event that is newer than it. */
export function effectiveDelivery(d: DeliveryView): DeliveryView {
  const o = overrides().get(keyOf(d.outboxId, d.recipient));
  return o && o.at >= d.updatedAt ? { ...d, status: o.status, error: o.error, updatedAt: o.at } : d;
}

export const DELIVERY_LABELS: Record<DeliveryStatus, string> = {
  queued: 'queued',
  sending: 'sending…',
  retry: 'will retry',
  sent: 'sent',
  failed: 'failed',
  suppressed: 'not sent (address suppressed)',
};

const DELIVERY_HINTS: Record<DeliveryStatus, string> = {
  queued: 'Waiting to be handed to the mail service',
  sending: 'Being handed to the mail service',
  retry: 'The mail service could not take it yet; it will be tried again',
  sent: 'The mail service accepted it; a bounce will show on the case if the recipient’s server refuses it',
  failed: 'It will not be sent',
  suppressed: 'The mail service refuses to send to this address (it bounced or complained before)',
};

export function DeliveryList(props: { deliveries: DeliveryView[] }) {
  return (
    <Show when={props.deliveries.length > 0}>
      <ul class="deliveries" aria-label="Delivery">
        <For each={props.deliveries}>{(d) => <DeliveryItem delivery={d} />}</For>
      </ul>
    </Show>
  );
}

function DeliveryItem(props: { delivery: DeliveryView }) {
  const d = () => effectiveDelivery(props.delivery);
  const title = () => `${DELIVERY_HINTS[d().status] ?? d().status} · ${formatDate(d().updatedAt)}${d().attempts > 1 ? ` · ${d().attempts} attempts` : ''}`;
  return (
    <li class={`delivery delivery-${d().status}`} data-testid="delivery" data-recipient={d().recipient} data-status={d().status} title={title()}>
      <span class="recipient">{d().recipient}</span> <span class={`badge dstatus dstatus-${d().status}`}>{DELIVERY_LABELS[d().status] ?? d().status}</span>
      <Show when={d().error && d().status !== 'sent'}>
        <span class="delivery-error">{d().error}</span>
      </Show>
    </li>
  );
}
