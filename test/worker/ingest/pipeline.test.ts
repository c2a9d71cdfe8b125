// The whole ingest path over the project's fixtures: receiveEmail → D1/R2, as Email Routing would
// deliver them. Each test starts from an empty, seeded database.
import { env } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { attachments, cases, events, inbound, mailboxes, messages, participants } from '../../../worker/db/schema.ts';
import { receiveEmail, type ReceiveResult } from '../../../worker/ingest/receive.ts';
import { signReplyToken } from '../../../worker/mail/tokens.ts';
import type { Deps } from '../../../worker/deps.ts';
import { fixture, fixtureText } from '../../fixtures/index.ts';
import { deepNesting, hugeHeaders, manySiblingParts, nulInHeader, oversize } from '../../fixtures/generate.ts';
import { DEMO, incoming, mail, seeded } from '../helpers.ts';

async function deliver(deps: Deps, raw: Uint8Array | string, opts: { from?: string; to?: string } = {}): Promise<ReceiveResult> {
  return receiveEmail(incoming(raw, opts), deps);
}

async function only<T>(rows: Promise<T[]>): Promise<T> {
  const list = await rows;
  expect(list).toHaveLength(1);
  return list[0]!;
}

async function inboundRow(deps: Deps, result: ReceiveResult) {
  if (result.verdict !== 'accepted') throw new Error(`rejected: ${result.reason}`);
  return deps.db.select().from(inbound).where(eq(inbound.id, result.inboundId)).get();
}

describe('new mail becomes a case', () => {
  it('plain: subject, status new, requester and Cc as participants and contacts', async () => {
    const deps = await seeded();
    await deliver(deps, fixture('plain'));
    const kase = await only(deps.db.select().from(cases));
    expect(kase).toMatchObject({ status: 'new', number: 1, mailboxId: DEMO.mailboxId });
    const people = await deps.db.select().from(participants);
    expect(people.map((p) => [p.email, p.role]).sort()).toEqual([
      ['alice@example.com', 'requester'],
      ['bob@example.net', 'cc'],
    ]);
    const m = await only(deps.db.select().from(messages));
    expect(m.rfcMessageId).toBe('first-plain@example.com');
    expect(m.threadRule).toBe('new');
  });

  it('applies the mailbox default assignee', async () => {
    const deps = await seeded();
    await deps.db.update(mailboxes).set({ defaultAssigneeId: 'agt_ben' }).where(eq(mailboxes.id, DEMO.mailboxId));
    await deliver(deps, fixture('plain'));
    expect((await only(deps.db.select().from(cases))).assigneeId).toBe('agt_ben');
  });

  it.each(['html-only', 'alternative', 'encoded-subject', 'latin1', 'cp1252', 'iso2022jp'])('%s is stored with decoded text', async (name) => {
    const deps = await seeded();
    await deliver(deps, fixture(name));
    const m = await only(deps.db.select().from(messages));
    expect(m.text.length).toBeGreaterThan(10);
    expect(m.text).not.toMatch(/=\?|=[0-9A-F]{2}/); // no encoded words or quoted-printable left over
    expect(m.text).not.toContain('\uFFFD');
  });

  it('inline cid images are kept inline, attachments as downloads, both in R2', async () => {
    const deps = await seeded();
    await deliver(deps, fixture('attachments-inline'));
    const rows = await deps.db.select().from(attachments);
    const inline = rows.find((a) => a.contentId === 'logo@acme');
    const pdf = rows.find((a) => a.contentType === 'application/pdf');
    expect(inline).toMatchObject({ inline: true });
    expect(pdf).toMatchObject({ inline: false });
    for (const a of [inline!, pdf!]) {
      const obj = await env.RAW.get(a.r2Key!);
      expect(obj!.size).toBe(a.size);
    }
  });

  it('over-limit attachments are recorded as skipped, with a reason, and not stored', async () => {
    const deps = await seeded();
    await deps.db.update(mailboxes).set({ attachmentMaxBytes: 50, attachmentAllowedTypes: '["image/*"]' }).where(eq(mailboxes.id, DEMO.mailboxId));
    await deliver(deps, fixture('attachments-inline'));
    const rows = await deps.db.select().from(attachments);
    const pdf = rows.find((a) => a.contentType === 'application/pdf')!;
    expect(pdf.r2Key).toBeNull();
    expect(pdf.skippedReason).toMatch(/^(too-large|type-not-allowed)/);
    expect(rows.every((a) => a.r2Key === null || a.size <= 50)).toBe(true);
  });

  it('caps the number of attachments per message (inline images do not count)', async () => {
    const deps = await seeded();
    await deps.db.update(mailboxes).set({ attachmentMaxCount: 2 }).where(eq(mailboxes.id, DEMO.mailboxId));
    const parts = Array.from({ length: 4 }, (_, i) => `--b\r\nContent-Type: text/plain; name="f${i}.txt"\r\nContent-Disposition: attachment; filename="f${i}.txt"\r\n\r\nfile ${i}\r\n`).join('');
    await deliver(deps, mail({ 'Content-Type': 'multipart/mixed; boundary="b"' }, `--b\r\nContent-Type: text/plain\r\n\r\nfour files\r\n${parts}--b--`));
    const rows = await deps.db.select().from(attachments);
    expect(rows).toHaveLength(4);
    expect(rows.filter((a) => a.r2Key !== null)).toHaveLength(2);
    expect(rows.filter((a) => a.skippedReason?.startsWith('too-many'))).toHaveLength(2);
  });
});

describe('idempotency', () => {
  it('the same message delivered twice gives one case and one message', async () => {
    const deps = await seeded();
    await deliver(deps, fixture('plain'));
    // A redelivery through another relay: a new trace header on top, same Message-ID and sender.
    const again = await deliver(deps, `Received: from relay2.example.com by mx.acme.test; Fri, 06 Jun 2025 08:20:00 +0000\r\n${fixtureText('plain')}`);
    expect(await deps.db.select().from(cases)).toHaveLength(1);
    expect(await deps.db.select().from(messages)).toHaveLength(1);
    expect(await inboundRow(deps, again)).toMatchObject({ status: 'ignored', reason: 'duplicate' });
  });

  it('without a Message-ID the body hash makes the second copy a duplicate', async () => {
    const deps = await seeded();
    await deliver(deps, fixture('no-message-id'));
    const again = await deliver(deps, `Received: from relay2.example.com; Fri, 06 Jun 2025 08:20:00 +0000\r\n${fixtureText('no-message-id')}`);
    expect(await deps.db.select().from(cases)).toHaveLength(1);
    expect(await inboundRow(deps, again)).toMatchObject({ status: 'ignored', reason: 'duplicate' });
  });

  it('two copies processed at the same time still give one message', async () => {
    const deps = await seeded();
    const [a, b] = await Promise.all([deliver(deps, fixture('plain')), deliver(deps, fixture('plain'))]);
    expect(await deps.db.select().from(messages)).toHaveLength(1);
    const statuses = [(await inboundRow(deps, a))!.status, (await inboundRow(deps, b))!.status].sort();
    expect(statuses).toEqual(['ignored', 'processed']);
  });
});

describe('threading', () => {
  async function withFirstCase() {
    const deps = await seeded();
    await deliver(deps, fixture('plain'));
    const kase = await only(deps.db.select().from(cases));
    return { deps, kase };
  }

  it('reply by In-Reply-To', async () => {
    const { deps, kase } = await withFirstCase();
    await deliver(deps, fixture('reply-in-reply-to'));
    const reply = (await deps.db.select().from(messages)).find((m) => m.threadRule !== 'new')!;
    expect(reply).toMatchObject({ caseId: kase.id, threadRule: 'in-reply-to' });
    expect(reply.threadReason).toContain('first-plain@example.com');
    expect((await deps.db.select().from(cases).where(eq(cases.id, kase.id)).get())!.messageCount).toBe(2);
  });

  it('reply by References only', async () => {
    const { deps, kase } = await withFirstCase();
    await deliver(deps, fixture('reply-references-only'));
    const reply = (await deps.db.select().from(messages)).find((m) => m.threadRule !== 'new')!;
    expect(reply).toMatchObject({ caseId: kase.id, threadRule: 'references' });
  });

  it('reply by signed token in the recipient address, even with no headers to go by', async () => {
    const { deps, kase } = await withFirstCase();
    const token = await signReplyToken(env.REPLY_TOKEN_KEY, kase.id);
    const to = `reply+${token}@acme.test`;
    const result = await deliver(deps, mail({ From: 'alice@example.com', To: to, Subject: 'a fresh subject' }), { to });
    expect(await inboundRow(deps, result)).toMatchObject({ status: 'processed', caseId: kase.id });
    const reply = (await deps.db.select().from(messages)).find((m) => m.threadRule === 'token');
    expect(reply?.caseId).toBe(kase.id);
  });

  it('a forged token does not thread, and does not lose the mail', async () => {
    const { deps } = await withFirstCase();
    const to = 'reply+0000000000aaaaaaaaaaaa-c-0000000000000000@acme.test';
    const result = await deliver(deps, mail({ From: 'alice@example.com', To: to, Subject: 'forged' }), { to });
    const row = await inboundRow(deps, result);
    expect(row!.status).toBe('processed');
    expect(await deps.db.select().from(cases)).toHaveLength(2);
    expect(JSON.parse(row!.decision!).considered.join(' ')).toContain('token-bad-signature');
  });

  it('subject tag from a participant threads', async () => {
    const { deps, kase } = await withFirstCase();
    await deliver(deps, fixture('reply-subject-tag'));
    const reply = (await deps.db.select().from(messages)).find((m) => m.threadRule === 'subject-tag');
    expect(reply?.caseId).toBe(kase.id);
  });

  it('subject tag from a stranger is quarantined as not-a-participant, never appended', async () => {
    const { deps, kase } = await withFirstCase();
    const result = await deliver(deps, fixture('stranger-subject-tag'), { from: 'mallory@example.org' });
    expect(await inboundRow(deps, result)).toMatchObject({ status: 'quarantined', reason: 'not-a-participant', caseId: kase.id });
    expect(await deps.db.select().from(messages)).toHaveLength(1);
    const evs = await deps.db.select().from(events);
    expect(evs.map((e) => e.type)).toEqual(['case.created', 'inbound.held']);
  });

  it('a stranger replying with forged In-Reply-To is held too', async () => {
    const { deps } = await withFirstCase();
    const result = await deliver(deps, mail({ From: 'mallory@example.org', 'In-Reply-To': '<first-plain@example.com>', Subject: 'Re: hi' }));
    expect(await inboundRow(deps, result)).toMatchObject({ status: 'quarantined', reason: 'not-a-participant' });
  });

  it('a Cc participant of the first message may reply', async () => {
    const { deps, kase } = await withFirstCase();
    await deliver(deps, mail({ From: 'Bob <bob@example.net>', 'In-Reply-To': '<first-plain@example.com>', Subject: 'Re: order' }));
    expect((await deps.db.select().from(cases).where(eq(cases.id, kase.id)).get())!.messageCount).toBe(2);
  });

  it('a customer reply moves pending and resolved cases back to open', async () => {
    const { deps, kase } = await withFirstCase();
    await deps.db.update(cases).set({ status: 'pending' }).where(eq(cases.id, kase.id));
    await deliver(deps, fixture('reply-in-reply-to'));
    expect((await deps.db.select().from(cases).where(eq(cases.id, kase.id)).get())!.status).toBe('open');
  });

  it('reply to a closed case: reopen policy reopens it', async () => {
    const { deps, kase } = await withFirstCase();
    await deps.db
      .update(cases)
      .set({ status: 'closed', closedAt: Date.now() - 3_600_000 })
      .where(eq(cases.id, kase.id));
    await deliver(deps, fixture('reply-in-reply-to'));
    const after = await deps.db.select().from(cases).where(eq(cases.id, kase.id)).get();
    expect(after).toMatchObject({ status: 'open', closedAt: null, messageCount: 2 });
    const ev = (await deps.db.select().from(events)).at(-1)!;
    expect(JSON.parse(ev.payload)).toMatchObject({ type: 'message.added', reopened: true, status: 'open' });
  });

  it('reply to a closed case: new-linked policy opens a new case linked to the old one', async () => {
    const { deps, kase } = await withFirstCase();
    await deps.db.update(mailboxes).set({ followUpPolicy: 'new-linked' }).where(eq(mailboxes.id, DEMO.mailboxId));
    await deps.db
      .update(cases)
      .set({ status: 'closed', closedAt: Date.now() - 3_600_000 })
      .where(eq(cases.id, kase.id));
    await deliver(deps, fixture('reply-in-reply-to'));
    const all = await deps.db.select().from(cases);
    expect(all).toHaveLength(2);
    const follow = all.find((c) => c.id !== kase.id)!;
    expect(follow).toMatchObject({ status: 'new', linkedCaseId: kase.id, number: 2 });
    expect((await deps.db.select().from(cases).where(eq(cases.id, kase.id)).get())!.status).toBe('closed');
  });

  it('an auto-reply to a case is attached as auto, and does not reopen it', async () => {
    const { deps, kase } = await withFirstCase();
    await deps.db.update(cases).set({ status: 'resolved' }).where(eq(cases.id, kase.id));
    const ooo = fixtureText('ooo-exchange')
      .replace(/^In-Reply-To:.*$/m, '')
      .replace(/^From:.*$/m, 'From: Bob <bob@example.net>');
    await deliver(deps, `In-Reply-To: <first-plain@example.com>\r\n${ooo}`);
    const auto = (await deps.db.select().from(messages)).find((m) => m.kind === 'auto-reply');
    expect(auto?.caseId).toBe(kase.id);
    expect((await deps.db.select().from(cases).where(eq(cases.id, kase.id)).get())!.status).toBe('resolved');
  });

  it('a bounce is stored as ignored with its reason, and opens no case', async () => {
    const deps = await seeded();
    const result = await deliver(deps, fixture('bounce-dsn'), { from: 'MAILER-DAEMON@mx.example.net' });
    expect(await inboundRow(deps, result)).toMatchObject({ status: 'ignored', reason: 'bounce' });
    expect(await deps.db.select().from(cases)).toHaveLength(0);
  });

  it('our own mail coming back is a loop, ignored', async () => {
    const deps = await seeded();
    const result = await deliver(deps, mail({ From: DEMO.mailbox }), { from: DEMO.mailbox });
    expect(await inboundRow(deps, result)).toMatchObject({ status: 'ignored', reason: 'loop' });
  });
});

describe('hostile and broken mail is kept, never thrown', () => {
  it('oversize mail is refused with a reason before anything is stored', async () => {
    const deps = await seeded();
    const big = oversize(25 * 1024 * 1024 + 1);
    const msg = incoming(big);
    expect(await receiveEmail(msg, deps)).toMatchObject({ verdict: 'rejected' });
    expect(msg.rejected).toMatch(/too large/);
    expect(await deps.db.select().from(inbound)).toHaveLength(0);
  });

  it.each([
    ['5,000 sibling parts', () => manySiblingParts(5000), 'too-many-parts'],
    ['300-deep nesting', () => deepNesting(300), 'nesting-too-deep'],
    ['3 MB of headers', () => hugeHeaders(3 * 1024 * 1024), 'headers-too-large'],
  ])('%s is quarantined with its reason, raw kept', async (_name, make, reason) => {
    const deps = await seeded();
    const result = await deliver(deps, make());
    const row = await inboundRow(deps, result);
    expect(row).toMatchObject({ status: 'quarantined', reason });
    expect(await env.RAW.get(row!.rawKey)).not.toBeNull();
    expect(await deps.db.select().from(cases)).toHaveLength(0);
  });

  it('a NUL byte in a header is cleaned, and the mail becomes a case', async () => {
    const deps = await seeded();
    await deliver(deps, nulInHeader());
    const kase = await only(deps.db.select().from(cases));
    expect(kase.subject).not.toContain('\u0000');
    expect(kase.subject.length).toBeGreaterThan(0);
  });
});
