// SLA policies and calendars, as admins configure them: validated, audited, and referenced by
// mailboxes (PATCH /api/admin/mailboxes/:id { slaPolicyId, calendarId, slaOfficeHoursOnly }).
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { calendars, slaPolicies } from '../db/schema.ts';
import type { Db } from '../deps.ts';
import { CASE_PRIORITIES } from '../protocol/api.ts';
import { newId } from '../protocol/ids.ts';
import { validateCalendar } from '../sla/calendar.ts';
import { parseICalHolidays } from '../sla/ical.ts';
import { auditInsert, diff } from './audit.ts';
import { AdminRefused } from './errors.ts';

const minutes = z
  .number()
  .int()
  .min(1)
  .max(365 * 24 * 60)
  .nullable();
const targets = z.object({ firstResponse: minutes.optional(), nextResponse: minutes.optional(), resolution: minutes.optional() }).strict();
const escalation = z
  .object({
    on: z.enum(['warning', 'breach']),
    action: z.enum(['notify-assignee', 'notify-address', 'reassign', 'raise-priority']),
    address: z.string().email().max(320).optional(),
    agentId: z.string().max(100).optional(),
    team: z.string().max(100).optional(),
  })
  .strict()
  .refine((e) => e.action !== 'notify-address' || e.address, { message: 'notify-address needs an address' })
  .refine((e) => e.action !== 'reassign' || e.agentId || e.team, { message: 'reassign needs an agentId or a team' });

export const policyBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    firstResponseMinutes: minutes,
    nextResponseMinutes: minutes,
    resolutionMinutes: minutes,
    byPriority: z.partialRecord(z.enum(CASE_PRIORITIES), targets).default({}),
    pauseWhenPending: z.boolean().default(true),
    warnMinutes: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 60)
      .default(30),
    escalations: z.array(escalation).max(20).default([]),
  })
  .strict();

export const calendarBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    timeZone: z.string().min(1).max(64),
    weekly: z.record(z.string(), z.array(z.object({ start: z.string(), end: z.string() }).strict()).max(12)),
    holidays: z.array(z.string()).max(2000).default([]),
  })
  .strict();

export interface Who {
  workspaceId: string;
  actor: string;
  now: number;
}

function policyRow(p: z.infer<typeof policyBody>) {
  return { ...p, byPriority: JSON.stringify(p.byPriority), escalations: JSON.stringify(p.escalations) };
}

export async function listPolicies(db: Db, workspaceId: string) {
  const rows = await db.select().from(slaPolicies).where(eq(slaPolicies.workspaceId, workspaceId));
  return rows.map((r) => ({ ...r, byPriority: JSON.parse(r.byPriority), escalations: JSON.parse(r.escalations) }));
}

export async function savePolicy(db: Db, who: Who, id: string | null, body: z.infer<typeof policyBody>) {
  const values = policyRow(body);
  if (id) {
    const before = await db
      .select()
      .from(slaPolicies)
      .where(and(eq(slaPolicies.id, id), eq(slaPolicies.workspaceId, who.workspaceId)))
      .get();
    if (!before) throw new AdminRefused('not_found', 'SLA policy not found');
    await db.batch([
      db
        .update(slaPolicies)
        .set({ ...values, updatedAt: who.now })
        .where(eq(slaPolicies.id, id)),
      auditInsert(db, { workspaceId: who.workspaceId, actor: who.actor, entity: 'sla-policy', entityId: id, action: 'update', changes: diff(before, values), at: who.now }),
    ]);
    return id;
  }
  const newIdValue = newId('workspace', who.now).replace(/^ws_/, 'sla_');
  await db.batch([
    db.insert(slaPolicies).values({ id: newIdValue, workspaceId: who.workspaceId, ...values, createdAt: who.now, updatedAt: who.now }),
    auditInsert(db, { workspaceId: who.workspaceId, actor: who.actor, entity: 'sla-policy', entityId: newIdValue, action: 'create', changes: diff({}, values), at: who.now }),
  ]);
  return newIdValue;
}

export async function listCalendars(db: Db, workspaceId: string) {
  const rows = await db.select().from(calendars).where(eq(calendars.workspaceId, workspaceId));
  return rows.map((r) => ({ ...r, weekly: JSON.parse(r.weekly), holidays: JSON.parse(r.holidays) }));
}

/** Validated with the same rules the SLA arithmetic uses; errors come back one per problem. */
export async function saveCalendar(db: Db, who: Who, id: string | null, body: z.infer<typeof calendarBody>) {
  const check = validateCalendar({ timeZone: body.timeZone, weekly: body.weekly, holidays: body.holidays });
  if (!check.ok)
    throw new AdminRefused(
      'bad_request',
      `invalid calendar: ${check.errors.join('; ')}`,
      check.errors.map((message) => ({ code: 'custom' as const, path: ['calendar'], message })),
    );
  const values = { name: body.name, timeZone: check.calendar.timeZone, weekly: JSON.stringify(check.calendar.weekly), holidays: JSON.stringify(check.calendar.holidays) };
  if (id) {
    const before = await db
      .select()
      .from(calendars)
      .where(and(eq(calendars.id, id), eq(calendars.workspaceId, who.workspaceId)))
      .get();
    if (!before) throw new AdminRefused('not_found', 'calendar not found');
    await db.batch([
      db
        .update(calendars)
        .set({ ...values, updatedAt: who.now })
        .where(eq(calendars.id, id)),
      auditInsert(db, { workspaceId: who.workspaceId, actor: who.actor, entity: 'calendar', entityId: id, action: 'update', changes: diff(before, values), at: who.now }),
    ]);
    return id;
  }
  const newIdValue = newId('workspace', who.now).replace(/^ws_/, 'cal_');
  await db.batch([
    db.insert(calendars).values({ id: newIdValue, workspaceId: who.workspaceId, ...values, createdAt: who.now, updatedAt: who.now }),
    auditInsert(db, { workspaceId: who.workspaceId, actor: who.actor, entity: 'calendar', entityId: newIdValue, action: 'create', changes: diff({}, values), at: who.now }),
  ]);
  return newIdValue;
}

/** Adds the all-day events of an iCalendar file (public holidays, company closures) as holidays. */
export async function importHolidays(db: Db, who: Who, id: string, ics: string, years: { fromYear: number; toYear: number }) {
  const row = await db
    .select()
    .from(calendars)
    .where(and(eq(calendars.id, id), eq(calendars.workspaceId, who.workspaceId)))
    .get();
  if (!row) throw new AdminRefused('not_found', 'calendar not found');
  const { holidays, warnings } = parseICalHolidays(ics, years);
  const merged = [...new Set([...(JSON.parse(row.holidays) as string[]), ...holidays])].sort();
  await saveCalendar(db, who, id, { name: row.name, timeZone: row.timeZone, weekly: JSON.parse(row.weekly), holidays: merged });
  return { added: merged.length - (JSON.parse(row.holidays) as string[]).length, holidays: merged, warnings };
}
