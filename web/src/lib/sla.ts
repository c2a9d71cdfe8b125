// SLA display helpers: the badge's words and the report's numbers. Pure functions returning plain
// strings (rendered as text); the colour always comes from the server's verdict, never our clock.
import type { SlaReport, SlaView } from '../../../worker/protocol/api.ts';
import { formatDate } from './format.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export type SlaTargetName = NonNullable<SlaView['target']>;

export const TARGET_LABELS: Record<SlaTargetName, string> = {
  firstResponse: 'First response',
  nextResponse: 'Next response',
  resolution: 'Resolution',
};

/** A length of time as at most two units: "3d 4h", "2h 10m", "25m", "<1m". Negative counts as positive. */
export function formatDuration(ms: number): string {
  const total = Math.floor(Math.abs(ms) / MINUTE);
  if (total < 1) return '<1m';
  const d = Math.floor(total / (DAY / MINUTE));
  const h = Math.floor((total % (DAY / MINUTE)) / 60);
  const m = total % 60;
  if (d > 0) return h > 0 ? `${d}d ${h}h` : `${d}d`;
  if (h > 0) return m > 0 ? `${h}h ${m}m` : `${h}h`;
  return `${m}m`;
}

/** Minutes (possibly fractional, as the report gives them) as "3h 20m"; null as an en dash. */
export function formatMinutes(minutes: number | null): string {
  if (minutes === null || !Number.isFinite(minutes)) return '–';
  return formatDuration(Math.round(minutes) * MINUTE);
}

export type BadgeState = 'ok' | 'warning' | 'breached' | 'paused';

export interface BadgeText {
  state: BadgeState;
  /** Whether the server says an SLA was breached (also while paused). */
  breached: boolean;
  /** What the label speaks of: a target ("First response") or the SLA as a whole. */
  subject: string;
  label: string;
  title: string;
}

/**
 * What the badge says at `now`, or null when there is nothing to say (no policy; or no clock running
 * and nothing breached). The countdown is wall-clock time to the server's due instant, which may
 * itself have been computed in office hours: the title gives that instant exactly.
 */
export function badgeText(sla: SlaView | null | undefined, now: number): BadgeText | null {
  if (!sla) return null;
  const breached = sla.state === 'breached';
  const what = sla.target ? TARGET_LABELS[sla.target] : 'SLA';
  const dueLine = sla.dueAt !== null ? `${what} due ${formatDate(sla.dueAt)}` : null;
  const note = 'The countdown is wall-clock time; the SLA policy may count office hours only.';
  if (sla.paused) {
    return {
      state: 'paused',
      breached,
      subject: 'SLA',
      label: breached ? 'paused · breached' : 'paused',
      title: ['SLA clocks are paused while the case waits on the customer.', breached ? 'An SLA target was already breached.' : null].filter(Boolean).join(' '),
    };
  }
  if (sla.dueAt === null) {
    if (!breached) return null;
    return { state: 'breached', breached, subject: 'SLA', label: 'breached', title: 'An SLA target of this case was breached; no other target is running.' };
  }
  const left = sla.dueAt - now;
  if (breached) {
    // The earliest running target is the breached one, or (once answered) a later one still to come.
    const label = left <= 0 ? `breached ${formatDuration(left)} ago` : 'breached';
    const title = left <= 0 ? `${dueLine}. ${note}` : `An SLA target was breached (the server's sweep decides breaches). Earliest due time still open: ${dueLine}.`;
    return { state: 'breached', breached, subject: left <= 0 ? what : 'SLA', label, title };
  }
  // Not breached by the server's sweep (yet): say how the clock stands, in the server's colour.
  const label = left >= MINUTE ? `due in ${formatDuration(left)}` : left > -MINUTE ? 'due now' : `due ${formatDuration(left)} ago`;
  return { state: sla.state, breached, subject: what, label, title: `${dueLine}. ${note}` };
}

// ---------------------------------------------------------------------------------------------
// The report

/** The share of `part` in `whole` as "42%", or an en dash when there is no whole. */
export function percent(part: number, whole: number): string {
  if (whole <= 0) return '–';
  return `${Math.round((part / whole) * 100)}%`;
}

/** A UTC calendar date (YYYY-MM-DD), which is what the report's range is made of. */
export function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The default range: the last 30 days including today (UTC), as the server's own default. */
export function defaultRange(now: number): { from: string; to: string } {
  return { from: utcDate(now - 29 * DAY), to: utcDate(now) };
}

export function isDate(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`));
}

export interface Totals {
  cases: number;
  met: number;
  breached: number;
  open: number;
}

export function totalsOf(daily: SlaReport['daily']): Totals {
  const t = { cases: 0, met: 0, breached: 0, open: 0 };
  for (const d of daily) {
    t.met += d.met;
    t.breached += d.breached;
    t.open += d.open;
  }
  t.cases = t.met + t.breached + t.open;
  return t;
}

/** The chart's axis: a round tick step (1, 2, 5, 10, 20, …) giving at most five ticks, and the top. */
export function niceScale(max: number): { top: number; step: number } {
  if (!(max > 0)) return { top: 1, step: 1 };
  for (let magnitude = 1; ; magnitude *= 10) {
    for (const f of [1, 2, 5]) {
      const step = f * magnitude;
      const ticks = Math.ceil(max / step);
      if (ticks <= 5) return { top: ticks * step, step };
    }
  }
}

/** "14 Mar" for a YYYY-MM-DD date, read as UTC (the report's days are UTC days). */
export function shortDate(date: string): string {
  return new Date(`${date}T00:00:00Z`).toLocaleDateString(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });
}
