// The scheduled retry of stored-but-unprocessed mail. A row is due when it failed and its backoff
// has passed, or when it was received but never finished (the isolate died mid-way) a while ago.
// An agent's "reprocess" in the exception log runs a row the same way, without waiting (release.ts).
import { and, asc, eq, isNull, lte, or } from 'drizzle-orm';
import { inbound, type Inbound } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { processSafely } from './pipeline.ts';
import type { Stored } from './outcome.ts';

/** How long a `received` row may be in flight before the sweep assumes its handler died. */
export const STALE_RECEIVED_MS = 2 * 60_000;

/**
 * Takes a row for one run of the pipeline. Of two runs after the same row (overlapping sweeps, a
 * sweep and an agent's reprocess, a double click) one gets it: the update is conditional on the
 * state both of them read. While it runs the row is `received` again, leased until STALE_RECEIVED_MS
 * from now; should the isolate die, the sweep takes it up once the lease has passed.
 */
async function claim(deps: Deps, row: Inbound, now: number): Promise<Inbound | null> {
  const claimed = await deps.db
    .update(inbound)
    .set({ status: 'received', nextAttemptAt: now + STALE_RECEIVED_MS })
    .where(
      and(
        eq(inbound.id, row.id),
        eq(inbound.status, row.status),
        eq(inbound.attempts, row.attempts),
        row.nextAttemptAt === null ? isNull(inbound.nextAttemptAt) : eq(inbound.nextAttemptAt, row.nextAttemptAt),
        // A release or discard in progress holds the row.
        isNull(inbound.resolvedBy),
      ),
    )
    .returning()
    .get();
  return claimed ?? null;
}

export type RetryResult = { claimed: false } | { claimed: true; outcome: Stored | null };

/** One row, once more through the pipeline from its raw mail in R2. A failure is recorded on the row. */
export async function retryInbound(deps: Deps, row: Inbound, now: number): Promise<RetryResult> {
  const claimed = await claim(deps, row, now);
  if (!claimed) return { claimed: false };
  return { claimed: true, outcome: await processSafely(deps, claimed) };
}

export async function retryDue(deps: Deps, now: number, limit = 25): Promise<{ tried: number; succeeded: number }> {
  const due = await deps.db
    .select()
    .from(inbound)
    .where(
      or(
        and(eq(inbound.status, 'failed'), or(isNull(inbound.nextAttemptAt), lte(inbound.nextAttemptAt, now))),
        // nextAttemptAt on a `received` row is the lease of a run in progress (see claim).
        and(eq(inbound.status, 'received'), lte(inbound.receivedAt, now - STALE_RECEIVED_MS), or(isNull(inbound.nextAttemptAt), lte(inbound.nextAttemptAt, now))),
      ),
    )
    .orderBy(asc(inbound.receivedAt))
    .limit(limit);
  let tried = 0;
  let succeeded = 0;
  // One at a time: retries are rare. A row another run took meanwhile is left to it.
  for (const row of due) {
    const run = await retryInbound(deps, row, now);
    if (!run.claimed) continue;
    tried++;
    if (run.outcome) succeeded++;
  }
  await deps.settle();
  return { tried, succeeded };
}
