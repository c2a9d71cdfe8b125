// Holidays from an iCalendar file (RFC 5545), as exported by public holiday feeds and calendar
// apps. Only all-day events become holidays: a calendar closes whole local dates, and closing a
// whole date for a two-hour event would be wrong, so events with a time of day are skipped and
// reported. Pure: text in, dates and warnings out.
//
// Supported: folded lines (RFC 5545 §3.1) with CRLF, LF or CR line ends; DTSTART;VALUE=DATE (also
// a bare 8-digit DTSTART); DTEND, exclusive, for multi-day events, or DURATION in days/weeks;
// STATUS:CANCELLED events skipped; RRULE with FREQ=YEARLY (INTERVAL, COUNT, UNTIL, BYMONTH,
// BYMONTHDAY, BYDAY with ordinals such as 4TH or -1MO inside BYMONTH); RDATE and EXDATE date
// lists; RECURRENCE-ID overrides of single occurrences. Other recurrences import only their first
// occurrence, with a warning.
import { civilDate, daysInMonth, exactDay, formatIsoDate, parseBasicDate, weekdayOf } from './civil.ts';

export type ICalYears = { fromYear: number; toYear: number };
export type ICalHolidays = {
  /** Closed local dates 'YYYY-MM-DD' within the years asked for, sorted, unique. */
  holidays: string[];
  /** One line per event or rule part that was skipped or only partly imported. */
  warnings: string[];
};

// Bounds on work for admin-supplied input: an event longer than a year is almost certainly a
// mistake (it would close the desk for that long), and a year range bounds recurrence expansion.
const MAX_EVENT_DAYS = 366;
const MAX_YEAR_SPAN = 200;

type Property = { name: string; params: Map<string, string>; value: string };
type Event = { props: Property[] };

/**
 * The all-day closures of an iCalendar file falling within `years` (inclusive). Recurring events
 * are expanded over that range; single events outside it are left out.
 */
export function parseICalHolidays(ics: string, years: ICalYears): ICalHolidays {
  const { fromYear, toYear } = years;
  if (!Number.isInteger(fromYear) || !Number.isInteger(toYear) || toYear < fromYear || toYear - fromYear > MAX_YEAR_SPAN) {
    throw new RangeError(`years: expected whole years fromYear ≤ toYear at most ${MAX_YEAR_SPAN} apart`);
  }
  const firstDay = exactDay(fromYear, 1, 1)!;
  const lastDay = exactDay(toYear, 12, 31)!;
  const warnings: string[] = [];
  const events = readEvents(ics, warnings);

  // Occurrences that a RECURRENCE-ID event replaces are dropped from their series.
  const overridden = new Map<string, Set<number>>();
  for (const event of events) {
    const rid = first(event, 'RECURRENCE-ID');
    const uid = first(event, 'UID')?.value;
    if (!rid || uid === undefined) continue;
    const day = dateOf(rid);
    if (day === null) continue;
    let set = overridden.get(uid);
    if (!set) overridden.set(uid, (set = new Set()));
    set.add(day);
  }

  const closed = new Set<number>();
  for (const event of events) {
    const label = describe(event);
    if (first(event, 'STATUS')?.value.toUpperCase() === 'CANCELLED') continue;
    const dtstart = first(event, 'DTSTART');
    if (!dtstart) {
      warnings.push(`${label}: no DTSTART; skipped`);
      continue;
    }
    if (isDateTime(dtstart)) {
      warnings.push(`${label}: has a time of day (DTSTART ${dtstart.value}); only all-day events become holidays; skipped`);
      continue;
    }
    const start = parseBasicDate(dtstart.value);
    if (start === null) {
      warnings.push(`${label}: DTSTART ${JSON.stringify(dtstart.value)} is not a date; skipped`);
      continue;
    }
    const length = eventLength(event, start, label, warnings);
    if (length === null) continue;

    const starts = new Set<number>([start]);
    const isOverride = first(event, 'RECURRENCE-ID') !== undefined;
    const rrule = first(event, 'RRULE');
    if (rrule && !isOverride) {
      for (const day of expandRule(rrule.value, start, firstDay, lastDay, label, warnings)) starts.add(day);
    }
    for (const prop of all(event, 'RDATE')) {
      for (const day of dateList(prop, label, warnings)) starts.add(day);
    }
    for (const prop of all(event, 'EXDATE')) {
      for (const day of dateList(prop, label, warnings)) starts.delete(day);
    }
    const uid = first(event, 'UID')?.value;
    if (!isOverride && uid !== undefined) {
      for (const day of overridden.get(uid) ?? []) starts.delete(day);
    }

    for (const s of starts) {
      for (let day = s; day < s + length; day++) {
        if (day >= firstDay && day <= lastDay) closed.add(day);
      }
    }
  }

  return { holidays: [...closed].sort((a, b) => a - b).map(formatIsoDate), warnings };
}

// ---------------------------------------------------------------------------------------------
// Content lines

function readEvents(ics: string, warnings: string[]): Event[] {
  // Unfold first: a line break followed by one space or tab continues the previous line.
  const lines = ics
    .replace(/\r\n|\r/g, '\n')
    .replace(/\n[ \t]/g, '')
    .split('\n');
  const events: Event[] = [];
  const stack: string[] = [];
  let current: Event | null = null;
  for (const line of lines) {
    if (line.trim() === '') continue;
    const prop = parseLine(line);
    if (!prop) {
      if (current) warnings.push(`unreadable line ${JSON.stringify(line.slice(0, 60))}; ignored`);
      continue;
    }
    if (prop.name === 'BEGIN') {
      const component = prop.value.toUpperCase();
      stack.push(component);
      if (component === 'VEVENT' && stack.length <= 2) current = { props: [] };
    } else if (prop.name === 'END') {
      const component = stack.pop();
      if (component === 'VEVENT' && current && stack.length <= 1) {
        events.push(current);
        current = null;
      }
    } else if (current && stack[stack.length - 1] === 'VEVENT') {
      // Properties of nested components (a VALARM's TRIGGER) are not the event's own.
      current.props.push(prop);
    }
  }
  return events;
}

/** name *(";" param) ":" value; parameter values may be quoted and contain ':' and ';'. */
function parseLine(line: string): Property | null {
  const nameMatch = /^[A-Za-z0-9-]+/.exec(line);
  if (!nameMatch) return null;
  const name = nameMatch[0].toUpperCase();
  const params = new Map<string, string>();
  let i = nameMatch[0].length;
  while (line[i] === ';') {
    const eq = line.indexOf('=', i);
    if (eq < 0) return null;
    const key = line.slice(i + 1, eq).toUpperCase();
    i = eq + 1;
    let value = '';
    if (line[i] === '"') {
      const close = line.indexOf('"', i + 1);
      if (close < 0) return null;
      value = line.slice(i + 1, close);
      i = close + 1;
    }
    while (i < line.length && line[i] !== ';' && line[i] !== ':') value += line[i++];
    params.set(key, value);
  }
  if (line[i] !== ':') return null;
  return { name, params, value: line.slice(i + 1).trim() };
}

function first(event: Event, name: string): Property | undefined {
  return event.props.find((p) => p.name === name);
}

function all(event: Event, name: string): Property[] {
  return event.props.filter((p) => p.name === name);
}

function describe(event: Event): string {
  const summary = first(event, 'SUMMARY')
    ?.value.replace(/\\([,;\\])/g, '$1')
    .replace(/\\[nN]/g, ' ');
  const when = first(event, 'DTSTART')?.value;
  const name = summary ? JSON.stringify(summary.length > 60 ? `${summary.slice(0, 57)}...` : summary) : '(no summary)';
  return when ? `event ${name} on ${when}` : `event ${name}`;
}

function isDateTime(prop: Property): boolean {
  return prop.params.get('VALUE')?.toUpperCase() === 'DATE-TIME' || prop.value.includes('T');
}

/** The date of a DATE or DATE-TIME value (a RECURRENCE-ID or EXDATE may carry a time). */
function dateOf(prop: Property): number | null {
  return parseBasicDate(prop.value.slice(0, 8));
}

function dateList(prop: Property, label: string, warnings: string[]): number[] {
  const out: number[] = [];
  for (const item of prop.value.split(',')) {
    const day = parseBasicDate(item.trim().slice(0, 8));
    if (day === null || (prop.name === 'RDATE' && item.includes('T'))) {
      warnings.push(`${label}: ${prop.name} ${JSON.stringify(item)} is not an all-day date; ignored`);
    } else {
      out.push(day);
    }
  }
  return out;
}

/** Whole days covered by each occurrence, from DTEND (exclusive) or DURATION; one by default. */
function eventLength(event: Event, start: number, label: string, warnings: string[]): number | null {
  let length = 1;
  const dtend = first(event, 'DTEND');
  const duration = first(event, 'DURATION');
  if (dtend) {
    const end = isDateTime(dtend) ? null : parseBasicDate(dtend.value);
    if (end === null) {
      warnings.push(`${label}: DTEND ${JSON.stringify(dtend.value)} is not a date; taken as one day`);
    } else if (end <= start) {
      warnings.push(`${label}: DTEND ${dtend.value} is not after DTSTART; taken as one day`);
    } else {
      length = end - start;
    }
  } else if (duration) {
    const m = /^\+?P(?:(\d+)W)?(?:(\d+)D)?$/.exec(duration.value.toUpperCase());
    const days = m && (m[1] || m[2]) ? Number(m[1] ?? 0) * 7 + Number(m[2] ?? 0) : null;
    if (days === null || days < 1) warnings.push(`${label}: DURATION ${duration.value} is not a whole number of days; taken as one day`);
    else length = days;
  }
  if (length > MAX_EVENT_DAYS) {
    warnings.push(`${label}: lasts ${length} days, longer than a year; skipped`);
    return null;
  }
  return length;
}

// ---------------------------------------------------------------------------------------------
// Yearly recurrence

const WEEKDAY_CODES = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];
const SUPPORTED_PARTS = new Set(['FREQ', 'INTERVAL', 'COUNT', 'UNTIL', 'BYMONTH', 'BYMONTHDAY', 'BYDAY', 'WKST']);

type ByDay = { ordinal: number | null; weekday: number };

/** Occurrence start dates of a FREQ=YEARLY rule from `start` up to `lastDay`, DTSTART included (COUNT counts it). */
function expandRule(value: string, start: number, firstDay: number, lastDay: number, label: string, warnings: string[]): number[] {
  const parts = new Map<string, string>();
  for (const piece of value.split(';')) {
    const eq = piece.indexOf('=');
    if (eq > 0) parts.set(piece.slice(0, eq).toUpperCase(), piece.slice(eq + 1).toUpperCase());
  }
  const unsupported = (why: string): number[] => {
    warnings.push(`${label}: RRULE ${value} ${why}; only the first occurrence was imported`);
    return [];
  };
  if (parts.get('FREQ') !== 'YEARLY') return unsupported(`has FREQ=${parts.get('FREQ') ?? '(none)'}, and only FREQ=YEARLY is supported`);
  for (const key of parts.keys()) if (!SUPPORTED_PARTS.has(key)) return unsupported(`uses ${key}, which is not supported`);

  const interval = parts.has('INTERVAL') ? Number(parts.get('INTERVAL')) : 1;
  const count = parts.has('COUNT') ? Number(parts.get('COUNT')) : null;
  if (!Number.isInteger(interval) || interval < 1) return unsupported('has an invalid INTERVAL');
  if (count !== null && (!Number.isInteger(count) || count < 1)) return unsupported('has an invalid COUNT');
  let until = lastDay;
  if (parts.has('UNTIL')) {
    const day = parseBasicDate(parts.get('UNTIL')!.slice(0, 8));
    if (day === null) return unsupported('has an invalid UNTIL');
    until = Math.min(until, day);
  }
  const months = numberList(parts.get('BYMONTH'), 1, 12);
  const monthDays = numberList(parts.get('BYMONTHDAY'), -31, 31);
  const byDay = byDayList(parts.get('BYDAY'));
  if (months === null || monthDays === null || byDay === null) return unsupported('has a malformed BY part');
  if (byDay.length > 0 && months.length === 0) return unsupported('uses BYDAY without BYMONTH');
  if (byDay.some((d) => d.ordinal !== null) && monthDays.length > 0) return unsupported('combines BYMONTHDAY with an ordinal BYDAY');

  const s = civilDate(start);
  const out: number[] = [start];
  let year = s.year;
  if (count === null) {
    // Without COUNT, years well before the range cannot matter: skip ahead in step, keeping the
    // year before the range, whose occurrences may run into it.
    const behind = civilDate(firstDay).year - 1 - year;
    if (behind > 0) year += Math.floor(behind / interval) * interval;
  }
  for (; ; year += interval) {
    if (exactDay(year, 1, 1)! > until) break;
    const inYear = occurrencesInYear(year, months.length > 0 ? months : [s.month], monthDays, byDay, s.day);
    for (const day of inYear) {
      if (day <= start || day > until) continue;
      if (count !== null && out.length >= count) return out;
      out.push(day);
    }
  }
  return out;
}

function occurrencesInYear(year: number, months: number[], monthDays: number[], byDay: ByDay[], startDay: number): number[] {
  const days: number[] = [];
  for (const month of months) {
    const length = daysInMonth(year, month);
    const first = exactDay(year, month, 1)!;
    if (monthDays.length > 0) {
      for (const md of monthDays) {
        const dom = md > 0 ? md : length + 1 + md;
        if (dom < 1 || dom > length) continue;
        const day = first + dom - 1;
        if (byDay.length === 0 || byDay.some((d) => d.weekday === weekdayOf(day))) days.push(day);
      }
    } else if (byDay.length > 0) {
      for (const { ordinal, weekday } of byDay) {
        const firstMatch = first + ((weekday - weekdayOf(first) + 7) % 7);
        const matches: number[] = [];
        for (let day = firstMatch; day < first + length; day += 7) matches.push(day);
        if (ordinal === null) days.push(...matches);
        else {
          const pick = ordinal > 0 ? matches[ordinal - 1] : matches[matches.length + ordinal];
          if (pick !== undefined) days.push(pick);
        }
      }
    } else if (startDay <= length) {
      // The DTSTART day of month; a year without it (29 February) has no occurrence (RFC 5545).
      days.push(first + startDay - 1);
    }
  }
  return [...new Set(days)].sort((a, b) => a - b);
}

function numberList(text: string | undefined, min: number, max: number): number[] | null {
  if (text === undefined) return [];
  const out: number[] = [];
  for (const item of text.split(',')) {
    const n = Number(item);
    if (!/^[+-]?\d+$/.test(item) || n < min || n > max || n === 0) return null;
    out.push(n);
  }
  return out;
}

function byDayList(text: string | undefined): ByDay[] | null {
  if (text === undefined) return [];
  const out: ByDay[] = [];
  for (const item of text.split(',')) {
    const m = /^([+-]?\d{1,2})?(SU|MO|TU|WE|TH|FR|SA)$/.exec(item);
    if (!m) return null;
    const ordinal = m[1] === undefined ? null : Number(m[1]);
    if (ordinal !== null && (ordinal === 0 || Math.abs(ordinal) > 5)) return null;
    out.push({ ordinal, weekday: WEEKDAY_CODES.indexOf(m[2]!) });
  }
  return out;
}
