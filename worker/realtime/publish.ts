// publish: the only way anything reaches agents' sockets. Callers write to D1 first (the events row
// is the truth), then publish; a failed publish is logged, never thrown: clients catch up by seq.
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
