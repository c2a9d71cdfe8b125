// The views of the inbox with their counts (GET /api/views). Counts follow the queue: any event that
// can move a case in or out of a view recounts, coalesced (a burst of events is one request).
import { createResource } from 'solid-js';
import type { ServerEvent } from '../../../worker/protocol/events.ts';
import { getViews } from '../api/assign.ts';
import { createDebounced } from '../lib/util.ts';
import { followLive } from './resource.ts';

const RECOUNT_MS = 400;

/** Events after which a view may hold other cases. */
function recounts(e: ServerEvent): boolean {
  return e.type === 'case.created' || e.type === 'case.updated' || e.type === 'message.added' || e.type === 'sla.updated' || e.type === 'tag.updated';
}

/** For the component that shows the views: the list, refetched while it is mounted. */
export function createViews() {
  const [views, { refetch }] = createResource(getViews);
  const recount = createDebounced(() => void refetch(), RECOUNT_MS);
  followLive(
    (e) => {
      if (recounts(e)) recount();
    },
    () => void refetch(),
  );
  return [views, refetch] as const;
}
