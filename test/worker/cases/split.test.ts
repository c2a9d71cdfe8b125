// Splitting a case through the HTTP API: the message and those after it become a new linked case
// with the events and system lines in both; later replies to the moved messages (by their
// Message-IDs, or to our reply that moved, whose reply token names the old case) thread into the new
// case; refusals.
import { env } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { cases, messages, outbox } from '../../../worker/db/schema.ts';
import type { Deps } from '../../../worker/deps.ts';
import { outgoingMime } from '../../../worker/mail/outbox.ts';
import type { CaseDetail, MessageView } from '../../../worker/protocol/api.ts';
import type { CaseHistory } from '../../../worker/protocol/history.ts';
import type { SplitResult } from '../../../worker/protocol/merge.ts';
import { mail, seeded } from '../helpers.ts';
import { call, deliver, expectError, getJson, ORIGIN } from '../http/client.ts';
import { openSocket } from './live-socket.ts';

const post = (path: string, body: unknown) =>
  call(path, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Sec-Fetch-Site': 'same-origin', Origin: ORIGIN }, body: JSON.stringify(body) });

async function byRfc(deps: Deps, rfc: string) {
  return (await deps.db.select().from(messages).where(eq(messages.rfcMessageId, rfc)).get())!;
}

/** A case of three customer mails and, between the second and the third, our reply. */
async function threeMessages(deps: Deps) {
  const t = Date.now();
  await deliver(deps, mail({ Subject: 'Two questions', 'Message-ID': '<s1@example.com>' }, 'first question'), { at: t - 3000 });
  const caseId = (await byRfc(deps, 's1@example.com')).caseId;
  await deliver(deps, mail({ Subject: 'Re: Two questions', 'In-Reply-To': '<s1@example.com>', 'Message-ID': '<s2@example.com>' }, 'a different question'), { at: t - 2000 });
  const reply = (await (await post(`/api/cases/${caseId}/replies`, { text: 'About your second question…' })).json()) as MessageView;
  await deliver(deps, mail({ Subject: 'Re: Two questions', 'In-Reply-To': '<s2@example.com>', 'Message-ID': '<s3@example.com>' }, 'more on the second'), { at: Date.now() + 1000 });
  expect((await byRfc(deps, 's3@example.com')).caseId).toBe(caseId);
  return { caseId, reply, second: (await byRfc(deps, 's2@example.com')).id };
}

describe('split', () => {
  it('moves the message and those after it into a new linked case, with events on another socket and lines in both cases', async () => {
    const deps = await seeded();
    const { caseId, second } = await threeMessages(deps);
    const old = (await deps.db.select().from(cases).where(eq(cases.id, caseId)).get())!;
    const other = await openSocket();
    const res = await post(`/api/cases/${caseId}/split`, { messageId: second });
    expect(res.status).toBe(201);
    const done = (await res.json()) as SplitResult;
    expect(done).toMatchObject({ caseId, moved: 3, newCase: { number: old.number + 1 } });
    const [event] = await other.waitFor((e) => e.type === 'case.split');
    expect(event).toMatchObject({ caseId, newCaseId: done.newCase.id, newNumber: done.newCase.number, by: 'Local agent' });
    await other.waitFor((e) => e.type === 'case.created' && e.caseId === done.newCase.id);
    await other.close();

    const fresh = (await getJson<CaseDetail>(`/api/cases/${done.newCase.id}`)).body;
    expect(fresh.case).toMatchObject({ linkedCaseId: caseId, status: 'open', messageCount: 4, subject: 'Re: Two questions' });
    expect(fresh.messages.filter((m) => m.direction !== 'system').map((m) => m.direction)).toEqual(['inbound', 'outbound', 'inbound']);
    expect(fresh.messages.filter((m) => m.direction === 'system').map((m) => m.text)).toEqual([`Local agent split this case off #${old.number}`]);
    expect(fresh.participants.map((p) => p.email)).toContain('alice@example.com');
    const left = (await getJson<CaseDetail>(`/api/cases/${caseId}`)).body;
    expect(left.messages.map((m) => m.direction)).toEqual(['inbound', 'system']);
    expect(left.messages[1]!.text).toBe(`Local agent split 3 messages off into #${done.newCase.number}`);
    expect(left.case.messageCount).toBe(2);
    // The reply's mail moved with it.
    expect(await deps.db.select().from(outbox).where(eq(outbox.caseId, caseId))).toHaveLength(0);
    const history = (await getJson<CaseHistory>(`/api/cases/${caseId}/history`)).body;
    expect(history.lines.map((l) => l.text)).toContain(`Local agent split 3 messages off into #${done.newCase.number}`);
  });

  it("later replies thread into the new case: to a moved customer message's Message-ID, and to our moved reply (whose token names the old case)", async () => {
    const deps = await seeded();
    const { caseId, reply, second } = await threeMessages(deps);
    const done = (await (await post(`/api/cases/${caseId}/split`, { messageId: second })).json()) as SplitResult;
    await deliver(deps, mail({ Subject: 'Re: Two questions', 'In-Reply-To': '<s3@example.com>', 'Message-ID': '<s4@example.com>' }, 'still about the second'));
    expect(await byRfc(deps, 's4@example.com')).toMatchObject({ caseId: done.newCase.id, threadRule: 'in-reply-to' });
    // A reply to the first message stays with the old case.
    await deliver(deps, mail({ Subject: 'Re: Two questions', 'In-Reply-To': '<s1@example.com>', 'Message-ID': '<s5@example.com>' }, 'about the first'));
    expect((await byRfc(deps, 's5@example.com')).caseId).toBe(caseId);
    // Answering our reply from a mail client: To its Reply-To (the old case's token), In-Reply-To its Message-ID.
    const row = (await deps.db.select().from(outbox).where(eq(outbox.messageId, reply.id)).get())!;
    const sent = await PostalMime.parse(await outgoingMime(env.RAW, row));
    const to = sent.replyTo![0]!.address!;
    await deliver(deps, mail({ To: to, Subject: `Re: ${sent.subject}`, 'In-Reply-To': sent.messageId!, 'Message-ID': '<s6@example.com>' }, 'thanks for the answer'), { to });
    expect((await byRfc(deps, 's6@example.com')).caseId).toBe(done.newCase.id);
  });

  it('refuses the first message (the case would be empty), a message of another case, and a merged case', async () => {
    const deps = await seeded();
    const { caseId } = await threeMessages(deps);
    const first = (await byRfc(deps, 's1@example.com')).id;
    expect((await expectError(await post(`/api/cases/${caseId}/split`, { messageId: first }), 400, 'bad_request')).error.message).toMatch(/empty/);
    await deliver(deps, mail({ Subject: 'Unrelated', 'Message-ID': '<u1@example.com>' }));
    const elsewhere = await byRfc(deps, 'u1@example.com');
    expect((await expectError(await post(`/api/cases/${caseId}/split`, { messageId: elsewhere.id }), 400, 'bad_request')).error.message).toMatch(/no such message/);
    await expectError(await post('/api/cases/case_nope/split', { messageId: first }), 404, 'not_found');
    await expectError(await post(`/api/cases/${caseId}/split`, {}), 400, 'bad_request');
    expect((await post(`/api/cases/${elsewhere.caseId}/merge`, { absorb: [caseId] })).status).toBe(200);
    const moved = (await byRfc(deps, 's2@example.com')).id;
    expect((await expectError(await post(`/api/cases/${caseId}/split`, { messageId: moved }), 400, 'bad_request')).error.message).toMatch(/merged/);
  });
});
