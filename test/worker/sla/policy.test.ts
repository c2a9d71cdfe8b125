import { describe, expect, it } from 'vitest';
import { CALENDAR_24_7, validateCalendar, type Calendar } from '../../../worker/sla/calendar.ts';
import { dueFindings, nextCheckAt, NO_SLA, onAgentReply, onCreate, onCustomerMessage, onPriority, onStatus, verdictOf, type SlaPolicy } from '../../../worker/sla/policy.ts';

const MIN = 60_000;
const policy: SlaPolicy = {
  id: 'p',
  minutes: { firstResponse: 60, nextResponse: 120, resolution: 480 },
  byPriority: { urgent: { firstResponse: 15, resolution: 60 } },
  businessHoursOnly: false,
  pauseWhenPending: true,
  warnMinutes: 10,
};
const T0 = Date.UTC(2026, 10, 23, 9, 0); // Monday 09:00 UTC

function office(): Calendar {
  const c = validateCalendar({
    timeZone: 'UTC',
    weekly: {
      1: [{ start: '09:00', end: '17:00' }],
      2: [{ start: '09:00', end: '17:00' }],
      3: [{ start: '09:00', end: '17:00' }],
      4: [{ start: '09:00', end: '17:00' }],
      5: [{ start: '09:00', end: '17:00' }],
    },
    holidays: [],
  });
  if (!c.ok) throw new Error(c.errors.join());
  return c.calendar;
}

describe('SLA policy application', () => {
  it('sets first response and resolution from creation, per priority', () => {
    expect(onCreate(policy, CALENDAR_24_7, 'normal', T0)).toMatchObject({ firstResponseDueAt: T0 + 60 * MIN, resolutionDueAt: T0 + 480 * MIN, nextResponseDueAt: null });
    expect(onCreate(policy, CALENDAR_24_7, 'urgent', T0)).toMatchObject({ firstResponseDueAt: T0 + 15 * MIN, resolutionDueAt: T0 + 60 * MIN });
  });

  it('counts business hours only when the calendar says so: Friday 16:30 + 60 min is Monday 09:30', () => {
    const friday = Date.UTC(2026, 10, 27, 16, 30);
    expect(onCreate(policy, office(), 'normal', friday).firstResponseDueAt).toBe(Date.UTC(2026, 10, 30, 9, 30));
  });

  it('an agent reply meets the response targets; the next customer message starts the next-response clock', () => {
    let s = onCreate(policy, CALENDAR_24_7, 'normal', T0);
    s = onAgentReply(s, T0 + 30 * MIN);
    expect(s).toMatchObject({ firstResponseDueAt: null, firstRespondedAt: T0 + 30 * MIN });
    s = onCustomerMessage(s, policy, CALENDAR_24_7, 'normal', T0 + 40 * MIN);
    expect(s.nextResponseDueAt).toBe(T0 + 160 * MIN);
    // A second customer message does not move it.
    expect(onCustomerMessage(s, policy, CALENDAR_24_7, 'normal', T0 + 50 * MIN).nextResponseDueAt).toBe(T0 + 160 * MIN);
  });

  it('before the first response, customer messages change nothing', () => {
    const s = onCreate(policy, CALENDAR_24_7, 'normal', T0);
    expect(onCustomerMessage(s, policy, CALENDAR_24_7, 'normal', T0 + 5 * MIN)).toEqual(s);
  });

  it('pending pauses the clocks; leaving pending resumes with the time that was left', () => {
    let s = onCreate(policy, CALENDAR_24_7, 'normal', T0);
    s = onStatus(s, policy, CALENDAR_24_7, 'normal', 'open', 'pending', T0 + 20 * MIN);
    expect(s.pausedAt).toBe(T0 + 20 * MIN);
    expect(nextCheckAt(s, policy, CALENDAR_24_7, T0)).toBeNull();
    expect(dueFindings(s, policy, CALENDAR_24_7, T0, T0 + 10_000 * MIN)).toEqual([]);
    s = onStatus(s, policy, CALENDAR_24_7, 'normal', 'pending', 'open', T0 + 200 * MIN);
    // 40 minutes were left on first response, 460 on resolution.
    expect(s).toMatchObject({ pausedAt: null, firstResponseDueAt: T0 + 240 * MIN, resolutionDueAt: T0 + 660 * MIN });
  });

  it('pausing can be turned off', () => {
    const s = onStatus(onCreate(policy, CALENDAR_24_7, 'normal', T0), { ...policy, pauseWhenPending: false }, CALENDAR_24_7, 'normal', 'open', 'pending', T0 + MIN);
    expect(s.pausedAt).toBeNull();
  });

  it('resolving ends every clock; reopening starts resolution again', () => {
    let s = onStatus(onCreate(policy, CALENDAR_24_7, 'normal', T0), policy, CALENDAR_24_7, 'normal', 'open', 'resolved', T0 + MIN);
    expect(s).toMatchObject({ firstResponseDueAt: null, resolutionDueAt: null });
    s = onStatus(s, policy, CALENDAR_24_7, 'normal', 'resolved', 'open', T0 + 100 * MIN);
    expect(s.resolutionDueAt).toBe(T0 + 580 * MIN);
  });

  it('a new priority re-plans the targets that are still running', () => {
    const s = onPriority(onCreate(policy, CALENDAR_24_7, 'normal', T0), policy, CALENDAR_24_7, 'urgent', T0, T0 + 5 * MIN);
    expect(s).toMatchObject({ firstResponseDueAt: T0 + 15 * MIN, resolutionDueAt: T0 + 60 * MIN });
  });

  it('the sweep’s next look is the earliest warning, then the due time once warned', () => {
    const s = onCreate(policy, CALENDAR_24_7, 'normal', T0);
    expect(nextCheckAt(s, policy, CALENDAR_24_7, T0)).toBe(T0 + 50 * MIN);
    expect(dueFindings(s, policy, CALENDAR_24_7, T0, T0 + 49 * MIN)).toEqual([]);
    expect(dueFindings(s, policy, CALENDAR_24_7, T0, T0 + 50 * MIN)).toEqual([{ target: 'firstResponse', kind: 'warning', dueAt: T0 + 60 * MIN }]);
    const warned = { ...s, warnedMask: 1 };
    expect(nextCheckAt(warned, policy, CALENDAR_24_7, T0)).toBe(T0 + 60 * MIN);
    expect(dueFindings(warned, policy, CALENDAR_24_7, T0, T0 + 60 * MIN)).toEqual([{ target: 'firstResponse', kind: 'breach', dueAt: T0 + 60 * MIN }]);
    expect(verdictOf({ ...warned, breachedMask: 1 })).toBe('breached');
    expect(verdictOf(NO_SLA)).toBe('ok');
  });
});

describe('SLA warnings are about running targets', () => {
  it('a warned first response met in time clears the warning; a breach stays on record', () => {
    const s = { ...onCreate(policy, CALENDAR_24_7, 'normal', T0), warnedMask: 1 };
    expect(verdictOf(onAgentReply(s, T0 + 55 * MIN))).toBe('ok');
    expect(verdictOf(onAgentReply({ ...s, breachedMask: 1 }, T0 + 65 * MIN))).toBe('breached');
  });
});
