// Sent mail (local mode): the newest outgoing mail with each recipient's delivery, refetched when
// mail goes out or its delivery changes.
import { createResource } from 'solid-js';
import type { ServerEvent } from '../../../worker/protocol/events.ts';
import { listOutbox } from '../api/outbox.ts';
import { createDebounced } from '../lib/util.ts';
import { createDeepSignal, followLive, keepingOnFailedRefresh, type RefetchOn } from './resource.ts';

const fetchOutbox = keepingOnFailedRefresh('sent mail', async (_: true) => (await listOutbox()).items);

/** Mail goes out with a new case (its acknowledgement) or a message, and each delivery attempt says so. */
const REFETCH_ON = {
  'delivery.updated': true,
  'case.created': true,
  'message.added': true,
  'case.updated': false,
  'sla.updated': false,
  'inbound.held': false,
  'inbound.resolved': false,
  'inbound.reprocessed': false,
  'flood.detected': false,
  'notification.added': false,
  'tag.updated': false,
  'contact.updated': false,
  'case.merged': true,
  'case.split': true,
  'draft.updated': false,
} satisfies RefetchOn;

export function createOutbox() {
  const [items, { refetch }] = createResource(fetchOutbox, { storage: createDeepSignal });
  const refresh = createDebounced(() => void refetch(), 200);

  function applyEvent(event: ServerEvent): void {
    if (REFETCH_ON[event.type]) refresh();
  }

  followLive(applyEvent, refresh);
  return { items, refetch, applyEvent };
}
