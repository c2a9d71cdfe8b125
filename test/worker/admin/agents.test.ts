// /api/admin/agents: invite, change, deactivate with the hand-over of cases (one batch, with events),
// reactivate, passwords; audited; admins only.
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { verifyPassword } from '../../../worker/auth/password.ts';
import { agents, auditLog, cases, events, mailboxes, sessions } from '../../../worker/db/schema.ts';
import type { AgentAdminView, DeactivateResult } from '../../../worker/protocol/admin.ts';
import { REASSIGN_BATCH } from '../../../worker/admin/agents.ts';
import type { Deps } from '../../../worker/deps.ts';
import { DEMO, flakyD1, seeded } from '../helpers.ts';
import { newCase } from '../http/client.ts';
import { auditRows, call, cookieFor, countingD1, issuesOf, json, PASSWORD, send, signedIn } from './helpers.ts';

async function addAgent(deps: Deps, id: string, extra: Partial<typeof agents.$inferInsert> = {}): Promise<void> {
  await deps.db.insert(agents).values({ id, workspaceId: DEMO.workspaceId, email: `${id}@acme.test`, name: `Agent ${id}`, createdAt: Date.now(), ...extra });
}

async function assign(deps: Deps, caseId: string, agentId: string | null): Promise<void> {
  await deps.db.update(cases).set({ assigneeId: agentId }).where(eq(cases.id, caseId));
}

describe('GET /api/admin/agents', () => {
  it('lists agents with team, availability, password state and open cases, never the hash', async () => {
    const deps = await seeded();
    await signedIn(deps);
    const a = await newCase(deps, 'One');
    const b = await newCase(deps, 'Two');
    await assign(deps, a, 'agt_ben');
    await assign(deps, b, 'agt_ben');
    await deps.db.update(cases).set({ status: 'closed' }).where(eq(cases.id, b));
    const { items } = await json<{ items: AgentAdminView[] }>(await call('/api/admin/agents'));
    expect(items.map((i) => i.id)).toEqual(['agt_ada', 'agt_ben']);
    expect(items[1]).toMatchObject({ email: 'ben@acme.test', role: 'agent', active: true, available: true, team: null, hasPassword: true, openCases: 1, notifyAssignment: true });
    expect(JSON.stringify(items)).not.toContain('pbkdf2');
  });
});

describe('POST /api/admin/agents (invite)', () => {
  it('creates an agent without a password, lower-cased address, audited', async () => {
    const deps = await seeded();
    const created = await json<AgentAdminView>(await send('/api/admin/agents', { email: 'Cleo@Acme.test', name: 'Cleo', role: 'agent', team: 'billing' }), 201);
    expect(created).toMatchObject({ email: 'cleo@acme.test', name: 'Cleo', role: 'agent', team: 'billing', active: true, available: true, hasPassword: false, openCases: 0 });
    expect(created.id).toMatch(/^agt_/);
    const [row] = await auditRows(deps);
    expect(row).toMatchObject({ entity: 'agent', entityId: created.id, action: 'create', actor: 'local' });
    expect(row!.changes).toEqual({ email: [null, 'cleo@acme.test'], name: [null, 'Cleo'], role: [null, 'agent'], team: [null, 'billing'] });
  });

  it('refuses an address that is already an agent (active or not), bad values and unknown fields', async () => {
    const deps = await seeded();
    expect(await issuesOf(await send('/api/admin/agents', { email: 'BEN@acme.test', name: 'Ben again' }))).toEqual({ email: ['ben@acme.test is already an agent here'] });
    await deps.db.update(agents).set({ active: false }).where(eq(agents.id, 'agt_ben'));
    expect((await issuesOf(await send('/api/admin/agents', { email: 'ben@acme.test', name: 'Ben' }))).email![0]).toContain('reactivate');
    expect(Object.keys(await issuesOf(await send('/api/admin/agents', { email: 'nope', name: 'X' })))).toEqual(['email']);
    expect(Object.keys(await issuesOf(await send('/api/admin/agents', { email: 'x@acme.test', name: '' })))).toEqual(['name']);
    expect(Object.keys(await issuesOf(await send('/api/admin/agents', { email: 'x@acme.test', name: 'X', role: 'owner' })))).toEqual(['role']);
    expect(Object.keys(await issuesOf(await send('/api/admin/agents', { email: 'x@acme.test', name: 'X', team: '' })))).toEqual(['team']);
    expect((await send('/api/admin/agents', { email: 'x@acme.test', name: 'X', password: 'secret' })).status).toBe(400);
    expect(await deps.db.select().from(auditLog)).toHaveLength(0);
  });
});

describe('PATCH /api/admin/agents/:id', () => {
  it('changes name, role, team, availability and notification flags; audits only what changed', async () => {
    const deps = await seeded();
    const res = await send('/api/admin/agents/agt_ben', { name: 'Ben B.', role: 'admin', team: 'support', available: false, notifySla: false, notifyAssignment: true }, 'PATCH');
    expect(await json<AgentAdminView>(res)).toMatchObject({ name: 'Ben B.', role: 'admin', team: 'support', available: false, notifySla: false, notifyAssignment: true });
    const [row] = await auditRows(deps);
    expect(row!.changes).toEqual({ name: ['Ben Agent', 'Ben B.'], role: ['agent', 'admin'], team: [null, 'support'], available: [true, false], notifySla: [true, false] });
  });

  it('refuses bad values, an empty change, and unknown agents', async () => {
    await seeded();
    expect(Object.keys(await issuesOf(await send('/api/admin/agents/agt_ben', { role: 'root' }, 'PATCH')))).toEqual(['role']);
    expect(Object.keys(await issuesOf(await send('/api/admin/agents/agt_ben', { available: 'no' }, 'PATCH')))).toEqual(['available']);
    expect(Object.keys(await issuesOf(await send('/api/admin/agents/agt_ben', { name: 'a\u0000b' }, 'PATCH')))).toEqual(['name']);
    expect((await send('/api/admin/agents/agt_ben', {}, 'PATCH')).status).toBe(400);
    expect((await send('/api/admin/agents/agt_ben', { email: 'x@y.z' }, 'PATCH')).status).toBe(400);
    expect((await send('/api/admin/agents/agt_nobody', { name: 'X' }, 'PATCH')).status).toBe(404);
  });

  it('the only active admin cannot be demoted (409); with a second admin it works', async () => {
    const deps = await seeded();
    expect((await send('/api/admin/agents/agt_ada', { role: 'agent' }, 'PATCH')).status).toBe(409);
    await deps.db.update(agents).set({ role: 'admin' }).where(eq(agents.id, 'agt_ben'));
    expect((await json<AgentAdminView>(await send('/api/admin/agents/agt_ada', { role: 'agent' }, 'PATCH'))).role).toBe('agent');
  });
});

describe('POST /api/admin/agents/:id/deactivate', () => {
  it('deactivates and hands the open cases over in ONE batch: assignee, case.updated events, sessions, mailbox default, audit', async () => {
    const deps = await seeded();
    const { ben } = await signedIn(deps);
    await addAgent(deps, 'agt_cleo');
    const open1 = await newCase(deps, 'Open one');
    const open2 = await newCase(deps, 'Open two');
    const closed = await newCase(deps, 'Closed one');
    const adas = await newCase(deps, 'Ada’s');
    for (const id of [open1, open2, closed]) await assign(deps, id, 'agt_ben');
    await assign(deps, adas, 'agt_ada');
    await deps.db.update(cases).set({ status: 'closed' }).where(eq(cases.id, closed));
    await deps.db.update(mailboxes).set({ defaultAssigneeId: 'agt_ben' }).where(eq(mailboxes.id, DEMO.mailboxId));
    const seqBefore = (await deps.db.select().from(events)).length;

    const { d1, batches } = countingD1();
    const result = await json<DeactivateResult>(await send('/api/admin/agents/agt_ben/deactivate', { reassignTo: 'agt_cleo' }, 'POST', { DB: d1 }));
    expect(batches()).toBe(1);
    expect(result).toMatchObject({ reassigned: 2, reassignedTo: { id: 'agt_cleo', name: 'Agent agt_cleo' } });
    expect(result.agent).toMatchObject({ id: 'agt_ben', active: false, openCases: 0 });

    const byId = new Map((await deps.db.select().from(cases)).map((c) => [c.id, c.assigneeId]));
    expect([byId.get(open1), byId.get(open2), byId.get(closed), byId.get(adas)]).toEqual(['agt_cleo', 'agt_cleo', 'agt_ben', 'agt_ada']);
    const newEvents = (await deps.db.select().from(events).orderBy(events.seq)).slice(seqBefore);
    expect(newEvents.map((e) => [e.type, e.caseId, e.actor]).sort()).toEqual(
      [
        ['case.updated', open1, 'agent:local'],
        ['case.updated', open2, 'agent:local'],
      ].sort(),
    );
    expect(JSON.parse(newEvents[0]!.payload)).toMatchObject({ type: 'case.updated', changes: { assignee: { id: 'agt_cleo', name: 'Agent agt_cleo' } } });
    // Gap-free seq continues.
    expect(newEvents.map((e) => e.seq)).toEqual([seqBefore + 1, seqBefore + 2]);
    expect(await deps.db.select().from(sessions).where(eq(sessions.agentId, 'agt_ben'))).toHaveLength(0);
    expect((await deps.db.select().from(mailboxes).get())!.defaultAssigneeId).toBe('agt_cleo');
    const audits = await auditRows(deps);
    expect(audits.map((a) => [a.entity, a.entityId, a.action])).toEqual(
      expect.arrayContaining([
        ['agent', 'agt_ben', 'deactivate'],
        ['mailbox', DEMO.mailboxId, 'update'],
      ]),
    );
    expect(audits.find((a) => a.entity === 'agent')!.changes).toEqual({ active: [true, false], openCases: [2, 0], reassignedTo: [null, 'agt_cleo'] });
    expect(audits.find((a) => a.entity === 'mailbox')!.changes).toEqual({ defaultAssigneeId: ['agt_ben', 'agt_cleo'] });
    // Ben's cookie no longer works.
    expect((await call('/api/cases', { headers: { Cookie: ben } }, PASSWORD)).status).toBe(401);
  });

  it('without reassignTo the cases become unassigned', async () => {
    const deps = await seeded();
    const id = await newCase(deps, 'Orphan');
    await assign(deps, id, 'agt_ben');
    const result = await json<DeactivateResult>(await send('/api/admin/agents/agt_ben/deactivate', {}));
    expect(result).toMatchObject({ reassigned: 1, reassignedTo: null });
    expect((await deps.db.select().from(cases).where(eq(cases.id, id)).get())!.assigneeId).toBeNull();
    const ev = await deps.db
      .select()
      .from(events)
      .where(and(eq(events.caseId, id), eq(events.type, 'case.updated')))
      .get();
    expect(JSON.parse(ev!.payload).changes).toEqual({ assignee: null });
  });

  it('is atomic: when the batch fails, nothing changed (agent active, cases, events, audit)', async () => {
    const deps = await seeded();
    const id = await newCase(deps, 'Stays');
    await assign(deps, id, 'agt_ben');
    const before = (await deps.db.select().from(events)).length;
    const res = await send('/api/admin/agents/agt_ben/deactivate', { reassignTo: null }, 'POST', { DB: flakyD1(1) });
    expect(res.status).toBe(500);
    expect((await deps.db.select().from(agents).where(eq(agents.id, 'agt_ben')).get())!.active).toBe(true);
    expect((await deps.db.select().from(cases).where(eq(cases.id, id)).get())!.assigneeId).toBe('agt_ben');
    expect(await deps.db.select().from(events)).toHaveLength(before);
    expect(await deps.db.select().from(auditLog)).toHaveLength(0);
  });

  it('refuses: unknown agent, already inactive, a bad heir, the last admin', async () => {
    const _deps = await seeded();
    expect((await send('/api/admin/agents/agt_nobody/deactivate', {})).status).toBe(404);
    expect(Object.keys(await issuesOf(await send('/api/admin/agents/agt_ben/deactivate', { reassignTo: 'agt_nobody' })))).toEqual(['reassignTo']);
    expect(Object.keys(await issuesOf(await send('/api/admin/agents/agt_ben/deactivate', { reassignTo: 'agt_ben' })))).toEqual(['reassignTo']);
    expect((await send('/api/admin/agents/agt_ben/deactivate', { reassign: 'x' })).status).toBe(400);
    expect((await send('/api/admin/agents/agt_ada/deactivate', {})).status).toBe(409); // the only admin
    expect((await send('/api/admin/agents/agt_ben/deactivate', {})).status).toBe(200);
    expect((await send('/api/admin/agents/agt_ben/deactivate', {})).status).toBe(409);
  });

  it(`hands over more than ${REASSIGN_BATCH} cases in several batches, the deactivation in the last`, async () => {
    const deps = await seeded();
    const now = Date.now();
    const n = REASSIGN_BATCH + 5;
    const rows = Array.from({ length: n }, (_, i) => ({
      id: `case_bulk${String(i).padStart(4, '0')}`,
      workspaceId: DEMO.workspaceId,
      mailboxId: DEMO.mailboxId,
      number: 1000 + i,
      subject: `Bulk ${i}`,
      assigneeId: 'agt_ben',
      createdAt: now,
      updatedAt: now,
      lastMessageAt: now,
    }));
    // D1 binds at most 100 variables per statement: 15 per row here.
    for (let i = 0; i < rows.length; i += 6) await deps.db.insert(cases).values(rows.slice(i, i + 6));
    const { d1, batches } = countingD1();
    const result = await json<DeactivateResult>(await send('/api/admin/agents/agt_ben/deactivate', { reassignTo: 'agt_ada' }, 'POST', { DB: d1 }));
    expect(result.reassigned).toBe(n);
    expect(batches()).toBe(2);
    expect((await deps.db.select().from(cases).where(eq(cases.assigneeId, 'agt_ada'))).length).toBe(n);
    const evs = await deps.db.select().from(events).where(eq(events.type, 'case.updated')).orderBy(events.seq);
    expect(evs).toHaveLength(n);
    expect(evs.map((e) => e.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  });

  it('refuses to deactivate yourself, even with another admin around', async () => {
    const deps = await seeded();
    await deps.db.update(agents).set({ role: 'admin' }).where(eq(agents.id, 'agt_ben'));
    const { ada } = await signedIn(deps);
    const res = await send('/api/admin/agents/agt_ada/deactivate', {}, 'POST', PASSWORD, { Cookie: ada });
    expect(res.status).toBe(400);
    expect((await send('/api/admin/agents/agt_ben/deactivate', {}, 'POST', PASSWORD, { Cookie: ada })).status).toBe(200);
  });

  it('reactivate brings an agent back, audited; an active one is a conflict', async () => {
    const deps = await seeded();
    await json(await send('/api/admin/agents/agt_ben/deactivate', {}));
    expect((await json<AgentAdminView>(await send('/api/admin/agents/agt_ben/reactivate', {}))).active).toBe(true);
    expect((await send('/api/admin/agents/agt_ben/reactivate', {})).status).toBe(409);
    expect((await auditRows(deps)).map((a) => a.action)).toEqual(['deactivate', 'reactivate']);
  });
});

describe('PUT /api/admin/agents/:id/password', () => {
  it('sets a password the agent can sign in with, ends their sessions, and audits without the hash', async () => {
    const deps = await seeded();
    const { ben } = await signedIn(deps);
    const res = await send('/api/admin/agents/agt_ben/password', { password: 'a brand new long one' }, 'PUT');
    expect((await json<AgentAdminView>(res)).hasPassword).toBe(true);
    const row = (await deps.db.select().from(agents).where(eq(agents.id, 'agt_ben')).get())!;
    expect(await verifyPassword('a brand new long one', row.passwordHash!)).toBe(true);
    expect((await call('/api/cases', { headers: { Cookie: ben } }, PASSWORD)).status).toBe(401);
    expect(await cookieFor('ben@acme.test', 'a brand new long one')).toMatch(/^edgecase_session=/);
    const [audit] = (await auditRows(deps)).filter((a) => a.action === 'password');
    expect(audit!.changes).toEqual({ password: ['(set)', '(set)'] });
    expect(JSON.stringify(await deps.db.select().from(auditLog))).not.toContain('pbkdf2');
  });

  it('refuses a password under 12 characters, a missing one, and unknown agents', async () => {
    await seeded();
    expect(await issuesOf(await send('/api/admin/agents/agt_ben/password', { password: 'short' }, 'PUT'))).toEqual({ password: ['the password must have at least 12 characters'] });
    expect(Object.keys(await issuesOf(await send('/api/admin/agents/agt_ben/password', {}, 'PUT')))).toEqual(['password']);
    expect((await send('/api/admin/agents/agt_nobody/password', { password: 'long enough password' }, 'PUT')).status).toBe(404);
  });
});

describe('admins only', () => {
  it('an agent with role "agent" gets 403 on every agent route', async () => {
    const deps = await seeded();
    const { ben } = await signedIn(deps);
    const h = { Cookie: ben };
    expect((await call('/api/admin/agents', { headers: h }, PASSWORD)).status).toBe(403);
    expect((await send('/api/admin/agents', { email: 'x@acme.test', name: 'X' }, 'POST', PASSWORD, h)).status).toBe(403);
    expect((await send('/api/admin/agents/agt_ben', { role: 'admin' }, 'PATCH', PASSWORD, h)).status).toBe(403);
    expect((await send('/api/admin/agents/agt_ada/deactivate', {}, 'POST', PASSWORD, h)).status).toBe(403);
    expect((await send('/api/admin/agents/agt_ada/reactivate', {}, 'POST', PASSWORD, h)).status).toBe(403);
    expect((await send('/api/admin/agents/agt_ben/password', { password: 'i want to be admin' }, 'PUT', PASSWORD, h)).status).toBe(403);
    expect((await deps.db.select().from(agents).where(eq(agents.id, 'agt_ben')).get())!.role).toBe('agent');
    expect(await deps.db.select().from(auditLog)).toHaveLength(0);
  });
});
