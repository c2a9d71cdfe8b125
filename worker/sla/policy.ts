// SLA policy application: pure functions from what happened to a case to its due times. Three
// targets — first response, next response (after each customer message once the first response
// was given), resolution — each with minutes per priority, counted in the mailbox's business hours
// or around the clock. Clocks pause while the case waits on the customer (pending) and resume with
// the business time they had left. `nextCheckAt` is what the sweep indexes: the earliest instant at
// which a warning or a breach is due, so the sweep reads only cases that need it.
import type { CasePriority, CaseStatus } from '../protocol/api.ts';
import { addBusinessTime, businessTimeBetween, type Calendar } from './calendar.ts';

export const SLA_TARGETS = ['firstResponse', 'nextResponse', 'resolution'] as const;
export type SlaTarget = (typeof SLA_TARGETS)[number];
/** Bits of the warned/breached masks stored on the case. */
export const TARGET_BIT: Record<SlaTarget, number> = { firstResponse: 1, nextResponse: 2, resolution: 4 };

export interface TargetMinutes {
  firstResponse: number | null;
  nextResponse: number | null;
  resolution: number | null;
}

export interface SlaPolicy {
  id: string;
  /** Minutes per target; null means no such target. */
  minutes: TargetMinutes;
  /** Overrides by priority, e.g. { urgent: { firstResponse: 30 } }. */
  byPriority: Partial<Record<CasePriority, Partial<TargetMinutes>>>;
  /** Count only the mailbox calendar's working hours (else 24/7). */
  businessHoursOnly: boolean;
  /** Clocks stop while the case is pending (waiting on the customer). */
  pauseWhenPending: boolean;
  /** A warning this many minutes (of the same clock) before a due time. */
  warnMinutes: number;
}

export interface SlaState {
  firstResponseDueAt: number | null;
  nextResponseDueAt: number | null;
  resolutionDueAt: number | null;
  firstRespondedAt: number | null;
  /** Set while the clocks are paused (pending). */
  pausedAt: number | null;
  warnedMask: number;
  breachedMask: number;
}

export const NO_SLA: SlaState = { firstResponseDueAt: null, nextResponseDueAt: null, resolutionDueAt: null, firstRespondedAt: null, pausedAt: null, warnedMask: 0, breachedMask: 0 };

const DUE_FIELD: Record<SlaTarget, 'firstResponseDueAt' | 'nextResponseDueAt' | 'resolutionDueAt'> = {
  firstResponse: 'firstResponseDueAt',
  nextResponse: 'nextResponseDueAt',
  resolution: 'resolutionDueAt',
};

export function dueOf(state: SlaState, target: SlaTarget): number | null {
  return state[DUE_FIELD[target]];
}

export function minutesFor(policy: SlaPolicy, priority: CasePriority, target: SlaTarget): number | null {
  const override = policy.byPriority[priority]?.[target];
  return override !== undefined ? override : policy.minutes[target];
}

/** Infinity (a calendar with no open time ahead) is stored as no due time at all. */
function finite(t: number): number | null {
  return Number.isFinite(t) ? t : null;
}

function add(start: number, minutes: number | null, cal: Calendar): number | null {
  return minutes === null ? null : finite(addBusinessTime(start, minutes, cal));
}

export function onCreate(policy: SlaPolicy, cal: Calendar, priority: CasePriority, createdAt: number): SlaState {
  return {
    ...NO_SLA,
    firstResponseDueAt: add(createdAt, minutesFor(policy, priority, 'firstResponse'), cal),
    resolutionDueAt: add(createdAt, minutesFor(policy, priority, 'resolution'), cal),
  };
}

/** A customer wrote again: once the first response was given, the next response is due. */
export function onCustomerMessage(state: SlaState, policy: SlaPolicy, cal: Calendar, priority: CasePriority, at: number): SlaState {
  if (state.firstRespondedAt === null || state.nextResponseDueAt !== null || state.pausedAt !== null) return state;
  return {
    ...state,
    nextResponseDueAt: add(at, minutesFor(policy, priority, 'nextResponse'), cal),
    warnedMask: state.warnedMask & ~TARGET_BIT.nextResponse,
    breachedMask: state.breachedMask & ~TARGET_BIT.nextResponse,
  };
}

/** An agent's public reply satisfies the response targets. Notes and auto-replies do not. */
export function onAgentReply(state: SlaState, at: number): SlaState {
  // A warning is about a target still running; once met it is cleared. A breach stays: it happened.
  const met = TARGET_BIT.firstResponse | TARGET_BIT.nextResponse;
  return { ...state, firstRespondedAt: state.firstRespondedAt ?? at, firstResponseDueAt: null, nextResponseDueAt: null, warnedMask: state.warnedMask & ~met };
}

/** Shifts every due time by the business time the clocks stood still. */
function resume(state: SlaState, cal: Calendar, at: number): SlaState {
  if (state.pausedAt === null) return state;
  const shift = (due: number | null) => (due === null ? null : due <= state.pausedAt! ? due : add(at, businessTimeBetween(state.pausedAt!, due, cal), cal));
  return { ...state, pausedAt: null, firstResponseDueAt: shift(state.firstResponseDueAt), nextResponseDueAt: shift(state.nextResponseDueAt), resolutionDueAt: shift(state.resolutionDueAt) };
}

export function onStatus(state: SlaState, policy: SlaPolicy, cal: Calendar, priority: CasePriority, from: CaseStatus, to: CaseStatus, at: number): SlaState {
  if (from === to) return state;
  const done = to === 'resolved' || to === 'closed';
  const wasDone = from === 'resolved' || from === 'closed';
  if (done) return { ...state, firstResponseDueAt: null, nextResponseDueAt: null, resolutionDueAt: null, pausedAt: null, warnedMask: 0 };
  if (wasDone) {
    // Reopened: resolution is due again from now; the customer's message starts the response clock.
    return {
      ...state,
      pausedAt: null,
      resolutionDueAt: add(at, minutesFor(policy, priority, 'resolution'), cal),
      warnedMask: state.warnedMask & ~TARGET_BIT.resolution,
      breachedMask: state.breachedMask & ~TARGET_BIT.resolution,
    };
  }
  if (to === 'pending' && policy.pauseWhenPending) return state.pausedAt === null ? { ...state, pausedAt: at } : state;
  if (from === 'pending') return resume(state, cal, at);
  return state;
}

/** A new priority re-plans the targets not yet met, from when they started. */
export function onPriority(state: SlaState, policy: SlaPolicy, cal: Calendar, priority: CasePriority, createdAt: number, at: number): SlaState {
  const next = { ...state };
  if (state.firstResponseDueAt !== null) next.firstResponseDueAt = add(createdAt, minutesFor(policy, priority, 'firstResponse'), cal);
  if (state.resolutionDueAt !== null) next.resolutionDueAt = add(createdAt, minutesFor(policy, priority, 'resolution'), cal);
  if (state.nextResponseDueAt !== null) next.nextResponseDueAt = add(at, minutesFor(policy, priority, 'nextResponse'), cal);
  return next;
}

/** When a warning is due for a target: `warnMinutes` of the same clock before its due time. */
export function warnAt(due: number, policy: SlaPolicy, cal: Calendar, start: number): number {
  // Walk back: the instant w with businessTimeBetween(w, due) = warnMinutes, but never before start.
  const total = businessTimeBetween(start, due, cal);
  if (total <= policy.warnMinutes) return start;
  return finite(addBusinessTime(start, total - policy.warnMinutes, cal)) ?? due;
}

/** The earliest instant the sweep must look at this case again, or null when nothing is pending. */
export function nextCheckAt(state: SlaState, policy: SlaPolicy | null, cal: Calendar, startedAt: number): number | null {
  if (!policy || state.pausedAt !== null) return null;
  let next: number | null = null;
  for (const t of SLA_TARGETS) {
    const due = dueOf(state, t);
    if (due === null || state.breachedMask & TARGET_BIT[t]) continue;
    const at = state.warnedMask & TARGET_BIT[t] ? due : warnAt(due, policy, cal, startedAt);
    next = next === null ? at : Math.min(next, at);
  }
  return next;
}

export type SlaVerdict = 'ok' | 'warning' | 'breached';

export function verdictOf(state: SlaState): SlaVerdict {
  return state.breachedMask ? 'breached' : state.warnedMask ? 'warning' : 'ok';
}

/** What the sweep finds at `now`: the warnings and breaches that are due and not yet raised. */
export function dueFindings(state: SlaState, policy: SlaPolicy, cal: Calendar, startedAt: number, now: number): Array<{ target: SlaTarget; kind: 'warning' | 'breach'; dueAt: number }> {
  if (state.pausedAt !== null) return [];
  const out: Array<{ target: SlaTarget; kind: 'warning' | 'breach'; dueAt: number }> = [];
  for (const t of SLA_TARGETS) {
    const due = dueOf(state, t);
    if (due === null) continue;
    const bit = TARGET_BIT[t];
    if (now >= due && !(state.breachedMask & bit)) out.push({ target: t, kind: 'breach', dueAt: due });
    else if (!(state.warnedMask & bit) && !(state.breachedMask & bit) && now >= warnAt(due, policy, cal, startedAt)) out.push({ target: t, kind: 'warning', dueAt: due });
  }
  return out;
}
