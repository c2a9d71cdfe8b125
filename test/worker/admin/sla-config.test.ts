import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog, calendars, slaPolicies } from '../../../worker/db/schema.ts';
import { seeded } from '../helpers.ts';
import { call, expectError, ORIGIN } from '../http/client.ts';

const json = (method: string, path: string, body: unknown) => call(path, { method, headers: { 'Content-Type': 'application/json', Origin: ORIGIN }, body: JSON.stringify(body) });

describe('SLA policies and calendars (admin)', () => {
  it('creates and updates a policy per priority, audited; refuses nonsense', async () => {
    const deps = await seeded();
    const res = await json('POST', '/api/admin/sla-policies', {
      name: 'Gold',
      firstResponseMinutes: 60,
      nextResponseMinutes: 120,
      resolutionMinutes: 480,
      byPriority: { urgent: { firstResponse: 15 } },
      escalations: [{ on: 'breach', action: 'notify-address', address: 'boss@acme.test' }],
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect(await deps.db.select().from(slaPolicies).where(eq(slaPolicies.id, id)).get()).toMatchObject({ name: 'Gold', firstResponseMinutes: 60, warnMinutes: 30 });
    expect((await json('PUT', `/api/admin/sla-policies/${id}`, { name: 'Gold', firstResponseMinutes: 30, nextResponseMinutes: null, resolutionMinutes: 480 })).status).toBe(200);
    const audits = await deps.db.select().from(auditLog).where(eq(auditLog.entityId, id));
    expect(audits.map((a) => a.action)).toEqual(['create', 'update']);
    await expectError(await json('POST', '/api/admin/sla-policies', { name: 'x', firstResponseMinutes: -5, nextResponseMinutes: null, resolutionMinutes: null }), 400, 'bad_request');
    await expectError(
      await json('POST', '/api/admin/sla-policies', {
        name: 'x',
        firstResponseMinutes: 5,
        nextResponseMinutes: null,
        resolutionMinutes: null,
        escalations: [{ on: 'breach', action: 'notify-address' }],
      }),
      400,
      'bad_request',
    );
    await expectError(await json('PUT', '/api/admin/sla-policies/sla_nope', { name: 'x', firstResponseMinutes: 5, nextResponseMinutes: null, resolutionMinutes: null }), 404, 'not_found');
  });

  it('validates calendars with the SLA arithmetic’s own rules and imports iCalendar holidays', async () => {
    const deps = await seeded();
    const bad = await json('POST', '/api/admin/calendars', { name: 'x', timeZone: 'Mars/Olympus', weekly: {} });
    await expectError(bad, 400, 'bad_request');
    const overlap = await json('POST', '/api/admin/calendars', {
      name: 'x',
      timeZone: 'UTC',
      weekly: {
        1: [
          { start: '09:00', end: '12:00' },
          { start: '11:00', end: '13:00' },
        ],
      },
    });
    await expectError(overlap, 400, 'bad_request');
    const res = await json('POST', '/api/admin/calendars', {
      name: 'Vienna',
      timeZone: 'Europe/Vienna',
      weekly: {
        1: [
          { start: '08:00', end: '12:00' },
          { start: '13:00', end: '17:00' },
        ],
      },
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const year = new Date().getUTCFullYear();
    const ics = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'BEGIN:VEVENT', `DTSTART;VALUE=DATE:${year}1224`, `DTEND;VALUE=DATE:${year}1227`, 'SUMMARY:Christmas', 'END:VEVENT', 'END:VCALENDAR', ''].join(
      '\r\n',
    );
    const imported = await call(`/api/admin/calendars/${id}/holidays/ical`, { method: 'POST', headers: { 'Content-Type': 'text/calendar', Origin: ORIGIN }, body: ics });
    expect(imported.status).toBe(200);
    expect(await imported.json()).toMatchObject({ added: 3, holidays: [`${year}-12-24`, `${year}-12-25`, `${year}-12-26`] });
    expect(JSON.parse((await deps.db.select().from(calendars).where(eq(calendars.id, id)).get())!.holidays)).toHaveLength(3);
  });
});
