// What agents send through the API: replies, notes, forwards; the collision guard; notifications to
// agents and answering them by mail.
import { env } from 'cloudflare:test';
import { and, eq } from 'drizzle-orm';
import PostalMime from 'postal-mime';
import { outgoingMime } from '../../../worker/mail/outbox.ts';
import { describe, expect, it } from 'vitest';
import { agents, cases, events, inbound, messages, outbox, outboxRecipients, participants } from '../../../worker/db/schema.ts';
import type { Deps } from '../../../worker/deps.ts';
import type { CaseDetail, MessageView } from '../../../worker/protocol/api.ts';
import { receiveEmail } from '../../../worker/ingest/receive.ts';
import { tokenFromAddress, verifyReplyToken } from '../../../worker/mail/tokens.ts';
import { DEMO, incoming, mail, seeded } from '../helpers.ts';
import { call, expectError, getJson, ORIGIN, patch } from '../http/client.ts';

const CF_PASS = (domain: string) => `mx.cloudflare.net; dkim=pass header.d=${domain}; dmarc=pass header.from=${domain}`;

function post(path: string, body: unknown): Promise<Response> {
  return call(path, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: ORIGIN }, body: JSON.stringify(body) });
}

async function withCase() {
  const deps = await seeded();
  await receiveEmail(incoming(mail({ 'Message-ID': '<start@example.com>', Cc: 'Bob <bob@example.net>' }, 'Where is my parcel?')), deps);
  const kase = (await deps.db.select().from(cases).get())!;
  const detail = (await getJson<CaseDetail>(`/api/cases/${kase.id}`)).body;
  return { deps, kase, detail };
}

async function outgoingRaw(deps: Deps, messageId: string): Promise<string> {
  const row = (await deps.db.select().from(outbox).where(eq(outbox.messageId, messageId)).get())!;
  return outgoingMime(env.RAW, row);
}

describe('replies', () => {
  it('mails the requester (and Cc), threads, records delivery per recipient, and opens a new case', async () => {
    const { deps, kase, detail } = await withCase();
    const res = await post(`/api/cases/${kase.id}/replies`, { text: 'It ships tomorrow.\nSorry for the wait.', cc: ['carol@example.org'], seenSeq: detail.seq });
    expect(res.status).toBe(201);
    const view = (await res.json()) as MessageView;
    expect(view).toMatchObject({ direction: 'outbound', kind: 'human', threadRule: 'agent', text: 'It ships tomorrow.\nSorry for the wait.' });
    expect(view.deliveries.map((d) => [d.recipient, d.status]).sort()).toEqual([
      ['alice@example.com', 'sent'],
      ['carol@example.org', 'sent'],
    ]);
    const parsed = await PostalMime.parse(await outgoingRaw(deps, view.id));
    expect(parsed.to?.map((a) => a.address)).toEqual(['alice@example.com']);
    expect(parsed.cc?.map((a) => a.address)).toEqual(['carol@example.org']);
    expect(parsed.subject).toBe('Re: Where is my order? [#1]');
    expect(parsed.inReplyTo).toBe('<start@example.com>');
    expect(parsed.references).toContain('<start@example.com>');
    expect(await verifyReplyToken(env.REPLY_TOKEN_KEY, tokenFromAddress(parsed.replyTo![0]!.address!)!)).toMatchObject({ ok: true, caseId: kase.id });
    expect(parsed.html).toContain('It ships tomorrow.<br>');
    // Carol now takes part: her reply will thread.
    expect(
      (
        await deps.db
          .select()
          .from(participants)
          .where(and(eq(participants.caseId, kase.id), eq(participants.email, 'carol@example.org')))
          .get()
      )?.role,
    ).toBe('cc');
    expect((await deps.db.select().from(cases).where(eq(cases.id, kase.id)).get())!.status).toBe('open');
    const types = (await deps.db.select().from(events)).map((e) => e.type);
    expect(types).toEqual(['case.created', 'message.added', 'case.updated', 'delivery.updated', 'delivery.updated']);
  });

  it('References chain only the conversation with the customer (no bounce, no auto-reply), at most 100 ids', async () => {
    const { deps, kase } = await withCase();
    const start = (await deps.db.select().from(messages).where(eq(messages.caseId, kase.id)).get())!;
    const clone = (i: number, over: Partial<typeof start>) => ({ ...start, id: `msg_clone${String(i).padStart(4, '0')}`, messageKey: `clone-${i}`, createdAt: start.createdAt + i, ...over });
    const rows = [
      clone(1, { rfcMessageId: 'dsn-1@mx.example.net', direction: 'system', kind: 'bounce' }),
      clone(2, { rfcMessageId: 'away-1@example.com', kind: 'auto-reply' }),
      // A long conversation of short Message-IDs: 150 of them fit in the header's bytes, not in its count.
      ...Array.from({ length: 150 }, (_, i) => clone(10 + i, { rfcMessageId: `m${i}@e.x` })),
    ];
    await deps.db.batch(rows.map((r) => deps.db.insert(messages).values(r)) as [never, ...never[]]);
    const detail = (await getJson<CaseDetail>(`/api/cases/${kase.id}`)).body;
    const res = await post(`/api/cases/${kase.id}/replies`, { text: 'Here is an update.', seenSeq: detail.seq, force: true });
    expect(res.status).toBe(201);
    const parsed = await PostalMime.parse(await outgoingRaw(deps, ((await res.json()) as MessageView).id));
    const refs = parsed.references!.split(/\s+/).filter(Boolean);
    expect(refs).not.toContain('<dsn-1@mx.example.net>');
    expect(refs).not.toContain('<away-1@example.com>');
    expect(refs.length).toBeLessThanOrEqual(100);
    // The root and the newest customer message stay; our marker is there to thread the answer.
    expect(refs[0]).toBe('<start@example.com>');
    expect(refs).toContain('<m149@e.x>');
    expect(refs.some((r) => r.startsWith('<ec-'))).toBe(true);
  });

  it('keeps small mail in its outbox row and large mail in R2; each is sent as it was stored', async () => {
    const { deps, kase, detail } = await withCase();
    const short = (await (await post(`/api/cases/${kase.id}/replies`, { text: 'Short answer.', seenSeq: detail.seq })).json()) as MessageView;
    const seq = (await getJson<CaseDetail>(`/api/cases/${kase.id}`)).body.seq;
    const long = (await (await post(`/api/cases/${kase.id}/replies`, { text: 'A long answer. '.repeat(3000), seenSeq: seq })).json()) as MessageView;
    const rowOf = async (id: string) => (await deps.db.select().from(outbox).where(eq(outbox.messageId, id)).get())!;
    const small = await rowOf(short.id);
    const large = await rowOf(long.id);
    expect(small.mime).toContain('Short answer.');
    expect(await env.RAW.get(small.rawKey)).toBeNull();
    expect(large.mime).toBeNull();
    expect(await env.RAW.get(large.rawKey)).not.toBeNull();
    expect([short, long].map((m) => m.deliveries.map((d) => d.status))).toEqual([['sent'], ['sent']]);
    expect((await PostalMime.parse(await outgoingMime(env.RAW, small))).text).toContain('Short answer.');
    expect((await PostalMime.parse(await outgoingMime(env.RAW, large))).text).toContain('A long answer. A long answer.');
  });

  it('sets the status asked for', async () => {
    const { kase, deps } = await withCase();
    expect((await post(`/api/cases/${kase.id}/replies`, { text: 'Anything else?', status: 'pending' })).status).toBe(201);
    expect((await deps.db.select().from(cases).where(eq(cases.id, kase.id)).get())!.status).toBe('pending');
  });

  it('the collision guard: a customer message that arrived meanwhile stops the send, with the message; force sends', async () => {
    const { deps, kase, detail } = await withCase();
    await receiveEmail(incoming(mail({ 'In-Reply-To': '<start@example.com>', Subject: 'Re: Where is my order?' }, 'Never mind, it just arrived!')), deps);
    const res = await post(`/api/cases/${kase.id}/replies`, { text: 'It ships tomorrow.', seenSeq: detail.seq });
    expect(res.status).toBe(409);
    const body = (await res.json()) as { error: { code: string }; newMessages: MessageView[]; lastSeq: number };
    expect(body.error.code).toBe('conflict');
    expect(body.newMessages.map((m) => m.text.trim())).toEqual(['Never mind, it just arrived!']);
    expect(body.lastSeq).toBeGreaterThan(detail.seq);
    expect(await deps.db.select().from(messages).where(eq(messages.direction, 'outbound'))).toHaveLength(0);
    expect(await deps.db.select().from(outbox)).toHaveLength(0);
    // With the new seq, or with force, it goes.
    expect((await post(`/api/cases/${kase.id}/replies`, { text: 'Glad to hear it.', seenSeq: body.lastSeq })).status).toBe(201);
    expect((await post(`/api/cases/${kase.id}/replies`, { text: 'And again.', seenSeq: detail.seq, force: true })).status).toBe(201);
  });

  it('the agent’s own earlier messages are no collision', async () => {
    const { kase, detail } = await withCase();
    expect((await post(`/api/cases/${kase.id}/notes`, { text: 'I am on it', seenSeq: detail.seq })).status).toBe(201);
    // Open mode has one anonymous agent, so its own note does not block its reply.
    expect((await post(`/api/cases/${kase.id}/replies`, { text: 'Hello', seenSeq: detail.seq })).status).toBe(201);
  });

  it('another agent’s note is a collision', async () => {
    const { deps, kase, detail } = await withCase();
    // Ben answers a notification by mail (a note by agt_ben) while the open-mode agent writes.
    await deps.db.update(cases).set({ assigneeId: 'agt_ben' }).where(eq(cases.id, kase.id));
    const token = (await import('../../../worker/mail/tokens.ts')).signReplyToken;
    const to = `reply+${await token(env.REPLY_TOKEN_KEY, kase.id, 'aben001')}@acme.test`;
    await receiveEmail(incoming(mail({ From: 'Ben <ben@acme.test>', To: to, Subject: 'Re', 'Authentication-Results': CF_PASS('acme.test') }, 'Refund approved.'), { from: 'ben@acme.test', to }), deps);
    const res = await post(`/api/cases/${kase.id}/replies`, { text: 'No refund possible', seenSeq: detail.seq });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { newMessages: MessageView[] }).newMessages.map((m) => [m.direction, m.author?.name])).toEqual([['note', 'Ben Agent']]);
  });

  it('refuses bad recipients and empty text with a clear 400, unknown cases with 404', async () => {
    const { kase } = await withCase();
    await expectError(await post(`/api/cases/${kase.id}/replies`, { text: 'x', to: ['not an address'] }), 400, 'bad_request');
    await expectError(await post(`/api/cases/${kase.id}/replies`, { text: 'x', cc: ['evil@example.com\r\nBcc: victim@example.com'] }), 400, 'bad_request');
    await expectError(await post(`/api/cases/${kase.id}/replies`, { text: 'x', to: [DEMO.mailbox] }), 400, 'bad_request');
    await expectError(await post(`/api/cases/${kase.id}/replies`, { text: '   ' }), 400, 'bad_request');
    await expectError(await post(`/api/cases/${kase.id}/replies`, { text: 'x', bcc: ['a@b.c'] }), 400, 'bad_request');
    await expectError(await post('/api/cases/case_nope/replies', { text: 'x' }), 404, 'not_found');
    const form = await call(`/api/cases/${kase.id}/replies`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: ORIGIN }, body: 'text=x' });
    await expectError(form, 415, 'unsupported_media_type');
    const cross = await call(`/api/cases/${kase.id}/replies`, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: 'https://evil.example' }, body: '{"text":"x"}' });
    await expectError(cross, 403, 'forbidden');
  });
});

describe('notes and forwards', () => {
  it('a note is never mailed and does not move the case in the inbox', async () => {
    const { deps, kase } = await withCase();
    const before = (await deps.db.select().from(cases).where(eq(cases.id, kase.id)).get())!;
    const res = await post(`/api/cases/${kase.id}/notes`, { text: 'Customer is a VIP' });
    expect(res.status).toBe(201);
    expect(((await res.json()) as MessageView).direction).toBe('note');
    expect(await deps.db.select().from(outbox)).toHaveLength(0);
    expect((await deps.db.select().from(cases).where(eq(cases.id, kase.id)).get())!.lastMessageAt).toBe(before.lastMessageAt);
  });

  it('a forward goes to the outside address with the customer’s message quoted; their answer threads in', async () => {
    const { deps, kase } = await withCase();
    const res = await post(`/api/cases/${kase.id}/forward`, { to: 'supplier@vendor.example', text: 'Can you check stock?' });
    expect(res.status).toBe(201);
    const view = (await res.json()) as MessageView;
    const parsed = await PostalMime.parse(await outgoingRaw(deps, view.id));
    expect(parsed.to?.map((a) => a.address)).toEqual(['supplier@vendor.example']);
    expect(parsed.subject).toBe('Fwd: Where is my order? [#1]');
    expect(parsed.text).toContain('Can you check stock?');
    expect(parsed.text).toContain('Where is my parcel?');
    const to = parsed.replyTo![0]!.address!;
    await receiveEmail(
      incoming(mail({ From: 'supplier@vendor.example', To: to, Subject: 'Re: Fwd', 'Message-ID': '<sup@vendor.example>' }, 'In stock.'), { from: 'supplier@vendor.example', to }),
      deps,
    );
    expect((await deps.db.select().from(messages).where(eq(messages.rfcMessageId, 'sup@vendor.example')).get())?.caseId).toBe(kase.id);
  });
});

describe('notifications to agents', () => {
  it('assigning a case mails the new assignee, with a reply address bound to them', async () => {
    const { deps, kase } = await withCase();
    const res = await patch(`/api/cases/${kase.id}`, { assigneeId: 'agt_ben' });
    expect(res.status).toBe(200);
    const note = (await deps.db.select().from(outboxRecipients).where(eq(outboxRecipients.kind, 'notification')).get())!;
    expect(note).toMatchObject({ recipient: 'ben@acme.test', status: 'sent' });
    const row = (await deps.db.select().from(outbox).where(eq(outbox.id, note.outboxId)).get())!;
    const parsed = await PostalMime.parse(await outgoingMime(env.RAW, row));
    expect(parsed.subject).toBe('Assigned to you: Where is my order? [#1]');
    expect(parsed.headers.find((h) => h.key === 'auto-submitted')?.value).toBe('auto-generated');
    const token = tokenFromAddress(parsed.replyTo![0]!.address!)!;
    expect(await verifyReplyToken(env.REPLY_TOKEN_KEY, token)).toMatchObject({ ok: true, caseId: kase.id, purpose: 'aben001' });
  });

  it('an agent who turned assignment mail off gets none', async () => {
    const { deps, kase } = await withCase();
    await deps.db.update(agents).set({ notifyAssignment: false }).where(eq(agents.id, 'agt_ben'));
    await patch(`/api/cases/${kase.id}`, { assigneeId: 'agt_ben' });
    expect(await deps.db.select().from(outboxRecipients).where(eq(outboxRecipients.kind, 'notification'))).toHaveLength(0);
  });

  it('a customer reply to an assigned case mails the assignee', async () => {
    const { deps, kase } = await withCase();
    await deps.db.update(cases).set({ assigneeId: 'agt_ben' }).where(eq(cases.id, kase.id));
    await receiveEmail(incoming(mail({ 'In-Reply-To': '<start@example.com>', Subject: 'Re: Where is my order?' }, 'Any news?')), deps);
    const notes = await deps.db.select().from(outboxRecipients).where(eq(outboxRecipients.kind, 'notification'));
    expect(notes.map((n) => n.recipient)).toEqual(['ben@acme.test']);
  });

  async function notificationReplyAddress(deps: Deps, kaseId: string): Promise<string> {
    await patch(`/api/cases/${kaseId}`, { assigneeId: 'agt_ben' });
    const note = (await deps.db.select().from(outboxRecipients).where(eq(outboxRecipients.kind, 'notification')).get())!;
    const row = (await deps.db.select().from(outbox).where(eq(outbox.id, note.outboxId)).get())!;
    return (await PostalMime.parse(await outgoingMime(env.RAW, row))).replyTo![0]!.address!;
  }

  it('the agent answering the notification by mail, verified, adds an internal note as that agent', async () => {
    const { deps, kase } = await withCase();
    const to = await notificationReplyAddress(deps, kase.id);
    await receiveEmail(
      incoming(mail({ From: 'Ben <ben@acme.test>', To: to, Subject: 'Re: Assigned', 'Authentication-Results': CF_PASS('acme.test') }, 'Calling the courier now.'), { from: 'ben@acme.test', to }),
      deps,
    );
    const note = (await deps.db.select().from(messages).where(eq(messages.direction, 'note')).get())!;
    expect(note).toMatchObject({ caseId: kase.id, authorAgentId: 'agt_ben', text: expect.stringContaining('Calling the courier now.') });
    // Never mailed to the customer.
    expect(await deps.db.select().from(outboxRecipients).where(eq(outboxRecipients.recipient, 'alice@example.com'))).toHaveLength(0);
  });

  it('the same address used by someone else, or unverified, is held', async () => {
    const { deps, kase } = await withCase();
    const to = await notificationReplyAddress(deps, kase.id);
    await receiveEmail(incoming(mail({ From: 'alice@example.com', To: to, Subject: 'Re: Assigned', 'Authentication-Results': CF_PASS('example.com') }, 'I am Ben, honest'), { to }), deps);
    await receiveEmail(incoming(mail({ From: 'Ben <ben@acme.test>', To: to, Subject: 'Re: Assigned' }, 'unverified'), { from: 'ben@acme.test', to }), deps);
    const held = await deps.db.select().from(inbound).where(eq(inbound.reason, 'not-the-agent'));
    expect(held).toHaveLength(2);
    expect(await deps.db.select().from(messages).where(eq(messages.direction, 'note'))).toHaveLength(0);
  });
});
