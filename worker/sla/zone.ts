// Time-zone arithmetic on top of Intl, the only tz database a Worker has. Two questions are
// answered here: "what does the wall clock in this zone read at this instant?" (offsetAt) and
// "when does the wall clock first read this time?" (wallToInstant). Instants are UTC epoch
// milliseconds; wall times are naive milliseconds (see civil.ts).
//
// Assumption, true of every zone in the tz database for modern dates: a zone changes its offset
// at most once in any four consecutive days. The fast path and the gap search below rely on it.
import { DAY_MS, naiveMs } from './civil.ts';

// Formatting is the expensive part of Intl; a formatter per zone is built once and reused. The
// caches are bounded by the number of zone names the runtime accepts, which is finite.
const formatters = new Map<string, Intl.DateTimeFormat>();
// Offsets at UTC midnights, per zone: the probes of wallToInstant's fast path. Bounded by
// clearing, since a long-running isolate may visit many dates.
const gridOffsets = new Map<string, Map<number, number>>();
const GRID_CACHE_LIMIT = 4096;

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether the runtime's Intl knows this zone name (IANA names, and whatever else Intl accepts). */
export function isTimeZone(name: string): boolean {
  if (name === '') return false;
  try {
    formatterFor(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * The zone's offset at an instant, in milliseconds: wall clock = instant + offset. Intl reports
 * whole seconds, which is the resolution of every offset in the tz database.
 */
export function offsetAt(timeZone: string, instant: number): number {
  const whole = instant - (((instant % 1000) + 1000) % 1000);
  let year = 1970;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  for (const part of formatterFor(timeZone).formatToParts(whole)) {
    switch (part.type) {
      case 'year':
        year = Number(part.value);
        break;
      case 'month':
        month = Number(part.value);
        break;
      case 'day':
        day = Number(part.value);
        break;
      case 'hour':
        hour = Number(part.value);
        break;
      case 'minute':
        minute = Number(part.value);
        break;
      case 'second':
        second = Number(part.value);
        break;
      default:
        break;
    }
  }
  // Some ICU builds print midnight as 24 even with hourCycle h23; it is the start of that date.
  if (hour === 24) hour = 0;
  return naiveMs(year, month, day, hour, minute, second) - whole;
}

/** The wall clock (naive milliseconds) in the zone at an instant. */
export function wallClockAt(timeZone: string, instant: number): number {
  return instant + offsetAt(timeZone, instant);
}

function offsetAtUtcMidnight(timeZone: string, day: number): number {
  let memo = gridOffsets.get(timeZone);
  if (!memo) {
    memo = new Map();
    gridOffsets.set(timeZone, memo);
  }
  let offset = memo.get(day);
  if (offset === undefined) {
    if (memo.size >= GRID_CACHE_LIMIT) memo.clear();
    offset = offsetAt(timeZone, day * DAY_MS);
    memo.set(day, offset);
  }
  return offset;
}

/**
 * The earliest instant at which the zone's wall clock reads `wall` or later.
 *
 * - An ordinary wall time maps to its one instant.
 * - A wall time repeated by a fall-back transition maps to its first occurrence (the earlier
 *   instant, still on the old offset).
 * - A wall time skipped by a spring-forward gap maps to the transition itself, the first instant
 *   the clock reads a later time (02:30 on a day the clock jumps from 02:00 to 03:00 maps to the
 *   instant the clock shows 03:00).
 *
 * The result never decreases as `wall` grows, so a wall-clock interval [a, b) maps to an instant
 * interval that is never reversed (it is empty when both ends fall into the same gap).
 */
export function wallToInstant(timeZone: string, wall: number): number {
  // Offsets lie within -12 h … +14 h, so the answer lies within a day of `wall`. Probe a day
  // either side; with one offset on both sides there was no transition in between.
  const day = Math.floor(wall / DAY_MS);
  const before = offsetAtUtcMidnight(timeZone, day - 1);
  const after = offsetAtUtcMidnight(timeZone, day + 2);
  if (before === after) return wall - before;

  // A transition from `before` to `after` lies in the window. Try the wall time on each offset.
  const onBefore = wall - before;
  const onAfter = wall - after;
  const beforeHolds = offsetAt(timeZone, onBefore) === before;
  const afterHolds = offsetAt(timeZone, onAfter) === after;
  if (beforeHolds && afterHolds) return Math.min(onBefore, onAfter);
  if (beforeHolds) return onBefore;
  if (afterHolds) return onAfter;

  // Neither holds: the wall time is skipped. Find the first whole second whose wall clock reads
  // it or later; tz transitions happen on whole seconds.
  let lo = Math.floor(Math.min(onBefore, onAfter) / 1000);
  let hi = Math.ceil(Math.max(onBefore, onAfter) / 1000);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (mid * 1000 + offsetAt(timeZone, mid * 1000) >= wall) hi = mid;
    else lo = mid;
  }
  return hi * 1000;
}
