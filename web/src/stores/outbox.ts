// Sent mail (local mode): the newest outgoing mail with each recipient's delivery, refetched when
// mail goes out or its delivery changes.
import { createResource } from 'solid-js';
import { assertNever } from '../../../worker/protocol/assert.ts';
import type { ServerEvent } from '../../../worker/protocol/events.ts';
import { listOutbox } from '../api/outbox.ts';
import { createDebounced } from '../lib/util.ts';
import { onResync, onServerEvent } from '../realtime/live.ts';
import { createDeepSignal, keepingOnFailedRefresh } from './resource.ts';

const fetchOutbox = keepingOnFailedRefresh('sent mail', async (_: true) => (await listOutbox()).items);

export function createOutbox() {
  const [items, { refetch }] = createResource(fetchOutbox, { storage: createDeepSignal });
  const refresh = createDebounced(() => void refetch(), 200);

  function applyEvent(event: ServerEvent): void {
    switch (event.type) {
      // New mail shows up with its first delivery attempt; statuses change with the same event.
      case 'delivery.updated':
      case 'case.created':
      case 'message.added':
        refresh();
        return;
      case 'case.updated':
      case 'sla.updated':
      case 'inbound.held':
      case 'inbound.resolved':
      case 'inbound.reprocessed':
      case 'flood.detected':
        return;
      default:
        assertNever(event, 'event');
    }
  }

  onServerEvent(applyEvent);
  onResync(refresh);
  return { items, refetch, applyEvent };
}
