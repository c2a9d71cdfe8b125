// A case merged into another stays a closed pointer to it: an edit, a bulk action or a note on it
// would bring a zombie back into the queues (its mail goes to the survivor, it cannot be merged
// again), so each is refused and the row stays as the merge left it.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { cases, messages } from '../../../worker/db/schema.ts';
import type { BulkResult } from '../../../worker/protocol/api.ts';
import { seeded } from '../helpers.ts';
import { call, expectError, newCase, ORIGIN, patch } from '../http/client.ts';

const post = (path: string, body: unknown) =>
  call(path, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Sec-Fetch-Site': 'same-origin', Origin: ORIGIN }, body: JSON.stringify(body) });

describe('an absorbed case', () => {
  it('cannot be reopened, tagged or noted, one by one or in bulk', async () => {
    const deps = await seeded();
    const survivor = await newCase(deps, 'Broken kettle', undefined, 'kim@example.com');
    const absorbed = await newCase(deps, 'Kettle still broken', undefined, 'kim@example.com');
    expect((await post(`/api/cases/${survivor}/merge`, { absorb: [absorbed] })).status).toBe(200);
    const before = (await deps.db.select().from(cases).where(eq(cases.id, absorbed)).get())!;
    expect(before).toMatchObject({ status: 'closed', mergedIntoId: survivor });
    const lines = (await deps.db.select().from(messages).where(eq(messages.caseId, absorbed))).length;

    await expectError(await patch(`/api/cases/${absorbed}`, { status: 'open' }), 400, 'bad_request');
    await expectError(await patch(`/api/cases/${absorbed}`, { tags: { add: ['vip'] } }), 400, 'bad_request');
    await expectError(await post(`/api/cases/${absorbed}/notes`, { text: 'a note on the pointer' }), 400, 'bad_request');
    const bulk = await post('/api/cases/bulk', { caseIds: [absorbed, survivor], edits: { status: 'open' } });
    expect(bulk.status).toBe(200);
    const results = ((await bulk.json()) as BulkResult).results;
    expect(results[0]).toMatchObject({ caseId: absorbed, ok: false });
    expect(results[1]).toMatchObject({ caseId: survivor, ok: true });

    expect((await deps.db.select().from(cases).where(eq(cases.id, absorbed)).get())!).toMatchObject({ status: 'closed', mergedIntoId: survivor, updatedAt: before.updatedAt });
    expect((await deps.db.select().from(messages).where(eq(messages.caseId, absorbed))).length).toBe(lines);
  });
});
