// Snooze: a case leaves the active views until a time, or until the customer writes. The `snooze`
// and `unsnooze` edits are planners (pure); waking by time is the scheduled sweep (wake.ts); waking
// by the customer's mail is part of the ingest's append plan (wokenByMail below).
import type { Case } from '../db/schema.ts';
import type { EventBody } from '../protocol/events.ts';
import { SNOOZE_MAX_MS, type SnoozeView } from '../protocol/work.ts';
import type { Patch } from '../changes/change.ts';
import { CaseActionError } from './errors.ts';
import type { CaseFacts, CaseStep, PlanContext } from './plan.ts';

/** The columns of a case that is not snoozed. */
export const AWAKE = { snoozedAt: null, snoozedUntil: null, snoozedBy: null } as const satisfies Patch<'cases'>;

export function snoozeView(c: Pick<Case, 'snoozedAt' | 'snoozedUntil' | 'snoozedBy'>): SnoozeView | null {
  return c.snoozedAt === null ? null : { until: c.snoozedUntil, by: c.snoozedBy ?? 'local' };
}

/** A snooze ends in the future and within a year (or when the customer writes: null). */
export function checkSnoozeEnd(until: number | null, now: number): void {
  if (until !== null && until <= now) throw new CaseActionError('bad_request', 'the snooze must end in the future');
  if (until !== null && until > now + SNOOZE_MAX_MS) throw new CaseActionError('bad_request', 'a snooze ends within a year');
}

/**
 * Snoozes the case until `until` (in the future, at most a year ahead), or until the customer writes
 * (null). Snoozing a snoozed case moves its time. Only open work can wait: not a resolved or closed case.
 */
export function planSnooze(facts: CaseFacts, edit: { until: number | null }, ctx: PlanContext): CaseStep {
  const kase = facts.kase;
  checkSnoozeEnd(edit.until, ctx.now);
  if (kase.status === 'resolved' || kase.status === 'closed') throw new CaseActionError('bad_request', `a ${kase.status} case cannot be snoozed`);
  if (kase.snoozedAt !== null && kase.snoozedUntil === edit.until) return {};
  const by = ctx.by.id ?? 'local';
  return { set: { snoozedAt: ctx.now, snoozedUntil: edit.until, snoozedBy: by }, changes: { snooze: { until: edit.until, by } } };
}

/** Wakes the case now; a case that is not snoozed stays as it is. */
export function planUnsnooze(facts: CaseFacts): CaseStep {
  if (facts.kase.snoozedAt === null) return {};
  return { set: AWAKE, changes: { snooze: null } };
}

/**
 * What the customer's mail to a snoozed case does besides being filed: the case wakes, in the same
 * commit. Auto-replies and list mail are nobody asking again, imported history is no news: they
 * leave it asleep.
 */
export function wokenByMail(current: Case, kind: string, imported: boolean): { set: Patch<'cases'>; bodies: EventBody[] } {
  if (current.snoozedAt === null || kind !== 'human' || imported) return { set: {}, bodies: [] };
  return { set: AWAKE, bodies: [{ type: 'case.updated', caseId: current.id, changes: { snooze: null }, woke: 'customer' }] };
}
