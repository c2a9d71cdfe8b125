// The customer panel through the HTTP API: the contact of a case with their other cases (open first,
// then the most recent), the organisation of their domain (none for free mail), edits of both with
// audit rows and a live event, and merging two addresses of one person with its refusals.
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { auditLog, cases, contacts, organisations } from '../../../worker/db/schema.ts';
import type { CustomerView, OrganisationView } from '../../../worker/protocol/customer.ts';
import { seeded } from '../helpers.ts';
import { OTHER, call, deliver, expectError, getJson, mail, newCase, ORIGIN, otherWorkspace, patch } from '../http/client.ts';
import { openSocket } from '../cases/live-socket.ts';

const send = (method: string, path: string, body?: unknown) =>
  call(path, { method, headers: { 'Content-Type': 'application/json', 'Sec-Fetch-Site': 'same-origin', Origin: ORIGIN }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

async function panelOf(caseId: string): Promise<CustomerView> {
  const { res, body } = await getJson<CustomerView>(`/api/contacts/of-case/${caseId}`);
  expect(res.status).toBe(200);
  return body;
}

describe('the customer panel', () => {
  it("lists the contact's cases, open first then the most recent, with a count; the org of a company domain", async () => {
    const deps = await seeded();
    const t = Date.now() - 10_000;
    const oldest = await newCase(deps, 'oldest', t, 'carol@acme.test');
    const closed = await newCase(deps, 'closed later', t + 1000, 'carol@acme.test');
    const newest = await newCase(deps, 'newest', t + 2000, 'carol@acme.test');
    await newCase(deps, 'someone else', t + 3000, 'dave@acme.test');
    await deps.db.update(cases).set({ status: 'closed' }).where(eq(cases.id, closed));
    const view = await panelOf(oldest);
    expect(view.contact.email).toBe('carol@acme.test');
    expect(view.cases.map((c) => c.id)).toEqual([newest, oldest, closed]);
    expect(view.caseCount).toBe(3);
    // No organisation row yet: the domain's, named after it, until someone edits it.
    expect(view.organisation).toEqual({ id: null, domain: 'acme.test', name: 'acme.test', note: '' });
    const byId = await getJson<CustomerView>(`/api/contacts/${view.contact.id}`);
    expect(byId.body).toEqual(view);
  });

  it('gives a free mail address no organisation, and refuses to make one for its domain', async () => {
    const deps = await seeded();
    const id = await newCase(deps, 'from gmail', undefined, 'erin@gmail.com');
    expect((await panelOf(id)).organisation).toBeNull();
    await expectError(await send('PUT', '/api/organisations/gmail.com', { note: 'x' }), 400, 'bad_request');
    await expectError(await send('PUT', '/api/organisations/not_a..domain', { note: 'x' }), 400, 'bad_request');
    expect(await deps.db.select().from(organisations)).toHaveLength(0);
  });

  it('edits the contact and the organisation (created on first edit), with audit rows and live events', async () => {
    const deps = await seeded();
    const id = await newCase(deps, 'edit me', undefined, 'frank@globex.test');
    const { contact } = await panelOf(id);
    const other = await openSocket();
    const res = await patch(`/api/contacts/${contact.id}`, { note: 'Prefers phone calls', phone: ' +44 20 7946 0000 ' });
    expect(res.status).toBe(200);
    const after = (await res.json()) as CustomerView;
    expect(after.contact).toMatchObject({ note: 'Prefers phone calls', phone: '+44 20 7946 0000' });
    const [event] = await other.waitFor((e) => e.type === 'contact.updated');
    expect(event).toMatchObject({ type: 'contact.updated', caseId: null, contactIds: [contact.id], domain: null });

    const created = await send('PUT', '/api/organisations/Globex.test', { note: 'Key account' });
    expect(created.status).toBe(200);
    const org = (await created.json()) as OrganisationView;
    expect(org).toMatchObject({ domain: 'globex.test', name: 'globex.test', note: 'Key account' });
    expect(org.id).toMatch(/^org_/);
    const renamed = (await (await send('PATCH', '/api/organisations/globex.test', { name: 'Globex Corp' })).json()) as OrganisationView;
    expect(renamed).toEqual({ ...org, name: 'Globex Corp' });
    expect((await panelOf(id)).organisation).toEqual(renamed);
    await other.waitFor((e) => e.type === 'contact.updated' && e.domain === 'globex.test', 2);

    const audit = await deps.db.select().from(auditLog);
    expect(audit.map((a) => [a.entity, a.action]).sort()).toEqual([
      ['contact', 'update'],
      ['organisation', 'create'],
      ['organisation', 'update'],
    ]);
    // Saving what is there writes nothing and announces nothing.
    await patch(`/api/contacts/${contact.id}`, { note: 'Prefers phone calls' });
    expect(await deps.db.select().from(auditLog)).toHaveLength(3);
    await other.close();
  });

  it('refuses bad edits with a 4xx that says why', async () => {
    const deps = await seeded();
    const id = await newCase(deps, 'bad edits', undefined, 'gina@initech.test');
    const { contact } = await panelOf(id);
    await expectError(await patch(`/api/contacts/${contact.id}`, {}), 400, 'bad_request');
    await expectError(await patch(`/api/contacts/${contact.id}`, { note: 'x'.repeat(5001) }), 400, 'bad_request');
    await expectError(await patch(`/api/contacts/${contact.id}`, { email: 'a@b.c' }), 400, 'bad_request');
    await expectError(await patch('/api/contacts/ct_nope', { note: 'x' }), 404, 'not_found');
    await expectError(await call('/api/contacts/ct_nope'), 404, 'not_found');
    await expectError(await send('PUT', '/api/organisations/initech.test', { name: '  ' }), 400, 'bad_request');
  });

  it('merges two addresses of one person: both panels show both addresses and all cases; later mail from the merged address still lands', async () => {
    const deps = await seeded();
    const t = Date.now() - 10_000;
    const a = await newCase(deps, 'work address', t, 'hank@hooli.test');
    const b = await newCase(deps, 'home address', t + 1000, 'hank@gmail.com');
    const [pa, pb] = [await panelOf(a), await panelOf(b)];
    // The other address is found by its address (any case), for the panel's merge.
    expect((await getJson<CustomerView>('/api/contacts?email=Hank@Gmail.com')).body.contact.id).toBe(pb.contact.id);
    await expectError(await call('/api/contacts?email=nobody@nowhere.test'), 404, 'not_found');
    await expectError(await call('/api/contacts?email=nope'), 400, 'bad_request');
    const other = await openSocket();
    const res = await send('POST', `/api/contacts/${pb.contact.id}/merge`, { into: pa.contact.id });
    expect(res.status).toBe(200);
    const [event] = await other.waitFor((e) => e.type === 'contact.updated');
    expect(event).toMatchObject({ contactIds: expect.arrayContaining([pa.contact.id, pb.contact.id]) });
    for (const id of [a, b]) {
      const view = await panelOf(id);
      expect(view.contact.id).toBe(pa.contact.id);
      expect(view.addresses.map((x) => x.email)).toEqual(['hank@hooli.test', 'hank@gmail.com']);
      expect(view.cases.map((c) => c.id)).toEqual([b, a]);
      expect(view.organisation?.domain).toBe('hooli.test');
    }
    const [row] = await deps.db.select().from(contacts).where(eq(contacts.id, pb.contact.id));
    expect(row?.mergedIntoId).toBe(pa.contact.id);
    // Mail from the merged address: its own contact row, read through the merge.
    await deliver(deps, mail({ Subject: 'again from home', From: 'Hank <hank@gmail.com>' }), { from: 'hank@gmail.com' });
    const view = await panelOf(a);
    expect(view.caseCount).toBe(3);
    expect(view.cases[0]?.subject).toBe('again from home');
    expect((await deps.db.select().from(auditLog)).map((x) => [x.entity, x.action, x.entityId])).toEqual([['contact', 'merge', pb.contact.id]]);
    await other.close();
  });

  it('refuses a merge into itself, one that would make a loop, one across workspaces and one of a merged contact', async () => {
    const deps = await seeded();
    await otherWorkspace(deps);
    const a = (await panelOf(await newCase(deps, 'one', undefined, 'ivy@one.test'))).contact.id;
    const b = (await panelOf(await newCase(deps, 'two', undefined, 'ivy@two.test'))).contact.id;
    const c = (await panelOf(await newCase(deps, 'three', undefined, 'ivy@three.test'))).contact.id;
    await deps.db.insert(contacts).values({ id: 'ct_elsewhere', workspaceId: OTHER.workspaceId, email: 'ivy@one.test', createdAt: Date.now() });
    const self = await expectError(await send('POST', `/api/contacts/${a}/merge`, { into: a }), 400, 'bad_request');
    expect(self.error.message).toMatch(/itself/);
    await expectError(await send('POST', `/api/contacts/${a}/merge`, { into: 'ct_elsewhere' }), 404, 'not_found');
    await expectError(await send('POST', `/api/contacts/${a}/merge`, {}), 400, 'bad_request');
    expect((await send('POST', `/api/contacts/${b}/merge`, { into: a })).status).toBe(200);
    expect((await send('POST', `/api/contacts/${a}/merge`, { into: c })).status).toBe(200);
    // a → c, b → c (re-pointed): c merged into b would loop.
    const loop = await expectError(await send('POST', `/api/contacts/${c}/merge`, { into: b }), 400, 'bad_request');
    expect(loop.error.message).toMatch(/loop/);
    const merged = await expectError(await send('POST', `/api/contacts/${b}/merge`, { into: c }), 400, 'bad_request');
    expect(merged.error.message).toMatch(/already/);
    const rows = await deps.db.select({ id: contacts.id, into: contacts.mergedIntoId }).from(contacts);
    expect(new Map(rows.map((r) => [r.id, r.into]))).toEqual(
      new Map([
        [a, c],
        [b, c],
        [c, null],
        ['ct_elsewhere', null],
      ]),
    );
  });
});
