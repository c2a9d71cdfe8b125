// pickAssignee (worker/admin/assign.ts): the mailbox's default assignee, or round-robin over the
// available active agents of its default team, least recently assigned first.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { pickAssignee } from '../../../worker/admin/assign.ts';
import { agents, type Mailbox } from '../../../worker/db/schema.ts';
import type { Deps } from '../../../worker/deps.ts';
import { DEMO, seeded } from '../helpers.ts';

const T0 = Date.parse('2026-11-23T10:00:00Z');

async function team(deps: Deps, ids: string[], name = 'billing'): Promise<void> {
  for (const [i, id] of ids.entries()) {
    // Created in this order, so ties (never assigned) go to the oldest first.
    await deps.db.insert(agents).values({ id, workspaceId: DEMO.workspaceId, email: `${id}@acme.test`, name: id, team: name, createdAt: T0 + i });
  }
}

function box(extra: Partial<Mailbox> = {}): Pick<Mailbox, 'workspaceId' | 'defaultAssigneeId' | 'defaultTeam'> {
  return { workspaceId: DEMO.workspaceId, defaultAssigneeId: null, defaultTeam: 'billing', ...extra };
}

async function picks(deps: Deps, n: number, at: (i: number) => number, mailbox = box()): Promise<Array<string | null>> {
  const out: Array<string | null> = [];
  for (let i = 0; i < n; i++) out.push((await pickAssignee(deps.db, mailbox, at(i)))?.id ?? null);
  return out;
}

describe('pickAssignee', () => {
  it('goes round the team in order, least recently assigned first', async () => {
    const deps = await seeded();
    await team(deps, ['agt_a', 'agt_b', 'agt_c']);
    expect(await picks(deps, 7, (i) => T0 + i * 60_000)).toEqual(['agt_a', 'agt_b', 'agt_c', 'agt_a', 'agt_b', 'agt_c', 'agt_a']);
    const last = await deps.db.select({ id: agents.id, at: agents.lastAssignedAt }).from(agents).where(eq(agents.team, 'billing'));
    expect(last.find((a) => a.id === 'agt_a')!.at).toBe(T0 + 6 * 60_000);
  });

  it('keeps rotating when every pick happens in the same millisecond (or the clock goes back)', async () => {
    const deps = await seeded();
    await team(deps, ['agt_a', 'agt_b', 'agt_c']);
    expect(await picks(deps, 6, () => T0)).toEqual(['agt_a', 'agt_b', 'agt_c', 'agt_a', 'agt_b', 'agt_c']);
    expect(await picks(deps, 3, () => T0 - 3_600_000)).toEqual(['agt_a', 'agt_b', 'agt_c']);
  });

  it('concurrent picks spread over the team instead of all landing on one agent', async () => {
    const deps = await seeded();
    await team(deps, ['agt_a', 'agt_b', 'agt_c']);
    const got = await Promise.all([0, 1, 2].map(() => pickAssignee(deps.db, box(), T0)));
    expect(got.map((g) => g!.id).sort()).toEqual(['agt_a', 'agt_b', 'agt_c']);
  });

  it('skips unavailable and deactivated agents; a newcomer goes first', async () => {
    const deps = await seeded();
    await team(deps, ['agt_a', 'agt_b', 'agt_c']);
    expect(await picks(deps, 3, (i) => T0 + i)).toEqual(['agt_a', 'agt_b', 'agt_c']);
    await deps.db.update(agents).set({ available: false }).where(eq(agents.id, 'agt_a'));
    await deps.db.update(agents).set({ active: false }).where(eq(agents.id, 'agt_b'));
    expect(await picks(deps, 2, (i) => T0 + 10 + i)).toEqual(['agt_c', 'agt_c']);
    await team(deps, ['agt_new']);
    expect(await picks(deps, 2, (i) => T0 + 20 + i)).toEqual(['agt_new', 'agt_c']);
  });

  it('only the mailbox’s team: other teams and other workspaces are never picked', async () => {
    const deps = await seeded();
    await team(deps, ['agt_x'], 'sales');
    expect(await picks(deps, 1, () => T0)).toEqual([null]);
    await team(deps, ['agt_b1']);
    expect(await picks(deps, 2, (i) => T0 + i)).toEqual(['agt_b1', 'agt_b1']);
  });

  it('nobody available, or no default at all: null', async () => {
    const deps = await seeded();
    await team(deps, ['agt_a']);
    await deps.db.update(agents).set({ available: false }).where(eq(agents.id, 'agt_a'));
    expect(await pickAssignee(deps.db, box(), T0)).toBeNull();
    expect(await pickAssignee(deps.db, box({ defaultTeam: null }), T0)).toBeNull();
  });

  it('a default assignee wins (no rotation); a deactivated one falls through to the team', async () => {
    const deps = await seeded();
    await team(deps, ['agt_a']);
    expect(await pickAssignee(deps.db, box({ defaultAssigneeId: 'agt_ben', defaultTeam: null }), T0)).toEqual({ id: 'agt_ben', name: 'Ben Agent' });
    await deps.db.update(agents).set({ active: false }).where(eq(agents.id, 'agt_ben'));
    expect(await pickAssignee(deps.db, box({ defaultAssigneeId: 'agt_ben', defaultTeam: null }), T0)).toBeNull();
    expect((await pickAssignee(deps.db, box({ defaultAssigneeId: 'agt_ben' }), T0))?.id).toBe('agt_a');
  });
});
