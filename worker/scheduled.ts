import type { Deps } from './deps.ts';
import { wakeSnoozed } from './cases/wake.ts';
import { retryDue } from './ingest/retry.ts';
import { retryOutboxDue } from './mail/outbox.ts';
import { catchUpSearch } from './search/sync.ts';
import { sweepSla } from './sla/sweep.ts';

/**
 * Every minute: retry stored-but-unprocessed mail, retry outgoing mail whose time has come, sweep
 * the SLA clocks, and wake the snoozed cases whose time has come.
 * `scheduledTime` is "now", so a test can fix it.
 */
export async function runScheduled(deps: Deps, scheduledTime: number): Promise<void> {
  const retried = await retryDue(deps, scheduledTime);
  if (retried.tried) console.log(`retried ${retried.tried} inbound message(s), ${retried.succeeded} succeeded`);
  await retryOutboxDue(deps, scheduledTime);
  const sla = await sweepSla(deps, scheduledTime);
  if (sla.warnings || sla.breaches) console.log(`SLA sweep: ${sla.checked} case(s) due, ${sla.warnings} warning(s), ${sla.breaches} breach(es)`);
  const indexed = await catchUpSearch(deps);
  if (indexed) console.log(`search index: ${indexed} case(s) written again after a failed index write`);
  const woke = await wakeSnoozed(deps, scheduledTime);
  if (woke.woken) console.log(`woke ${woke.woken} snoozed case(s)`);
}
