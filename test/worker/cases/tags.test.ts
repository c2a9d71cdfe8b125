// Tags through the HTTP API: added and removed on a case (a new name creates its tag in the same
// commit), listed with counts, filtered by, renamed, recoloured, merged and deleted by an admin, each
// change reaching another agent's socket as its event.
import { describe, expect, it } from 'vitest';
import { auditLog, caseTags, tags } from '../../../worker/db/schema.ts';
import type { CaseSummary, Page, TagCount } from '../../../worker/protocol/api.ts';
import { seeded } from '../helpers.ts';
import { call, expectError, getJson, newCase, ORIGIN, patch } from '../http/client.ts';
import { openSocket } from './live-socket.ts';

const send = (method: string, path: string, body?: unknown) =>
  call(path, { method, headers: { 'Content-Type': 'application/json', 'Sec-Fetch-Site': 'same-origin', Origin: ORIGIN }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

async function tagsOf(caseId: string): Promise<string[]> {
  const { body } = await getJson<{ case: CaseSummary }>(`/api/cases/${caseId}`);
  return body.case.tags.map((t) => t.name);
}

async function allTags(): Promise<TagCount[]> {
  return (await getJson<{ items: TagCount[] }>('/api/tags')).body.items;
}

describe('tags on a case', () => {
  it('adds a new tag (created in the same commit, trimmed) and an existing one regardless of case; the event reaches another socket', async () => {
    const deps = await seeded();
    const a = await newCase(deps, 'first');
    const b = await newCase(deps, 'second');
    const other = await openSocket();
    const res = await patch(`/api/cases/${a}`, { tags: { add: ['  Billing ', 'VIP'] } });
    expect(res.status).toBe(200);
    const summary = (await res.json()) as CaseSummary;
    expect(summary.tags.map((t) => t.name)).toEqual(['Billing', 'VIP']);
    expect(summary.tags.every((t) => /^#[0-9a-f]{6}$/.test(t.color))).toBe(true);
    const [event] = await other.waitFor((e) => e.type === 'case.updated' && e.caseId === a);
    expect(event).toMatchObject({ type: 'case.updated', changes: { tags: summary.tags } });
    // The same name in another case is the same tag.
    const second = (await (await patch(`/api/cases/${b}`, { tags: { add: ['billing'] } })).json()) as CaseSummary;
    expect(second.tags).toEqual([summary.tags[0]]);
    expect(await deps.db.select().from(tags)).toHaveLength(2);
    await other.close();
  });

  it('removes a tag, and adding what is there or removing what is not writes nothing and announces nothing', async () => {
    const deps = await seeded();
    const a = await newCase(deps, 'first');
    await patch(`/api/cases/${a}`, { tags: { add: ['Billing', 'VIP'] } });
    const other = await openSocket();
    await patch(`/api/cases/${a}`, { tags: { add: ['billing'], remove: ['unknown'] } });
    await patch(`/api/cases/${a}`, { tags: { remove: ['VIP'] } });
    const events = await other.waitFor((e) => e.type === 'case.updated' && e.caseId === a);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ changes: { tags: [{ name: 'Billing' }] } });
    expect(await tagsOf(a)).toEqual(['Billing']);
    // The tag itself stays: only the case lost it.
    expect((await allTags()).map((t) => [t.name, t.cases])).toEqual([
      ['Billing', 1],
      ['VIP', 0],
    ]);
    await other.close();
  });

  it('lists cases by tag (any case), and the tags with counts for autocomplete', async () => {
    const deps = await seeded();
    const a = await newCase(deps, 'first');
    const b = await newCase(deps, 'second');
    await newCase(deps, 'third');
    await patch(`/api/cases/${a}`, { tags: { add: ['Refund'] } });
    await patch(`/api/cases/${b}`, { tags: { add: ['refund', 'Rush'] } });
    const { body } = await getJson<Page<CaseSummary>>('/api/cases?status=all&tag=REFUND');
    expect(body.items.map((c) => c.id).sort()).toEqual([a, b].sort());
    expect((await getJson<Page<CaseSummary>>('/api/cases?status=all&tag=none-such')).body.items).toEqual([]);
    expect((await allTags()).map((t) => [t.name, t.cases])).toEqual([
      ['Refund', 2],
      ['Rush', 1],
    ]);
    expect((await getJson<{ items: TagCount[] }>('/api/tags?q=ru')).body.items.map((t) => t.name)).toEqual(['Rush']);
  });

  it('refuses bad names with a 400 that says why', async () => {
    const deps = await seeded();
    const a = await newCase(deps, 'first');
    expect((await expectError(await patch(`/api/cases/${a}`, { tags: { add: ['   '] } }), 400, 'bad_request')).error.message).toBeTruthy();
    await expectError(await patch(`/api/cases/${a}`, { tags: { add: ['x'.repeat(41)] } }), 400, 'bad_request');
    await expectError(await patch(`/api/cases/${a}`, { tags: { add: ['bad\u0007bell'] } }), 400, 'bad_request');
    await expectError(await patch(`/api/cases/${a}`, { tags: { add: ['two\nlines'] } }), 400, 'bad_request');
    const both = await expectError(await patch(`/api/cases/${a}`, { tags: { add: ['Same'], remove: ['same'] } }), 400, 'bad_request');
    expect(both.error.message).toContain('both added and removed');
    await expectError(await patch(`/api/cases/${a}`, { tags: {} }), 400, 'bad_request');
    expect(await deps.db.select().from(tags)).toEqual([]);
  });
});

describe('tags as an admin keeps them', () => {
  it('renames and recolours: one tag.updated for the workspace, the rows show it, an audit row', async () => {
    const deps = await seeded();
    const a = await newCase(deps, 'first');
    await patch(`/api/cases/${a}`, { tags: { add: ['Bilig'] } });
    const [tag] = await allTags();
    const other = await openSocket();
    const res = await send('PATCH', `/api/admin/tags/${tag!.id}`, { name: 'Billing', color: '#FF0000' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: tag!.id, name: 'Billing', color: '#ff0000', cases: 1 });
    const [event] = await other.waitFor((e) => e.type === 'tag.updated');
    expect(event).toMatchObject({ tagId: tag!.id, tag: { id: tag!.id, name: 'Billing', color: '#ff0000' }, mergedInto: null });
    expect(await tagsOf(a)).toEqual(['Billing']);
    const audit = await deps.db.select().from(auditLog);
    expect(audit).toMatchObject([{ entity: 'tag', entityId: tag!.id, action: 'update' }]);
    expect(JSON.parse(audit[0]!.changes)).toEqual({ name: ['Bilig', 'Billing'], color: [tag!.color, '#ff0000'] });
    // Another tag's name (any case) is refused: that is a merge.
    await patch(`/api/cases/${a}`, { tags: { add: ['Other'] } });
    await expectError(await send('PATCH', `/api/admin/tags/${tag!.id}`, { name: 'OTHER' }), 409, 'conflict');
    await expectError(await send('PATCH', `/api/admin/tags/${tag!.id}`, { color: 'red' }), 400, 'bad_request');
    await expectError(await send('PATCH', '/api/admin/tags/tag_none', { color: '#000000' }), 404, 'not_found');
    await other.close();
  });

  it('merges A into B: cases move (one that has both keeps one), A is gone, one event names B', async () => {
    const deps = await seeded();
    const one = await newCase(deps, 'one');
    const two = await newCase(deps, 'two');
    const three = await newCase(deps, 'three');
    await patch(`/api/cases/${one}`, { tags: { add: ['Bug'] } });
    await patch(`/api/cases/${two}`, { tags: { add: ['Bug', 'Defect'] } });
    await patch(`/api/cases/${three}`, { tags: { add: ['Defect'] } });
    const byName = new Map((await allTags()).map((t) => [t.name, t]));
    const other = await openSocket();
    const res = await send('POST', `/api/admin/tags/${byName.get('Defect')!.id}/merge`, { into: byName.get('Bug')!.id });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ name: 'Bug', cases: 3 });
    const [event] = await other.waitFor((e) => e.type === 'tag.updated');
    expect(event).toMatchObject({ tagId: byName.get('Defect')!.id, tag: null, mergedInto: { id: byName.get('Bug')!.id, name: 'Bug' } });
    for (const c of [one, two, three]) expect(await tagsOf(c)).toEqual(['Bug']);
    expect((await allTags()).map((t) => t.name)).toEqual(['Bug']);
    expect(await deps.db.select().from(caseTags)).toHaveLength(3);
    await expectError(await send('POST', `/api/admin/tags/${byName.get('Bug')!.id}/merge`, { into: byName.get('Bug')!.id }), 400, 'bad_request');
    await other.close();
  });

  it('deletes a tag from every case', async () => {
    const deps = await seeded();
    const a = await newCase(deps, 'first');
    await patch(`/api/cases/${a}`, { tags: { add: ['Old', 'Keep'] } });
    const old = (await allTags()).find((t) => t.name === 'Old')!;
    const other = await openSocket();
    expect((await send('DELETE', `/api/admin/tags/${old.id}`)).status).toBe(204);
    const [event] = await other.waitFor((e) => e.type === 'tag.updated');
    expect(event).toMatchObject({ tagId: old.id, tag: null, mergedInto: null });
    expect(await tagsOf(a)).toEqual(['Keep']);
    expect((await deps.db.select().from(auditLog)).map((r) => r.action)).toEqual(['delete']);
    await other.close();
  });
});
