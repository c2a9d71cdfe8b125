// Shared drafts through the API: saved and read back by their writer only, a save over a version
// another device replaced is refused with the stored draft, bad input is a 400, the event says who
// drafts and never what, and sending a reply clears the draft in the batch that sends it.
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { cases, drafts, events, messages } from '../../../worker/db/schema.ts';
import { makeDeps } from '../../../worker/deps.ts';
import { receiveEmail } from '../../../worker/ingest/receive.ts';
import { replyToCase } from '../../../worker/cases/reply.ts';
import type { ApiError } from '../../../worker/protocol/api.ts';
import type { DrafterView, DraftView } from '../../../worker/protocol/drafts.ts';
import { call, issuesOf, json, PASSWORD, send, signedIn } from '../admin/helpers.ts';
import { DEMO, flakyD1, incoming, mail, seeded } from '../helpers.ts';
import { env } from 'cloudflare:test';

const put = (cookie: string, caseId: string, body: unknown) => send(`/api/cases/${caseId}/draft`, body, 'PUT', PASSWORD, { Cookie: cookie });
const get = (cookie: string, path: string) => call(path, { headers: { Cookie: cookie } }, PASSWORD);

async function setup(options: { d1?: D1Database } = {}) {
  const deps = await seeded(options);
  const who = await signedIn(deps);
  await receiveEmail(incoming(mail()), deps);
  const kase = (await deps.db.select().from(cases).where(eq(cases.workspaceId, DEMO.workspaceId)).get())!;
  const inbound = (await deps.db.select().from(messages).where(eq(messages.caseId, kase.id)).get())!;
  return { deps, who, caseId: kase.id, baseMessageId: inbound.id };
}

async function refusal(res: Response, status: number): Promise<ApiError> {
  const body = (await res.json()) as ApiError;
  expect(res.status, JSON.stringify(body)).toBe(status);
  return body;
}

describe('drafts', () => {
  it('saves, reads back and replaces the draft by version; another agent sees only who drafts', async () => {
    const { who, caseId, baseMessageId } = await setup();
    expect(await json<{ draft: DraftView | null }>(await get(who.ada, `/api/cases/${caseId}/draft`))).toEqual({ draft: null });
    const first = (await json<{ draft: DraftView }>(await put(who.ada, caseId, { mode: 'reply', body: 'Secret words', cc: ['c@example.com'], baseMessageId }))).draft;
    expect(first).toMatchObject({ mode: 'reply', body: 'Secret words', cc: ['c@example.com'], baseMessageId, version: 1 });
    const second = (await json<{ draft: DraftView }>(await put(who.ada, caseId, { mode: 'reply', body: 'Secret words, more', baseMessageId, version: 1 }))).draft;
    expect(second.version).toBe(2);
    expect((await json<{ draft: DraftView }>(await get(who.ada, `/api/cases/${caseId}/draft`))).draft).toMatchObject({ body: 'Secret words, more', version: 2, cc: [] });

    // Ben has no draft of his own, and Ada's text is not in anything he can read.
    const bensOwn = await get(who.ben, `/api/cases/${caseId}/draft`);
    expect(await json<{ draft: DraftView | null }>(bensOwn)).toEqual({ draft: null });
    const drafting = await json<{ items: DrafterView[] }>(await get(who.ben, `/api/cases/${caseId}/drafting`));
    expect(drafting.items).toEqual([{ agentId: 'agt_ada', name: expect.any(String), mode: 'reply', updatedAt: second.updatedAt }]);
    expect(JSON.stringify(drafting)).not.toContain('Secret');
    expect(JSON.stringify(await (await get(who.ben, `/api/cases/${caseId}`)).json())).not.toContain('Secret');
    expect((await json<{ items: DrafterView[] }>(await get(who.ada, `/api/cases/${caseId}/drafting`))).items).toEqual([]);

    // Clearing removes it and says so.
    expect((await send(`/api/cases/${caseId}/draft`, undefined, 'DELETE', PASSWORD, { Cookie: who.ada })).status).toBe(204);
    expect(await json<{ draft: DraftView | null }>(await get(who.ada, `/api/cases/${caseId}/draft`))).toEqual({ draft: null });
    expect((await json<{ items: DrafterView[] }>(await get(who.ben, `/api/cases/${caseId}/drafting`))).items).toEqual([]);
  });

  it('refuses a save over a version saved elsewhere with 409 and the stored draft', async () => {
    const { who, caseId, baseMessageId } = await setup();
    await json(await put(who.ada, caseId, { mode: 'reply', body: 'From the laptop', baseMessageId }));
    await json(await put(who.ada, caseId, { mode: 'reply', body: 'From the laptop, again', baseMessageId, version: 1 }));
    const stale = await refusal(await put(who.ada, caseId, { mode: 'reply', body: 'From the phone', baseMessageId, version: 1 }), 409);
    expect(stale.error.message).toContain('saved elsewhere');
    expect((stale.error.issues as { draft: DraftView }).draft).toMatchObject({ body: 'From the laptop, again', version: 2 });
    const create = await refusal(await put(who.ada, caseId, { mode: 'reply', body: 'New device', baseMessageId }), 409);
    expect((create.error.issues as { draft: DraftView }).draft.version).toBe(2);
    expect((await json<{ draft: DraftView }>(await get(who.ada, `/api/cases/${caseId}/draft`))).draft.body).toBe('From the laptop, again');
  });

  it('refuses bad input with 400 and an unknown case with 404', async () => {
    const { who, caseId, baseMessageId } = await setup();
    expect((await issuesOf(await put(who.ada, caseId, { mode: 'email', body: 'x', baseMessageId }))).mode).toEqual(['mode must be "reply" or "note"']);
    expect((await issuesOf(await put(who.ada, caseId, { mode: 'reply', body: 'x', baseMessageId, version: 0 }))).version).toEqual(['version starts at 1']);
    expect(Object.keys(await issuesOf(await put(who.ada, caseId, { mode: 'reply', body: 42, baseMessageId })))).toEqual(['body']);
    expect(Object.keys(await issuesOf(await put(who.ada, caseId, { mode: 'reply', body: 'x' })))).toEqual(['baseMessageId']);
    expect(Object.keys(await issuesOf(await put(who.ada, caseId, { mode: 'reply', body: 'x', baseMessageId, extra: 1 })))).toEqual(['']);
    expect((await refusal(await put(who.ada, 'case_nope', { mode: 'reply', body: 'x', baseMessageId }), 404)).error.message).toBe('case not found');
  });

  it('publishes who drafts, never the text', async () => {
    const { deps, who, caseId, baseMessageId } = await setup();
    await json(await put(who.ada, caseId, { mode: 'note', body: 'Private thoughts', baseMessageId }));
    await json(await put(who.ada, caseId, { mode: 'note', body: 'Private thoughts, longer', baseMessageId, version: 1 }));
    await send(`/api/cases/${caseId}/draft`, undefined, 'DELETE', PASSWORD, { Cookie: who.ada });
    const rows = await deps.db
      .select({ payload: events.payload, actor: events.actor })
      .from(events)
      .where(and(eq(events.caseId, caseId), eq(events.type, 'draft.updated')));
    // A start and an end; typing on does not announce itself again.
    expect(rows.map((r) => JSON.parse(r.payload))).toEqual([
      { type: 'draft.updated', caseId, agentId: 'agt_ada', agentName: expect.any(String), mode: 'note', active: true },
      { type: 'draft.updated', caseId, agentId: 'agt_ada', agentName: expect.any(String), mode: 'note', active: false },
    ]);
    expect(rows.map((r) => r.actor)).toEqual(['agent:agt_ada', 'agent:agt_ada']);
    expect(JSON.stringify(rows)).not.toContain('Private');
  });

  it('sending a reply clears the draft in the same batch: a failed send keeps it', async () => {
    const { who, caseId, baseMessageId } = await setup();
    await json(await put(who.ada, caseId, { mode: 'reply', body: 'Your parcel left today.', baseMessageId }));
    const failing = makeDeps({ ...env, DB: flakyD1(1) });
    const ada = { id: 'agt_ada', name: 'Ada' };
    await expect(replyToCase(failing, DEMO.workspaceId, caseId, ada, { text: 'Your parcel left today.', cc: [], force: false })).rejects.toThrow('simulated outage');
    const plain = makeDeps(env).db;
    expect(await plain.select().from(drafts).where(eq(drafts.caseId, caseId))).toHaveLength(1);
    expect(
      await plain
        .select()
        .from(messages)
        .where(and(eq(messages.caseId, caseId), eq(messages.direction, 'outbound'))),
    ).toHaveLength(0);
    await replyToCase(failing, DEMO.workspaceId, caseId, ada, { text: 'Your parcel left today.', cc: [], force: false });
    expect(await plain.select().from(drafts).where(eq(drafts.caseId, caseId))).toHaveLength(0);
    expect(
      await plain
        .select()
        .from(messages)
        .where(and(eq(messages.caseId, caseId), eq(messages.direction, 'outbound'))),
    ).toHaveLength(1);
  });

  it("sending through the API clears only the sender's draft", async () => {
    const { who, caseId, baseMessageId } = await setup();
    await json(await put(who.ada, caseId, { mode: 'reply', body: 'Ada writes', baseMessageId }));
    await json(await put(who.ben, caseId, { mode: 'reply', body: 'Ben writes', baseMessageId }));
    expect((await send(`/api/cases/${caseId}/replies`, { text: 'Ada writes' }, 'POST', PASSWORD, { Cookie: who.ada })).status).toBe(201);
    expect(await json<{ draft: DraftView | null }>(await get(who.ada, `/api/cases/${caseId}/draft`))).toEqual({ draft: null });
    expect((await json<{ draft: DraftView }>(await get(who.ben, `/api/cases/${caseId}/draft`))).draft.body).toBe('Ben writes');
  });

  it('sending a note clears the sender’s note draft in the note’s commit; a reply draft stays', async () => {
    const { who, caseId, baseMessageId } = await setup();
    await json(await put(who.ada, caseId, { mode: 'note', body: 'Ada notes', baseMessageId }));
    await json(await put(who.ben, caseId, { mode: 'reply', body: 'Ben replies', baseMessageId }));
    expect((await send(`/api/cases/${caseId}/notes`, { text: 'Ada notes' }, 'POST', PASSWORD, { Cookie: who.ada })).status).toBe(201);
    expect(await json<{ draft: DraftView | null }>(await get(who.ada, `/api/cases/${caseId}/draft`))).toEqual({ draft: null });
    expect((await send(`/api/cases/${caseId}/notes`, { text: 'Ben notes' }, 'POST', PASSWORD, { Cookie: who.ben })).status).toBe(201);
    expect((await json<{ draft: DraftView }>(await get(who.ben, `/api/cases/${caseId}/draft`))).draft.body).toBe('Ben replies');
  });
});
