// The case-change planner as a pure function: facts in, a Change out, nothing read or written.
import { describe, expect, it } from 'vitest';
import type { Agent, Case, Mailbox } from '../../../worker/db/schema.ts';
import type { Write } from '../../../worker/changes/change.ts';
import { CaseActionError } from '../../../worker/cases/errors.ts';
import { assemble, namedAgents, planCaseChange, type CaseEdit, type CaseFacts, type PlanContext } from '../../../worker/cases/plan.ts';
import { editsOf } from '../../../worker/cases/update.ts';
import { CALENDAR_24_7 } from '../../../worker/sla/calendar.ts';
import { slaOnCreate, type SlaContext } from '../../../worker/sla/transition.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 23, 9, 0);
const NOW = T0 + 30 * MIN;

const SLA: SlaContext = {
  policy: {
    id: 'sla_std',
    minutes: { firstResponse: 60, nextResponse: 120, resolution: 480 },
    byPriority: { urgent: { resolution: 120 } },
    businessHoursOnly: false,
    pauseWhenPending: true,
    warnMinutes: 15,
  },
  calendar: CALENDAR_24_7,
  escalations: [],
};

const MAILBOX: Mailbox = {
  id: 'mbx_support',
  workspaceId: 'ws_acme',
  address: 'support@acme.test',
  displayName: 'Acme Support',
  enabled: true,
  defaultAssigneeId: null,
  defaultTeam: null,
  defaultTeamId: null,
  slaPolicyId: 'sla_std',
  calendarId: null,
  slaOfficeHoursOnly: false,
  ackOnCreate: false,
  ackOnUpdate: false,
  ackCreateTemplate: null,
  ackUpdateTemplate: null,
  ackOffHoursTemplate: null,
  ackMaxPerCaseHour: 1,
  ackMaxPerRecipientDay: 10,
  replyPolicy: 'participants',
  unverifiedPolicy: 'token-only',
  floodMaxPerSender: 15,
  floodMaxIdentical: 5,
  floodWindowMinutes: 10,
  catchAllAddress: null,
  followUpPolicy: 'reopen',
  followUpDays: 14,
  attachmentMaxCount: 5,
  attachmentMaxBytes: 10 * 1024 * 1024,
  attachmentAllowedTypes: '[]',
  maxMessageBytes: 25 * 1024 * 1024,
  createdAt: T0,
  updatedAt: T0,
};

function agent(id: string, over: Partial<Agent> = {}): Agent {
  return {
    id,
    workspaceId: 'ws_acme',
    email: `${id.slice(4)}@acme.test`,
    name: `${id.slice(4)} Agent`,
    role: 'agent',
    passwordHash: null,
    active: true,
    tokenCode: `${id.slice(4)}001`,
    notifyAssignment: true,
    notifyCustomerReply: true,
    notifySla: true,
    notifyMention: true,
    team: null,
    available: true,
    lastAssignedAt: null,
    createdAt: T0,
    ...over,
  };
}

function kase(over: Partial<Case> = {}): Case {
  return {
    id: 'case_1',
    workspaceId: 'ws_acme',
    mailboxId: MAILBOX.id,
    number: 7,
    subject: 'Where is my order?',
    status: 'open',
    priority: 'normal',
    contactId: null,
    assigneeId: null,
    team: null,
    teamId: null,
    snoozedAt: null,
    snoozedUntil: null,
    snoozedBy: null,
    linkedCaseId: null,
    mergedIntoId: null,
    statusChangedAt: null,
    messageCount: 1,
    createdAt: T0,
    updatedAt: T0,
    lastMessageAt: T0,
    closedAt: null,
    ...slaOnCreate(SLA, 'normal', T0),
    slaPolicyId: 'sla_std',
    ...over,
  };
}

function facts(over: Partial<Case> = {}, agents: Agent[] = [agent('agt_ben'), agent('agt_ada')]): CaseFacts {
  return { kase: kase(over), mailbox: MAILBOX, sla: SLA, agents };
}

const BY: PlanContext = { by: { id: 'agt_ada', name: 'ada Agent' }, now: NOW, secret: 'test-secret', appUrl: 'https://edgecase.test' };
const LOCAL: PlanContext = { ...BY, by: { id: null, name: 'Local agent' } };

/** The one update of the case row a change makes. */
function caseUpdate(writes: Write[]) {
  const updates = writes.filter((w) => w.op === 'update' && w.table === 'cases');
  expect(updates).toHaveLength(1);
  const w = updates[0] as Extract<Write, { op: 'update'; table: 'cases' }>;
  return w;
}

function updatedChanges(change: Awaited<ReturnType<typeof planCaseChange>>) {
  const updated = change.events.filter((e) => e.body.type === 'case.updated');
  expect(updated).toHaveLength(1);
  const body = updated[0]!.body;
  return body.type === 'case.updated' ? body.changes : null;
}

describe('planCaseChange: status', () => {
  it('a new status sets the column and updatedAt, and says so in one case.updated event by the agent', async () => {
    const change = await planCaseChange(facts({ status: 'new' }), [{ kind: 'status', status: 'open' }], BY);
    const w = caseUpdate(change.writes);
    expect(w.where).toEqual({ id: 'case_1', workspaceId: 'ws_acme' });
    expect(w.set).toMatchObject({ status: 'open', updatedAt: NOW });
    expect(w.set).not.toHaveProperty('closedAt');
    expect(change.events).toEqual([{ caseId: 'case_1', actor: 'agent:agt_ada', body: { type: 'case.updated', caseId: 'case_1', changes: { status: 'open' } } }]);
    expect(change.outgoing).toEqual([]);
    expect(change.workspaceId).toBe('ws_acme');
  });

  it('open mode records the local agent as the actor', async () => {
    const change = await planCaseChange(facts(), [{ kind: 'status', status: 'pending' }], LOCAL);
    expect(change.events[0]!.actor).toBe('agent:local');
  });

  it('closing stamps closedAt; reopening (to any status) clears it', async () => {
    const closing = await planCaseChange(facts({ status: 'open' }), [{ kind: 'status', status: 'closed' }], BY);
    expect(caseUpdate(closing.writes).set).toMatchObject({ status: 'closed', closedAt: NOW });
    for (const status of ['open', 'resolved', 'pending', 'new'] as const) {
      const reopening = await planCaseChange(facts({ status: 'closed', closedAt: T0 }), [{ kind: 'status', status }], BY);
      expect(caseUpdate(reopening.writes).set).toMatchObject({ status, closedAt: null });
    }
    // Resolving is not closing: closedAt is left alone.
    const resolving = await planCaseChange(facts({ status: 'open' }), [{ kind: 'status', status: 'resolved' }], BY);
    expect(caseUpdate(resolving.writes).set).not.toHaveProperty('closedAt');
  });

  it('solving ends the clocks; reopening starts the resolution clock again from now', async () => {
    const solved = caseUpdate((await planCaseChange(facts({ status: 'open' }), [{ kind: 'status', status: 'resolved' }], BY)).writes).set;
    expect(solved).toMatchObject({ firstResponseDueAt: null, nextResponseDueAt: null, resolutionDueAt: null, slaPausedAt: null, nextDueAt: null });
    const closed = { status: 'closed' as const, closedAt: T0, firstResponseDueAt: null, nextResponseDueAt: null, resolutionDueAt: null, nextDueAt: null, slaBreachedMask: 4 };
    const reopened = caseUpdate((await planCaseChange(facts(closed), [{ kind: 'status', status: 'open' }], BY)).writes).set;
    expect(reopened).toMatchObject({ resolutionDueAt: NOW + 480 * MIN, slaPausedAt: null, slaBreachedMask: 0 });
  });

  it('pending pauses the clocks (when the policy says so); back to open resumes them', async () => {
    const paused = caseUpdate((await planCaseChange(facts({ status: 'open' }), [{ kind: 'status', status: 'pending' }], BY)).writes).set;
    expect(paused).toMatchObject({ status: 'pending', slaPausedAt: NOW, nextDueAt: null });
    const resumed = caseUpdate((await planCaseChange(facts({ status: 'pending', slaPausedAt: T0 + 10 * MIN }), [{ kind: 'status', status: 'open' }], BY)).writes).set;
    // Paused 20 minutes: the first response falls due 20 minutes later than it would have.
    expect(resumed).toMatchObject({ status: 'open', slaPausedAt: null, firstResponseDueAt: T0 + 80 * MIN });
  });

  it('a case under no policy gets no SLA columns', async () => {
    const f = { ...facts({ slaPolicyId: null }), sla: null };
    const set = caseUpdate((await planCaseChange(f, [{ kind: 'status', status: 'resolved' }], BY)).writes).set;
    expect(Object.keys(set).sort()).toEqual(['status', 'updatedAt']);
  });
});

describe('planCaseChange: priority', () => {
  it('a new priority re-plans the due times', async () => {
    const change = await planCaseChange(facts(), [{ kind: 'priority', priority: 'urgent' }], BY);
    expect(caseUpdate(change.writes).set).toMatchObject({ priority: 'urgent', resolutionDueAt: T0 + 120 * MIN });
    expect(updatedChanges(change)).toEqual({ priority: 'urgent' });
  });
});

describe('planCaseChange: assignee', () => {
  it('assigning someone else sets the column, names them in the event and mails them', async () => {
    const change = await planCaseChange(facts(), [{ kind: 'assignee', agentId: 'agt_ben' }], BY);
    expect(caseUpdate(change.writes).set).toMatchObject({ assigneeId: 'agt_ben', updatedAt: NOW });
    expect(updatedChanges(change)).toEqual({ assignee: { id: 'agt_ben', name: 'ben Agent' } });
    expect(change.outgoing).toHaveLength(1);
    expect(change.outgoing[0]).toMatchObject({ kind: 'notification', caseId: 'case_1', recipients: ['ben@acme.test'] });
    expect(change.outgoing[0]!.raw).toContain('ada Agent assigned it to you.');
    expect(change.writes.some((w) => w.op === 'insert' && w.table === 'outbox')).toBe(true);
    // Assignment is not an SLA event: the clocks are left as they are.
    expect(caseUpdate(change.writes).set).not.toHaveProperty('nextDueAt');
  });

  it('in open mode the mail says "An agent"', async () => {
    const change = await planCaseChange(facts(), [{ kind: 'assignee', agentId: 'agt_ben' }], LOCAL);
    expect(change.outgoing[0]!.raw).toContain('An agent assigned it to you.');
  });

  it('taking a case yourself mails nobody; neither does assigning someone who turned it off', async () => {
    const self = await planCaseChange(facts(), [{ kind: 'assignee', agentId: 'agt_ada' }], BY);
    expect(updatedChanges(self)).toEqual({ assignee: { id: 'agt_ada', name: 'ada Agent' } });
    expect(self.outgoing).toEqual([]);
    const off = await planCaseChange(facts({}, [agent('agt_ben', { notifyAssignment: false })]), [{ kind: 'assignee', agentId: 'agt_ben' }], BY);
    expect(updatedChanges(off)).toEqual({ assignee: { id: 'agt_ben', name: 'ben Agent' } });
    expect(off.outgoing).toEqual([]);
  });

  it('an agent without a token code gets one with the first notification', async () => {
    const change = await planCaseChange(facts({}, [agent('agt_ben', { tokenCode: null })]), [{ kind: 'assignee', agentId: 'agt_ben' }], BY);
    expect(change.writes).toContainEqual(expect.objectContaining({ op: 'update', table: 'agents', where: { id: 'agt_ben', tokenCode: null } }));
  });

  it('null unassigns, and mails nobody', async () => {
    const change = await planCaseChange(facts({ assigneeId: 'agt_ben' }), [{ kind: 'assignee', agentId: null }], BY);
    expect(caseUpdate(change.writes).set).toMatchObject({ assigneeId: null });
    expect(updatedChanges(change)).toEqual({ assignee: null });
    expect(change.outgoing).toEqual([]);
  });

  it.each([
    ['unknown', facts()],
    ['inactive', facts({}, [agent('agt_zed', { active: false })])],
    ['of another workspace', facts({}, [agent('agt_zed', { workspaceId: 'ws_other' })])],
  ])('an %s agent is a bad_request, and nothing is planned', async (_what, f) => {
    const planned = planCaseChange(
      f,
      [
        { kind: 'status', status: 'pending' },
        { kind: 'assignee', agentId: 'agt_zed' },
      ],
      BY,
    );
    await expect(planned).rejects.toThrow(CaseActionError);
    await expect(planned).rejects.toMatchObject({ code: 'bad_request', message: 'no such active agent in this workspace' });
  });

  it('the current assignee, if no longer active, is still refused', async () => {
    const f = facts({ assigneeId: 'agt_ben' }, [agent('agt_ben', { active: false })]);
    await expect(planCaseChange(f, [{ kind: 'assignee', agentId: 'agt_ben' }], BY)).rejects.toMatchObject({ code: 'bad_request' });
  });
});

describe('planCaseChange: several edits, and none', () => {
  it('several edits make one update, one SLA transition and one event with every change', async () => {
    const change = await planCaseChange(
      facts(),
      [
        { kind: 'status', status: 'pending' },
        { kind: 'priority', priority: 'urgent' },
        { kind: 'assignee', agentId: 'agt_ben' },
      ],
      BY,
    );
    expect(caseUpdate(change.writes).set).toMatchObject({ status: 'pending', priority: 'urgent', assigneeId: 'agt_ben', slaPausedAt: NOW, resolutionDueAt: T0 + 120 * MIN });
    expect(updatedChanges(change)).toEqual({ status: 'pending', priority: 'urgent', assignee: { id: 'agt_ben', name: 'ben Agent' } });
    expect(change.outgoing).toHaveLength(1);
  });

  it('only what differs from the case is written and announced', async () => {
    const change = await planCaseChange(
      facts({ status: 'pending', assigneeId: 'agt_ben' }),
      [
        { kind: 'status', status: 'pending' },
        { kind: 'priority', priority: 'high' },
        { kind: 'assignee', agentId: 'agt_ben' },
      ],
      BY,
    );
    const set = caseUpdate(change.writes).set;
    expect(set).toMatchObject({ priority: 'high' });
    expect(set).not.toHaveProperty('status');
    expect(set).not.toHaveProperty('assigneeId');
    expect(updatedChanges(change)).toEqual({ priority: 'high' });
    expect(change.outgoing).toEqual([]);
  });

  it('a change to what already is writes nothing and announces nothing', async () => {
    const f = facts({ status: 'closed', closedAt: T0, priority: 'high', assigneeId: 'agt_ben' });
    for (const edits of [
      [{ kind: 'status', status: 'closed' }],
      [{ kind: 'priority', priority: 'high' }],
      [{ kind: 'assignee', agentId: 'agt_ben' }],
      [
        { kind: 'status', status: 'closed' },
        { kind: 'priority', priority: 'high' },
        { kind: 'assignee', agentId: 'agt_ben' },
      ],
      [],
    ] as CaseEdit[][]) {
      expect(await planCaseChange(f, edits, BY)).toEqual({ workspaceId: 'ws_acme', writes: [], events: [], outgoing: [], blobs: [] });
    }
    const unassigned = facts({ assigneeId: null });
    expect((await planCaseChange(unassigned, [{ kind: 'assignee', agentId: null }], BY)).writes).toEqual([]);
  });

  it("a base step's own writes and events come first, then the case update and case.updated", async () => {
    const note = { op: 'insert', table: 'messages', values: {} } as unknown as Write;
    const added = {
      caseId: 'case_1',
      actor: 'agent:agt_ada',
      body: { type: 'message.added', caseId: 'case_1', messageId: 'msg_1', direction: 'outbound', kind: 'human', reopened: false, status: 'pending' },
    } as const;
    const change = await planCaseChange(facts(), [{ kind: 'status', status: 'pending' }], BY, {
      set: { messageCount: { $add: 1 }, lastMessageAt: NOW },
      sla: { agentReply: true },
      more: { writes: [note], events: [added] },
    });
    expect(change.writes[0]).toBe(note);
    expect(change.writes[1]).toMatchObject({ op: 'update', table: 'cases', set: { messageCount: { $add: 1 }, lastMessageAt: NOW, status: 'pending', firstRespondedAt: NOW, slaPausedAt: NOW } });
    expect(change.events.map((e) => e.body.type)).toEqual(['message.added', 'case.updated']);
  });

  it('a base step alone (a note) updates the case without a case.updated event', () => {
    const change = assemble(facts(), [{ set: { messageCount: { $add: 1 } } }], BY);
    expect(change.writes).toEqual([{ op: 'update', table: 'cases', where: { id: 'case_1', workspaceId: 'ws_acme' }, set: { messageCount: { $add: 1 }, updatedAt: NOW } }]);
    expect(change.events).toEqual([]);
  });
});

describe('editsOf and namedAgents', () => {
  it('turns a PATCH body into edits in a fixed order, and names the agents to read', () => {
    const edits = editsOf({ assigneeId: 'agt_ben', priority: 'low', status: 'open' });
    expect(edits).toEqual([
      { kind: 'status', status: 'open' },
      { kind: 'priority', priority: 'low' },
      { kind: 'assignee', agentId: 'agt_ben' },
    ]);
    expect(namedAgents(edits)).toEqual(['agt_ben']);
    expect(editsOf({ assigneeId: null })).toEqual([{ kind: 'assignee', agentId: null }]);
    expect(namedAgents(editsOf({ assigneeId: null }))).toEqual([]);
  });
});
