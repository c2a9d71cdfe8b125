// Bulk actions through POST /api/cases/bulk: 500 cases in one request (one case.updated per case,
// reaching another socket), the undo requests it answers putting every case back, cases it cannot
// change reported beside those it changed, and invalid requests refused whole with a 400.
import { eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:test';
import { cases, caseTags, tags } from '../../../worker/db/schema.ts';
import type { Deps } from '../../../worker/deps.ts';
import type { BulkBody, BulkResult } from '../../../worker/protocol/api.ts';
import { DEMO, seeded } from '../helpers.ts';
import { call, expectError, newCase, ORIGIN, OTHER, otherWorkspace, patch } from '../http/client.ts';
import { openSocket } from './live-socket.ts';

function bulk(body: unknown, bindings: Partial<Env> = {}): Promise<Response> {
  return call('/api/cases/bulk', { method: 'POST', headers: { 'Content-Type': 'application/json', 'Sec-Fetch-Site': 'same-origin', Origin: ORIGIN }, body: JSON.stringify(body) }, bindings);
}

/** The real D1 binding, recording the size of every batch sent through it (single statements count as 1). */
function countingD1(): { d1: D1Database; batches: number[]; singles: () => number } {
  const batches: number[] = [];
  let singles = 0;
  const d1 = new Proxy(env.DB, {
    get(target, prop) {
      if (prop === 'batch') return (stmts: D1PreparedStatement[]) => (batches.push(stmts.length), target.batch(stmts));
      if (prop === 'prepare') {
        return (query: string) => {
          const stmt = target.prepare(query);
          const count = (s: D1PreparedStatement): D1PreparedStatement =>
            new Proxy(s, {
              get(t, p) {
                if (p === 'bind') return (...v: unknown[]) => count(t.bind(...v));
                if (p === 'all' || p === 'run' || p === 'first' || p === 'raw') singles++;
                const value = Reflect.get(t, p, t);
                return typeof value === 'function' ? value.bind(t) : value;
              },
            });
          return count(stmt);
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { d1, batches, singles: () => singles };
}

async function bulkOk(body: BulkBody): Promise<BulkResult> {
  const res = await bulk(body);
  expect(res.status).toBe(200);
  return (await res.json()) as BulkResult;
}

/** `n` new cases of the demo mailbox written straight into D1 (the pipeline would take minutes for 500). */
async function manyCases(deps: Deps, n: number, workspaceId: string = DEMO.workspaceId, mailboxId: string = DEMO.mailboxId): Promise<string[]> {
  const now = Date.now();
  const rows = Array.from({ length: n }, (_, i) => ({
    id: `case_bulk${workspaceId}${String(i).padStart(4, '0')}`,
    workspaceId,
    mailboxId,
    number: 1000 + i,
    subject: `Bulk ${i}`,
    status: (i % 2 === 0 ? 'new' : 'open') as 'new' | 'open',
    createdAt: now,
    updatedAt: now,
    lastMessageAt: now - i,
  }));
  for (let i = 0; i < rows.length; i += 50) await deps.db.batch(rows.slice(i, i + 50).map((r) => deps.db.insert(cases).values(r)) as never);
  return rows.map((r) => r.id);
}

describe('POST /api/cases/bulk', () => {
  it('changes 500 cases with one event each, and its undo requests put every case back', async () => {
    const deps = await seeded();
    const ids = await manyCases(deps, 500);
    const other = await openSocket();
    const started = performance.now();
    const done = await bulkOk({ caseIds: ids, edits: { status: 'pending', tags: { add: ['Bulk'] } } });
    const took = performance.now() - started;
    console.log(`bulk of 500 cases (status + new tag): ${took.toFixed(0)} ms`);
    expect(done.results).toHaveLength(500);
    expect(done.results.every((r) => r.ok && r.changed)).toBe(true);
    expect(done.results[0]).toEqual({ caseId: ids[0], ok: true, changed: true, before: { status: 'new', tags: [] } });
    expect(done.results[1]).toMatchObject({ before: { status: 'open', tags: [] } });
    const events = await other.waitFor((e) => e.type === 'case.updated', 500);
    expect(new Set(events.map((e) => e.caseId)).size).toBe(500);
    expect(events[0]).toMatchObject({ changes: { status: 'pending', tags: [{ name: 'Bulk' }] } });
    const rows = await deps.db.select().from(cases).where(eq(cases.workspaceId, DEMO.workspaceId));
    expect(rows.filter((r) => r.status === 'pending')).toHaveLength(500);
    expect(await deps.db.select().from(tags)).toHaveLength(1);
    expect(await deps.db.select().from(caseTags)).toHaveLength(500);
    // The undo: one request per group of cases that were alike before.
    expect(done.undo).toHaveLength(2);
    expect(done.undo.map((u) => [u.edits, u.caseIds.length])).toEqual([
      [{ status: 'new', tags: { add: [], remove: ['Bulk'] } }, 250],
      [{ status: 'open', tags: { add: [], remove: ['Bulk'] } }, 250],
    ]);
    for (const u of done.undo) expect((await bulkOk(u)).results.every((r) => r.ok && r.changed)).toBe(true);
    await other.waitFor((e) => e.type === 'case.updated', 1000);
    const back = await deps.db
      .select()
      .from(cases)
      .where(inArray(cases.id, ids.slice(0, 2)));
    expect(back.map((r) => r.status).sort()).toEqual(['new', 'open']);
    expect(await deps.db.select().from(caseTags)).toHaveLength(0);
    await other.close();
  });

  it('500 cases are read in one batch and written in five batches of at most 301 statements', async () => {
    const deps = await seeded();
    const ids = await manyCases(deps, 500);
    const counted = countingD1();
    const res = await bulk({ caseIds: ids, edits: { status: 'pending', tags: { add: ['Counted'] } } }, { DB: counted.d1 });
    expect(res.status).toBe(200);
    console.log(`bulk of 500 cases: batches of ${counted.batches.join(', ')} statements, ${counted.singles()} single statements`);
    // The facts: mailboxes, policies, calendars, agents, named tags, then 6 slices of cases and 6 of their tags.
    expect(counted.batches[0]).toBe(17);
    // Per case its update, its tag row and its event; per slice the new tag once.
    expect(counted.batches.slice(1)).toEqual([301, 301, 301, 301, 301]);
  });

  it('reports cases it cannot change (not found, another workspace, refused) and changes the rest', async () => {
    const deps = await seeded();
    await otherWorkspace(deps);
    const [foreign] = await manyCases(deps, 1, OTHER.workspaceId, OTHER.mailboxId);
    const a = await newCase(deps, 'open one');
    const b = await newCase(deps, 'closed one');
    await patch(`/api/cases/${b}`, { status: 'closed' });
    const until = Date.now() + 3_600_000;
    const done = await bulkOk({ caseIds: [a, 'case_nope', foreign!, b], edits: { snooze: { until } } });
    expect(done.results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(['ok', 'not_found', 'not_found', 'bad_request']);
    expect(done.results[3]).toMatchObject({ ok: false, error: { message: expect.stringContaining('closed') } });
    expect((await deps.db.select().from(cases).where(eq(cases.id, a)).get())!.snoozedUntil).toBe(until);
    expect((await deps.db.select().from(cases).where(eq(cases.id, foreign!)).get())!.snoozedAt).toBeNull();
    expect(done.undo).toEqual([{ caseIds: [a], edits: { snooze: null } }]);
    // Changing what already is: ok, unchanged, nothing to undo.
    const again = await bulkOk({ caseIds: [a], edits: { snooze: { until } } });
    expect(again).toEqual({ results: [{ caseId: a, ok: true, changed: false, before: { snooze: { until } } }], undo: [] });
  });

  it('refuses invalid requests whole with a 400 that says why', async () => {
    const deps = await seeded();
    const a = await newCase(deps, 'one');
    const cases501 = Array.from({ length: 501 }, (_, i) => `case_${i}`);
    expect((await expectError(await bulk({ caseIds: [], edits: { status: 'open' } }), 400, 'bad_request')).error.message).toBeTruthy();
    await expectError(await bulk({ caseIds: cases501, edits: { status: 'open' } }), 400, 'bad_request');
    await expectError(await bulk({ caseIds: [a, a], edits: { status: 'open' } }), 400, 'bad_request');
    await expectError(await bulk({ caseIds: [a], edits: {} }), 400, 'bad_request');
    await expectError(await bulk({ caseIds: [a], edits: { status: 'sleeping' } }), 400, 'bad_request');
    await expectError(await bulk({ caseIds: [a], edits: { status: 'open' }, extra: 1 }), 400, 'bad_request');
    expect((await expectError(await bulk({ caseIds: [a], edits: { snooze: { until: Date.now() - 1 } } }), 400, 'bad_request')).error.message).toContain('future');
    expect((await expectError(await bulk({ caseIds: [a], edits: { assigneeId: 'agt_nobody' } }), 400, 'bad_request')).error.message).toContain('agent');
    await expectError(await bulk({ caseIds: [a], edits: { tags: { add: ['\u0000'] } } }), 400, 'bad_request');
    expect((await deps.db.select().from(cases).where(eq(cases.id, a)).get())!.status).toBe('new');
  });
});
