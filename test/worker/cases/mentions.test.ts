// Mentions in internal notes: who an @name names, the notification row, event and mail each makes
// (once, even when the note's change is committed again), and GET/POST /api/notifications.
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { commit } from '../../../worker/changes/commit.ts';
import { mentionedAgents, mentionTokens } from '../../../worker/cases/mentions.ts';
import { contextOf, planNote } from '../../../worker/cases/reply.ts';
import { gatherCaseFacts } from '../../../worker/cases/facts.ts';
import { agents, events, notifications, outbox } from '../../../worker/db/schema.ts';
import type { Agent } from '../../../worker/db/schema.ts';
import type { Deps } from '../../../worker/deps.ts';
import type { NotificationList } from '../../../worker/protocol/notifications.ts';
import { json, send, signedIn, PASSWORD } from '../admin/helpers.ts';
import { DEMO, seeded } from '../helpers.ts';
import { call, newCase, ORIGIN } from '../http/client.ts';

const T = Date.now();

async function addAgent(deps: Deps, id: string, name: string, email: string, extra: Partial<Agent> = {}): Promise<void> {
  await deps.db.insert(agents).values({ id, workspaceId: DEMO.workspaceId, email, name, role: 'agent', createdAt: T, ...extra });
}

function note(caseId: string, text: string, cookie: string): Promise<Response> {
  return send(`/api/cases/${caseId}/notes`, { text }, 'POST', PASSWORD, { Cookie: cookie });
}

async function listOf(cookie: string): Promise<NotificationList> {
  return json<NotificationList>(await call('/api/notifications', { headers: { Cookie: cookie, Origin: ORIGIN, 'Sec-Fetch-Site': 'same-origin' } }, PASSWORD));
}

async function mentionMails(deps: Deps, caseId: string) {
  return (
    await deps.db
      .select()
      .from(outbox)
      .where(and(eq(outbox.caseId, caseId), eq(outbox.kind, 'notification')))
  ).length;
}

describe('who an @name names', () => {
  const list = [
    { id: 'agt_ada', name: 'Ada Admin', email: 'ada@acme.test', active: true },
    { id: 'agt_ben', name: 'Ben Agent', email: 'ben@acme.test', active: true },
    { id: 'agt_cy', name: 'Cyrus Ortega', email: 'c.ortega@acme.test', active: true },
    { id: 'agt_old', name: 'Olga Gone', email: 'olga@acme.test', active: false },
    { id: 'agt_ben2', name: 'Benedict Other', email: 'ben.o@acme.test', active: true },
  ];
  const ids = (text: string, author: string | null = null) => mentionedAgents(text, list, author).map((a) => a.id);

  it('first name, full name without spaces, quoted full name, email name; any case', () => {
    expect(ids('@ben can you look?')).toEqual(['agt_ben']);
    expect(ids('ask @CyrusOrtega')).toEqual(['agt_cy']);
    expect(ids('ask @"cyrus ortega", please')).toEqual(['agt_cy']);
    expect(ids('cc @c.ortega.')).toEqual(['agt_cy']);
    expect(ids('@BEN and @ben again, and @benagent')).toEqual(['agt_ben']);
  });

  it('not the author, not inactive agents, not unknown names, not email addresses', () => {
    expect(ids('@ada @ben', 'agt_ada')).toEqual(['agt_ben']);
    expect(ids('@olga')).toEqual([]);
    expect(ids('@nobody here')).toEqual([]);
    expect(ids('write to ben@acme.test')).toEqual([]);
    expect(mentionTokens('x@ben @"Ada Admin"')).toEqual(['ada admin']);
  });
});

describe('a note that mentions an agent', () => {
  it('notifies them once: a row, an event, a mail with the headers of other notifications; never the author', async () => {
    const deps = await seeded();
    const { ada, ben } = await signedIn(deps);
    const caseId = await newCase(deps, 'refund question');
    await json(await note(caseId, '@ben please check the refund, @ben. Also @ada and @nobody.', ada), 201);
    const rows = await deps.db.select().from(notifications);
    expect(rows.map((r) => [r.agentId, r.kind, r.caseId])).toEqual([['agt_ben', 'mention', caseId]]);
    expect(rows[0]!.excerpt).toBe('@ben please check the refund, @ben. Also @ada and @nobody.');
    const evs = await deps.db.select().from(events).where(eq(events.type, 'notification.added'));
    expect(evs.map((e) => JSON.parse(e.payload).agentId)).toEqual(['agt_ben']);
    const mails = await deps.db.select().from(outbox).where(eq(outbox.caseId, caseId));
    expect(mails.map((m) => m.kind)).toEqual(['notification']);
    const raw = mails[0]!.mime ?? '';
    for (const h of ['Auto-Submitted: auto-generated', 'X-Auto-Response-Suppress: All', `X-Loop: ${DEMO.mailbox}`, 'ben@acme.test']) expect(raw).toContain(h);
    expect(raw).toMatch(/Subject: You were mentioned: refund question/);
    expect(raw).toMatch(/Reply-To: reply\+[^@]+@acme\.test/);
    const list = await listOf(ben);
    expect(list.unread).toBe(1);
    expect(list.items[0]).toMatchObject({ kind: 'mention', caseId, by: 'Ada Admin', readAt: null });
    expect((await listOf(ada)).unread).toBe(0);
  });

  it('committed twice (a retried change), it still notifies once', async () => {
    const deps = await seeded();
    const caseId = await newCase(deps, 'retry');
    const facts = await gatherCaseFacts(deps.db, DEMO.workspaceId, caseId);
    const all = await deps.db.select().from(agents);
    const { change } = await planNote(
      facts,
      { id: 'agt_ada', name: 'Ada Admin' },
      { ...contextOf(deps, { id: 'agt_ada', name: 'Ada Admin' }), appUrl: 'https://help.acme.test' },
      'over to you @Ben',
      all,
    );
    // The mail links to the case in the app.
    expect(change.outgoing[0]!.raw).toContain(`https://help.acme.test/#/cases/${caseId}`);
    await commit(deps, change);
    await commit(deps, change).catch(() => undefined);
    expect(await deps.db.select().from(notifications)).toHaveLength(1);
    expect(await deps.db.select().from(events).where(eq(events.type, 'notification.added'))).toHaveLength(1);
    expect(await mentionMails(deps, caseId)).toBe(1);
  });

  it('mails only when the agent wants mention mail; the app notification comes anyway', async () => {
    const deps = await seeded();
    const { ada } = await signedIn(deps);
    await deps.db.update(agents).set({ notifyMention: false }).where(eq(agents.id, 'agt_ben'));
    const caseId = await newCase(deps, 'quiet');
    await json(await note(caseId, '@ben FYI', ada), 201);
    expect(await deps.db.select().from(notifications)).toHaveLength(1);
    expect(await mentionMails(deps, caseId)).toBe(0);
    // A note with no mention of anyone known changes nothing.
    await json(await note(caseId, 'nothing for @nobody', ada), 201);
    expect(await deps.db.select().from(notifications)).toHaveLength(1);
  });

  it('the setting is editable by admins with the other notify settings', async () => {
    const deps = await seeded();
    const { ada } = await signedIn(deps);
    const res = await send('/api/admin/agents/agt_ben', { notifyMention: false }, 'PATCH', PASSWORD, { Cookie: ada });
    expect(await json(res)).toMatchObject({ notifyMention: false });
    const bad = await send('/api/admin/agents/agt_ben', { notifyMention: 'no' }, 'PATCH', PASSWORD, { Cookie: ada });
    expect(bad.status).toBe(400);
  });
});

describe('/api/notifications', () => {
  it('newest first with the unread count; read by ids or all; bad bodies are 400s', async () => {
    const deps = await seeded();
    const { ada, ben } = await signedIn(deps);
    await addAgent(deps, 'agt_cara', 'Cara Jones', 'cara@acme.test');
    const one = await newCase(deps, 'first');
    const two = await newCase(deps, 'second');
    await json(await note(one, '@ben first', ada), 201);
    await json(await note(two, '@ben second', ada), 201);
    const list = await listOf(ben);
    expect(list.unread).toBe(2);
    expect(list.items.map((i) => i.caseSubject)).toEqual(['second', 'first']);
    const read = await json<NotificationList>(await send('/api/notifications/read', { ids: [list.items[1]!.id] }, 'POST', PASSWORD, { Cookie: ben }));
    expect(read.unread).toBe(1);
    expect(read.items[1]!.readAt).not.toBeNull();
    // Someone else's ids mark nothing of theirs.
    await json(await send('/api/notifications/read', { ids: [list.items[0]!.id] }, 'POST', PASSWORD, { Cookie: ada }));
    expect((await listOf(ben)).unread).toBe(1);
    expect((await json<NotificationList>(await send('/api/notifications/read', { all: true }, 'POST', PASSWORD, { Cookie: ben }))).unread).toBe(0);
    for (const body of [{}, { ids: [] }, { all: false }, { ids: 'x' }]) {
      const res = await send('/api/notifications/read', body, 'POST', PASSWORD, { Cookie: ben });
      expect(res.status).toBe(400);
    }
  });
});
