// Held mail (the exception log) under the chosen filters: a resource refetched when mail is held or
// reprocessed; a row someone released or discarded leaves at once.
import { createEffect, createMemo, createResource, createSignal, on, type Accessor } from 'solid-js';
import type { InboundView } from '../../../worker/protocol/api.ts';
import type { ServerEvent } from '../../../worker/protocol/events.ts';
import { listInbound, type InboundFilters } from '../api/inbound.ts';
import { createDebounced } from '../lib/util.ts';
import { createDeepSignal, followLive, keepingOnFailedRefresh, type RefetchOn } from './resource.ts';

/** One page; older rows are found by narrowing the filters. */
export const HELD_PAGE = 100;

export interface HeldData {
  items: InboundView[];
  /** True when there is more than one page; only the newest are shown. */
  truncated: boolean;
}

// A refresh after an event that fails keeps what is shown; a change of filters shows the error.
const fetchHeld = keepingOnFailedRefresh('held mail', async (filters: InboundFilters): Promise<HeldData> => {
  const page = await listInbound(filters, HELD_PAGE);
  return { items: page.items, truncated: page.nextCursor !== null };
});

/** Mail held or reprocessed comes with a refetch; a resolved row is dropped at once instead (applyEvent). */
const REFETCH_ON = {
  'inbound.held': true,
  'inbound.reprocessed': true,
  'inbound.resolved': false,
  'case.created': false,
  'case.updated': false,
  'message.added': false,
  'delivery.updated': false,
  'sla.updated': false,
  'flood.detected': false,
  'notification.added': false,
  'tag.updated': false,
  'contact.updated': false,
  'case.merged': false,
  'case.split': false,
  'draft.updated': false,
} satisfies RefetchOn;

export function createHeldMail(filters: Accessor<InboundFilters>) {
  const [data, { refetch, mutate }] = createResource(filters, fetchHeld, { storage: createDeepSignal });
  const refresh = createDebounced(() => void refetch(), 200);
  // Resolved rows never become held again; remembering them keeps a refetch that started before the
  // release from bringing a row back.
  const [resolved, setResolved] = createSignal<ReadonlySet<string>>(new Set());
  // Rows reprocessed here, as they came out: they stay on screen with their result, even when the
  // filters no longer match them (a failed row that became a case), until the filters change.
  const [results, setResults] = createSignal<ReadonlyMap<string, InboundView>>(new Map());
  createEffect(on(filters, () => setResults(new Map()), { defer: true }));

  /** A row released or discarded (here or by someone else): it leaves the list. */
  function drop(id: string): void {
    if (!resolved().has(id)) setResolved((prev) => new Set(prev).add(id));
    mutate((prev) => (prev?.items.some((i) => i.id === id) ? { ...prev, items: prev.items.filter((i) => i.id !== id) } : prev));
  }

  function reprocessed(row: InboundView): void {
    setResults((prev) => new Map(prev).set(row.id, row));
  }

  function applyEvent(event: ServerEvent): void {
    if (event.type === 'inbound.resolved') drop(event.inboundId);
    else if (REFETCH_ON[event.type]) refresh();
  }

  followLive(applyEvent, refresh);

  const loaded = () => (data.error ? undefined : data());

  /** The rows to show: resolved ones gone, reprocessed ones as they came out (kept in order). */
  const visible = createMemo((): InboundView[] => {
    const d = loaded();
    if (!d) return [];
    const pinned = results();
    const shown = d.items.filter((i) => !resolved().has(i.id) || pinned.has(i.id)).map((i) => pinned.get(i.id) ?? i);
    const missing = [...pinned.values()].filter((r) => !shown.some((i) => i.id === r.id));
    if (missing.length === 0) return shown;
    return [...shown, ...missing].sort((a, b) => b.receivedAt - a.receivedAt || (a.id < b.id ? 1 : -1));
  });

  return { data, loaded, refetch, refresh, applyEvent, visible, drop, reprocessed, isResult: (id: string) => results().has(id) };
}
