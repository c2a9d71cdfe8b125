// The SLA report for a range of days. Outcomes change with the sweep and with the agents' work: it
// is refreshed now and then while events come, not per event.
import { createResource, type Accessor } from 'solid-js';
import { assertNever } from '../../../worker/protocol/assert.ts';
import type { ServerEvent } from '../../../worker/protocol/events.ts';
import { getSlaReport } from '../api/cases.ts';
import { createDebounced } from '../lib/util.ts';
import { onResync, onServerEvent } from '../realtime/live.ts';

export interface ReportRange {
  from: string;
  to: string;
}

export function createSlaReport(range: Accessor<ReportRange>) {
  const [report, { refetch }] = createResource(range, (r) => getSlaReport(r));
  const refresh = createDebounced(() => void refetch(), 2_000);

  function applyEvent(event: ServerEvent): void {
    switch (event.type) {
      case 'sla.updated':
      case 'case.created':
      case 'case.updated':
      case 'message.added':
        refresh();
        return;
      case 'inbound.held':
      case 'inbound.resolved':
      case 'inbound.reprocessed':
      case 'delivery.updated':
      case 'flood.detected':
        return;
      default:
        assertNever(event, 'event');
    }
  }

  onServerEvent(applyEvent);
  onResync(refresh);
  return { report, refetch, applyEvent };
}
