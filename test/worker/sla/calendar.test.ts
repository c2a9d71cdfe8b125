import { describe, expect, it } from 'vitest';
import {
  CALENDAR_24_7,
  InvalidCalendarError,
  SEARCH_HORIZON_DAYS,
  addBusinessTime,
  businessTimeBetween,
  isOpen,
  nextOpening,
  openSpansBetween,
  validateCalendar,
  type Calendar,
  type OpeningHours,
  type Weekday,
} from '../../../worker/sla/calendar.ts';
import { parseICalHolidays } from '../../../worker/sla/ical.ts';

const at = (iso: string) => Date.parse(iso);
const iso = (t: number) => new Date(t).toISOString();
const MIN = 60_000;

type Week = Partial<Record<Weekday, OpeningHours[]>>;
const h = (start: string, end: string): OpeningHours => ({ start, end });

/** A calendar through validateCalendar, failing the test when it is refused. */
function calendar(timeZone: string, week: Week, holidays: string[] = []): Calendar {
  const result = validateCalendar({ timeZone, weekly: week, holidays });
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.calendar;
}

const weekdays = (hours: OpeningHours[]): Week => ({ 1: hours, 2: hours, 3: hours, 4: hours, 5: hours });
const everyDay = (hours: OpeningHours[]): Week => ({ 0: hours, ...weekdays(hours), 6: hours });

describe('Europe/Berlin across DST (2026-03-29 spring forward, 2026-10-25 fall back, both at 01:00Z)', () => {
  const night = calendar('Europe/Berlin', { 0: [h('01:00', '04:00')] });

  it('counts the real time of hours that span the jump', () => {
    // Spring: 01:00 CET (00:00Z) to 04:00 CEST (02:00Z) is two hours.
    expect(businessTimeBetween(at('2026-03-28T12:00Z'), at('2026-03-30T00:00Z'), night)).toBe(120);
    expect(openSpansBetween(at('2026-03-28T12:00Z'), at('2026-03-30T00:00Z'), night).map((s) => [iso(s.start), iso(s.end)])).toEqual([['2026-03-29T00:00:00.000Z', '2026-03-29T02:00:00.000Z']]);
    // Fall: 01:00 CEST (23:00Z) to 04:00 CET (03:00Z) is four hours.
    expect(businessTimeBetween(at('2026-10-24T12:00Z'), at('2026-10-26T00:00Z'), night)).toBe(240);
  });

  it('keeps a 09:00–17:00 day at 8 hours on both transition days', () => {
    const day = calendar('Europe/Berlin', { 0: [h('09:00', '17:00')] });
    expect(businessTimeBetween(at('2026-03-29T00:00Z'), at('2026-03-30T00:00Z'), day)).toBe(480);
    expect(businessTimeBetween(at('2026-10-25T00:00Z'), at('2026-10-26T00:00Z'), day)).toBe(480);
    expect(nextOpening(at('2026-03-29T00:00Z'), day)).toBe(at('2026-03-29T07:00Z')); // 09:00 CEST
    expect(nextOpening(at('2026-10-25T00:00Z'), day)).toBe(at('2026-10-25T08:00Z')); // 09:00 CET
  });

  it('moves a boundary in the spring gap to the jump, and one in the repeated hour to its first occurrence', () => {
    const gap = calendar('Europe/Berlin', { 0: [h('02:30', '03:30')] });
    // Spring: 02:30 does not exist; the hours run from the jump (03:00 CEST, 01:00Z) to 03:30 CEST.
    expect(nextOpening(at('2026-03-28T12:00Z'), gap)).toBe(at('2026-03-29T01:00Z'));
    expect(businessTimeBetween(at('2026-03-28T12:00Z'), at('2026-03-30T00:00Z'), gap)).toBe(30);
    // Fall: from the first 02:30 (CEST, 00:30Z) to 03:30 CET (02:30Z).
    expect(nextOpening(at('2026-10-24T12:00Z'), gap)).toBe(at('2026-10-25T00:30Z'));
    expect(businessTimeBetween(at('2026-10-24T12:00Z'), at('2026-10-26T00:00Z'), gap)).toBe(120);
  });

  it('treats the repeated hour as the moment before the clock went back', () => {
    // 01:30Z reads 02:30 CET the second time round; 02:00–03:00 is still running (until 03:00 CET).
    expect(isOpen(at('2026-10-25T01:30Z'), calendar('Europe/Berlin', { 0: [h('02:00', '03:00')] }))).toBe(true);
    // 00:00–02:30 closed at the first 02:30 (00:30Z) and does not reopen when 02:15 comes round again.
    const early = calendar('Europe/Berlin', { 0: [h('00:00', '02:30')] });
    expect(isOpen(at('2026-10-25T00:15Z'), early)).toBe(true);
    expect(isOpen(at('2026-10-25T01:15Z'), early)).toBe(false);
    expect(businessTimeBetween(at('2026-10-24T12:00Z'), at('2026-10-26T00:00Z'), early)).toBe(150);
  });

  it('adds across the jump', () => {
    // Clock starts at 01:00 CET (00:00Z); 90 minutes later it is 03:30 CEST.
    expect(iso(addBusinessTime(at('2026-03-28T12:00Z'), 90, night))).toBe('2026-03-29T01:30:00.000Z');
    // Fall: 01:00 CEST (23:00Z) + 150 minutes is 02:30 CET (01:30Z), inside the repeated hour.
    expect(iso(addBusinessTime(at('2026-10-24T12:00Z'), 150, night))).toBe('2026-10-25T01:30:00.000Z');
  });

  it('counts a 24-hour schedule as 23 and 25 hours on the transition days', () => {
    const allDay = calendar('Europe/Berlin', everyDay([h('00:00', '24:00')]));
    expect(businessTimeBetween(at('2026-03-28T23:00Z'), at('2026-03-29T22:00Z'), allDay)).toBe(23 * 60);
    expect(businessTimeBetween(at('2026-10-24T22:00Z'), at('2026-10-25T23:00Z'), allDay)).toBe(25 * 60);
    expect(businessTimeBetween(at('2026-03-01T00:00Z'), at('2026-11-01T00:00Z'), allDay)).toBe((at('2026-11-01T00:00Z') - at('2026-03-01T00:00Z')) / MIN);
  });
});

describe('America/New_York across DST (2026-03-08 and 2026-11-01)', () => {
  it('counts 00:00–06:00 as 5 hours in spring and 7 hours in fall', () => {
    const night = calendar('America/New_York', { 0: [h('00:00', '06:00')] });
    expect(businessTimeBetween(at('2026-03-07T12:00Z'), at('2026-03-09T12:00Z'), night)).toBe(300);
    expect(businessTimeBetween(at('2026-10-31T12:00Z'), at('2026-11-02T12:00Z'), night)).toBe(420);
  });

  it('carries Friday 16:00 + 2 h over the weekend to Monday 10:00, whichever side of the change', () => {
    const office = calendar('America/New_York', weekdays([h('09:00', '17:00')]));
    // Fri 6 March 16:00 EST → Mon 9 March 10:00 EDT.
    expect(iso(addBusinessTime(at('2026-03-06T21:00Z'), 120, office))).toBe('2026-03-09T14:00:00.000Z');
    // Fri 30 October 16:00 EDT → Mon 2 November 10:00 EST.
    expect(iso(addBusinessTime(at('2026-10-30T20:00Z'), 120, office))).toBe('2026-11-02T15:00:00.000Z');
  });
});

describe('weekends, holidays and the year end', () => {
  const office = calendar('Europe/Berlin', weekdays([h('09:00', '12:00'), h('13:00', '17:00')]));

  it('lands Friday 16:00 + 2 h on Monday 10:00', () => {
    // Fri 27 March 16:00 CET → Mon 30 March 10:00 CEST.
    expect(iso(addBusinessTime(at('2026-03-27T15:00Z'), 120, office))).toBe('2026-03-30T08:00:00.000Z');
  });

  it('skips the lunch break', () => {
    // Mon 2 March 11:30 CET + 60 min: 30 before lunch, 30 after → 13:30 CET.
    expect(iso(addBusinessTime(at('2026-03-02T10:30Z'), 60, office))).toBe('2026-03-02T12:30:00.000Z');
    expect(isOpen(at('2026-03-02T11:30Z'), office)).toBe(false);
    expect(nextOpening(at('2026-03-02T11:30Z'), office)).toBe(at('2026-03-02T12:00Z'));
  });

  const ics = [
    'BEGIN:VCALENDAR',
    'BEGIN:VEVENT',
    'UID:xmas@example.test',
    'SUMMARY:Christmas closure',
    'DTSTART;VALUE=DATE:20261224',
    'DTEND;VALUE=DATE:20261227',
    'END:VEVENT',
    'BEGIN:VEVENT',
    'UID:newyear@example.test',
    'SUMMARY:New Year',
    'DTSTART;VALUE=DATE:20200101',
    'RRULE:FREQ=YEARLY',
    'END:VEVENT',
    'END:VCALENDAR',
  ].join('\r\n');
  const { holidays, warnings } = parseICalHolidays(ics, { fromYear: 2026, toYear: 2027 });

  it('skips an imported multi-day closure', () => {
    expect(warnings).toEqual([]);
    expect(holidays).toEqual(['2026-01-01', '2026-12-24', '2026-12-25', '2026-12-26', '2027-01-01']);
    const withHolidays = calendar('Europe/Berlin', weekdays([h('09:00', '17:00')]), holidays);
    // Wed 23 Dec 16:00 CET + 2 h: Thu 24 and Fri 25 are closed, then the weekend → Mon 28 Dec 10:00.
    expect(iso(addBusinessTime(at('2026-12-23T15:00Z'), 120, withHolidays))).toBe('2026-12-28T09:00:00.000Z');
    expect(businessTimeBetween(at('2026-12-21T00:00Z'), at('2026-12-28T00:00Z'), withHolidays)).toBe(3 * 480);
  });

  it('crosses the year end past a yearly New Year holiday (Dec 31 → Jan 2)', () => {
    const daily = calendar('Europe/Berlin', everyDay([h('09:00', '17:00')]), holidays);
    // Thu 31 Dec 16:00 CET + 2 h: 1 h on the 31st, New Year closed, 1 h on Sat 2 Jan → 10:00 CET.
    expect(iso(addBusinessTime(at('2026-12-31T15:00Z'), 120, daily))).toBe('2027-01-02T09:00:00.000Z');
    expect(businessTimeBetween(at('2026-12-30T23:00Z'), at('2027-01-02T23:00Z'), daily)).toBe(960);
  });
});

describe('edges of a day', () => {
  it('treats a zero-length interval (start == end) as closed', () => {
    const cal = calendar('UTC', { 3: [h('09:00', '09:00')], 4: [h('09:00', '17:00')] });
    expect(cal.weekly[3]).toEqual([]);
    // Wed 4 March 2026.
    expect(isOpen(at('2026-03-04T09:00Z'), cal)).toBe(false);
    expect(businessTimeBetween(at('2026-03-04T00:00Z'), at('2026-03-05T00:00Z'), cal)).toBe(0);
    expect(nextOpening(at('2026-03-04T08:00Z'), cal)).toBe(at('2026-03-05T09:00Z'));
    // Without validation too.
    const raw: Calendar = { timeZone: 'UTC', weekly: { 0: [], 1: [], 2: [], 3: [h('09:00', '09:00')], 4: [], 5: [], 6: [] }, holidays: [] };
    expect(isOpen(at('2026-03-04T09:00Z'), raw)).toBe(false);
    expect(nextOpening(at('2026-03-04T08:00Z'), raw)).toBe(Infinity);
  });

  it('joins an evening ending at 24:00 to a morning starting at 00:00 (Asia/Kolkata, +05:30)', () => {
    const cal = calendar('Asia/Kolkata', { 1: [h('22:00', '24:00')], 2: [h('00:00', '02:00')] });
    // Mon 1 June 2026 23:00 IST (17:30Z) + 2 h → Tue 01:00 IST (19:30Z).
    expect(iso(addBusinessTime(at('2026-06-01T17:30Z'), 120, cal))).toBe('2026-06-01T19:30:00.000Z');
    expect(openSpansBetween(at('2026-06-01T00:00Z'), at('2026-06-03T00:00Z'), cal).map((s) => [iso(s.start), iso(s.end)])).toEqual([['2026-06-01T16:30:00.000Z', '2026-06-01T20:30:00.000Z']]);
  });

  it('treats spans as closed at the start and open at the end', () => {
    const cal = calendar('UTC', weekdays([h('09:00', '17:00')]));
    expect(isOpen(at('2026-03-02T09:00Z'), cal)).toBe(true);
    expect(isOpen(at('2026-03-02T17:00Z'), cal)).toBe(false);
    expect(isOpen(at('2026-03-02T16:59:59.999Z'), cal)).toBe(true);
    expect(nextOpening(at('2026-03-02T10:00Z'), cal)).toBe(at('2026-03-02T10:00Z'));
  });

  it('gives fractional minutes off the minute, exact on it', () => {
    const cal = calendar('UTC', weekdays([h('09:00', '17:00')]));
    expect(businessTimeBetween(at('2026-03-02T09:00:30Z'), at('2026-03-02T10:00Z'), cal)).toBe(59.5);
    expect(businessTimeBetween(at('2026-03-02T08:00:30Z'), at('2026-03-02T10:00Z'), cal)).toBe(60);
    expect(addBusinessTime(at('2026-03-02T09:00Z'), 0.5, cal)).toBe(at('2026-03-02T09:00:30Z'));
    expect(businessTimeBetween(at('2026-03-03T00:00Z'), at('2026-03-02T00:00Z'), cal)).toBe(0);
  });

  it('returns the start itself for 0 minutes, open or not', () => {
    const cal = calendar('UTC', weekdays([h('09:00', '17:00')]));
    expect(addBusinessTime(at('2026-03-07T12:00Z'), 0, cal)).toBe(at('2026-03-07T12:00Z'));
    expect(addBusinessTime(at('2026-03-07T12:00Z'), 1, cal)).toBe(at('2026-03-09T09:01Z'));
  });
});

describe('Australia/Lord_Howe (30-minute DST) and Pacific/Chatham (+12:45/+13:45)', () => {
  const night = calendar('Australia/Lord_Howe', { 0: [h('01:00', '03:00')] });

  it('counts a half hour more on 5 April 2026 and a half hour less on 4 October 2026', () => {
    // Fall back at 02:00 LHDT (+11) to 01:30 LHST (+10:30): 01:00 LHDT (14:00Z) to 03:00 LHST (16:30Z).
    expect(businessTimeBetween(at('2026-04-04T00:00Z'), at('2026-04-05T12:00Z'), night)).toBe(150);
    // Spring forward at 02:00 LHST to 02:30 LHDT: 01:00 LHST (14:30Z) to 03:00 LHDT (16:00Z).
    expect(businessTimeBetween(at('2026-10-03T00:00Z'), at('2026-10-04T12:00Z'), night)).toBe(90);
    const day = calendar('Australia/Lord_Howe', { 0: [h('09:00', '17:00')] });
    expect(businessTimeBetween(at('2026-04-04T12:00Z'), at('2026-04-05T12:00Z'), day)).toBe(480);
    expect(businessTimeBetween(at('2026-10-03T12:00Z'), at('2026-10-04T12:00Z'), day)).toBe(480);
  });

  it('maps 02:15 on the spring-forward night to the jump and keeps 01:45 closed the second time round', () => {
    expect(nextOpening(at('2026-10-03T12:00Z'), calendar('Australia/Lord_Howe', { 0: [h('02:15', '03:00')] }))).toBe(at('2026-10-03T15:30Z'));
    const early = calendar('Australia/Lord_Howe', { 0: [h('00:00', '01:45')] });
    expect(businessTimeBetween(at('2026-04-04T00:00Z'), at('2026-04-05T12:00Z'), early)).toBe(105);
    expect(isOpen(at('2026-04-04T15:10Z'), early)).toBe(false); // reads 01:40 LHST, after the first 01:45
  });

  it('handles the Chatham fall back at 03:45', () => {
    // 02:00 CHADT (12:15Z) to 04:00 CHAST (15:15Z).
    const cal = calendar('Pacific/Chatham', { 0: [h('02:00', '04:00')] });
    expect(businessTimeBetween(at('2026-04-04T00:00Z'), at('2026-04-05T00:00Z'), cal)).toBe(180);
  });
});

describe('CALENDAR_24_7', () => {
  it('equals plain elapsed minutes', () => {
    const a = at('2026-03-28T17:13:00Z');
    const b = at('2026-11-02T08:00:00Z');
    expect(businessTimeBetween(a, b, CALENDAR_24_7)).toBe((b - a) / MIN);
    expect(addBusinessTime(a, 12_345, CALENDAR_24_7)).toBe(a + 12_345 * MIN);
    expect(isOpen(a, CALENDAR_24_7)).toBe(true);
    expect(nextOpening(a, CALENDAR_24_7)).toBe(a);
    expect(validateCalendar(CALENDAR_24_7)).toEqual({ ok: true, calendar: CALENDAR_24_7 });
    expect(Object.isFrozen(CALENDAR_24_7.weekly[0])).toBe(true);
  });
});

describe('validateCalendar', () => {
  const errorsOf = (input: unknown): string[] => {
    const result = validateCalendar(input);
    if (result.ok) throw new Error('expected the calendar to be refused');
    return result.errors;
  };

  it('normalizes what it accepts', () => {
    const result = validateCalendar({
      timeZone: 'Europe/Berlin',
      weekly: { 1: [h('13:00', '17:00'), h('09:00', '12:00'), h('12:00', '12:00')] },
      holidays: ['2026-12-25', '2026-01-01', '2026-12-25'],
      name: 'ignored',
    });
    expect(result).toEqual({
      ok: true,
      calendar: {
        timeZone: 'Europe/Berlin',
        weekly: { 0: [], 1: [h('09:00', '12:00'), h('13:00', '17:00')], 2: [], 3: [], 4: [], 5: [], 6: [] },
        holidays: ['2026-01-01', '2026-12-25'],
      },
    });
    if (result.ok) expect(Object.isFrozen(result.calendar)).toBe(true);
  });

  it('explains what is wrong', () => {
    expect(errorsOf(null)).toEqual(['calendar: expected an object with timeZone, weekly and holidays']);
    expect(
      errorsOf({
        timeZone: 'Mars/Olympus_Mons',
        weekly: {
          mon: [],
          1: [h('9:00', '17:00'), { start: '09:00' }],
          2: [h('17:00', '08:00')],
          3: [h('09:00', '12:00'), h('11:00', '14:00')],
          4: [h('24:00', '24:00')],
          5: 'all day',
        },
        holidays: ['2026-02-30', 20261225],
      }),
    ).toEqual([
      'timeZone: "Mars/Olympus_Mons" is not a known time zone; use an IANA name such as "Europe/Berlin"',
      'weekly: unknown key "mon"; use "0" (Sunday) to "6" (Saturday)',
      'weekly[1] (Monday)[0].start: "9:00" is not a time; use "HH:MM" from 00:00 to 23:59',
      'weekly[1] (Monday)[1].end: undefined is not a time; use "HH:MM" from 00:00 to 24:00',
      "weekly[2] (Tuesday)[0]: ends at 08:00, before it starts at 17:00; hours past midnight go into the next day's list (17:00–24:00, then 00:00–08:00)",
      'weekly[3] (Wednesday): 09:00–12:00 overlaps 11:00–14:00',
      'weekly[4] (Thursday)[0].start: "24:00" is not a time; use "HH:MM" from 00:00 to 23:59',
      'weekly[5] (Friday): expected an array of { start: "HH:MM", end: "HH:MM" }',
      'holidays[0]: "2026-02-30" is not a date; use "YYYY-MM-DD"',
      'holidays[1]: 20261225 is not a date; use "YYYY-MM-DD"',
    ]);
    expect(errorsOf({ weekly: [], holidays: {} })).toEqual([
      'timeZone: expected an IANA time zone name such as "Europe/Berlin"',
      'weekly: expected an object keyed by weekday, "0" (Sunday) to "6" (Saturday)',
      'holidays: expected an array of "YYYY-MM-DD" dates',
    ]);
  });

  it('refuses a calendar that is never open', () => {
    expect(errorsOf({ timeZone: 'UTC', weekly: { 1: [h('09:00', '09:00')] }, holidays: [] })).toEqual(['weekly: no open hours on any day, so the calendar would never be open']);
  });

  it('makes the arithmetic throw on an invalid calendar it was handed directly', () => {
    const bad = { timeZone: 'Nowhere/Else', weekly: { 0: [], 1: [], 2: [], 3: [], 4: [], 5: [], 6: [] }, holidays: [] } as Calendar;
    expect(() => isOpen(0, bad)).toThrow(InvalidCalendarError);
    expect(() => addBusinessTime(Number.NaN, 10, CALENDAR_24_7)).toThrow(RangeError);
    expect(() => addBusinessTime(0, -1, CALENDAR_24_7)).toThrow(RangeError);
    expect(() => businessTimeBetween(0, 200 * 365 * 86_400_000, CALENDAR_24_7)).toThrow(RangeError);
  });
});

describe('a calendar that is never open', () => {
  const never: Calendar = { timeZone: 'Europe/Berlin', weekly: { 0: [], 1: [], 2: [], 3: [], 4: [], 5: [], 6: [] }, holidays: [] };

  it('has no deadline and no opening, and says so at once', () => {
    const started = performance.now();
    expect(addBusinessTime(at('2026-01-01T00:00Z'), 60, never)).toBe(Infinity);
    expect(nextOpening(at('2026-01-01T00:00Z'), never)).toBe(Infinity);
    expect(isOpen(at('2026-01-01T00:00Z'), never)).toBe(false);
    expect(businessTimeBetween(at('2026-01-01T00:00Z'), at('2027-01-01T00:00Z'), never)).toBe(0);
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('jumps over years of holidays to the first open day after them', () => {
    // Open on Mondays only, and every Monday of 2026–2028 is a holiday: the next opening is Mon 1 Jan 2029.
    const mondays: string[] = [];
    for (let t = at('2026-01-05T00:00Z'); t < at('2029-01-01T00:00Z'); t += 7 * 86_400_000) mondays.push(iso(t).slice(0, 10));
    const cal = calendar('Europe/Berlin', { 1: [h('09:00', '17:00')] }, mondays);
    expect(iso(nextOpening(at('2026-01-01T00:00Z'), cal))).toBe('2029-01-01T08:00:00.000Z');
    expect(iso(addBusinessTime(at('2026-01-01T00:00Z'), 480, cal))).toBe('2029-01-01T16:00:00.000Z');
  });

  it('reports Infinity for what lies past the ten-year search horizon', () => {
    const start = at('2026-01-01T00:00Z');
    expect(addBusinessTime(start, (SEARCH_HORIZON_DAYS - 2) * 1440, CALENDAR_24_7)).toBe(start + (SEARCH_HORIZON_DAYS - 2) * 86_400_000);
    expect(addBusinessTime(start, (SEARCH_HORIZON_DAYS + 2) * 1440, CALENDAR_24_7)).toBe(Infinity);
    const mondays: string[] = [];
    for (let t = at('2026-01-05T00:00Z'); t < at('2037-01-01T00:00Z'); t += 7 * 86_400_000) mondays.push(iso(t).slice(0, 10));
    expect(nextOpening(start, calendar('UTC', { 1: [h('09:00', '17:00')] }, mondays))).toBe(Infinity);
  });
});
