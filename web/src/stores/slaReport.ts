// The SLA report for a range of days. Outcomes change with the sweep and with the agents' work: it
// is refreshed now and then while events come, not per event.
import { createResource, type Accessor } from 'solid-js';
import type { ServerEvent } from '../../../worker/protocol/events.ts';
import { getSlaReport } from '../api/cases.ts';
import { createDebounced } from '../lib/util.ts';
import { followLive, type RefetchOn } from './resource.ts';

export interface ReportRange {
  from: string;
  to: string;
}

/** What moves an outcome: the sweep, a case opened or changed, a message (a first response). */
const REFETCH_ON = {
  'sla.updated': true,
  'case.created': true,
  'case.updated': true,
  'message.added': true,
  'inbound.held': false,
  'inbound.resolved': false,
  'inbound.reprocessed': false,
  'delivery.updated': false,
  'flood.detected': false,
  'notification.added': false,
  'tag.updated': false,
  'contact.updated': false,
  'case.merged': false,
  'case.split': false,
  'draft.updated': false,
} satisfies RefetchOn;

export function createSlaReport(range: Accessor<ReportRange>) {
  const [report, { refetch }] = createResource(range, (r) => getSlaReport(r));
  const refresh = createDebounced(() => void refetch(), 2_000);

  function applyEvent(event: ServerEvent): void {
    if (REFETCH_ON[event.type]) refresh();
  }

  followLive(applyEvent, refresh);
  return { report, refetch, applyEvent };
}
