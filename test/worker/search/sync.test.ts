// The index stays in step with the main database: a rebuild from it answers what the incremental
// index answered, and a failed index write loses no mail (filed, marked, written again by the cron).
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { searchStale } from '../../../worker/db/schema.ts';
import type { SearchPage } from '../../../worker/protocol/search.ts';
import { update } from '../../../worker/changes/change.ts';
import { commit } from '../../../worker/changes/commit.ts';
import { runScheduled } from '../../../worker/scheduled.ts';
import { rebuildSearch } from '../../../worker/search/sync.ts';
import { DEMO, mail, seeded } from '../helpers.ts';
import { call, deliver, getJson, newCase, ORIGIN, OTHER, otherWorkspace, patch } from '../http/client.ts';

async function find(q: string): Promise<SearchPage> {
  const { res, body } = await getJson<SearchPage>(`/api/search?q=${encodeURIComponent(q)}&limit=100`);
  expect(res.status).toBe(200);
  return body;
}

const QUERIES = ['order', 'refund', '"my order"', '-order', 'müller', '東京', 'tag:vip', 'has:note', 'status:pending', 'has:attachment', 'from:bob@example.org', 'invoice -status:closed', ''];

async function answers(): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const q of QUERIES) out.push({ q, hits: (await find(q)).items.map((h) => ({ id: h.case.id, subject: h.subject, snippet: h.snippet })) });
  return out;
}

/** The SEARCH binding, except that every batch fails as if the index database were unavailable. */
function failingSearch(): D1Database {
  return new Proxy(env.SEARCH, {
    get(target, prop) {
      if (prop === 'batch') return async () => Promise.reject(new Error('D1_ERROR: simulated index outage'));
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('search index sync', () => {
  it('messages moved to another case (a merge) are found in the case they moved to', async () => {
    const deps = await seeded();
    const a = await newCase(deps, 'Toaster sparks', undefined, 'eve@example.com');
    const b = await newCase(deps, 'Kitchen trouble', undefined, 'eve@example.com');
    expect((await find('toaster')).items.map((h) => h.case.id)).toEqual([a]);
    await commit(deps, {
      workspaceId: DEMO.workspaceId,
      writes: [update('messages', { caseId: a }, { caseId: b }), update('cases', { id: a }, { status: 'closed' })],
      events: [],
      outgoing: [],
      blobs: [],
    });
    // The moved message's text is in the case it went to, and no longer in the one it left.
    const hits = (await find('toaster')).items;
    // The case it left still has its subject (ranked first); the text is the other case's.
    expect(hits.map((h) => [h.case.id, h.snippet?.field ?? null])).toEqual([
      [a, null],
      [b, 'body'],
    ]);
  });

  it('a rebuild from the main database answers what the incremental index answered', async () => {
    const deps = await seeded();
    const a = await newCase(deps, 'Refund for my order', undefined, 'ana@example.com');
    await deliver(deps, mail({ Subject: 'Re: Refund for my order', From: 'Ana <ana@example.com>', 'In-Reply-To': '<nothing@example.com>' }, 'Still waiting for the refund of my order.'), {
      from: 'ana@example.com',
    });
    const b = await newCase(deps, 'Lieferung an Herrn Müller', undefined, 'bob@example.org');
    await newCase(deps, '東京の倉庫', undefined, 'ken@example.jp');
    await newCase(deps, 'Invoice copy needed', undefined, 'carol@example.com');
    const note = await call(`/api/cases/${a}/notes`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Sec-Fetch-Site': 'same-origin', Origin: ORIGIN },
      body: JSON.stringify({ text: 'refund approved by finance' }),
    });
    expect(note.status).toBe(201);
    expect((await patch(`/api/cases/${b}`, { tags: { add: ['VIP', 'Shipping'] }, status: 'pending' })).status).toBe(200);
    expect((await patch(`/api/cases/${b}`, { tags: { remove: ['Shipping'] } })).status).toBe(200);
    const incremental = await answers();
    // Something to compare: the queries find cases, not only nothing.
    expect((incremental as Array<{ hits: unknown[] }>).filter((x) => x.hits.length > 0).length).toBeGreaterThan(8);
    expect(await rebuildSearch(deps.db, env.SEARCH)).toBeGreaterThanOrEqual(4);
    expect(await answers()).toEqual(incremental);
    // The admin route does the same.
    const res = await call('/api/search/rebuild', { method: 'POST', headers: { 'Sec-Fetch-Site': 'same-origin', Origin: ORIGIN } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { cases: number }).cases).toBeGreaterThanOrEqual(4);
    expect(await answers()).toEqual(incremental);
  });

  it('the admin route rebuilds its own workspace only: another workspace keeps its index rows', async () => {
    const deps = await seeded();
    await otherWorkspace(deps);
    await newCase(deps, 'Quokka sighting', undefined, 'ana@example.com');
    await deliver(deps, mail({ Subject: 'Quokka elsewhere', From: 'Ola <ola@example.net>', To: OTHER.mailbox }, 'Their quokka.'), { from: 'ola@example.net', to: OTHER.mailbox });
    const rows = async (workspaceId: string) =>
      (await env.SEARCH.prepare('SELECT count(*) AS n FROM search_cases c JOIN search_text t ON t.rowid = c.doc WHERE c.workspace_id = ?1').bind(workspaceId).first<{ n: number }>())?.n;
    expect(await rows(OTHER.workspaceId)).toBe(1);
    const demoBefore = await rows(DEMO.workspaceId);
    // The other workspace's index row is made stale by hand: a whole-index rebuild would rewrite it.
    await env.SEARCH.prepare("UPDATE search_text SET subject = 'stale' WHERE rowid = (SELECT doc FROM search_cases WHERE workspace_id = ?1)").bind(OTHER.workspaceId).run();
    const res = await call('/api/search/rebuild', { method: 'POST', headers: { 'Sec-Fetch-Site': 'same-origin', Origin: ORIGIN } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { cases: number }).cases).toBe(demoBefore);
    expect(await rows(DEMO.workspaceId)).toBe(demoBefore);
    const other = await env.SEARCH.prepare('SELECT t.subject FROM search_cases c JOIN search_text t ON t.rowid = c.doc WHERE c.workspace_id = ?1').bind(OTHER.workspaceId).first<{ subject: string }>();
    expect(other?.subject).toBe('stale');
    expect((await find('quokka')).items.map((h) => h.case.subject)).toEqual(['Quokka sighting']);
  });

  it('a failed index write leaves the mail filed, marks the case, and the scheduled run indexes it', async () => {
    const deps = await seeded();
    const broken = { ...deps, search: { d1: failingSearch() } };
    await deliver(broken, mail({ Subject: 'Index outage mail', From: 'Dora <dora@example.com>' }, 'The espresso machine leaks.'), { from: 'dora@example.com' });
    const { body } = await getJson<{ items: Array<{ id: string; subject: string }> }>('/api/cases?status=all&limit=200');
    const filed = body.items.find((c) => c.subject === 'Index outage mail');
    expect(filed).toBeDefined();
    expect((await find('espresso')).items).toEqual([]);
    expect((await deps.db.select().from(searchStale)).map((s) => s.caseId)).toEqual([filed!.id]);
    await runScheduled(deps, Date.now());
    expect((await find('espresso')).items.map((h) => h.case.id)).toEqual([filed!.id]);
    expect(await deps.db.select().from(searchStale)).toEqual([]);
    // Written again from the main database, the case takes later changes as usual.
    expect((await patch(`/api/cases/${filed!.id}`, { status: 'pending' })).status).toBe(200);
    expect((await find('espresso status:pending')).items.map((h) => h.case.id)).toEqual([filed!.id]);
  });
});
