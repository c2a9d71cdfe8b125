import { describe, expect, it } from 'vitest';
import { parseICalHolidays } from '../../../worker/sla/ical.ts';

/** An iCalendar file around the given event bodies, with CRLF line ends. */
function ics(...events: string[][]): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//edgecase//test//EN', ...events.flatMap((e) => ['BEGIN:VEVENT', ...e, 'END:VEVENT']), 'END:VCALENDAR', ''].join('\r\n');
}

const Y2026 = { fromYear: 2026, toYear: 2026 };

describe('parseICalHolidays: single events', () => {
  it('imports one-day and multi-day all-day events (DTEND exclusive)', () => {
    const result = parseICalHolidays(
      ics(
        ['UID:a', 'SUMMARY:Labour Day', 'DTSTART;VALUE=DATE:20260501', 'DTEND;VALUE=DATE:20260502'],
        ['UID:b', 'SUMMARY:Winter closure', 'DTSTART;VALUE=DATE:20261230', 'DTEND;VALUE=DATE:20270102'],
        ['UID:c', 'SUMMARY:No end given', 'DTSTART;VALUE=DATE:20260803'],
        ['UID:d', 'SUMMARY:Bare date', 'DTSTART:20260915', 'DURATION:P2D'],
      ),
      Y2026,
    );
    expect(result).toEqual({ holidays: ['2026-05-01', '2026-08-03', '2026-09-15', '2026-09-16', '2026-12-30', '2026-12-31'], warnings: [] });
    // The same closure seen from 2027 gives its January day.
    expect(parseICalHolidays(ics(['UID:b', 'DTSTART;VALUE=DATE:20261230', 'DTEND;VALUE=DATE:20270102']), { fromYear: 2027, toYear: 2027 }).holidays).toEqual(['2027-01-01']);
  });

  it('unfolds folded lines and accepts LF, CRLF and lowercase names', () => {
    const folded = 'BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:A very long summary that a producer\n  folded onto a second line\nDTSTART;VALUE=DA\n TE:2026\n\t1225\nend:vevent\nEND:VCALENDAR\n';
    expect(parseICalHolidays(folded, Y2026)).toEqual({ holidays: ['2026-12-25'], warnings: [] });
    expect(parseICalHolidays(folded.replace(/\n/g, '\r\n'), Y2026).holidays).toEqual(['2026-12-25']);
    expect(parseICalHolidays('begin:vcalendar\r\nbegin:vevent\r\ndtstart;value=date:20260101\r\nend:vevent\r\nend:vcalendar', Y2026).holidays).toEqual(['2026-01-01']);
  });

  it('skips timed events with a warning, and cancelled events quietly', () => {
    const result = parseICalHolidays(
      ics(
        ['UID:t', 'SUMMARY:Team offsite', 'DTSTART;TZID=Europe/Berlin:20260310T090000', 'DTEND;TZID=Europe/Berlin:20260310T170000'],
        ['UID:u', 'SUMMARY:Maintenance', 'DTSTART:20260311T220000Z'],
        ['UID:x', 'SUMMARY:Cancelled day off', 'STATUS:CANCELLED', 'DTSTART;VALUE=DATE:20260312'],
        ['UID:y', 'SUMMARY:Real day off', 'DTSTART;VALUE=DATE:20260313'],
      ),
      Y2026,
    );
    expect(result.holidays).toEqual(['2026-03-13']);
    expect(result.warnings).toEqual([
      'event "Team offsite" on 20260310T090000: has a time of day (DTSTART 20260310T090000); only all-day events become holidays; skipped',
      'event "Maintenance" on 20260311T220000Z: has a time of day (DTSTART 20260311T220000Z); only all-day events become holidays; skipped',
    ]);
  });

  it('ignores the properties of nested components and quoted parameter values', () => {
    const result = parseICalHolidays(
      ics(['UID:n', 'SUMMARY:Closed\\, really', 'DTSTART;X-NOTE="a;b:c";VALUE=DATE:20260406', 'BEGIN:VALARM', 'TRIGGER:-PT15M', 'DTSTART:20990101', 'END:VALARM']),
      Y2026,
    );
    expect(result).toEqual({ holidays: ['2026-04-06'], warnings: [] });
  });

  it('reports broken events and refuses absurd ones', () => {
    const result = parseICalHolidays(
      ics(
        ['UID:1', 'SUMMARY:No start'],
        ['UID:2', 'SUMMARY:Bad date', 'DTSTART;VALUE=DATE:20260231'],
        ['UID:3', 'SUMMARY:Backwards', 'DTSTART;VALUE=DATE:20260310', 'DTEND;VALUE=DATE:20260309'],
        ['UID:4', 'SUMMARY:Forever', 'DTSTART;VALUE=DATE:20260101', 'DTEND;VALUE=DATE:20280101'],
      ),
      Y2026,
    );
    expect(result.holidays).toEqual(['2026-03-10']);
    expect(result.warnings).toEqual([
      'event "No start": no DTSTART; skipped',
      'event "Bad date" on 20260231: DTSTART "20260231" is not a date; skipped',
      'event "Backwards" on 20260310: DTEND 20260309 is not after DTSTART; taken as one day',
      'event "Forever" on 20260101: lasts 730 days, longer than a year; skipped',
    ]);
  });

  it('refuses a year range it cannot bound', () => {
    expect(() => parseICalHolidays('', { fromYear: 2027, toYear: 2026 })).toThrow(RangeError);
    expect(() => parseICalHolidays('', { fromYear: 1000, toYear: 3000 })).toThrow(RangeError);
    expect(parseICalHolidays('', Y2026)).toEqual({ holidays: [], warnings: [] });
  });
});

describe('parseICalHolidays: yearly recurrences', () => {
  const years = { fromYear: 2026, toYear: 2028 };

  it('repeats a fixed date every year within the range', () => {
    const result = parseICalHolidays(ics(['UID:ny', 'SUMMARY:New Year', 'DTSTART;VALUE=DATE:19990101', 'RRULE:FREQ=YEARLY']), years);
    expect(result).toEqual({ holidays: ['2026-01-01', '2027-01-01', '2028-01-01'], warnings: [] });
  });

  it('repeats a multi-day closure', () => {
    const result = parseICalHolidays(ics(['UID:x', 'DTSTART;VALUE=DATE:20251224', 'DTEND;VALUE=DATE:20251227', 'RRULE:FREQ=YEARLY']), { fromYear: 2026, toYear: 2027 });
    expect(result.holidays).toEqual(['2026-12-24', '2026-12-25', '2026-12-26', '2027-12-24', '2027-12-25', '2027-12-26']);
  });

  it('picks nth and last weekdays of a month (Thanksgiving, Memorial Day)', () => {
    const result = parseICalHolidays(
      ics(
        ['UID:tg', 'SUMMARY:Thanksgiving', 'DTSTART;VALUE=DATE:20201126', 'RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH'],
        ['UID:md', 'SUMMARY:Memorial Day', 'DTSTART;VALUE=DATE:20200525', 'RRULE:FREQ=YEARLY;BYMONTH=5;BYDAY=-1MO'],
      ),
      years,
    );
    expect(result).toEqual({
      holidays: ['2026-05-25', '2026-11-26', '2027-05-31', '2027-11-25', '2028-05-29', '2028-11-23'],
      warnings: [],
    });
  });

  it('honours INTERVAL, COUNT, UNTIL and BYMONTHDAY', () => {
    const result = parseICalHolidays(
      ics(
        ['UID:i', 'DTSTART;VALUE=DATE:20240301', 'RRULE:FREQ=YEARLY;INTERVAL=2'],
        ['UID:c', 'DTSTART;VALUE=DATE:20250401', 'RRULE:FREQ=YEARLY;COUNT=3'],
        ['UID:u', 'DTSTART;VALUE=DATE:20250502', 'RRULE:FREQ=YEARLY;UNTIL=20270502'],
        ['UID:m', 'DTSTART;VALUE=DATE:20260131', 'RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1'],
      ),
      years,
    );
    expect(result.holidays).toEqual(['2026-01-31', '2026-02-28', '2026-03-01', '2026-04-01', '2026-05-02', '2027-02-28', '2027-04-01', '2027-05-02', '2028-02-29', '2028-03-01']);
    expect(result.warnings).toEqual([]);
  });

  it('skips 29 February in years without it', () => {
    const result = parseICalHolidays(ics(['UID:l', 'DTSTART;VALUE=DATE:20240229', 'RRULE:FREQ=YEARLY']), { fromYear: 2024, toYear: 2029 });
    expect(result.holidays).toEqual(['2024-02-29', '2028-02-29']);
  });

  it('applies EXDATE, RDATE and a RECURRENCE-ID override', () => {
    const result = parseICalHolidays(
      ics(
        ['UID:feast', 'SUMMARY:Founders day', 'DTSTART;VALUE=DATE:20250612', 'RRULE:FREQ=YEARLY', 'EXDATE;VALUE=DATE:20270612', 'RDATE;VALUE=DATE:20261002,20261003'],
        // In 2028 the day is moved to the Friday.
        ['UID:feast', 'SUMMARY:Founders day (moved)', 'RECURRENCE-ID;VALUE=DATE:20280612', 'DTSTART;VALUE=DATE:20280616'],
      ),
      years,
    );
    expect(result).toEqual({ holidays: ['2026-06-12', '2026-10-02', '2026-10-03', '2028-06-16'], warnings: [] });
  });

  it('imports only the first occurrence of rules it does not support, and says so', () => {
    const result = parseICalHolidays(
      ics(
        ['UID:w', 'SUMMARY:Weekly', 'DTSTART;VALUE=DATE:20260105', 'RRULE:FREQ=WEEKLY;BYDAY=MO'],
        ['UID:p', 'SUMMARY:Set position', 'DTSTART;VALUE=DATE:20260130', 'RRULE:FREQ=YEARLY;BYMONTH=1;BYDAY=FR;BYSETPOS=-1'],
      ),
      Y2026,
    );
    expect(result.holidays).toEqual(['2026-01-05', '2026-01-30']);
    expect(result.warnings).toEqual([
      'event "Weekly" on 20260105: RRULE FREQ=WEEKLY;BYDAY=MO has FREQ=WEEKLY, and only FREQ=YEARLY is supported; only the first occurrence was imported',
      'event "Set position" on 20260130: RRULE FREQ=YEARLY;BYMONTH=1;BYDAY=FR;BYSETPOS=-1 uses BYSETPOS, which is not supported; only the first occurrence was imported',
    ]);
  });
});
