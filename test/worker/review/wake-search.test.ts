// A case woken by the cron must leave `is:snoozed` in search as it leaves the Snoozed list: the
// wake's claim writes the case row directly, so the index has to hear about it too.
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../../worker/index.ts';
import type { SearchPage } from '../../../worker/protocol/search.ts';
import { seeded } from '../helpers.ts';
import { getJson, newCase, patch } from '../http/client.ts';

const HOUR = 3_600_000;

async function cron(scheduledTime: number) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime }), env, ctx);
  await waitOnExecutionContext(ctx);
}

async function found(q: string): Promise<string[]> {
  const { res, body } = await getJson<SearchPage>(`/api/search?q=${encodeURIComponent(q)}&limit=100`);
  expect(res.status).toBe(200);
  return body.items.map((h) => h.case.id);
}

describe('search after a timed wake', () => {
  it('a case the cron woke is no longer is:snoozed in search, and is found by -is:snoozed', async () => {
    const deps = await seeded();
    const id = await newCase(deps, 'Pelican delivery overdue', undefined, 'pia@example.com');
    const until = Date.now() + 3 * HOUR;
    expect((await patch(`/api/cases/${id}`, { snooze: { until } })).status).toBe(200);
    expect(await found('pelican is:snoozed')).toEqual([id]);
    expect(await found('pelican -is:snoozed')).toEqual([]);
    await cron(until + 60_000);
    expect(await found('pelican is:snoozed')).toEqual([]);
    expect(await found('pelican -is:snoozed')).toEqual([id]);
  });
});
