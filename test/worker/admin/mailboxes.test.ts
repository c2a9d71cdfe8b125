// /api/admin/mailboxes: every setting readable and changeable by admins only, each bad value refused
// with a message on its field, every change audited in its own batch.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { agents, auditLog, calendars, mailboxes, slaPolicies, workspaces } from '../../../worker/db/schema.ts';
import type { AckPreview, MailboxOptions, MailboxSettings } from '../../../worker/protocol/admin.ts';
import { DEMO, flakyD1, seeded } from '../helpers.ts';
import { auditRows, call, countingD1, issuesOf, json, PASSWORD, send, signedIn } from './helpers.ts';

const SUPPORT = `/api/admin/mailboxes/${DEMO.mailboxId}`;

describe('GET /api/admin/mailboxes', () => {
  it('lists every mailbox with all its settings, and the choices the form needs', async () => {
    const deps = await seeded();
    await deps.db.update(agents).set({ team: 'billing' }).where(eq(agents.id, 'agt_ben'));
    const body = await json<{ items: MailboxSettings[]; options: MailboxOptions }>(await call('/api/admin/mailboxes'));
    expect(body.items).toHaveLength(1);
    const m = body.items[0]!;
    expect(m).toMatchObject({
      id: DEMO.mailboxId,
      address: DEMO.mailbox,
      displayName: 'Acme Support',
      enabled: true,
      slaPolicyId: DEMO.slaPolicyId,
      calendarId: DEMO.calendarId,
      slaOfficeHoursOnly: true,
      ackCreateTemplate: null,
      attachmentAllowedTypes: [],
      maxMessageBytes: 25 * 1024 * 1024,
      replyPolicy: 'participants',
      unverifiedPolicy: 'allow',
    });
    // Every column of the table is in the view (templates and type lists parsed).
    const row = (await deps.db.select().from(mailboxes).get())!;
    expect(Object.keys(m).sort()).toEqual(
      Object.keys(row)
        .filter((k) => k !== 'workspaceId')
        .sort(),
    );
    expect(body.options.teams).toEqual(['billing']);
    expect(body.options.agents.map((a) => a.id).sort()).toEqual(['agt_ada', 'agt_ben']);
    expect(body.options.slaPolicies).toEqual([{ id: DEMO.slaPolicyId, name: 'Standard' }]);
    expect(body.options.calendars[0]).toMatchObject({ id: DEMO.calendarId, timeZone: 'Europe/Berlin' });
  });

  it('GET /:id answers one mailbox; another workspace’s or an unknown id is 404', async () => {
    await seeded();
    expect((await json<MailboxSettings>(await call(SUPPORT))).address).toBe(DEMO.mailbox);
    expect((await call('/api/admin/mailboxes/mbx_nope')).status).toBe(404);
  });
});

describe('POST /api/admin/mailboxes', () => {
  it('creates a mailbox with defaults, lower-cases the address, and audits every value', async () => {
    const deps = await seeded();
    const created = await json<MailboxSettings>(await send('/api/admin/mailboxes', { address: '  Billing@Acme.TEST ', displayName: 'Acme Billing', ackOnCreate: false }), 201);
    expect(created).toMatchObject({ address: 'billing@acme.test', displayName: 'Acme Billing', ackOnCreate: false, enabled: true, followUpDays: 14, attachmentMaxCount: 5 });
    expect(created.id).toMatch(/^mbx_/);
    const [row] = await auditRows(deps);
    expect(row).toMatchObject({ entity: 'mailbox', entityId: created.id, action: 'create', actor: 'local', workspaceId: DEMO.workspaceId });
    expect(row!.changes.address).toEqual([null, 'billing@acme.test']);
    expect(row!.changes.ackOnCreate).toEqual([null, false]);
  });

  it('refuses a taken address, a reserved one, a plus address and a missing display name', async () => {
    await seeded();
    expect(await issuesOf(await send('/api/admin/mailboxes', { address: DEMO.mailbox.toUpperCase(), displayName: 'Again' }))).toEqual({
      address: [`${DEMO.mailbox} is already the address of a mailbox`],
    });
    expect(Object.keys(await issuesOf(await send('/api/admin/mailboxes', { address: 'reply@acme.test', displayName: 'R' })))).toEqual(['address']);
    expect(Object.keys(await issuesOf(await send('/api/admin/mailboxes', { address: 'sales+x@acme.test', displayName: 'S' })))).toEqual(['address']);
    expect(Object.keys(await issuesOf(await send('/api/admin/mailboxes', { address: 'sales@acme.test' })))).toEqual(['displayName']);
    expect(Object.keys(await issuesOf(await send('/api/admin/mailboxes', { address: 'not-an-address', displayName: 'S' })))).toEqual(['address']);
  });
});

describe('PATCH /api/admin/mailboxes/:id', () => {
  it('changes every kind of setting and records exactly what changed, before and after, in the same batch', async () => {
    const deps = await seeded();
    const { d1, batches } = countingD1();
    const template = { subject: 'We got it: {{case.subject}}', text: 'Hello {{customer.name}}, case #{{case.number}} is open.', html: '<p>Hello {{customer.name}}</p>' };
    const res = await send(
      SUPPORT,
      {
        displayName: 'Acme Help',
        catchAllAddress: 'Held@Example.com',
        attachmentAllowedTypes: ['image/*', 'Application/PDF'],
        followUpPolicy: 'reopen-within',
        followUpDays: 30,
        ackCreateTemplate: template,
        floodMaxPerSender: 20,
        ackMaxPerRecipientDay: 3,
        maxMessageBytes: 10 * 1024 * 1024,
        unverifiedPolicy: 'token-only',
      },
      'PATCH',
      { DB: d1 },
    );
    const m = await json<MailboxSettings>(res);
    expect(batches()).toBe(1);
    expect(m).toMatchObject({ displayName: 'Acme Help', catchAllAddress: 'held@example.com', attachmentAllowedTypes: ['image/*', 'application/pdf'], followUpDays: 30, ackCreateTemplate: template });
    const row = (await deps.db.select().from(mailboxes).where(eq(mailboxes.id, DEMO.mailboxId)).get())!;
    expect(JSON.parse(row.ackCreateTemplate!)).toEqual(template);
    expect(JSON.parse(row.attachmentAllowedTypes)).toEqual(['image/*', 'application/pdf']);
    const audits = await auditRows(deps);
    expect(audits).toHaveLength(1);
    expect(audits[0]!.changes).toEqual({
      displayName: ['Acme Support', 'Acme Help'],
      catchAllAddress: [null, 'held@example.com'],
      attachmentAllowedTypes: [[], ['image/*', 'application/pdf']],
      followUpPolicy: ['reopen', 'reopen-within'],
      followUpDays: [14, 30],
      ackCreateTemplate: [null, template],
      floodMaxPerSender: [15, 20],
      ackMaxPerRecipientDay: [10, 3],
      maxMessageBytes: [25 * 1024 * 1024, 10 * 1024 * 1024],
      unverifiedPolicy: ['allow', 'token-only'],
    });
    expect(audits[0]).toMatchObject({ action: 'update', entity: 'mailbox', entityId: DEMO.mailboxId });
  });

  it('a change that changes nothing writes no audit row', async () => {
    const deps = await seeded();
    await json(await send(SUPPORT, { displayName: 'Acme Support', enabled: true }, 'PATCH'));
    expect(await auditRows(deps)).toHaveLength(0);
  });

  it('when the batch fails, neither the change nor its audit row is written', async () => {
    const deps = await seeded();
    const res = await send(SUPPORT, { displayName: 'Never' }, 'PATCH', { DB: flakyD1(1) });
    expect(res.status).toBe(500);
    expect((await deps.db.select().from(mailboxes).get())!.displayName).toBe('Acme Support');
    expect(await deps.db.select().from(auditLog)).toHaveLength(0);
  });

  it('a save based on an old version is refused (409), without an audit row', async () => {
    const deps = await seeded();
    // Another admin's write lands between our read and our write: simulated by moving updated_at on
    // the first batch (the proxy runs it just before ours).
    const d1 = new Proxy(flakyD1(0), {
      get(target, prop) {
        if (prop === 'batch') {
          return async (stmts: D1PreparedStatement[]) => {
            await target.prepare('UPDATE mailboxes SET updated_at = updated_at + 1000, display_name = ? WHERE id = ?').bind('Other admin', DEMO.mailboxId).run();
            return target.batch(stmts);
          };
        }
        const v = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const res = await send(SUPPORT, { displayName: 'Mine' }, 'PATCH', { DB: d1 });
    expect(res.status).toBe(409);
    expect((await deps.db.select().from(mailboxes).get())!.displayName).toBe('Other admin');
    expect(await deps.db.select().from(auditLog)).toHaveLength(0);
  });

  it('refuses each bad value with a message on its field', async () => {
    await seeded();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ address: 'no-at-sign' }, 'address'],
      [{ displayName: '' }, 'displayName'],
      [{ displayName: 'Two\nlines' }, 'displayName'],
      [{ enabled: 'yes' }, 'enabled'],
      [{ defaultAssigneeId: 'agt_nobody' }, 'defaultAssigneeId'],
      [{ defaultTeam: 'nobody-here' }, 'defaultTeam'],
      [{ slaPolicyId: 'sla_nope' }, 'slaPolicyId'],
      [{ calendarId: 'cal_nope' }, 'calendarId'],
      [{ calendarId: null }, 'calendarId'], // office-hours-only needs a calendar
      [{ ackOnCreate: 1 }, 'ackOnCreate'],
      [{ ackCreateTemplate: { subject: 'Hi', text: 'Your message: {{message.body}}' } }, 'ackCreateTemplate.text'],
      [{ ackUpdateTemplate: { subject: 'Hi {{nope}}', text: 'x' } }, 'ackUpdateTemplate.subject'],
      [{ ackOffHoursTemplate: { subject: 'Hi', text: 'x', html: '<a href="{{case.subject}}">x</a>' } }, 'ackOffHoursTemplate.html'],
      [{ ackCreateTemplate: { subject: 'Hi', text: 'x', extra: 1 } }, 'ackCreateTemplate'],
      [{ ackCreateTemplate: '{"subject":"Hi","text":"x"}' }, 'ackCreateTemplate'],
      [{ ackMaxPerCaseHour: -1 }, 'ackMaxPerCaseHour'],
      [{ ackMaxPerRecipientDay: 1000 }, 'ackMaxPerRecipientDay'],
      [{ replyPolicy: 'everyone' }, 'replyPolicy'],
      [{ unverifiedPolicy: 'maybe' }, 'unverifiedPolicy'],
      [{ floodMaxPerSender: 0 }, 'floodMaxPerSender'],
      [{ floodMaxIdentical: 2.5 }, 'floodMaxIdentical'],
      [{ floodWindowMinutes: 100_000 }, 'floodWindowMinutes'],
      [{ catchAllAddress: 'not an address' }, 'catchAllAddress'],
      [{ catchAllAddress: DEMO.mailbox }, 'catchAllAddress'],
      [{ followUpPolicy: 'never' }, 'followUpPolicy'],
      [{ followUpDays: 0 }, 'followUpDays'],
      [{ followUpDays: 366 }, 'followUpDays'],
      [{ attachmentMaxCount: 51 }, 'attachmentMaxCount'],
      [{ attachmentMaxBytes: 1023 }, 'attachmentMaxBytes'],
      [{ attachmentMaxBytes: 25 * 1024 * 1024 + 1 }, 'attachmentMaxBytes'],
      [{ attachmentAllowedTypes: ['pdf'] }, 'attachmentAllowedTypes.0'],
      [{ attachmentAllowedTypes: 'image/*' }, 'attachmentAllowedTypes'],
      [{ maxMessageBytes: 26 * 1024 * 1024 }, 'maxMessageBytes'],
    ];
    for (const [body, field] of cases) {
      const issues = await issuesOf(await send(SUPPORT, body, 'PATCH'));
      expect(Object.keys(issues), JSON.stringify(body)).toEqual([field]);
      expect(issues[field]![0]!.length, JSON.stringify(body)).toBeGreaterThan(10);
    }
    // Unknown fields and an empty change are refused too.
    expect((await send(SUPPORT, { colour: 'red' }, 'PATCH')).status).toBe(400);
    expect((await send(SUPPORT, {}, 'PATCH')).status).toBe(400);
  });

  it('reports several bad fields at once', async () => {
    await seeded();
    const issues = await issuesOf(await send(SUPPORT, { followUpDays: 0, catchAllAddress: 'x', slaPolicyId: 'sla_nope' }, 'PATCH'));
    expect(Object.keys(issues).sort()).toEqual(['catchAllAddress', 'followUpDays']);
    // Database checks run once the shapes are right.
    expect(Object.keys(await issuesOf(await send(SUPPORT, { slaPolicyId: 'sla_nope', defaultAssigneeId: 'agt_x' }, 'PATCH'))).sort()).toEqual(['defaultAssigneeId', 'slaPolicyId']);
  });

  it('a default team needs active members and excludes a default assignee', async () => {
    const deps = await seeded();
    await deps.db.update(agents).set({ team: 'billing' }).where(eq(agents.id, 'agt_ben'));
    expect((await json<MailboxSettings>(await send(SUPPORT, { defaultTeam: 'billing' }, 'PATCH'))).defaultTeam).toBe('billing');
    expect(Object.keys(await issuesOf(await send(SUPPORT, { defaultAssigneeId: 'agt_ada' }, 'PATCH')))).toEqual(['defaultAssigneeId']);
    const both = await json<MailboxSettings>(await send(SUPPORT, { defaultAssigneeId: 'agt_ada', defaultTeam: null }, 'PATCH'));
    expect(both).toMatchObject({ defaultAssigneeId: 'agt_ada', defaultTeam: null });
    // A deactivated agent cannot become the default assignee.
    await deps.db.update(agents).set({ active: false }).where(eq(agents.id, 'agt_ben'));
    expect(Object.keys(await issuesOf(await send(SUPPORT, { defaultAssigneeId: 'agt_ben' }, 'PATCH')))).toEqual(['defaultAssigneeId']);
  });

  it('references must be inside the workspace', async () => {
    const deps = await seeded();
    const now = Date.now();
    await deps.db.insert(workspaces).values({ id: 'ws_x', name: 'X', slug: 'x', createdAt: now + 1 });
    await deps.db.insert(slaPolicies).values({ id: 'sla_x', workspaceId: 'ws_x', name: 'X', createdAt: now, updatedAt: now });
    await deps.db.insert(calendars).values({ id: 'cal_x', workspaceId: 'ws_x', name: 'X', timeZone: 'UTC', weekly: '{}', createdAt: now, updatedAt: now });
    expect(Object.keys(await issuesOf(await send(SUPPORT, { slaPolicyId: 'sla_x', calendarId: 'cal_x' }, 'PATCH'))).sort()).toEqual(['calendarId', 'slaPolicyId']);
  });

  it('clears nullable settings with null (templates back to the default wording)', async () => {
    const deps = await seeded();
    await json(await send(SUPPORT, { ackCreateTemplate: { subject: 'S', text: 'T' }, catchAllAddress: 'held@example.com' }, 'PATCH'));
    const m = await json<MailboxSettings>(await send(SUPPORT, { ackCreateTemplate: null, catchAllAddress: '' }, 'PATCH'));
    expect(m).toMatchObject({ ackCreateTemplate: null, catchAllAddress: null });
    expect((await deps.db.select().from(mailboxes).get())!.ackCreateTemplate).toBeNull();
  });

  it('404 for an unknown mailbox', async () => {
    await seeded();
    expect((await send('/api/admin/mailboxes/mbx_nope', { displayName: 'x' }, 'PATCH')).status).toBe(404);
  });
});

describe('POST /api/admin/mailboxes/:id/ack-preview', () => {
  it('renders the template being edited with sample values, the HTML also as text', async () => {
    await seeded();
    const p = await json<AckPreview>(
      await send(`${SUPPORT}/ack-preview`, {
        kind: 'create',
        template: { subject: 'Got it: {{case.subject}}', text: 'Hi {{customer.name}}, see you {{sla.first_response}}.', html: '<p>Hi <b>{{customer.name}}</b> &amp; team</p>' },
      }),
    );
    expect(p.subject).toBe('Got it: Order #4411 arrived damaged [#1042]');
    expect(p.text).toBe('Hi Jane Doe, see you by Tuesday 10:00.');
    expect(p.html).toBe('<p>Hi <b>Jane Doe</b> &amp; team</p>');
    expect(p.htmlAsText).toBe('Hi Jane Doe & team');
    expect(p.problems).toEqual([]);
  });

  it('without a template: the saved one, else the default (off-hours has its own)', async () => {
    await seeded();
    const def = await json<AckPreview>(await send(`${SUPPORT}/ack-preview`, { kind: 'create' }));
    expect(def.text).toContain('Thank you for contacting Acme Support');
    const away = await json<AckPreview>(await send(`${SUPPORT}/ack-preview`, { kind: 'off-hours' }));
    expect(away.text).toContain('Our team is away right now');
    await json(await send(SUPPORT, { ackUpdateTemplate: { subject: 'Update', text: 'Added to #{{case.number}} for {{agent.name}}' } }, 'PATCH'));
    const saved = await json<AckPreview>(await send(`${SUPPORT}/ack-preview`, { kind: 'update' }));
    expect(saved.text).toBe('Added to #1042 for Ada Admin');
    expect(saved.htmlAsText).toBe('Added to #1042 for Ada Admin');
  });

  it('shows what the template rules would refuse, without refusing the preview', async () => {
    await seeded();
    const p = await json<AckPreview>(await send(`${SUPPORT}/ack-preview`, { kind: 'create', template: { subject: 'Hi {{nope}}', text: 'x' } }));
    expect(p.problems).toEqual([expect.objectContaining({ part: 'subject', code: 'unknown-placeholder' })]);
    expect(p.subject).toBe('Hi [#1042]');
  });

  it('refuses an unknown kind (400) and an unknown mailbox (404)', async () => {
    await seeded();
    expect(Object.keys(await issuesOf(await send(`${SUPPORT}/ack-preview`, { kind: 'weekly' })))).toEqual(['kind']);
    expect((await send('/api/admin/mailboxes/mbx_nope/ack-preview', { kind: 'create' })).status).toBe(404);
  });
});

describe('admins only', () => {
  it('an agent with role "agent" gets 403 on every mailbox route; an admin gets through', async () => {
    const deps = await seeded();
    const { ada, ben } = await signedIn(deps);
    const asBen = { Cookie: ben };
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/api/admin/mailboxes'],
      ['GET', SUPPORT],
      ['POST', '/api/admin/mailboxes', { address: 'x@acme.test', displayName: 'X' }],
      ['PATCH', SUPPORT, { displayName: 'X' }],
      ['POST', `${SUPPORT}/ack-preview`, { kind: 'create' }],
    ];
    for (const [method, path, body] of routes) {
      const res = method === 'GET' ? await call(path, { headers: asBen }, PASSWORD) : await send(path, body, method, PASSWORD, asBen);
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    expect((await call('/api/admin/mailboxes', { headers: { Cookie: ada } }, PASSWORD)).status).toBe(200);
    const changed = await json<MailboxSettings>(await send(SUPPORT, { displayName: 'By Ada' }, 'PATCH', PASSWORD, { Cookie: ada }));
    expect(changed.displayName).toBe('By Ada');
    // The audit row names the admin who did it.
    expect((await auditRows(deps))[0]!.actor).toBe('agt_ada');
    expect(await deps.db.select().from(mailboxes).where(eq(mailboxes.displayName, 'X'))).toHaveLength(0);
  });

  it('without a session: 401', async () => {
    await seeded();
    expect((await call('/api/admin/mailboxes', {}, PASSWORD)).status).toBe(401);
  });
});
