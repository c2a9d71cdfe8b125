// Assigning a case to an agent or a team (PATCH /api/cases/:id { assignee }), the team's modes
// (round-robin, least-open among present agents, off), and what other agents see of it live.
import { eq } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { agents, cases, outbox, teamMembers, teams } from '../../../worker/db/schema.ts';
import type { Deps } from '../../../worker/deps.ts';
import { pickInTeam, type Member } from '../../../worker/cases/assign.ts';
import type { Agent } from '../../../worker/db/schema.ts';
import type { CaseSummary } from '../../../worker/protocol/api.ts';
import type { ServerFrame } from '../../../worker/protocol/events.ts';
import { PASSWORD, signedIn } from '../admin/helpers.ts';
import { DEMO, seeded } from '../helpers.ts';
import { call, expectError, newCase, ORIGIN } from '../http/client.ts';

const T = Date.now();

async function addAgent(deps: Deps, id: string, name: string, extra: Partial<Agent> = {}): Promise<void> {
  await deps.db.insert(agents).values({ id, workspaceId: DEMO.workspaceId, email: `${id}@acme.test`, name, role: 'agent', createdAt: T, ...extra });
}

async function addTeam(deps: Deps, id: string, name: string, mode: 'off' | 'round-robin' | 'least-open', members: string[]): Promise<void> {
  await deps.db.insert(teams).values({ id, workspaceId: DEMO.workspaceId, name, assignMode: mode, createdAt: T });
  if (members.length) await deps.db.insert(teamMembers).values(members.map((agentId) => ({ teamId: id, agentId, addedAt: T })));
}

function assign(caseId: string, assignee: { agentId: string | null; teamId: string | null }, cookie?: string): Promise<Response> {
  return call(
    `/api/cases/${caseId}`,
    {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json', 'Sec-Fetch-Site': 'same-origin', Origin: ORIGIN, ...(cookie ? { Cookie: cookie } : {}) },
      body: JSON.stringify({ assignee }),
    },
    cookie ? PASSWORD : {},
  );
}

async function summary(res: Response): Promise<CaseSummary> {
  const body = (await res.json()) as CaseSummary;
  if (res.status !== 200) throw new Error(`expected 200, got ${res.status}: ${JSON.stringify(body)}`);
  return body;
}

/** An agent's socket (password mode, by cookie), collecting event frames. */
async function socketOf(cookie: string) {
  const res = await call('/api/live', { headers: { Upgrade: 'websocket', Origin: ORIGIN, Cookie: cookie } }, PASSWORD);
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  const frames: ServerFrame[] = [];
  ws.addEventListener('message', (e) => frames.push(JSON.parse(e.data as string) as ServerFrame));
  ws.accept();
  // The hello frame means the hub has accepted (and tagged) the socket.
  await vi.waitFor(() => expect(frames.some((f) => f.type === 'hello')).toBe(true));
  return {
    frames,
    async close() {
      const closed = new Promise<void>((resolve) => ws.addEventListener('close', () => resolve()));
      ws.close(1000, 'done');
      await closed;
    },
  };
}

describe('assigning a case', () => {
  it('to another agent: their socket hears case.updated at once and they get the assignment mail', async () => {
    const deps = await seeded();
    const { ada, ben } = await signedIn(deps);
    const caseId = await newCase(deps, 'for ben');
    const bens = await socketOf(ben);
    try {
      const after = await summary(await assign(caseId, { agentId: 'agt_ben', teamId: null }, ada));
      expect(after.assignee).toEqual({ id: 'agt_ben', name: 'Ben Agent' });
      const hit = await vi.waitFor(() => {
        const f = bens.frames.find((x) => x.type === 'event' && x.event.type === 'case.updated' && x.event.caseId === caseId);
        if (!f) throw new Error('no case.updated yet');
        return f;
      });
      expect(hit.type === 'event' && hit.event.type === 'case.updated' && hit.event.changes.assignee).toEqual({ id: 'agt_ben', name: 'Ben Agent' });
      const mails = await deps.db.select().from(outbox).where(eq(outbox.caseId, caseId));
      expect(mails.map((m) => m.kind)).toEqual(['notification']);
      // Unassigning takes the assignee off and mails nobody.
      const off = await summary(await assign(caseId, { agentId: null, teamId: null }, ada));
      expect(off.assignee).toBeNull();
      expect(await deps.db.select().from(outbox).where(eq(outbox.caseId, caseId))).toHaveLength(1);
    } finally {
      await bens.close();
    }
  });

  it('to a team member by name; someone outside the team, a deactivated agent or an unknown team is a 400', async () => {
    const deps = await seeded();
    await addAgent(deps, 'agt_cara', 'Cara');
    await addAgent(deps, 'agt_gone', 'Gone', { active: false });
    await addTeam(deps, 'team_billing', 'Billing', 'round-robin', ['agt_ben', 'agt_gone']);
    const caseId = await newCase(deps, 'billing question');
    const after = await summary(await assign(caseId, { agentId: 'agt_ben', teamId: 'team_billing' }));
    expect(after).toMatchObject({ assignee: { id: 'agt_ben' }, team: { id: 'team_billing', name: 'Billing' } });
    await expectError(await assign(caseId, { agentId: 'agt_cara', teamId: 'team_billing' }), 400, 'bad_request');
    await expectError(await assign(caseId, { agentId: 'agt_gone', teamId: 'team_billing' }), 400, 'bad_request');
    await expectError(await assign(caseId, { agentId: 'agt_gone', teamId: null }), 400, 'bad_request');
    await expectError(await assign(caseId, { agentId: 'auto', teamId: 'team_nope' }), 400, 'bad_request');
    await expectError(await assign(caseId, { agentId: 'auto', teamId: null }), 400, 'bad_request');
    const [row] = await deps.db.select().from(cases).where(eq(cases.id, caseId));
    expect(row).toMatchObject({ assigneeId: 'agt_ben', teamId: 'team_billing' });
  });

  it("a team in mode off keeps the case in the team's queue", async () => {
    const deps = await seeded();
    await addTeam(deps, 'team_q', 'Queue', 'off', ['agt_ben']);
    const caseId = await newCase(deps, 'queued');
    const after = await summary(await assign(caseId, { agentId: 'auto', teamId: 'team_q' }));
    expect(after).toMatchObject({ assignee: null, team: { id: 'team_q', name: 'Queue' } });
  });

  it('round-robin is fair over 30 cases: each of three members gets 10, in turn; an unavailable or deactivated member none', async () => {
    const deps = await seeded();
    await addAgent(deps, 'agt_cara', 'Cara');
    await addAgent(deps, 'agt_away', 'Away', { available: false });
    await addAgent(deps, 'agt_gone', 'Gone', { active: false });
    await addTeam(deps, 'team_rr', 'Support', 'round-robin', ['agt_ada', 'agt_ben', 'agt_cara', 'agt_away', 'agt_gone']);
    const picks: string[] = [];
    for (let i = 0; i < 30; i++) {
      const caseId = await newCase(deps, `rr ${i}`, undefined, `sender${i}@example.com`);
      picks.push((await summary(await assign(caseId, { agentId: 'auto', teamId: 'team_rr' }))).assignee!.id);
    }
    const counts = Object.fromEntries(['agt_ada', 'agt_ben', 'agt_cara'].map((id) => [id, picks.filter((p) => p === id).length]));
    expect(counts).toEqual({ agt_ada: 10, agt_ben: 10, agt_cara: 10 });
    expect(picks).not.toContain('agt_away');
    expect(picks).not.toContain('agt_gone');
    // In turn: no member gets a second case before the others had theirs.
    for (let i = 0; i + 3 <= picks.length; i += 3) expect(new Set(picks.slice(i, i + 3)).size).toBe(3);
  });

  it('least-open picks the present member with the fewest open cases, never an absent one; nobody present leaves it in the queue', async () => {
    const deps = await seeded();
    const { ada, ben } = await signedIn(deps);
    await addAgent(deps, 'agt_cara', 'Cara');
    await addTeam(deps, 'team_lo', 'Least', 'least-open', ['agt_ada', 'agt_ben', 'agt_cara']);
    // Ben already has two open cases; Cara (absent) has none.
    for (const s of ['ben one', 'ben two']) await assign(await newCase(deps, s), { agentId: 'agt_ben', teamId: null });
    const first = await newCase(deps, 'nobody here');
    expect(await summary(await assign(first, { agentId: 'auto', teamId: 'team_lo' }))).toMatchObject({ assignee: null, team: { id: 'team_lo' } });
    const bens = await socketOf(ben);
    try {
      // Only Ben is present: he gets it despite having the most open cases.
      const second = await newCase(deps, 'ben is here');
      expect((await summary(await assign(second, { agentId: 'auto', teamId: 'team_lo' }))).assignee?.id).toBe('agt_ben');
      const adas = await socketOf(ada);
      try {
        // Both present: Ada has fewer open cases.
        const third = await newCase(deps, 'both here');
        expect((await summary(await assign(third, { agentId: 'auto', teamId: 'team_lo' }))).assignee?.id).toBe('agt_ada');
      } finally {
        await adas.close();
      }
    } finally {
      await bens.close();
    }
  });

  it('the hub names each connected agent once', async () => {
    const deps = await seeded();
    const { ben } = await signedIn(deps);
    const [one, two] = [await socketOf(ben), await socketOf(ben)];
    try {
      expect(await deps.presence.connectedAgents(DEMO.workspaceId)).toEqual(['agt_ben']);
    } finally {
      await one.close();
      await two.close();
    }
  });
});

describe('pickInTeam (pure)', () => {
  const agent = (id: string, extra: Partial<Agent> = {}) => ({ id, createdAt: 0, active: true, available: true, ...extra }) as Agent;
  const m = (id: string, open: number, last: number | null, extra: Partial<Agent> = {}): Member => ({ agent: agent(id, extra), open, lastAssignedAt: last });

  it('least-open: a deactivated or unavailable present member is never picked; ties go to the older turn', () => {
    const members = [m('a', 0, 5, { active: false }), m('b', 0, 1, { available: false }), m('c', 3, 9), m('d', 3, 2)];
    expect(pickInTeam({ assignMode: 'least-open' }, members, new Set(['a', 'b', 'c', 'd']))?.agent.id).toBe('d');
    expect(pickInTeam({ assignMode: 'least-open' }, members, new Set(['a', 'b']))).toBeNull();
    expect(pickInTeam({ assignMode: 'least-open' }, members, null)).toBeNull();
  });

  it('round-robin: never given a case first, then the oldest turn', () => {
    expect(pickInTeam({ assignMode: 'round-robin' }, [m('a', 0, 4), m('b', 0, null), m('c', 0, 1)], null)?.agent.id).toBe('b');
    expect(pickInTeam({ assignMode: 'round-robin' }, [m('a', 0, 4), m('c', 0, 1)], null)?.agent.id).toBe('c');
    expect(pickInTeam({ assignMode: 'off' }, [m('a', 0, 4)], null)).toBeNull();
  });
});
