// Business-time arithmetic: when is a support team open, how much open time lies between two
// instants, and when will a given amount of it have passed. Pure: no clock, no bindings; every
// instant is an argument.
//
// Units: instants are UTC epoch milliseconds (what Date.now() returns); durations are minutes and
// may be fractional (they are resolved to the millisecond).
//
// What "open" means. A calendar lists, per weekday, wall-clock intervals in its time zone, and
// closes whole local dates as holidays. On local date D, the interval start–end is open from the
// first instant the local clock reads `start` on D until the first instant it reads `end` (the
// 24:00 end is the next date's 00:00). So:
// - An ordinary day is exactly its wall-clock hours: 09:00–17:00 is 8 hours, also on a day the
//   clocks change at 02:00.
// - Hours that span a transition count the time that really passes: 01:00–04:00 is 2 hours on a
//   spring-forward day and 4 hours on a fall-back day, for a one-hour shift.
// - A boundary inside a spring-forward gap (02:30 when the clock jumps 02:00 → 03:00) is the
//   instant of the jump. A boundary inside the hour a fall-back repeats is its first occurrence;
//   while the clock repeats that hour it is treated as standing still just before the jump back.
// The open instants of consecutive intervals and dates never overlap, so nothing is counted twice.
import { DAY_MS, HOUR_MS, MINUTE_MS, formatClockTime, formatIsoDate, parseClockTime, parseIsoDate, weekdayOf } from './civil.ts';
import { isTimeZone, wallToInstant } from './zone.ts';

/** 0 = Sunday … 6 = Saturday, as Date.prototype.getDay counts. */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

/** Wall-clock hours within one local date: 'HH:MM', start 00:00–23:59, end 00:00–24:00, start ≤ end. */
export type OpeningHours = { readonly start: string; readonly end: string };

export type WeeklyHours = { readonly [D in Weekday]: readonly OpeningHours[] };

export type Calendar = {
  /** IANA zone name, e.g. 'Europe/Berlin'. Hours and holidays are read on this zone's wall clock. */
  readonly timeZone: string;
  /**
   * Opening hours per weekday: any number of non-overlapping intervals; an empty list is a closed
   * day; start === end is an empty interval. Hours past midnight belong to the next day's list
   * (a night shift is 22:00–24:00 on one day and 00:00–06:00 on the next).
   */
  readonly weekly: WeeklyHours;
  /** Local dates 'YYYY-MM-DD' closed all day. */
  readonly holidays: readonly string[];
};

/** An instant interval [start, end), UTC epoch milliseconds. */
export type Span = { readonly start: number; readonly end: number };

export type CalendarCheck = { ok: true; calendar: Calendar } | { ok: false; errors: string[] };

export class InvalidCalendarError extends Error {
  readonly errors: readonly string[];
  constructor(errors: readonly string[]) {
    super(`invalid calendar: ${errors.join('; ')}`);
    this.name = 'InvalidCalendarError';
    this.errors = errors;
  }
}

const ALL_DAY: readonly OpeningHours[] = Object.freeze([Object.freeze({ start: '00:00', end: '24:00' })]);

/** Always open: business time equals elapsed time. */
export const CALENDAR_24_7: Calendar = Object.freeze({
  timeZone: 'UTC',
  weekly: Object.freeze({ 0: ALL_DAY, 1: ALL_DAY, 2: ALL_DAY, 3: ALL_DAY, 4: ALL_DAY, 5: ALL_DAY, 6: ALL_DAY }),
  holidays: Object.freeze([]),
});

/**
 * How far the arithmetic looks past its starting instant: open time that begins this many days
 * (× 24 h) or more after it is not considered. A deadline that needs it is reported as Infinity,
 * and businessTimeBetween refuses longer ranges.
 * The cost is linear in the days crossed (about 1 µs per open day, more across DST changes), so
 * the bound keeps a misconfigured calendar or a huge duration within a Worker's CPU budget
 * (the worst case, ten years open around the clock, takes tens of milliseconds).
 */
export const SEARCH_HORIZON_DAYS = 3653;

const WEEKDAYS = [0, 1, 2, 3, 4, 5, 6] as const satisfies readonly Weekday[];
const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
// Zone offsets lie within -12 h … +14 h: local date D's instants all lie within
// [D·DAY_MS − 14 h, (D + 1)·DAY_MS + 12 h].
const MAX_OFFSET_MS = 14 * HOUR_MS;

// ---------------------------------------------------------------------------------------------
// Validation

type Parsed = { calendar: Calendar; plan: Plan } | { errors: string[] };

/**
 * Checks a calendar from outside (an API body, a D1 row's JSON) and returns it normalized:
 * intervals sorted, empty intervals dropped, all seven weekdays present, holidays sorted and
 * unique, frozen. Missing weekdays are closed days; a missing holiday list is an empty one.
 * A calendar with no open hours on any weekday is refused: it could never meet a deadline.
 */
export function validateCalendar(input: unknown): CalendarCheck {
  const parsed = parse(input);
  if ('errors' in parsed) return { ok: false, errors: parsed.errors };
  if (parsed.plan.hours.every((day) => day.length === 0)) {
    return { ok: false, errors: ['weekly: no open hours on any day, so the calendar would never be open'] };
  }
  plans.set(parsed.calendar, parsed.plan);
  return { ok: true, calendar: parsed.calendar };
}

function parse(input: unknown): Parsed {
  const errors: string[] = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { errors: ['calendar: expected an object with timeZone, weekly and holidays'] };
  }
  const raw = input as Record<string, unknown>;

  const timeZone = raw.timeZone;
  if (typeof timeZone !== 'string') {
    errors.push('timeZone: expected an IANA time zone name such as "Europe/Berlin"');
  } else if (!isTimeZone(timeZone)) {
    errors.push(`timeZone: ${JSON.stringify(timeZone)} is not a known time zone; use an IANA name such as "Europe/Berlin"`);
  }

  const hours: (readonly (readonly [number, number])[])[] = WEEKDAYS.map(() => []);
  const weekly = raw.weekly;
  if (typeof weekly !== 'object' || weekly === null || Array.isArray(weekly)) {
    errors.push('weekly: expected an object keyed by weekday, "0" (Sunday) to "6" (Saturday)');
  } else {
    for (const key of Object.keys(weekly)) {
      if (!/^[0-6]$/.test(key)) errors.push(`weekly: unknown key ${JSON.stringify(key)}; use "0" (Sunday) to "6" (Saturday)`);
    }
    for (const day of WEEKDAYS) {
      const list = (weekly as Record<string, unknown>)[String(day)];
      if (list === undefined) continue;
      hours[day] = parseDay(list, `weekly[${day}] (${DAY_NAMES[day]})`, errors);
    }
  }

  const holidays = new Set<number>();
  const rawHolidays = raw.holidays ?? [];
  if (!Array.isArray(rawHolidays)) {
    errors.push('holidays: expected an array of "YYYY-MM-DD" dates');
  } else {
    rawHolidays.forEach((value: unknown, i) => {
      const day = typeof value === 'string' ? parseIsoDate(value) : null;
      if (day === null) errors.push(`holidays[${i}]: ${JSON.stringify(value)} is not a date; use "YYYY-MM-DD"`);
      else holidays.add(day);
    });
  }

  if (errors.length > 0) return { errors };
  const zone = timeZone as string;
  const sortedHolidays = [...holidays].sort((a, b) => a - b);
  const toHours = (day: Weekday): readonly OpeningHours[] => Object.freeze(hours[day]!.map(([s, e]) => Object.freeze({ start: formatClockTime(s), end: formatClockTime(e) })));
  const calendar: Calendar = Object.freeze({
    timeZone: zone,
    weekly: Object.freeze({
      0: toHours(0),
      1: toHours(1),
      2: toHours(2),
      3: toHours(3),
      4: toHours(4),
      5: toHours(5),
      6: toHours(6),
    }),
    holidays: Object.freeze(sortedHolidays.map(formatIsoDate)),
  });
  return { calendar, plan: makePlan(zone, hours, holidays) };
}

function parseDay(list: unknown, where: string, errors: string[]): (readonly [number, number])[] {
  if (!Array.isArray(list)) {
    errors.push(`${where}: expected an array of { start: "HH:MM", end: "HH:MM" }`);
    return [];
  }
  const intervals: (readonly [number, number])[] = [];
  list.forEach((item: unknown, i) => {
    const at = `${where}[${i}]`;
    if (typeof item !== 'object' || item === null) {
      errors.push(`${at}: expected { start: "HH:MM", end: "HH:MM" }`);
      return;
    }
    const { start, end } = item as Record<string, unknown>;
    const s = typeof start === 'string' ? parseClockTime(start, false) : null;
    const e = typeof end === 'string' ? parseClockTime(end, true) : null;
    if (s === null) errors.push(`${at}.start: ${JSON.stringify(start)} is not a time; use "HH:MM" from 00:00 to 23:59`);
    if (e === null) errors.push(`${at}.end: ${JSON.stringify(end)} is not a time; use "HH:MM" from 00:00 to 24:00`);
    if (s === null || e === null) return;
    if (e < s) {
      errors.push(
        `${at}: ends at ${formatClockTime(e)}, before it starts at ${formatClockTime(s)}; ` +
          `hours past midnight go into the next day's list (${formatClockTime(s)}–24:00, then 00:00–${formatClockTime(e)})`,
      );
      return;
    }
    if (e > s) intervals.push([s, e]);
  });
  intervals.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < intervals.length; i++) {
    const prev = intervals[i - 1]!;
    const cur = intervals[i]!;
    if (cur[0] < prev[1]) {
      errors.push(`${where}: ${formatClockTime(prev[0])}–${formatClockTime(prev[1])} overlaps ${formatClockTime(cur[0])}–${formatClockTime(cur[1])}`);
    }
  }
  return intervals;
}

// ---------------------------------------------------------------------------------------------
// The compiled form the arithmetic runs on

type Plan = {
  timeZone: string;
  /** Per weekday: [startMinute, endMinute) pairs, sorted, non-empty, non-overlapping. */
  hours: readonly (readonly (readonly [number, number])[])[];
  holidays: ReadonlySet<number>;
  /**
   * A run of more consecutive dates without open time than this means none will ever come. Without
   * holidays a closed run is at most 6 days; each holiday can lengthen it by 7. The slack covers
   * dates whose only hours fall wholly into a DST gap, which happen a few times a year at most.
   */
  maxClosedRun: number;
};

const NO_HOURS: readonly (readonly [number, number])[] = [];

function makePlan(timeZone: string, hours: Plan['hours'], holidays: ReadonlySet<number>): Plan {
  return { timeZone, hours, holidays, maxClosedRun: 8 * (holidays.size + 1) + 731 };
}

// Calendars are values; the compiled form is cached per object. Do not mutate a calendar after
// handing it to these functions (validateCalendar's results and CALENDAR_24_7 are frozen).
const plans = new WeakMap<Calendar, Plan>();

function planOf(cal: Calendar): Plan {
  let plan = plans.get(cal);
  if (!plan) {
    const parsed = parse(cal);
    if ('errors' in parsed) throw new InvalidCalendarError(parsed.errors);
    plan = parsed.plan;
    plans.set(cal, plan);
  }
  return plan;
}

/**
 * The open spans that end after `from` and begin less than `horizonDays` × 24 h after it, in
 * order, each within one local date (adjacent spans may touch). Ends early when a closed run
 * shows that no open time will ever come.
 */
function* spansFrom(plan: Plan, from: number, horizonDays: number): Generator<Span, void, undefined> {
  const { timeZone, hours, holidays, maxClosedRun } = plan;
  if (hours.every((day) => day.length === 0)) return;
  const limit = from + horizonDays * DAY_MS;
  let closedRun = 0;
  for (let day = Math.floor((from - MAX_OFFSET_MS) / DAY_MS) - 1; closedRun <= maxClosedRun; day++) {
    const today = holidays.has(day) ? NO_HOURS : hours[weekdayOf(day)]!;
    let open = false;
    for (const [s, e] of today) {
      const midnight = day * DAY_MS;
      const start = wallToInstant(timeZone, midnight + s * MINUTE_MS);
      if (start >= limit) return;
      const end = wallToInstant(timeZone, midnight + e * MINUTE_MS);
      if (end <= start) continue; // wholly inside a spring-forward gap
      open = true;
      if (end > from) yield { start, end };
    }
    // Closed dates cost no zone lookups, so the horizon is checked on the calendar date too.
    if (day * DAY_MS - MAX_OFFSET_MS >= limit) return;
    closedRun = open ? 0 : closedRun + 1;
  }
}

function assertInstant(name: string, value: number): void {
  if (!Number.isFinite(value)) throw new RangeError(`${name}: expected an instant in epoch milliseconds, got ${value}`);
}

// ---------------------------------------------------------------------------------------------
// The arithmetic

/** Whether the calendar is open at instant `t` (spans are closed at their start, open at their end). */
export function isOpen(t: number, cal: Calendar): boolean {
  assertInstant('t', t);
  for (const span of spansFrom(planOf(cal), t, 8)) return span.start <= t;
  return false;
}

/** `t` itself when open at `t`, else the next instant the calendar opens; Infinity when it never does (within the horizon). */
export function nextOpening(t: number, cal: Calendar): number {
  assertInstant('t', t);
  for (const span of spansFrom(planOf(cal), t, SEARCH_HORIZON_DAYS)) return Math.max(span.start, t);
  return Number.POSITIVE_INFINITY;
}

/**
 * The earliest instant at which `minutes` of open time have passed since `start`: the clock runs
 * only while the calendar is open, so a start outside hours waits for the next opening. The result
 * lies inside open time or at a closing instant, never after a gap it did not need to cross.
 * 0 minutes returns `start` itself, open or not (the least instant with 0 minutes behind it).
 * Infinity when the calendar does not have that much open time within SEARCH_HORIZON_DAYS
 * (a calendar that is never open, or holidays covering everything); a caller storing a deadline
 * must map that to "no deadline" (JSON and SQLite have no Infinity).
 *
 * Invariants: businessTimeBetween(start, result) === minutes, and any earlier instant gives less.
 */
export function addBusinessTime(start: number, minutes: number, cal: Calendar): number {
  assertInstant('start', start);
  if (!Number.isFinite(minutes) || minutes < 0) throw new RangeError(`minutes: expected a finite number ≥ 0, got ${minutes}`);
  let needed = Math.round(minutes * MINUTE_MS);
  if (needed === 0) return start;
  for (const span of spansFrom(planOf(cal), start, SEARCH_HORIZON_DAYS)) {
    const from = Math.max(span.start, start);
    const available = span.end - from;
    if (available >= needed) return from + needed;
    needed -= available;
  }
  return Number.POSITIVE_INFINITY;
}

/**
 * Minutes of open time in [a, b); 0 when b ≤ a. Exact: the open milliseconds are summed as
 * integers and divided once, so whole-minute boundaries give whole minutes, and instants off the
 * minute give the fraction (30 s of open time is 0.5).
 * Throws RangeError for a range longer than SEARCH_HORIZON_DAYS.
 */
export function businessTimeBetween(a: number, b: number, cal: Calendar): number {
  assertInstant('a', a);
  assertInstant('b', b);
  if (b <= a) return 0;
  return openMs(openSpansBetween(a, b, cal)) / MINUTE_MS;
}

/**
 * The open spans within [a, b), clipped to it and in order (adjacent spans are merged), for
 * showing someone why a deadline falls where it does. Empty when b ≤ a.
 * Throws RangeError for a range longer than SEARCH_HORIZON_DAYS.
 */
export function openSpansBetween(a: number, b: number, cal: Calendar): Span[] {
  assertInstant('a', a);
  assertInstant('b', b);
  if (b <= a) return [];
  const days = Math.ceil((b - a) / DAY_MS);
  if (days > SEARCH_HORIZON_DAYS) throw new RangeError(`range of ${days} days exceeds the ${SEARCH_HORIZON_DAYS}-day horizon`);
  const out: { start: number; end: number }[] = [];
  for (const span of spansFrom(planOf(cal), a, days)) {
    if (span.start >= b) break;
    const start = Math.max(span.start, a);
    const end = Math.min(span.end, b);
    const last = out[out.length - 1];
    if (last && last.end === start) last.end = end;
    else out.push({ start, end });
  }
  return out;
}

function openMs(spans: readonly Span[]): number {
  let total = 0;
  for (const s of spans) total += s.end - s.start;
  return total;
}
