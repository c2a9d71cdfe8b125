// The snooze sweep, run by the cron trigger every minute with the controller's scheduledTime as now:
// cases whose snooze has ended wake, each with one case.updated (`woke: 'time'`).
//
// The read is the claim: one UPDATE … RETURNING over the due rows (cases.snoozed_until, indexed)
// clears their snooze and answers which cases this run woke. SQLite runs it alone, so two runs of the
// same minute never both claim a case, and only the run that claimed it announces it. A run that
// dies between the claim and its events leaves cases awake without an event; the clients' next
// refetch shows them.
import { and, asc, inArray, isNotNull, lte } from 'drizzle-orm';
import { cases } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { commit } from '../changes/commit.ts';
import { update, type PlannedEvent } from '../changes/change.ts';
import { indexChange } from '../search/sync.ts';
import { AWAKE } from './snooze.ts';

/** Cases woken per claim (one statement), and events per commit (one D1 batch). */
const CLAIM_SIZE = 500;
const EVENTS_PER_BATCH = 100;

export interface WakeResult {
  woken: number;
}

export async function wakeSnoozed(deps: Pick<Deps, 'db' | 'raw' | 'hub' | 'now' | 'background' | 'send' | 'settle' | 'search'>, now: number, options: { maxCases?: number } = {}): Promise<WakeResult> {
  const maxCases = options.maxCases ?? 5000;
  let woken = 0;
  while (woken < maxCases) {
    const due = deps.db
      .select({ id: cases.id })
      .from(cases)
      .where(and(isNotNull(cases.snoozedUntil), lte(cases.snoozedUntil, now)))
      .orderBy(asc(cases.snoozedUntil))
      .limit(CLAIM_SIZE);
    const claimed = await deps.db
      .update(cases)
      .set({ ...AWAKE, updatedAt: now })
      // Re-checked here: the subquery and the update are one statement, so a row woken meanwhile is not in it.
      .where(and(inArray(cases.id, due), isNotNull(cases.snoozedUntil), lte(cases.snoozedUntil, now)))
      .returning({ id: cases.id, workspaceId: cases.workspaceId });
    if (claimed.length === 0) break;
    woken += claimed.length;
    const byWorkspace = new Map<string, PlannedEvent[]>();
    for (const c of claimed) {
      const list = byWorkspace.get(c.workspaceId) ?? [];
      list.push({ caseId: c.id, actor: 'system:snooze', body: { type: 'case.updated', caseId: c.id, changes: { snooze: null }, woke: 'time' } });
      byWorkspace.set(c.workspaceId, list);
    }
    for (const [workspaceId, events] of byWorkspace) {
      for (let i = 0; i < events.length; i += EVENTS_PER_BATCH) {
        const slice = events.slice(i, i + EVENTS_PER_BATCH);
        await commit(deps, { workspaceId, writes: [], events: slice, outgoing: [], blobs: [] });
        // The claim wrote the rows itself, so the index learns of the wake here (not written again to the main database).
        const ids = slice.map((e) => e.caseId!);
        await indexChange(deps, { workspaceId, writes: [update('cases', { id: { $in: ids } }, { ...AWAKE, updatedAt: now })], events: [], outgoing: [], blobs: [] }, now);
      }
    }
    if (claimed.length < CLAIM_SIZE) break;
  }
  await deps.settle();
  return { woken };
}
