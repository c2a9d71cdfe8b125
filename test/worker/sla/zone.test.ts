import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTimeZone, offsetAt, wallClockAt, wallToInstant } from '../../../worker/sla/zone.ts';
import { TRANSITIONS } from './anchors.ts';

const at = (iso: string) => Date.parse(iso);
/** A wall-clock reading written as ISO without a zone, as naive milliseconds. */
const wall = (local: string) => Date.parse(`${local}Z`);
const HOUR = 3_600_000;

describe('offsetAt', () => {
  it('reads the offsets of whole-hour, half-hour and 45-minute zones', () => {
    expect(offsetAt('Europe/Berlin', at('2026-01-15T12:00Z'))).toBe(HOUR);
    expect(offsetAt('Europe/Berlin', at('2026-07-15T12:00Z'))).toBe(2 * HOUR);
    expect(offsetAt('America/New_York', at('2026-07-15T12:00Z'))).toBe(-4 * HOUR);
    expect(offsetAt('Asia/Kolkata', at('2026-07-15T12:00Z'))).toBe(5.5 * HOUR);
    expect(offsetAt('Australia/Lord_Howe', at('2026-07-15T12:00Z'))).toBe(10.5 * HOUR);
    expect(offsetAt('Australia/Lord_Howe', at('2026-01-15T12:00Z'))).toBe(11 * HOUR);
    expect(offsetAt('Pacific/Chatham', at('2026-07-15T12:00Z'))).toBe(12.75 * HOUR);
    expect(offsetAt('UTC', at('2026-07-15T12:00:00.999Z'))).toBe(0);
  });

  it('changes at each listed transition of 2026–2027 (the anchors of the property tests)', () => {
    for (const [zone, instants] of Object.entries(TRANSITIONS)) {
      for (const instant of instants) {
        const t = at(instant);
        expect(offsetAt(zone, t - 1), `${zone} ${instant}`).not.toBe(offsetAt(zone, t));
        expect(offsetAt(zone, t - HOUR)).toBe(offsetAt(zone, t - 1));
        expect(offsetAt(zone, t + HOUR)).toBe(offsetAt(zone, t));
      }
    }
  });

  it('reads midnight as hour 0 of the new date', () => {
    expect(wallClockAt('Europe/Berlin', at('2026-01-14T23:00Z'))).toBe(wall('2026-01-15T00:00'));
  });
});

describe('wallToInstant', () => {
  it('maps an ordinary wall time to its one instant', () => {
    expect(wallToInstant('Europe/Berlin', wall('2026-03-29T09:00'))).toBe(at('2026-03-29T07:00Z'));
    expect(wallToInstant('Asia/Kolkata', wall('2026-12-31T23:59'))).toBe(at('2026-12-31T18:29Z'));
    expect(wallToInstant('UTC', wall('2027-01-01T00:00'))).toBe(at('2027-01-01T00:00Z'));
  });

  it('maps a wall time in the spring-forward gap to the jump', () => {
    expect(wallToInstant('Europe/Berlin', wall('2026-03-29T02:00'))).toBe(at('2026-03-29T01:00Z'));
    expect(wallToInstant('Europe/Berlin', wall('2026-03-29T02:30'))).toBe(at('2026-03-29T01:00Z'));
    expect(wallToInstant('Europe/Berlin', wall('2026-03-29T03:00'))).toBe(at('2026-03-29T01:00Z'));
    expect(wallToInstant('America/New_York', wall('2026-03-08T02:59'))).toBe(at('2026-03-08T07:00Z'));
    expect(wallToInstant('Australia/Lord_Howe', wall('2026-10-04T02:15'))).toBe(at('2026-10-03T15:30Z'));
    expect(wallToInstant('Pacific/Chatham', wall('2026-09-27T03:00'))).toBe(at('2026-09-26T14:00Z'));
  });

  it('maps a wall time the fall-back repeats to its first (earlier) occurrence', () => {
    expect(wallToInstant('Europe/Berlin', wall('2026-10-25T02:30'))).toBe(at('2026-10-25T00:30Z'));
    expect(wallToInstant('Europe/Berlin', wall('2026-10-25T03:00'))).toBe(at('2026-10-25T02:00Z'));
    expect(wallToInstant('America/New_York', wall('2026-11-01T01:30'))).toBe(at('2026-11-01T05:30Z'));
    expect(wallToInstant('Australia/Lord_Howe', wall('2026-04-05T01:45'))).toBe(at('2026-04-04T14:45Z'));
  });

  it('never decreases as the wall time grows, and a later wall time reads at least that', () => {
    const zones = [...Object.keys(TRANSITIONS), 'Asia/Kolkata', 'UTC'];
    const anchors = Object.values(TRANSITIONS).flat().map(at);
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.constantFrom(...anchors), fc.integer({ min: -36 * HOUR, max: 36 * HOUR }), fc.integer({ min: 0, max: 3 * HOUR }), (zone, anchor, shift, step) => {
        const w = anchor + shift;
        const t = wallToInstant(zone, w);
        expect(wallToInstant(zone, w + step)).toBeGreaterThanOrEqual(t);
        expect(wallClockAt(zone, t)).toBeGreaterThanOrEqual(w);
        // And nothing earlier reads that late: the second before still reads earlier.
        expect(wallClockAt(zone, t - 1000)).toBeLessThan(w);
      }),
      { numRuns: 300 },
    );
  });
});

describe('isTimeZone', () => {
  it('knows IANA names and refuses others', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('Australia/Lord_Howe')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });
});
