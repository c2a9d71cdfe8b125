// Loading a mailbox's SLA policy and calendar, and turning an SlaState into the case columns that
// store it (the due times, the masks, the sweep's next look, the badge state).
import { eq } from 'drizzle-orm';
import { calendars, slaPolicies, type Case, type Mailbox } from '../db/schema.ts';
import type { Db } from '../deps.ts';
import type { CasePriority } from '../protocol/api.ts';
import { CALENDAR_24_7, validateCalendar, type Calendar } from './calendar.ts';
import { nextCheckAt, verdictOf, type SlaPolicy, type SlaState, type TargetMinutes } from './policy.ts';

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

export async function loadCalendar(db: Db, calendarId: string | null): Promise<Calendar | null> {
  if (!calendarId) return null;
  return calendarOf(await db.select().from(calendars).where(eq(calendars.id, calendarId)).get());
}

function calendarOf(row: typeof calendars.$inferSelect | undefined): Calendar | null {
  if (!row) return null;
  const check = validateCalendar({ timeZone: row.timeZone, weekly: json(row.weekly, {}), holidays: json(row.holidays, []) });
  return check.ok ? check.calendar : null;
}

/** The policy a case of this mailbox runs under, or null when the mailbox has none. */
export async function slaContextFor(db: Db, mailbox: Mailbox, policyId: string | null = mailbox.slaPolicyId): Promise<SlaContext | null> {
  if (!policyId) return null;
  // The policy and the office hours in one round trip.
  const [policies, cals] = await db.batch([db.select().from(slaPolicies).where(eq(slaPolicies.id, policyId)).limit(1), calendarQuery(db, mailbox.calendarId)]);
  return slaContextFrom(mailbox, policies[0], cals[0]);
}

/** A calendar by id, for a caller's batch ('' is no calendar's id, so null finds nothing). */
export function calendarQuery(db: Db, calendarId: string | null) {
  return db.select().from(calendars).where(eq(calendars.id, calendarId ?? '')).limit(1);
}

/** An SLA policy by id, for a caller's batch. */
export function slaPolicyQuery(db: Db, policyId: string | null) {
  return db.select().from(slaPolicies).where(eq(slaPolicies.id, policyId ?? '')).limit(1);
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
