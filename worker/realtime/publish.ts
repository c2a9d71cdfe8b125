// publish: the only way anything reaches agents' sockets. Callers write to D1 first (the events row
// is the truth), then publish; a failed publish is logged, never thrown: clients catch up by seq.
import type { Presence } from '../cases/assign.ts';
import type { ServerEvent } from '../protocol/events.ts';
import type { InboxHub } from './hub.ts';

export interface Publisher {
  publish(workspaceId: string, events: ServerEvent[]): Promise<void>;
}

export function hubFor(ns: DurableObjectNamespace<InboxHub>, workspaceId: string): DurableObjectStub<InboxHub> {
  return ns.get(ns.idFromName(workspaceId));
}

export function hubPublisher(ns: DurableObjectNamespace<InboxHub>): Publisher {
  return {
    async publish(workspaceId, events) {
      if (events.length === 0) return;
      try {
        await hubFor(ns, workspaceId).publish(events);
      } catch (err) {
        console.warn(`publish to ${workspaceId} failed; clients will catch up by seq`, err);
      }
    },
  };
}

/** Who is connected, asked of the workspace's hub (one RPC; only least-open assignment asks). */
export function hubPresence(ns: DurableObjectNamespace<InboxHub>): Presence {
  return {
    async connectedAgents(workspaceId) {
      try {
        return await hubFor(ns, workspaceId).connectedAgents();
      } catch (err) {
        // Nobody counts as present: least-open then leaves the case in the team's queue.
        console.warn(`presence of ${workspaceId} unavailable`, err);
        return [];
      }
    },
  };
}
