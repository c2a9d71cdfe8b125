// The sweep's cost follows the due cases in pages, not in cases: a page is one read, one batch of
// claims and one commit, however many cases it holds; and two runs racing over the same due cases
// raise every breach once between them.
import { env } from 'cloudflare:test';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { countingD1, type D1Call } from '../../../worker/bench/d1-count.ts';
import { cases, events, mailboxes, slaPolicies } from '../../../worker/db/schema.ts';
import type { Deps } from '../../../worker/deps.ts';
import { receiveEmail } from '../../../worker/ingest/receive.ts';
import { sweepSla } from '../../../worker/sla/sweep.ts';
import { DEMO, incoming, mail, seeded } from '../helpers.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 23, 9, 0);

/** `n` open cases under a 60-minute first-response target, all opened at T0. */
async function dueCases(n: number, calls: D1Call[]): Promise<Deps> {
  const deps = await seeded({ d1: countingD1(env.DB, calls) });
  await deps.db.update(mailboxes).set({ slaOfficeHoursOnly: false }).where(eq(mailboxes.id, DEMO.mailboxId));
  await deps.db
    .update(slaPolicies)
    .set({ firstResponseMinutes: 60, resolutionMinutes: 600, warnMinutes: 10, escalations: JSON.stringify([{ on: 'breach', action: 'raise-priority' }]) })
    .where(eq(slaPolicies.id, DEMO.slaPolicyId));
  deps.now = () => T0;
  await receiveEmail(incoming(mail({ Subject: 'The first one' })), deps);
  // The rest as copies of the first case's row: the sweep reads cases, not how they came.
  const columns = (await env.DB.prepare('SELECT name FROM pragma_table_info(?1)').bind('cases').all<{ name: string }>()).results.map((c) => c.name);
  const copy = columns.map((c) => (c === 'id' ? `'case_copy_' || i` : c === 'number' ? 'number + i' : c)).join(', ');
  await env.DB.prepare(
    `WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?1)
     INSERT INTO cases (${columns.join(', ')}) SELECT ${copy} FROM cases, k WHERE cases.id = (SELECT id FROM cases LIMIT 1)`,
  )
    .bind(n - 1)
    .run();
  calls.length = 0;
  return deps;
}

async function breaches(deps: Deps) {
  return (await deps.db.select().from(events).where(eq(events.type, 'sla.updated'))).map((e) => JSON.parse(e.payload) as { caseId: string; kind: string });
}

describe('SLA sweep in pages', () => {
  it('raises 450 breaches with a handful of D1 calls: per page a read, one batch of claims, one commit', async () => {
    const calls: D1Call[] = [];
    const deps = await dueCases(450, calls);
    expect(await deps.db.$count(cases)).toBe(450);
    calls.length = 0;
    const result = await sweepSla(deps, T0 + 61 * MIN);
    expect(result).toEqual({ checked: 450, warnings: 0, breaches: 450 });
    // 3 pages (200, 200, 50) × (read, claims, agents, commit) + the policy read once.
    expect(calls.length).toBeLessThanOrEqual(13);
    const raised = await breaches(deps);
    expect(raised).toHaveLength(450);
    expect(new Set(raised.map((e) => e.caseId)).size).toBe(450);
    const priorities = await deps.db.select({ p: cases.priority, n: sql<number>`count(*)` }).from(cases).groupBy(cases.priority);
    expect(priorities).toEqual([{ p: 'high', n: 450 }]);
    // Nothing is left due at or before now.
    expect(await deps.db.$count(cases, sql`${cases.nextDueAt} <= ${T0 + 61 * MIN}`)).toBe(0);
  });

  it('two runs racing over the same due cases raise each breach once between them', async () => {
    const calls: D1Call[] = [];
    const deps = await dueCases(300, calls);
    const [a, b] = await Promise.all([sweepSla(deps, T0 + 61 * MIN), sweepSla(deps, T0 + 61 * MIN)]);
    expect(a.breaches + b.breaches).toBe(300);
    const raised = await breaches(deps);
    expect(raised).toHaveLength(300);
    expect(new Set(raised.map((e) => e.caseId)).size).toBe(300);
    // The priority went up once per case, not once per run.
    expect(await deps.db.$count(cases, eq(cases.priority, 'high'))).toBe(300);
    // A late third run finds nothing to raise.
    expect((await sweepSla(deps, T0 + 75 * MIN)).breaches).toBe(0);
  });
});
