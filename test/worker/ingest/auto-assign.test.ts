// New cases of a mailbox with a default team (mailboxes.default_team_id): the team's assign mode
// picks the agent as the mail arrives — round-robin per membership, least-open among agents who are
// connected, or the queue when nobody of the team is.
import { eq } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { agents, cases, mailboxes, teamMembers, teams } from '../../../worker/db/schema.ts';
import type { Deps } from '../../../worker/deps.ts';
import type { ServerFrame } from '../../../worker/protocol/events.ts';
import { PASSWORD, signedIn } from '../admin/helpers.ts';
import { DEMO, seeded } from '../helpers.ts';
import { call, newCase, ORIGIN } from '../http/client.ts';

async function defaultTeam(deps: Deps, mode: 'round-robin' | 'least-open', members: string[]): Promise<void> {
  await deps.db.insert(teams).values({ id: 'team_s', workspaceId: DEMO.workspaceId, name: 'Support', assignMode: mode, createdAt: 1 });
  await deps.db.insert(teamMembers).values(members.map((agentId) => ({ teamId: 'team_s', agentId, addedAt: 1 })));
  // The name column is what the ingest still looks at to know that a team turn is due.
  await deps.db.update(mailboxes).set({ defaultTeam: 'Support', defaultTeamId: 'team_s' }).where(eq(mailboxes.id, DEMO.mailboxId));
}

async function assigneeOfNew(deps: Deps, subject: string): Promise<string | null> {
  const id = await newCase(deps, subject, undefined, `${subject.replace(/\W+/g, '-')}@example.com`);
  const [row] = await deps.db.select({ a: cases.assigneeId }).from(cases).where(eq(cases.id, id));
  return row!.a;
}

describe('auto-assignment of new cases by the mailbox default team', () => {
  it('round-robin takes turns per membership (team_members), not by agents.team', async () => {
    const deps = await seeded();
    await defaultTeam(deps, 'round-robin', ['agt_ada', 'agt_ben']);
    const got: Array<string | null> = [];
    for (const s of ['one', 'two', 'three', 'four']) got.push(await assigneeOfNew(deps, `rr ${s}`));
    expect(got).toEqual(['agt_ada', 'agt_ben', 'agt_ada', 'agt_ben']);
    const turns = await deps.db.select().from(teamMembers).where(eq(teamMembers.teamId, 'team_s'));
    expect(turns.every((t) => t.lastAssignedAt !== null)).toBe(true);
    expect((await deps.db.select({ at: agents.lastAssignedAt }).from(agents)).every((a) => a.at === null)).toBe(true);
  });

  it('least-open gives the case to a present member only; with nobody present it stays unassigned', async () => {
    const deps = await seeded();
    const { ben } = await signedIn(deps);
    await defaultTeam(deps, 'least-open', ['agt_ada', 'agt_ben']);
    expect(await assigneeOfNew(deps, 'nobody around')).toBeNull();
    // Unassigned, but in the team's queue.
    expect((await deps.db.select({ t: cases.teamId }).from(cases)).map((r) => r.t)).toEqual(['team_s']);
    const res = await call('/api/live', { headers: { Upgrade: 'websocket', Origin: ORIGIN, Cookie: ben } }, PASSWORD);
    const ws = res.webSocket!;
    const frames: ServerFrame[] = [];
    ws.addEventListener('message', (e) => frames.push(JSON.parse(e.data as string) as ServerFrame));
    ws.accept();
    await vi.waitFor(() => expect(frames.some((f) => f.type === 'hello')).toBe(true));
    try {
      expect(await assigneeOfNew(deps, 'ben is here')).toBe('agt_ben');
      // Ben has one open case, Ada none, but Ada is not connected: Ben again.
      expect(await assigneeOfNew(deps, 'ben again')).toBe('agt_ben');
    } finally {
      const closed = new Promise<void>((resolve) => ws.addEventListener('close', () => resolve()));
      ws.close(1000, 'done');
      await closed;
    }
  });
});
