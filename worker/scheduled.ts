import type { Deps } from './deps.ts';
import { retryDue } from './ingest/retry.ts';
import { retryOutboxDue } from './mail/outbox.ts';

/**
 * Every minute: retry stored-but-unprocessed mail, and outgoing mail whose retry time has come.
 * `scheduledTime` is "now", so a test can fix it.
 */
export async function runScheduled(deps: Deps, scheduledTime: number): Promise<void> {
  const retried = await retryDue(deps, scheduledTime);
  if (retried.tried) console.log(`retried ${retried.tried} inbound message(s), ${retried.succeeded} succeeded`);
  await retryOutboxDue(deps, scheduledTime);
}
