// GET /api/admin/audit: the trail of administrative changes, newest first, narrowed by entity, paged.
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../worker/protocol/admin.ts';
import { DEMO, seeded } from '../helpers.ts';
import { call, json, PASSWORD, send, signedIn } from './helpers.ts';

type Page = { items: AuditEntry[]; nextCursor: string | null };

describe('GET /api/admin/audit', () => {
  it('lists changes newest first, with who did them, narrowed by entity and entity id, in pages', async () => {
    const deps = await seeded();
    const { ada } = await signedIn(deps);
    const asAda = (path: string, body: unknown, method = 'POST') => send(path, body, method, PASSWORD, { Cookie: ada });
    await json(await asAda(`/api/admin/mailboxes/${DEMO.mailboxId}`, { displayName: 'One' }, 'PATCH'));
    await json(await asAda('/api/admin/agents/agt_ben', { team: 'billing' }, 'PATCH'));
    await json(await asAda(`/api/admin/mailboxes/${DEMO.mailboxId}`, { displayName: 'Two' }, 'PATCH'));
    const get = (q: string) => call(`/api/admin/audit${q}`, { headers: { Cookie: ada } }, PASSWORD);

    const all = await json<Page>(await get(''));
    expect(all.items.map((i) => [i.entity, i.action, i.changes])).toEqual([
      ['mailbox', 'update', { displayName: ['One', 'Two'] }],
      ['agent', 'update', { team: [null, 'billing'] }],
      ['mailbox', 'update', { displayName: ['Acme Support', 'One'] }],
    ]);
    expect(all.items[0]).toMatchObject({ actor: 'agt_ada', actorName: 'Ada Admin', entityId: DEMO.mailboxId });
    expect(all.nextCursor).toBeNull();

    expect((await json<Page>(await get('?entity=agent'))).items.map((i) => i.entityId)).toEqual(['agt_ben']);
    expect((await json<Page>(await get(`?entity=mailbox&entityId=${DEMO.mailboxId}`))).items).toHaveLength(2);

    const first = await json<Page>(await get('?limit=2'));
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const second = await json<Page>(await get(`?limit=2&cursor=${first.nextCursor}`));
    expect(second.items.map((i) => i.changes)).toEqual([{ displayName: ['Acme Support', 'One'] }]);
    expect(second.nextCursor).toBeNull();
  });

  it('refuses an unknown entity, a bad limit and a bad cursor; agents get 403', async () => {
    const deps = await seeded();
    expect((await call('/api/admin/audit?entity=case')).status).toBe(400);
    expect((await call('/api/admin/audit?limit=0')).status).toBe(400);
    expect((await call('/api/admin/audit?cursor=nonsense')).status).toBe(400);
    const { ben } = await signedIn(deps);
    expect((await call('/api/admin/audit', { headers: { Cookie: ben } }, PASSWORD)).status).toBe(403);
  });

  it('open mode counts as admin; its changes are recorded as "local"', async () => {
    await seeded();
    await json(await send(`/api/admin/mailboxes/${DEMO.mailboxId}`, { enabled: false }, 'PATCH'));
    const page = await json<Page>(await call('/api/admin/audit'));
    expect(page.items[0]).toMatchObject({ actor: 'local', actorName: null, changes: { enabled: [true, false] } });
  });
});
