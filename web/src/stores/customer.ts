// The customer panel of one case: a resource refetched when a contact.updated event names one of the
// person's addresses or their organisation's domain, and when the case's own events may have changed
// its contact or its cases.
import { createResource, type Accessor } from 'solid-js';
import type { ServerEvent } from '../../../worker/protocol/events.ts';
import { customerOfCase } from '../api/customer.ts';
import { createDebounced } from '../lib/util.ts';
import { createDeepSignal, followLive, keepingOnFailedRefresh } from './resource.ts';

const fetchCustomer = keepingOnFailedRefresh('the customer', customerOfCase);

export function createCustomer(caseId: Accessor<string>) {
  const [customer, { refetch, mutate }] = createResource(caseId, fetchCustomer, { storage: createDeepSignal });
  const refresh = createDebounced(() => void refetch(), 150);

  function applyEvent(event: ServerEvent): void {
    const shown = customer.error ? undefined : customer();
    if (event.type === 'contact.updated') {
      if (!shown) return;
      const mine = new Set(shown.addresses.map((a) => a.id));
      if (event.contactIds.some((id) => mine.has(id)) || (event.domain !== null && event.domain === shown.organisation?.domain)) refresh();
      // The person's cases: one opened, closed or merged changes the list.
    } else if ((event.type === 'case.created' || event.type === 'case.updated' || event.type === 'case.merged') && shown?.cases.some((c) => c.id === event.caseId)) refresh();
    else if (event.type === 'case.created' && shown?.addresses.some((a) => a.email === event.case.contact?.email)) refresh();
  }

  followLive(applyEvent, refresh);
  return { customer, mutate, refetch };
}
