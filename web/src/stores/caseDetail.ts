// One case with its thread: a resource refetched after any event about the case, and what this page
// wrote or changed laid over it at once.
import { createResource, onCleanup, type Accessor } from 'solid-js';
import type { CaseDetail, MessageView } from '../../../worker/protocol/api.ts';
import type { ServerEvent } from '../../../worker/protocol/events.ts';
import { getCase } from '../api/cases.ts';
import { RequestError } from '../api/errors.ts';
import { createDebounced } from '../lib/util.ts';
import { onCaseSaved } from './caseActions.ts';
import { createDeepSignal, followLive, keepingOnFailedRefresh, type RefetchOn } from './resource.ts';

// A failed background refresh keeps the thread on screen (a 404 means it really is gone).
const fetchCase = keepingOnFailedRefresh('the case', getCase, (shown, id, err) => shown.case.id === id && !(err instanceof RequestError && err.status === 404));

/** Every event that names a case may change what its page shows; a flood is about a sender. */
const REFETCH_ON = {
  'case.created': true,
  'case.updated': true,
  'message.added': true,
  'sla.updated': true,
  'inbound.held': true,
  'inbound.resolved': true,
  'inbound.reprocessed': true,
  'delivery.updated': true,
  'flood.detected': false,
  'notification.added': false,
  'tag.updated': false,
  'contact.updated': false,
  'case.merged': true,
  'case.split': true,
  'draft.updated': false,
} satisfies RefetchOn;

export function createCaseDetail(id: Accessor<string>) {
  const [detail, { refetch, mutate }] = createResource(id, fetchCase, { storage: createDeepSignal });
  const refresh = createDebounced(() => void refetch(), 150);

  /** The loaded case, or undefined while it loads or after a failure. */
  const loaded = (): CaseDetail | undefined => {
    if (detail.error) return undefined;
    const d = detail();
    return d && d.case.id === id() ? d : undefined;
  };

  /** Anything that happened on this case: the thread, its status, a delivery, held mail about it. */
  function applyEvent(event: ServerEvent): void {
    if (REFETCH_ON[event.type] && event.caseId === id()) refresh();
    // A tag of this case renamed, recoloured, merged or deleted: a workspace event names no case.
    else if (event.type === 'tag.updated' && loaded()?.case.tags.some((t) => t.id === event.tagId)) refresh();
    // This case was merged into another: the refetch says where it went (the view follows it).
    else if (event.type === 'case.merged' && event.absorbed.some((a) => a.id === id())) refresh();
  }

  followLive(applyEvent, refresh);

  /** A reply, note or forward this page just wrote: shown at once, then the refetch brings the rest. */
  function posted(view: MessageView): void {
    mutate((prev) => (prev && prev.case.id === id() && !prev.messages.some((m) => m.id === view.id) ? { ...prev, messages: [...prev.messages, view] } : prev));
    refresh();
  }

  // The server's copy after a change made here (status, priority, assignee).
  onCleanup(onCaseSaved((saved) => mutate((prev) => (prev && prev.case.id === saved.id ? { ...prev, case: saved } : prev))));

  return { detail, loaded, refetch, applyEvent, posted };
}
