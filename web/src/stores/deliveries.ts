// The latest word on each delivery of mail we sent: `delivery.updated` events change what is shown
// at once, before any refetch; a status is replaced only by a newer one.
import { createSignal } from 'solid-js';
import type { DeliveryStatus, DeliveryView } from '../../../worker/protocol/api.ts';
import type { ServerEvent } from '../../../worker/protocol/events.ts';
import { onPrivateReset } from '../lib/privateState.ts';
import { onServerEvent } from '../realtime/live.ts';

interface Override {
  status: DeliveryStatus;
  error: string | null;
  at: number;
}

const MAX_OVERRIDES = 500;
const [overrides, setOverrides] = createSignal<ReadonlyMap<string, Override>>(new Map());

const keyOf = (outboxId: string, recipient: string) => `${outboxId}\n${recipient.toLowerCase()}`;

/** Only delivery.updated says anything about a delivery. */
export function applyEvent(event: ServerEvent): void {
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
}

onServerEvent(applyEvent);
onPrivateReset(() => setOverrides(new Map()));

/** The delivery as last known: the fetched row, or a live event that is newer than it. */
export function effectiveDelivery(d: DeliveryView): DeliveryView {
  const o = overrides().get(keyOf(d.outboxId, d.recipient));
  return o && o.at >= d.updatedAt ? { ...d, status: o.status, error: o.error, updatedAt: o.at } : d;
}
