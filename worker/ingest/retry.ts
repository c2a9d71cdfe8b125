// The scheduled retry of stored-but-unprocessed mail. A row is due when it failed and its backoff
// has passed, or when it was received but never finished (the isolate died mid-way) a while ago.
import { and, asc, eq, isNull, lte, or } from 'drizzle-orm';
import { inbound } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { processSafely } from './pipeline.ts';

/** How long a `received` row may be in flight before the sweep assumes its handler died. */
export const STALE_RECEIVED_MS = 2 * 60_000;

export async function retryDue(deps: Deps, now: number, limit = 25): Promise<{ tried: number; succeeded: number }> {
  const due = await deps.db
    .select()
    .from(inbound)
    .where(
      or(
        and(eq(inbound.status, 'failed'), or(isNull(inbound.nextAttemptAt), lte(inbound.nextAttemptAt, now))),
        and(eq(inbound.status, 'received'), lte(inbound.receivedAt, now - STALE_RECEIVED_MS)),
      ),
    )
    .orderBy(asc(inbound.receivedAt))
    .limit(limit);
  let succeeded = 0;
  // One at a time: retries are rare, and the pipeline is idempotent if a second sweep overlaps.
  for (const row of due) if (await processSafely(deps, row)) succeeded++;
  await deps.settle();
  return { tried: due.length, succeeded };
}
