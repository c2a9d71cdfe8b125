// Civil (wall-calendar) dates and clock times as plain numbers, with no time zone attached.
// A date is a "day number": days since 1970-01-01 in the proleptic Gregorian calendar. A wall
// time is "naive milliseconds": day number × DAY_MS + milliseconds into that day, i.e. the value
// Date.UTC would give for the same fields. Keeping dates as integers makes stepping, weekday and
// holiday lookups cheap and leaves every time-zone question to zone.ts.

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
export const MINUTES_PER_DAY = 1440;

/** Naive milliseconds of a wall-clock date and time. Unlike Date.UTC, years 0–99 are not moved to 19xx. */
export function naiveMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

export function dayNumber(year: number, month: number, day: number): number {
  return Math.floor(naiveMs(year, month, day) / DAY_MS);
}

/** 0 = Sunday … 6 = Saturday. 1970-01-01 was a Thursday. */
export function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

export type CivilDate = { year: number; month: number; day: number };

export function civilDate(day: number): CivilDate {
  const d = new Date(day * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** 'YYYY-MM-DD' of a day number (years 0–9999). */
export function formatIsoDate(day: number): string {
  const { year, month, day: dom } = civilDate(day);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(dom).padStart(2, '0')}`;
}

/** Day number of a real date given as 'YYYY-MM-DD', or null ('2026-02-30' is null, not March 2nd). */
export function parseIsoDate(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  return exactDay(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** Day number of a real date given as the iCalendar 'YYYYMMDD', or null. */
export function parseBasicDate(text: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (!m) return null;
  return exactDay(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** Day number when year/month/day name a real date, else null (no rolling over into the next month). */
export function exactDay(year: number, month: number, day: number): number | null {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return dayNumber(year, month, day);
}

export function daysInMonth(year: number, month: number): number {
  return civilDate(dayNumber(year, month + 1, 1) - 1).day;
}

/** Minutes since midnight of 'HH:MM' (00:00–23:59; '24:00' too when allowed), or null. */
export function parseClockTime(text: string, allowEndOfDay: boolean): number | null {
  if (allowEndOfDay && text === '24:00') return MINUTES_PER_DAY;
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/** 'HH:MM' of minutes since midnight (1440 gives '24:00'). */
export function formatClockTime(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
