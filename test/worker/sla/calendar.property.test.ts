// Property tests of the business-time arithmetic against a brute-force reference that looks at the
// wall clock minute by minute. The reference is written from the definition, not from the
// implementation: a minute is open when the furthest the local clock has read so far (which
// stands still while a fall-back repeats an hour) lies in an open interval of its local date and
// that date is no holiday. It reads the clock with Intl's format(), not formatToParts().
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addBusinessTime, businessTimeBetween, isOpen, nextOpening, type Calendar, type OpeningHours, type Weekday } from '../../../worker/sla/calendar.ts';
import { ANCHORS } from './anchors.ts';

const MIN = 60_000;
const DAY = 86_400_000;

const ZONES = Object.keys(ANCHORS);
const RANGE_START = Date.parse('2026-01-01T00:00Z');
const RANGE_END = Date.parse('2028-01-01T00:00Z');

// ---- the reference -----------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The local wall clock at a minute-aligned instant, as minutes since 1970-01-01 00:00 local. */
function wallMinute(zone: string, t: number): number {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(zone, f);
  }
  const [month, day, year, hour, minute] = (f.format(t).match(/\d+/g) ?? []).map(Number);
  return Date.UTC(year!, month! - 1, day!, hour! % 24, minute!) / MIN;
}

const clock = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));

/** Open flags of every minute in [from, to), both minute-aligned. */
function referenceFlags(cal: Calendar, from: number, to: number): boolean[] {
  const holidays = new Set(cal.holidays.map((d) => Date.parse(`${d}T00:00Z`) / DAY));
  // Start a few hours early so the running maximum has seen any clock that was set back.
  let furthest = -Infinity;
  for (let t = from - 3 * 60 * MIN; t < from; t += MIN) furthest = Math.max(furthest, wallMinute(cal.timeZone, t));
  const flags: boolean[] = [];
  for (let t = from; t < to; t += MIN) {
    furthest = Math.max(furthest, wallMinute(cal.timeZone, t));
    const date = Math.floor(furthest / 1440);
    const minute = furthest - date * 1440;
    const weekday = ((((date + 4) % 7) + 7) % 7) as Weekday;
    flags.push(!holidays.has(date) && cal.weekly[weekday].some((h) => clock(h.start) <= minute && minute < clock(h.end)));
  }
  return flags;
}

/** Open milliseconds in [a, b) by the reference. */
function referenceOpenMs(cal: Calendar, a: number, b: number): number {
  if (b <= a) return 0;
  const from = Math.floor(a / MIN) * MIN;
  const flags = referenceFlags(cal, from, Math.ceil(b / MIN) * MIN);
  let total = 0;
  flags.forEach((open, i) => {
    if (!open) return;
    const start = from + i * MIN;
    total += Math.min(b, start + MIN) - Math.max(a, start);
  });
  return total;
}

// ---- generators --------------------------------------------------------------------------------

const pad = (n: number) => String(n).padStart(2, '0');
const hhmm = (m: number) => `${pad(Math.floor(m / 60))}:${pad(m % 60)}`;

// Boundaries cluster around the transition hours (02:00–03:45 local in these zones) and the ends
// of the day, where the arithmetic can go wrong.
const boundary = fc.oneof(fc.constantFrom(0, 60, 90, 120, 135, 150, 165, 180, 210, 225, 240, 1440), fc.integer({ min: 0, max: 1440 }));

const dayHours: fc.Arbitrary<OpeningHours[]> = fc.array(boundary, { maxLength: 6 }).map((points) => {
  const sorted = [...points].sort((x, y) => x - y);
  const hours: OpeningHours[] = [];
  for (let i = 0; i + 1 < sorted.length; i += 2) {
    if (sorted[i]! < 1440) hours.push({ start: hhmm(sorted[i]!), end: hhmm(sorted[i + 1]!) });
  }
  return hours;
});

const weekly = fc.tuple(dayHours, dayHours, dayHours, dayHours, dayHours, dayHours, dayHours).map(([d0, d1, d2, d3, d4, d5, d6]) => ({ 0: d0, 1: d1, 2: d2, 3: d3, 4: d4, 5: d5, 6: d6 }));

const isoDate = (t: number) => new Date(t).toISOString().slice(0, 10);

/** A zone, an instant near one of its transitions (or anywhere in 2026–2027) and a calendar. */
const scenario = fc.constantFrom(...ZONES).chain((zone) =>
  fc
    .record({
      anchor: fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...ANCHORS[zone]!).map((iso) => Date.parse(iso)) },
        { weight: 1, arbitrary: fc.integer({ min: RANGE_START, max: RANGE_END - 5 * DAY }) },
      ),
      shift: fc.integer({ min: -3 * DAY, max: 3 * DAY }),
      onMinute: fc.boolean(),
      weekly,
      holidayShifts: fc.array(fc.integer({ min: -4, max: 4 }), { maxLength: 3 }),
    })
    .map(({ anchor, shift, onMinute, weekly, holidayShifts }) => {
      const start = onMinute ? Math.floor((anchor + shift) / MIN) * MIN : anchor + shift;
      const cal: Calendar = { timeZone: zone, weekly, holidays: holidayShifts.map((d) => isoDate(anchor + d * DAY)) };
      return { start, cal };
    }),
);

const RUNS = 150;

describe('business time against a minute-by-minute reference', () => {
  it('businessTimeBetween counts exactly the open time in [a, b)', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 0, max: 3 * DAY }), ({ start, cal }, length) => {
        const end = start + length;
        // Both sides divide whole milliseconds by 60 000 once, so they must agree to the last bit.
        expect(businessTimeBetween(start, end, cal)).toBe(referenceOpenMs(cal, start, end) / MIN);
      }),
      { numRuns: RUNS },
    );
  });

  it('addBusinessTime returns the least instant with that much open time behind it', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 0, max: 1500 }), ({ start, cal }, minutes) => {
        const due = addBusinessTime(start, minutes, cal);
        if (due === Infinity) {
          // Only a calendar without any hours has no deadline at all.
          expect(Object.values(cal.weekly).every((day) => day.every((h) => h.start === h.end))).toBe(true);
          return;
        }
        expect(businessTimeBetween(start, due, cal)).toBe(minutes);
        if (minutes === 0) {
          expect(due).toBe(start);
          return;
        }
        // A millisecond earlier is already too early. A whole minute earlier leaves at most m - 1
        // minutes only when the start is on the minute: otherwise the last minute before the
        // deadline can straddle a closing time and hold less than a minute of open time.
        expect(businessTimeBetween(start, due - 1, cal)).toBeLessThan(minutes);
        if (start % MIN === 0) expect(businessTimeBetween(start, due - MIN, cal)).toBeLessThanOrEqual(minutes - 1);
        if (due - start <= 4 * DAY) {
          expect(referenceOpenMs(cal, start, due)).toBe(minutes * MIN);
          expect(referenceOpenMs(cal, start, due - 1)).toBeLessThan(minutes * MIN);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('isOpen and nextOpening agree with the reference', () => {
    fc.assert(
      fc.property(scenario, ({ start, cal }) => {
        const from = Math.floor(start / MIN) * MIN;
        const flags = referenceFlags(cal, from, from + 2 * DAY);
        expect(isOpen(start, cal)).toBe(flags[0]);
        const next = nextOpening(start, cal);
        const firstOpen = flags.indexOf(true);
        if (firstOpen === -1) expect(next).toBeGreaterThanOrEqual(from + 2 * DAY);
        else expect(next).toBe(Math.max(start, from + firstOpen * MIN));
      }),
      { numRuns: RUNS },
    );
  });

  it('a calendar open around the clock counts plain elapsed time in every zone', () => {
    const allDay = [{ start: '00:00', end: '24:00' }];
    const week = { 0: allDay, 1: allDay, 2: allDay, 3: allDay, 4: allDay, 5: allDay, 6: allDay };
    fc.assert(
      fc.property(scenario, fc.integer({ min: 0, max: 40 * DAY }), ({ start, cal }, length) => {
        const open: Calendar = { timeZone: cal.timeZone, weekly: week, holidays: [] };
        expect(businessTimeBetween(start, start + length, open)).toBe(length / MIN);
        expect(addBusinessTime(start, length / MIN, open)).toBe(start + length);
      }),
      { numRuns: RUNS },
    );
  });
});
