// merge-sla: the clocks of a case that absorbed others. Pure. Per target the earliest due time wins
// (the customer waits since their earliest unanswered message, whichever case it was filed in); a
// first response met in any of the cases is met for the merged conversation, and what another case
// still owed as its first response is owed as the next response instead.
import type { Case } from '../db/schema.ts';
import { TARGET_BIT, type SlaState } from '../sla/policy.ts';
import { slaColumns, stateOf, type SlaColumns, type SlaContext } from '../sla/transition.ts';

function earliest(...times: Array<number | null>): number | null {
  const set = times.filter((t): t is number => t !== null);
  return set.length ? Math.min(...set) : null;
}

/** The SLA state of the merged cases, the survivor first (its pause stands: its status does). */
export function mergedSlaState(survivor: Case, absorbed: Case[]): SlaState {
  const all = [survivor, ...absorbed].map(stateOf);
  const met = earliest(...all.map((s) => s.firstRespondedAt));
  const firstDue = earliest(...all.map((s) => s.firstResponseDueAt));
  const nextDue = earliest(...all.map((s) => s.nextResponseDueAt));
  const warned = all.reduce((m, s) => m | s.warnedMask, 0);
  const breached = all.reduce((m, s) => m | s.breachedMask, 0);
  const survivorState = all[0]!;
  return {
    firstRespondedAt: met,
    firstResponseDueAt: met === null ? firstDue : null,
    nextResponseDueAt: met === null ? nextDue : earliest(nextDue, firstDue),
    resolutionDueAt: earliest(...all.map((s) => s.resolutionDueAt)),
    pausedAt: survivorState.pausedAt,
    // A warning about a met target is over; a breach happened and stays.
    warnedMask: met === null ? warned : warned & ~TARGET_BIT.firstResponse,
    breachedMask: breached,
  };
}

/** The survivor's SLA columns after the merge, or null when it runs under no policy (nothing to change). */
export function mergedSlaColumns(survivor: Case, absorbed: Case[], ctx: SlaContext | null): SlaColumns | null {
  if (!survivor.slaPolicyId || !ctx || ctx.policy.id !== survivor.slaPolicyId) return null;
  return slaColumns(mergedSlaState(survivor, absorbed), ctx, survivor.createdAt);
}
