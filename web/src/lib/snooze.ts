// The snooze presets, in the agent's browser time zone: later today, tomorrow morning, next Monday
// morning, until the customer replies. Pure: the clock is passed in.

export interface SnoozePreset {
  key: 'later' | 'tomorrow' | 'next-week' | 'reply';
  label: string;
  /** Null: until the customer replies. */
  until: number | null;
}

const HOUR = 3_600_000;

function at(day: Date, hours: number): Date {
  const d = new Date(day);
  d.setHours(hours, 0, 0, 0);
  return d;
}

/** Later today: 18:00 when that is over an hour away, else three hours from now. */
export function laterToday(now: Date): number {
  const six = at(now, 18).getTime();
  return six - now.getTime() > HOUR ? six : now.getTime() + 3 * HOUR;
}

export function tomorrowMorning(now: Date): number {
  const d = at(now, 9);
  d.setDate(d.getDate() + 1);
  return d.getTime();
}

/** Monday 09:00 of next week (a week from today when today is Monday). */
export function nextMonday(now: Date): number {
  const d = at(now, 9);
  const ahead = (8 - d.getDay()) % 7 || 7;
  d.setDate(d.getDate() + ahead);
  return d.getTime();
}

export function snoozePresets(now: Date): SnoozePreset[] {
  return [
    { key: 'later', label: 'Later today', until: laterToday(now) },
    { key: 'tomorrow', label: 'Tomorrow 9:00', until: tomorrowMorning(now) },
    { key: 'next-week', label: 'Next week (Monday 9:00)', until: nextMonday(now) },
    { key: 'reply', label: 'Until the customer replies', until: null },
  ];
}

/** A datetime-local input's value (local time) as ms, or null when it is empty or not a time. */
export function fromLocalInput(value: string): number | null {
  if (!value) return null;
  const t = new Date(value).getTime();
  return Number.isNaN(t) ? null : t;
}

/** Why a custom snooze time cannot be taken, or null when it can (the server checks the same). */
export function customProblem(until: number | null, now: number): string | null {
  if (until === null) return 'choose a date and time';
  if (until <= now) return 'choose a time in the future';
  if (until > now + 366 * 24 * HOUR) return 'choose a time within a year';
  return null;
}

export function snoozeLabel(s: { until: number | null }): string {
  if (s.until === null) return 'Snoozed until the customer replies';
  return `Snoozed until ${new Date(s.until).toLocaleString(undefined, { weekday: 'short', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })}`;
}
