// commit (worker/changes/commit.ts): a Change is written in one batch with its events, seq-numbered
// without gaps, then published; a failing write leaves nothing of the change behind.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { insert, update, type Change } from '../../../worker/changes/change.ts';
import { commit, write } from '../../../worker/changes/commit.ts';
import { contacts, events } from '../../../worker/db/schema.ts';
import type { ServerEvent } from '../../../worker/protocol/events.ts';
import { DEMO, seeded } from '../helpers.ts';

function contactChange(email: string, name: string): Change {
  return {
    workspaceId: DEMO.workspaceId,
    writes: [
      insert(
        'contacts',
        { id: `contact_${email}`, workspaceId: DEMO.workspaceId, email, name, orgDomain: 'example.com', createdAt: 1 },
        { target: ['workspaceId', 'email'], set: { name: { $fillEmpty: true } } },
      ),
    ],
    events: [{ caseId: null, actor: 'system', body: { type: 'inbound.held', caseId: null, inboundId: `in_${email}`, status: 'ignored', reason: 'test' } }],
    outgoing: [],
    blobs: [],
  };
}

describe('commit', () => {
  it('writes rows and events together, gives events consecutive seqs and publishes them', async () => {
    const deps = await seeded();
    const published: ServerEvent[] = [];
    const spy = { ...deps, hub: { publish: async (_ws: string, evs: ServerEvent[]) => void published.push(...evs) } };
    const a = await commit(spy, contactChange('a@example.com', ''));
    const b = await commit(spy, contactChange('a@example.com', 'Ann'));
    expect(b.events[0]!.seq).toBe(a.events[0]!.seq + 1);
    expect(published.map((e) => e.seq)).toEqual([a.events[0]!.seq, b.events[0]!.seq]);
    // $fillEmpty: an empty stored name takes the new one.
    expect((await deps.db.select().from(contacts).where(eq(contacts.email, 'a@example.com')).get())?.name).toBe('Ann');
  });

  it('leaves neither rows nor events when one write of the change fails', async () => {
    const deps = await seeded();
    const before = (await deps.db.select().from(events).where(eq(events.workspaceId, DEMO.workspaceId))).length;
    const bad = contactChange('b@example.com', 'Bea');
    // A second insert of the same primary key fails the whole batch.
    bad.writes.push(insert('contacts', { id: 'contact_b@example.com', workspaceId: DEMO.workspaceId, email: 'other@example.com', name: '', orgDomain: '', createdAt: 1 }));
    await expect(write(deps, bad)).rejects.toThrow();
    expect(await deps.db.select().from(contacts).where(eq(contacts.email, 'b@example.com')).get()).toBeUndefined();
    expect((await deps.db.select().from(events).where(eq(events.workspaceId, DEMO.workspaceId))).length).toBe(before);
  });

  it('refuses an update without a condition instead of touching every row', async () => {
    const deps = await seeded();
    await expect(write(deps, { workspaceId: DEMO.workspaceId, writes: [update('contacts', {}, { name: 'x' })], events: [], outgoing: [], blobs: [] })).rejects.toThrow(/where clause/);
  });
});
