// Merging cases through the HTTP API and the real ingest: what moves to the survivor (messages,
// participants and tags without duplicates, the earliest SLA due times), how the absorbed cases'
// acknowledgements keep threading into it (reply token, In-Reply-To, subject tag, chains of merges),
// the event on another agent's socket, the refusals, and the merge suggestions of the case view.
import { env } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import PostalMime, { type Email } from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { cases, mailboxes, messages, outbox, outboxRecipients, participants } from '../../../worker/db/schema.ts';
import type { Deps } from '../../../worker/deps.ts';
import { countingD1, isDeliveryRecord, type D1Call } from '../../../worker/bench/d1-count.ts';
import { mergeCases } from '../../../worker/cases/merge.ts';
import { outgoingMime } from '../../../worker/mail/outbox.ts';
import type { CaseDetail } from '../../../worker/protocol/api.ts';
import type { MergeResult } from '../../../worker/protocol/merge.ts';
import { DEMO, mail, seeded } from '../helpers.ts';
import { call, deliver, expectError, getJson, newCase, ORIGIN, OTHER, otherWorkspace, patch } from '../http/client.ts';
import { openSocket } from './live-socket.ts';

const post = (path: string, body: unknown) =>
  call(path, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Sec-Fetch-Site': 'same-origin', Origin: ORIGIN }, body: JSON.stringify(body) });

const merge = (survivor: string, absorb: string[]) => post(`/api/cases/${survivor}/merge`, { absorb });

async function caseRow(deps: Deps, id: string) {
  return (await deps.db.select().from(cases).where(eq(cases.id, id)).get())!;
}

/** The acknowledgement a case's customer got, parsed back. */
async function ackOf(deps: Deps, caseId: string): Promise<Email> {
  const row = (await deps.db.select().from(outbox).where(eq(outbox.caseId, caseId)).get())!;
  return PostalMime.parse(await outgoingMime(env.RAW, row));
}

async function caseOfMessage(deps: Deps, rfc: string) {
  return (await deps.db.select().from(messages).where(eq(messages.rfcMessageId, rfc)).get())!;
}

describe('merge keeps threading', () => {
  it("replies to the absorbed case's acknowledgement land in the survivor: by reply token, by In-Reply-To, by [#n] tag, and through a merge of the survivor", async () => {
    const deps = await seeded({ acks: true });
    await deliver(deps, mail({ Subject: 'Order 1001 is late', 'Message-ID': '<a1@example.com>' }));
    await deliver(deps, mail({ Subject: 'Invoice is wrong', 'Message-ID': '<b1@example.com>' }));
    const a = (await caseOfMessage(deps, 'a1@example.com')).caseId;
    const b = (await caseOfMessage(deps, 'b1@example.com')).caseId;
    // Read before the merge: the acknowledgement's outbox row moves to the survivor with everything else.
    const ackB = await ackOf(deps, b);
    const bNumber = (await caseRow(deps, b)).number;
    const res = await merge(a, [b]);
    expect(res.status).toBe(200);
    expect((await res.json()) as MergeResult).toEqual({ caseId: a, absorbed: [{ id: b, number: bNumber }] });

    const absorbed = await caseRow(deps, b);
    expect(absorbed).toMatchObject({ status: 'closed', mergedIntoId: a, nextDueAt: null });
    const survivor = await caseRow(deps, a);
    expect(survivor.messageCount).toBe(3);
    expect((await caseOfMessage(deps, 'b1@example.com')).caseId).toBe(a);
    expect(await deps.db.select().from(outboxRecipients).where(eq(outboxRecipients.caseId, b))).toHaveLength(0);
    const { body } = await getJson<CaseDetail>(`/api/cases/${a}`);
    expect(body.messages.filter((m) => m.direction === 'system').map((m) => m.text)).toEqual([`Local agent merged #${bNumber} into this case`]);
    expect((await getJson<CaseDetail>(`/api/cases/${b}`)).body.merge.mergedInto).toEqual({ id: a, number: survivor.number });

    // 1. The reply token of B's acknowledgement.
    const to = ackB.replyTo![0]!.address!;
    await deliver(deps, mail({ To: to, Subject: 'a new subject', 'Message-ID': '<r1@example.com>' }, 'by token'), { to });
    expect(await caseOfMessage(deps, 'r1@example.com')).toMatchObject({ caseId: a, threadRule: 'token' });
    // 2. In-Reply-To the Message-ID we wrote into B's acknowledgement, nothing else.
    await deliver(deps, mail({ 'In-Reply-To': ackB.messageId!, Subject: 'Re: your acknowledgement', 'Message-ID': '<r2@example.com>' }, 'by header'));
    expect(await caseOfMessage(deps, 'r2@example.com')).toMatchObject({ caseId: a, threadRule: 'in-reply-to' });
    // 3. B's subject tag alone.
    await deliver(deps, mail({ Subject: `Re: [#${bNumber}] something`, 'Message-ID': '<r3@example.com>' }, 'by tag'));
    expect(await caseOfMessage(deps, 'r3@example.com')).toMatchObject({ caseId: a, threadRule: 'subject-tag' });
    // 4. Our References marker alone.
    const marker = ackB.references!.match(/<ec-[^>]+>/)![0];
    await deliver(deps, mail({ References: marker, Subject: 'Re: something', 'Message-ID': '<r4@example.com>' }, 'by marker'));
    expect(await caseOfMessage(deps, 'r4@example.com')).toMatchObject({ caseId: a, threadRule: 'references' });
    expect(await deps.db.select().from(cases)).toHaveLength(2);

    // A merge of the survivor: B's token and tag now lead to the newest survivor.
    await deliver(deps, mail({ Subject: 'Third thing', 'Message-ID': '<c1@example.com>' }));
    const c = (await caseOfMessage(deps, 'c1@example.com')).caseId;
    expect((await merge(c, [a])).status).toBe(200);
    expect((await caseRow(deps, b)).mergedIntoId).toBe(c);
    await deliver(deps, mail({ To: to, Subject: 'again', 'Message-ID': '<r5@example.com>' }, 'by token, twice merged'), { to });
    expect(await caseOfMessage(deps, 'r5@example.com')).toMatchObject({ caseId: c, threadRule: 'token' });
    await deliver(deps, mail({ Subject: `Re: [#${bNumber}] again`, 'Message-ID': '<r6@example.com>' }, 'by tag, twice merged'));
    expect((await caseOfMessage(deps, 'r6@example.com')).caseId).toBe(c);
  });
});

describe('round trips', () => {
  it('a merge reads in one batch and writes in one (the search index re-reads the cases); a reply to an absorbed case is filed in the same two calls as any reply', async () => {
    const calls: D1Call[] = [];
    const deps = await seeded({ d1: countingD1(env.DB, calls) });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      // A sender each: twenty mails of one sender in minutes would trip the flood breaker.
      await deliver(deps, mail({ From: `s${i}@example.com`, Subject: `part ${i}`, 'Message-ID': `<rt${i}@example.com>` }), { from: `s${i}@example.com` });
      ids.push((await caseOfMessage(deps, `rt${i}@example.com`)).caseId);
    }
    const [survivor, ...rest] = ids as [string, ...string[]];
    const before = calls.length;
    const done = await mergeCases(deps, DEMO.workspaceId, survivor, rest, { id: null, name: 'Local agent' });
    const merging = calls.length - before;
    expect(done.absorbed).toHaveLength(19);
    // One read, one write, and the search index's re-read of the cases whose messages moved.
    expect(merging).toBeLessThanOrEqual(3);
    const absorbed = await caseRow(deps, rest[7]!);
    const start = calls.length;
    await deliver(deps, mail({ From: 's7@example.com', Subject: `Re: [#${absorbed.number}] part 7`, 'Message-ID': '<rt-reply@example.com>' }), { from: 's7@example.com' });
    const filing = calls.slice(start).filter((c) => !isDeliveryRecord(c)).length;
    console.log(`d1 calls: merge of 20 cases ${merging}, reply by [#n] to an absorbed case ${filing}`);
    expect(filing).toBe(2);
    expect((await caseOfMessage(deps, 'rt-reply@example.com')).caseId).toBe(survivor);
    expect((await caseRow(deps, survivor)).messageCount).toBe(20 + 1 + 1);
  });
});

describe('what the survivor gets', () => {
  it('the earliest due time per SLA target; a first response met in either case is met', async () => {
    const deps = await seeded();
    const a = await newCase(deps, 'first');
    const b = await newCase(deps, 'second');
    const c = await newCase(deps, 'third');
    const t = Date.now() + 86_400_000;
    await deps.db
      .update(cases)
      .set({ firstResponseDueAt: t + 5 * 3_600_000, resolutionDueAt: t + 50 * 3_600_000 })
      .where(eq(cases.id, a));
    await deps.db
      .update(cases)
      .set({ firstResponseDueAt: t + 2 * 3_600_000, resolutionDueAt: t + 70 * 3_600_000 })
      .where(eq(cases.id, b));
    expect((await merge(a, [b])).status).toBe(200);
    expect(await caseRow(deps, a)).toMatchObject({ firstResponseDueAt: t + 2 * 3_600_000, resolutionDueAt: t + 50 * 3_600_000, firstRespondedAt: null });
    expect((await caseRow(deps, a)).nextDueAt).toBeLessThanOrEqual(t + 2 * 3_600_000);

    // C was answered already: the merged conversation has had its first response, and what A still
    // owed as one is owed as the next response.
    await deps.db
      .update(cases)
      .set({ firstRespondedAt: t - 3_600_000, firstResponseDueAt: null, nextResponseDueAt: t + 8 * 3_600_000 })
      .where(eq(cases.id, c));
    expect((await merge(c, [a])).status).toBe(200);
    expect(await caseRow(deps, c)).toMatchObject({ firstRespondedAt: t - 3_600_000, firstResponseDueAt: null, nextResponseDueAt: t + 2 * 3_600_000 });
  });

  it('tags and participants without duplicates; the survivor keeps its requester', async () => {
    const deps = await seeded();
    await deliver(deps, mail({ Subject: 'one', Cc: 'bob@example.net', 'Message-ID': '<p1@example.com>' }));
    await deliver(deps, mail({ Subject: 'two', Cc: 'bob@example.net, carol@example.org', 'Message-ID': '<p2@example.com>' }));
    const a = (await caseOfMessage(deps, 'p1@example.com')).caseId;
    const b = (await caseOfMessage(deps, 'p2@example.com')).caseId;
    await patch(`/api/cases/${a}`, { tags: { add: ['Billing', 'VIP'] } });
    await patch(`/api/cases/${b}`, { tags: { add: ['billing', 'Urgent'] } });
    expect((await merge(a, [b])).status).toBe(200);
    const { body } = await getJson<CaseDetail>(`/api/cases/${a}`);
    expect(body.case.tags.map((t) => t.name)).toEqual(['Billing', 'Urgent', 'VIP']);
    expect(body.participants.map((p) => `${p.email}:${p.role}`).sort()).toEqual(['alice@example.com:requester', 'bob@example.net:cc', 'carol@example.org:cc']);
    expect(await deps.db.select().from(participants).where(eq(participants.caseId, b))).toHaveLength(0);
    expect((await getJson<CaseDetail>(`/api/cases/${b}`)).body.case.tags).toEqual([]);
  });

  it('reaches another agent: one case.merged event naming the absorbed cases, and the system line', async () => {
    const deps = await seeded();
    const a = await newCase(deps, 'survivor');
    const b = await newCase(deps, 'absorbed one');
    const c = await newCase(deps, 'absorbed two');
    const other = await openSocket();
    expect((await merge(a, [b, c, b])).status).toBe(200);
    const [event] = await other.waitFor((e) => e.type === 'case.merged');
    const numbers = [(await caseRow(deps, b)).number, (await caseRow(deps, c)).number];
    expect(event).toMatchObject({
      type: 'case.merged',
      caseId: a,
      by: 'Local agent',
      absorbed: [
        { id: b, number: numbers[0] },
        { id: c, number: numbers[1] },
      ],
    });
    await other.waitFor((e) => e.type === 'message.added' && e.caseId === a && e.direction === 'system');
    await other.close();
    const list = await getJson<{ items: Array<{ id: string }> }>('/api/cases?status=active');
    expect(list.body.items.map((i) => i.id)).toEqual([a]);
  });
});

describe('refused merges', () => {
  it('answers 400 for itself, nothing, too many, another workspace, an unknown or already merged case; 404 for an unknown survivor', async () => {
    const deps = await seeded();
    const a = await newCase(deps, 'a');
    const b = await newCase(deps, 'b');
    expect((await expectError(await merge(a, [a]), 400, 'bad_request')).error.message).toMatch(/itself/);
    await expectError(await merge(a, []), 400, 'bad_request');
    const many = Array.from({ length: 21 }, (_, i) => `case_${i}`);
    expect(JSON.stringify((await expectError(await merge(a, many), 400, 'bad_request')).error.issues)).toMatch(/at most 20/);
    await otherWorkspace(deps);
    await deliver(deps, mail({ To: OTHER.mailbox, Subject: 'elsewhere', 'Message-ID': '<o1@example.com>' }), { to: OTHER.mailbox });
    const foreign = (await caseOfMessage(deps, 'o1@example.com')).caseId;
    expect((await expectError(await merge(a, [foreign]), 400, 'bad_request')).error.message).toMatch(/no such case in this workspace/);
    expect((await caseRow(deps, foreign)).mergedIntoId).toBeNull();
    await expectError(await merge(a, ['case_nope']), 400, 'bad_request');
    await expectError(await merge('case_nope', [a]), 404, 'not_found');
    await expectError(await post(`/api/cases/${a}/merge`, { absorb: [b], extra: 1 }), 400, 'bad_request');
    expect((await merge(a, [b])).status).toBe(200);
    expect((await expectError(await merge(a, [b]), 400, 'bad_request')).error.message).toMatch(/already merged/);
    expect((await expectError(await merge(b, [a]), 400, 'bad_request')).error.message).toMatch(/merged into another/);
  });
});

describe('merge suggestions', () => {
  it('the same sender with a similar subject in an open case of the last 14 days, not another sender or an old case', async () => {
    const deps = await seeded();
    const now = Date.now();
    const old = await newCase(deps, 'Where is my order? (old)', now - 20 * 86_400_000);
    const first = await newCase(deps, 'Where is my order?', now - 3_600_000);
    await newCase(deps, 'Where is my order', now - 1_800_000, 'zed@example.org');
    const second = await newCase(deps, 'where is my order ??', now);
    const { body } = await getJson<CaseDetail>(`/api/cases/${second}`);
    expect(body.merge.suggestions.map((s) => [s.id, s.reason])).toEqual([[first, 'same-sender-subject']]);
    expect(body.merge.suggestions[0]).toMatchObject({ subject: 'Where is my order?', status: 'new', messageCount: 1 });
    expect(body.merge.suggestions.map((s) => s.id)).not.toContain(old);
    // Merged, the suggestion is gone from both.
    expect((await merge(first, [second])).status).toBe(200);
    expect((await getJson<CaseDetail>(`/api/cases/${first}`)).body.merge.suggestions).toEqual([]);
  });

  it("the dialog's candidates: this case first, then the customer's other cases not merged away, nobody else's", async () => {
    const deps = await seeded();
    const now = Date.now();
    const a = await newCase(deps, 'alpha', now - 3000);
    const b = await newCase(deps, 'beta', now - 2000);
    await newCase(deps, 'gamma', now - 1000, 'zed@example.org');
    const c = await newCase(deps, 'delta', now);
    expect((await merge(c, [b])).status).toBe(200);
    const { body } = await getJson<{ items: Array<{ id: string; subject: string }> }>(`/api/cases/${a}/merge-candidates`);
    expect(body.items.map((i) => i.subject)).toEqual(['alpha', 'delta']);
    expect((await call('/api/cases/case_nope/merge-candidates')).status).toBe(404);
  });

  it('one mail sent to two of our addresses: each mailbox filed it, each case suggests the other', async () => {
    const deps = await seeded();
    const now = Date.now();
    await deps.db.insert(mailboxes).values({ id: 'mbx_sales', workspaceId: DEMO.workspaceId, address: 'sales@acme.test', displayName: 'Sales', ackOnCreate: false, createdAt: now, updatedAt: now });
    const raw = mail({ To: `${DEMO.mailbox}, sales@acme.test`, Subject: 'Quote and a complaint', 'Message-ID': '<both@example.com>' });
    await deliver(deps, raw, { to: DEMO.mailbox });
    await deliver(deps, raw, { to: 'sales@acme.test' });
    const rows = await deps.db.select().from(messages).where(eq(messages.rfcMessageId, 'both@example.com'));
    expect(new Set(rows.map((r) => r.caseId)).size).toBe(2);
    const [x, y] = rows.map((r) => r.caseId) as [string, string];
    expect((await getJson<CaseDetail>(`/api/cases/${x}`)).body.merge.suggestions.map((s) => [s.id, s.reason])).toEqual([[y, 'same-message']]);
    expect((await getJson<CaseDetail>(`/api/cases/${y}`)).body.merge.suggestions.map((s) => [s.id, s.reason])).toEqual([[x, 'same-message']]);
  });
});
