// The SLA of one case as the pure functions of its facts: the mailbox's policy and calendar as a
// context, the case's columns as a state, and the one transition every kind of change goes through.
import type { calendars, Case, slaPolicies, Mailbox } from '../db/schema.ts';
import type { CasePriority, CaseStatus } from '../protocol/api.ts';
import { CALENDAR_24_7, validateCalendar, type Calendar } from './calendar.ts';
import { nextCheckAt, NO_SLA, onAgentReply, onCreate, onCustomerMessage, onPriority, onStatus, verdictOf, type SlaPolicy, type SlaState, type TargetMinutes } from './policy.ts';

export interface Escalation {
  on: 'warning' | 'breach';
  action: 'notify-assignee' | 'notify-address' | 'reassign' | 'raise-priority';
  address?: string;
  agentId?: string;
  team?: string;
}

export interface SlaContext {
  policy: SlaPolicy;
  calendar: Calendar;
  escalations: Escalation[];
}

function json<T>(text: string | null | undefined, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export function calendarOf(row: typeof calendars.$inferSelect | undefined): Calendar | null {
  if (!row) return null;
  const check = validateCalendar({ timeZone: row.timeZone, weekly: json(row.weekly, {}), holidays: json(row.holidays, []) });
  return check.ok ? check.calendar : null;
}

/**
 * The context from rows a caller read in its own batch: the policy, and the mailbox's calendar
 * (which applies only when the mailbox counts office hours).
 */
export function slaContextFrom(mailbox: Mailbox, row: typeof slaPolicies.$inferSelect | undefined, calendar: typeof calendars.$inferSelect | undefined): SlaContext | null {
  if (!row) return null;
  const officeHours = mailbox.slaOfficeHoursOnly && calendar && calendar.id === mailbox.calendarId ? calendarOf(calendar) : null;
  const minutes: TargetMinutes = { firstResponse: row.firstResponseMinutes, nextResponse: row.nextResponseMinutes, resolution: row.resolutionMinutes };
  return {
    policy: {
      id: row.id,
      minutes,
      byPriority: json<SlaPolicy['byPriority']>(row.byPriority, {}),
      businessHoursOnly: officeHours !== null,
      pauseWhenPending: row.pauseWhenPending,
      warnMinutes: row.warnMinutes,
    },
    calendar: officeHours ?? CALENDAR_24_7,
    escalations: json<Escalation[]>(row.escalations, []).filter((e) => e && (e.on === 'warning' || e.on === 'breach')),
  };
}

export function stateOf(c: Pick<Case, 'firstResponseDueAt' | 'nextResponseDueAt' | 'resolutionDueAt' | 'firstRespondedAt' | 'slaPausedAt' | 'slaWarnedMask' | 'slaBreachedMask'>): SlaState {
  return {
    firstResponseDueAt: c.firstResponseDueAt,
    nextResponseDueAt: c.nextResponseDueAt,
    resolutionDueAt: c.resolutionDueAt,
    firstRespondedAt: c.firstRespondedAt,
    pausedAt: c.slaPausedAt,
    warnedMask: c.slaWarnedMask,
    breachedMask: c.slaBreachedMask,
  };
}

/** The case columns that store an SLA state. */
export function slaColumns(state: SlaState, ctx: SlaContext | null, startedAt: number) {
  return {
    firstResponseDueAt: state.firstResponseDueAt,
    nextResponseDueAt: state.nextResponseDueAt,
    resolutionDueAt: state.resolutionDueAt,
    firstRespondedAt: state.firstRespondedAt,
    slaPausedAt: state.pausedAt,
    slaWarnedMask: state.warnedMask,
    slaBreachedMask: state.breachedMask,
    nextDueAt: ctx ? nextCheckAt(state, ctx.policy, ctx.calendar, startedAt) : null,
    slaState: verdictOf(state),
  };
}

export const PRIORITY_UP: Record<CasePriority, CasePriority> = { low: 'normal', normal: 'high', high: 'urgent', urgent: 'urgent' };

export type SlaColumns = ReturnType<typeof slaColumns>;

/** What happened to a case, as far as its clocks care. */
export interface SlaEvent {
  /** A customer's message (never an auto-reply) starts the next-response clock. */
  customerMessage?: boolean;
  /** A public reply by an agent meets the response targets. */
  agentReply?: boolean;
  /** A status change may pause, resume or end the clocks. */
  status?: CaseStatus;
  /** A new priority re-plans the due times. */
  priority?: CasePriority;
}

type SlaCase = Parameters<typeof stateOf>[0] & Pick<Case, 'status' | 'priority' | 'createdAt' | 'slaPolicyId'>;

/**
 * The one SLA transition: the case's SLA columns after `event`, or null when the case runs under no
 * policy (or its policy is gone) and nothing changes. The order is fixed: an agent's reply, then the
 * status change, then the customer's message, then the priority.
 */
export function slaTransition(kase: SlaCase, ctx: SlaContext | null, event: SlaEvent, now: number): SlaColumns | null {
  if (!kase.slaPolicyId || !ctx || ctx.policy.id !== kase.slaPolicyId) return null;
  const priority = event.priority ?? kase.priority;
  let state = stateOf(kase);
  if (event.agentReply) state = onAgentReply(state, now);
  if (event.status) state = onStatus(state, ctx.policy, ctx.calendar, priority, kase.status, event.status, now);
  if (event.customerMessage) state = onCustomerMessage(state, ctx.policy, ctx.calendar, priority, now);
  if (event.priority && event.priority !== kase.priority) state = onPriority(state, ctx.policy, ctx.calendar, priority, kase.createdAt, now);
  return slaColumns(state, ctx, kase.createdAt);
}

/** The clocks of a new case: started under the mailbox's policy, or none. */
export function slaOnCreate(ctx: SlaContext | null, priority: CasePriority, now: number): SlaColumns {
  return slaColumns(ctx ? onCreate(ctx.policy, ctx.calendar, priority, now) : NO_SLA, ctx, now);
}
