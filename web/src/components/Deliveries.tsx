// Per-recipient delivery of mail we sent, as stores/deliveries.ts last heard of it (live events
// change it at once, before any refetch). Wording never says "delivered":
// "sent" means the mail service took it; what the recipient's server did shows up as a bounce, if at
// all: then the delivery says "bounced", with the report's reason.
import { For, Show } from 'solid-js';
import type { DeliveryStatus, DeliveryView } from '../../../worker/protocol/api.ts';
import { formatDate } from '../lib/format.ts';
import { effectiveDelivery } from '../stores/deliveries.ts';

export const DELIVERY_LABELS: Record<DeliveryStatus, string> = {
  queued: 'queued',
  sending: 'sending…',
  retry: 'will retry',
  sent: 'sent',
  failed: 'failed',
  suppressed: 'not sent (address suppressed)',
  bounced: 'bounced',
};

const DELIVERY_HINTS: Record<DeliveryStatus, string> = {
  queued: 'Waiting to be handed to the mail service',
  sending: 'Being handed to the mail service',
  retry: 'The mail service could not take it yet; it will be tried again',
  sent: 'The mail service accepted it; a bounce will show on the case if the recipient’s server refuses it',
  failed: 'It will not be sent',
  suppressed: 'The mail service refuses to send to this address (it bounced or complained before)',
  bounced: 'It was sent, then the recipient’s mail server sent it back: the reason is next to it',
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
