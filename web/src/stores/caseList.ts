// The case list of one view: the rows loaded so far (a resource: the top of the list is refetched
// after events, further pages come while scrolling) and applyEvent, which lays a live event over
// the loaded rows at once.
//
// A refetch answers with what the server read when the request got there, which may be before an
// event this page has already applied: an answer read before a case was created would take away
// the row its case.created event added. So every live change is numbered, and the changes that came
// after a refetch started are laid over its answer again before it is shown.
import { createResource, createSignal, onCleanup, untrack, type Accessor, type ResourceFetcherInfo } from 'solid-js';
import { unwrap } from 'solid-js/store';
import type { CaseStatus, CaseSummary, TagView } from '../../../worker/protocol/api.ts';
import { assertNever } from '../../../worker/protocol/assert.ts';
import type { ServerEvent } from '../../../worker/protocol/events.ts';
import { listCases, type ListView } from '../api/cases.ts';
import { errorMessage } from '../api/errors.ts';
import { onPrivateReset } from '../lib/privateState.ts';
import { createDebounced } from '../lib/util.ts';
import { onCaseSaved } from './caseActions.ts';
import { createDeepSignal, followLive, type RefetchOn } from './resource.ts';

const PAGE_SIZE = 50;
/** The API's largest page: each further page while scrolling, and the top of the list a refresh reloads. */
export const MAX_PAGE = 200;
const ACTIVE: readonly CaseStatus[] = ['new', 'open', 'pending'];

export interface ListData {
  view: ListView;
  items: CaseSummary[];
  nextCursor: string | null;
}

/** Last list seen per view: shown at once when coming back, while a fresh copy loads. */
const cache = new Map<ListView, ListData>();
// Whoever signs in next sees nothing of what the previous agent had on screen.
onPrivateReset(() => cache.clear());

/** Whether a case belongs in a view: snoozed cases leave the views of work to do for the Snoozed one. */
export function inView(view: ListView, c: Pick<CaseSummary, 'status' | 'snooze' | 'sla'>): boolean {
  // A view's query is the server's to answer: its rows come with the refetch that follows the event.
  if (view.startsWith('view:')) return false;
  if (view === 'all') return true;
  if (view === 'snoozed') return c.snooze !== null;
  if (c.snooze !== null && view !== 'resolved' && view !== 'closed') return false;
  if (view === 'active') return ACTIVE.includes(c.status);
  if (view === 'breaching') return ACTIVE.includes(c.status) && (c.sla?.state === 'warning' || c.sla?.state === 'breached');
  return view === c.status;
}

/** A row's tags after an admin renamed, recoloured, merged or deleted one (a tag.updated event). */
export function retagged(tags: TagView[], e: { tagId: string; tag: TagView | null; mergedInto: TagView | null }): TagView[] {
  if (!tags.some((t) => t.id === e.tagId)) return tags;
  const rest = tags.filter((t) => t.id !== e.tagId);
  const next = e.tag ? [...rest, e.tag] : e.mergedInto && !rest.some((t) => t.id === e.mergedInto!.id) ? [...rest, e.mergedInto] : rest;
  return next.sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
}

/** Whether the view lists by last message, newest first (the order the cursor follows). */
function byLastMessage(view: ListView): boolean {
  return view !== 'breaching' && !view.startsWith('view:');
}

/** True when `c` sorts after `last` in the list's order (last message, newest first; then id). */
function sortsAfter(c: CaseSummary, last: CaseSummary): boolean {
  return c.lastMessageAt < last.lastMessageAt || (c.lastMessageAt === last.lastMessageAt && c.id < last.id);
}

/**
 * A refresh reloads the top of the list (up to MAX_PAGE rows) and keeps what was loaded further down:
 * someone who scrolled through thousands of cases does not lose them to an event.
 */
function mergeHead(view: ListView, prev: ListData | undefined, page: { items: CaseSummary[]; nextCursor: string | null }): ListData {
  const last = page.items[page.items.length - 1];
  if (!prev || !page.nextCursor || !last || !byLastMessage(view)) return { view, items: page.items, nextCursor: page.nextCursor };
  const head = new Set(page.items.map((c) => c.id));
  const tail = prev.items.filter((c) => !head.has(c.id) && sortsAfter(c, last) && inView(view, c));
  return { view, items: [...page.items, ...tail], nextCursor: tail.length > 0 ? prev.nextCursor : page.nextCursor };
}

/** What a live event (or the server's answer to a change made here) does to the loaded rows. */
type LiveChange =
  | { kind: 'insert'; summary: CaseSummary }
  | { kind: 'patch'; caseId: string; changes: Partial<CaseSummary> }
  | { kind: 'retag'; tagId: string; tag: TagView | null; mergedInto: TagView | null }
  /** Cases merged into another leave every list at once. */
  | { kind: 'remove'; caseIds: string[] };

function applyChange(d: ListData, change: LiveChange): ListData {
  switch (change.kind) {
    case 'insert':
      if (!inView(d.view, change.summary) || d.items.some((c) => c.id === change.summary.id)) return d;
      return { ...d, items: [change.summary, ...d.items] };
    case 'patch': {
      const at = d.items.findIndex((c) => c.id === change.caseId);
      const row = d.items[at];
      if (!row) return d;
      const items = d.items.slice();
      const next = { ...row, ...change.changes };
      // Snoozed (or woken in the Snoozed view): the row leaves at once, not at the next refetch.
      if (change.changes.snooze !== undefined && !inView(d.view, next)) items.splice(at, 1);
      else items[at] = next;
      return { ...d, items };
    }
    case 'retag':
      return { ...d, items: d.items.map((c) => (c.tags.some((t) => t.id === change.tagId) ? { ...c, tags: retagged(c.tags, change) } : c)) };
    case 'remove':
      return { ...d, items: d.items.filter((c) => !change.caseIds.includes(c.id)) };
    default:
      return assertNever(change, 'list change');
  }
}

/**
 * What a row shows or where it sorts may change with these (the last message, the SLA state, a
 * status that moves the case to another view): the top of the list is read again.
 */
const REFETCH_ON = {
  'case.created': true,
  'case.updated': true,
  'message.added': true,
  'sla.updated': true,
  'inbound.held': false,
  'inbound.resolved': false,
  'inbound.reprocessed': false,
  'delivery.updated': false,
  'flood.detected': false,
  'notification.added': false,
  'tag.updated': false,
  'contact.updated': false,
  'case.merged': true,
  'case.split': true,
  'draft.updated': false,
} satisfies RefetchOn;

export function createCaseList(view: Accessor<ListView>) {
  /** Live changes so far; each is numbered with the count at the time. */
  let changes = 0;
  /** The changes that refetches still out may need laid over their answers. */
  let journal: Array<{ n: number; change: LiveChange }> = [];
  /** For each refetch still out: the count of live changes when it started. */
  const out: number[] = [];

  function started(): number {
    out.push(changes);
    return changes;
  }

  function finished(from: number): void {
    out.splice(out.indexOf(from), 1);
    const oldest = out.length > 0 ? Math.min(...out) : changes;
    journal = journal.filter((e) => e.n > oldest);
  }

  /** `d` with the live changes that came after `from` laid over it again, in the order they came. */
  function replay(d: ListData, from: number): ListData {
    return journal.reduce((acc, e) => (e.n > from ? applyChange(acc, e.change) : acc), d);
  }

  async function fetchList(v: ListView, info: ResourceFetcherInfo<ListData>): Promise<ListData> {
    const prev = info.value && info.value.view === v ? info.value : undefined;
    const limit = prev ? Math.min(MAX_PAGE, Math.max(PAGE_SIZE, prev.items.length)) : PAGE_SIZE;
    const from = started();
    try {
      return replay(mergeHead(v, prev, await listCases(v, limit)), from);
    } catch (err) {
      // A failed background refresh keeps what is on screen; the next event or resync tries again.
      if (prev && info.refetching) {
        console.warn('refreshing the case list failed', err);
        return replay(prev, from);
      }
      throw err;
    } finally {
      finished(from);
    }
  }

  const cached = cache.get(untrack(view));
  const [data, { refetch, mutate }] = createResource(view, fetchList, cached ? { storage: createDeepSignal, initialValue: cached } : { storage: createDeepSignal });

  /** The loaded list of the current view, or undefined while it loads or after a failure. */
  const current = (): ListData | undefined => {
    if (data.error) return undefined;
    const d = data();
    return d && d.view === view() ? d : undefined;
  };

  /** Lays a change over the loaded rows at once, and keeps it for refetches already out. */
  function live(change: LiveChange): void {
    changes++;
    if (out.length > 0) journal.push({ n: changes, change });
    const v = untrack(view);
    mutate((prev) => (prev && prev.view === v ? applyChange(prev, change) : prev));
  }

  const refresh = createDebounced(() => void refetch(), 200);

  /** Merges a live event: a new case shows at once, a change on a row too; the refetch that follows brings the rest. */
  function applyEvent(event: ServerEvent): void {
    if (event.type === 'case.created') live({ kind: 'insert', summary: event.case });
    else if (event.type === 'case.updated') live({ kind: 'patch', caseId: event.caseId, changes: event.changes });
    else if (event.type === 'tag.updated') live({ kind: 'retag', tagId: event.tagId, tag: event.tag, mergedInto: event.mergedInto });
    else if (event.type === 'case.merged') live({ kind: 'remove', caseIds: event.absorbed.map((a) => a.id) });
    if (REFETCH_ON[event.type]) refresh();
  }

  followLive(applyEvent, refresh);
  onCleanup(onCaseSaved((saved) => live({ kind: 'patch', caseId: saved.id, changes: saved })));

  // Further pages while scrolling.
  const [loadingMore, setLoadingMore] = createSignal(false);
  const [moreError, setMoreError] = createSignal<string | null>(null);

  async function loadMore(): Promise<void> {
    const d = current();
    if (!d?.nextCursor || loadingMore()) return;
    const { view: v, nextCursor: cursor } = d;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const page = await listCases(v, MAX_PAGE, cursor);
      mutate((prev) => {
        if (!prev || prev.view !== v || prev.nextCursor !== cursor) return prev;
        const seen = new Set(prev.items.map((c) => c.id));
        return { ...prev, items: [...prev.items, ...page.items.filter((c) => !seen.has(c.id))], nextCursor: page.nextCursor };
      });
    } catch (err) {
      setMoreError(errorMessage(err));
    } finally {
      setLoadingMore(false);
    }
  }

  onCleanup(() => {
    // Shown at once next time while a fresh copy loads. (Not through the view accessor: the tab that
    // chose this list may be gone already.)
    const d = data.error ? undefined : data();
    if (d) cache.set(d.view, structuredClone(unwrap(d)));
  });

  return { data, current, refetch, applyEvent, loadMore, loadingMore, moreError };
}
