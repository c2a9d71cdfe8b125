// The SLA report: per mailbox and per agent, how many cases met or breached their SLA over a date
// range, the median time to first response, and a day-by-day series for the chart.
import { Hono } from 'hono';
import { z } from 'zod';
import { slaReportCases } from '../../db/queries/reports.ts';
import { loadCalendar } from '../../sla/apply.ts';
import { businessTimeBetween, CALENDAR_24_7, type Calendar } from '../../sla/calendar.ts';
import type { SlaReport, SlaReportRow } from '../../protocol/api.ts';
import type { AppEnv } from '../env.ts';
import { ApiFailure } from '../errors.ts';
import { parseQuery } from '../validate.ts';

export const reportRoutes = new Hono<AppEnv>();

const DAY = 86_400_000;
const query = z.object({
  /** ISO dates (YYYY-MM-DD, UTC); default: the last 30 days. */
  from: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
  to: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
});

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

reportRoutes.get('/sla', async (c) => {
  const q = parseQuery(c, query);
  const now = c.var.deps.now();
  const to = q.to ? Date.parse(`${q.to}T00:00:00Z`) + DAY : Math.ceil(now / DAY) * DAY;
  const from = q.from ? Date.parse(`${q.from}T00:00:00Z`) : to - 30 * DAY;
  if (!(from < to)) throw new ApiFailure('bad_request', '"from" must be before "to"');
  if (to - from > 366 * DAY) throw new ApiFailure('bad_request', 'the range may span at most a year');
  const { db } = c.var.deps;
  const rows = await slaReportCases(db, c.var.workspaceId, from, to);
  const calendars = new Map<string, Calendar>();
  const calendarFor = async (id: string | null, officeHours: boolean): Promise<Calendar> => {
    if (!officeHours || !id) return CALENDAR_24_7;
    if (!calendars.has(id)) calendars.set(id, (await loadCalendar(db, id)) ?? CALENDAR_24_7);
    return calendars.get(id)!;
  };
  const groups = { mailbox: new Map<string, SlaReportRow & { frt: number[] }>(), agent: new Map<string, SlaReportRow & { frt: number[] }>() };
  const days = new Map<string, { date: string; met: number; breached: number; open: number }>();
  for (let t = from; t < to; t += DAY) {
    const date = new Date(t).toISOString().slice(0, 10);
    days.set(date, { date, met: 0, breached: 0, open: 0 });
  }
  for (const r of rows) {
    const k = r.kase;
    const outcome = k.slaBreachedMask ? 'breached' : k.status === 'resolved' || k.status === 'closed' ? 'met' : 'open';
    const frt = k.firstRespondedAt !== null ? businessTimeBetween(k.createdAt, k.firstRespondedAt, await calendarFor(r.calendarId, r.officeHours)) : null;
    const add = (map: Map<string, SlaReportRow & { frt: number[] }>, id: string, name: string) => {
      const g = map.get(id) ?? { id, name, cases: 0, met: 0, breached: 0, open: 0, medianFirstResponseMinutes: null, frt: [] };
      g.cases++;
      g[outcome]++;
      if (frt !== null) g.frt.push(frt);
      map.set(id, g);
    };
    add(groups.mailbox, k.mailboxId, r.mailboxName);
    add(groups.agent, k.assigneeId ?? 'unassigned', r.agentName ?? 'Unassigned');
    const day = days.get(new Date(k.createdAt).toISOString().slice(0, 10));
    if (day) day[outcome]++;
  }
  const finish = (map: Map<string, SlaReportRow & { frt: number[] }>): SlaReportRow[] =>
    [...map.values()].map(({ frt, ...g }) => ({ ...g, medianFirstResponseMinutes: median(frt) })).sort((a, b) => b.cases - a.cases);
  const report: SlaReport = {
    from: new Date(from).toISOString().slice(0, 10),
    to: new Date(to - DAY).toISOString().slice(0, 10),
    byMailbox: finish(groups.mailbox),
    byAgent: finish(groups.agent),
    daily: [...days.values()],
  };
  return c.json(report);
});
