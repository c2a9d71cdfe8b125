import type { Deps } from './deps.ts';
import { retryDue } from './ingest/retry.ts';

/** Every minute: retry stored-but-unprocessed mail. `scheduledTime` is "now", so a test can fix it. */
export async function runScheduled(deps: Deps, scheduledTime: number): Promise<void> {
  const retried = await retryDue(deps, scheduledTime);
  if (retried.tried) console.log(`retried ${retried.tried} inbound message(s), ${retried.succeeded} succeeded`);
}
