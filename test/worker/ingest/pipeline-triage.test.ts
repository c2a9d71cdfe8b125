// Triage through the real handler into D1: sender trust, spoofing, bounces, floods, the catch-all
// and the loop scenario of two helpdesks acknowledging each other.
import { env } from 'cloudflare:test';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { cases, contacts, events, inbound, mailboxes, messages, participants, workspaces } from '../../../worker/db/schema.ts';
import { makeDeps, type Deps } from '../../../worker/deps.ts';
import { receiveEmail, type ReceiveResult } from '../../../worker/ingest/receive.ts';
import { signReplyToken, threadMarker } from '../../../worker/mail/tokens.ts';
import { buildCaseHeaders, composeMail } from '../../../worker/mail/compose.ts';
import { ackHeaders, renderAck } from '../../../worker/mail/templates.ts';
import { deliveryReport } from '../../fixtures/dsn.ts';
import { DEMO, incoming, mail, seeded } from '../helpers.ts';

const CF_PASS = 'mx.cloudflare.net; dkim=pass header.d=example.com; dmarc=pass header.from=example.com; spf=pass smtp.mailfrom=alice@example.com';
const CF_NONE = 'mx.cloudflare.net; dkim=none; dmarc=none; spf=none smtp.mailfrom=alice@example.com';
const CF_FAIL = 'mx.cloudflare.net; dkim=fail header.d=example.com; dmarc=fail header.from=example.com; spf=fail smtp.mailfrom=alice@example.com';

async function deliver(deps: Deps, raw: string | Uint8Array, opts: { from?: string; to?: string; forward?: (to: string) => Promise<void> } = {}): Promise<ReceiveResult> {
  const msg = incoming(raw, opts);
  if (opts.forward) (msg as { forward?: unknown }).forward = opts.forward;
  return receiveEmail(msg, deps);
}

async function row(deps: Deps, r: ReceiveResult) {
  if (r.verdict !== 'accepted') throw new Error(r.reason);
  return (await deps.db.select().from(inbound).where(eq(inbound.id, r.inboundId)).get())!;
}

/** Alice's first mail makes case #1; the mailbox then trusts only what it would in production. */
async function firstCase(policy: 'token-only' | 'allow' = 'token-only') {
  const deps = await seeded();
  await deps.db.update(mailboxes).set({ unverifiedPolicy: policy }).where(eq(mailboxes.id, DEMO.mailboxId));
  await deliver(deps, mail({ 'Message-ID': '<first@example.com>', 'Authentication-Results': CF_PASS }));
  const kase = (await deps.db.select().from(cases).get())!;
  return { deps, kase };
}

const reply = (auth: string | null, extra: Record<string, string | null> = {}) =>
  mail({ 'Authentication-Results': auth, 'In-Reply-To': '<first@example.com>', Subject: 'Re: Where is my order?', ...extra }, 'Any news?');

describe('sender authenticity and the unverified-sender policy', () => {
  it('every stored message carries its verdict and the reasons for it', async () => {
    const { deps } = await firstCase();
    const m = (await deps.db.select().from(messages).get())!;
    expect(m.authVerdict).toBe('verified');
    expect(JSON.parse(m.authResults!).reasons).toEqual(['dmarc:pass']);
  });

  it('token-only (the default): a verified participant threads by header', async () => {
    const { deps, kase } = await firstCase();
    expect(await row(deps, await deliver(deps, reply(CF_PASS)))).toMatchObject({ status: 'processed', caseId: kase.id });
  });

  it('token-only: an unverified participant replying by header is held as unverified-sender', async () => {
    const { deps, kase } = await firstCase();
    expect(await row(deps, await deliver(deps, reply(CF_NONE)))).toMatchObject({ status: 'quarantined', reason: 'unverified-sender', caseId: kase.id });
  });

  it('token-only: the same unverified sender replying to the signed reply address is appended', async () => {
    const { deps, kase } = await firstCase();
    const to = `reply+${await signReplyToken(env.REPLY_TOKEN_KEY, kase.id)}@acme.test`;
    const r = await row(deps, await deliver(deps, reply(CF_NONE, { To: to }), { to }));
    expect(r).toMatchObject({ status: 'processed', caseId: kase.id });
  });

  it('token-only: a DMARC failure is held even with a valid token (auth-failed), and gets no acknowledgement', async () => {
    const { deps, kase } = await firstCase();
    const to = `reply+${await signReplyToken(env.REPLY_TOKEN_KEY, kase.id)}@acme.test`;
    const r = await row(deps, await deliver(deps, reply(CF_FAIL, { To: to }), { to }));
    expect(r).toMatchObject({ status: 'quarantined', reason: 'auth-failed' });
    // New mail from a failing sender still becomes a case (a customer with a broken domain is a
    // customer), but is never acknowledged: the real owner of the address would get our reply.
    const fresh = await row(deps, await deliver(deps, mail({ 'Authentication-Results': CF_FAIL, Subject: 'Hello' })));
    expect(JSON.parse(fresh.decision!).decision.acknowledge).toEqual({ eligible: false, reason: 'the sender failed authentication' });
  });

  it('allow: unverified participants thread by header as before', async () => {
    const { deps, kase } = await firstCase('allow');
    expect(await row(deps, await deliver(deps, reply(null)))).toMatchObject({ status: 'processed', caseId: kase.id });
  });

  it('a forged Authentication-Results below Cloudflare’s is not read', async () => {
    const { deps } = await firstCase();
    // Cloudflare's header is on top (it prepends); the sender wrote a "pass" of their own below it.
    const raw = `Authentication-Results: ${CF_NONE}\r\n${reply(null, { 'Authentication-Results': CF_PASS })}`;
    const r = await row(deps, await deliver(deps, raw));
    expect(r).toMatchObject({ status: 'quarantined', reason: 'unverified-sender' });
  });
});

describe('spoofing', () => {
  it('a stranger quoting [#1] in the subject is held as not-a-participant, even when verified', async () => {
    const { deps, kase } = await firstCase();
    const stranger = mail({ From: 'Mallory <mallory@example.org>', Subject: 'Re: [#1] change my address', 'Authentication-Results': 'mx.cloudflare.net; dmarc=pass header.from=example.org' });
    expect(await row(deps, await deliver(deps, stranger, { from: 'mallory@example.org' }))).toMatchObject({ status: 'quarantined', reason: 'not-a-participant', caseId: kase.id });
    expect((await deps.db.select().from(cases).where(eq(cases.id, kase.id)).get())!.messageCount).toBe(1);
  });

  it('an encoded-word display name that decodes to a participant’s address does not make the sender one', async () => {
    const { deps } = await firstCase('allow');
    for (const from of ['=?utf-8?q?alice=40example.com?= <mallory@example.org>', '"=?utf-8?b?YWxpY2VAZXhhbXBsZS5jb20=?=" <mallory@example.org>']) {
      const r = await row(deps, await deliver(deps, reply(null, { From: from, 'Message-ID': `<${crypto.randomUUID()}@example.org>` }), { from: 'mallory@example.org' }));
      expect(r, from).toMatchObject({ status: 'quarantined', reason: 'not-a-participant' });
    }
    // An encoded word where the address should be is no address: the envelope sender stands in.
    const bare = await row(deps, await deliver(deps, reply(null, { From: '=?utf-8?q?alice=40example.com?=' }), { from: 'mallory@example.org' }));
    expect(bare).toMatchObject({ status: 'quarantined', reason: 'not-a-participant', fromEmail: 'mallory@example.org' });
  });

  it('sender-supplied control headers change nothing', async () => {
    const deps = await seeded();
    await deliver(
      deps,
      mail({
        'X-Edgecase-Status': 'closed',
        'X-Edgecase-Priority': 'urgent',
        'X-Edgecase-Assignee': 'agt_ada',
        'X-Edgecase-Case': 'case_x',
        'X-OTRS-Priority': '5 very high',
        'X-Zammad-Ticket-Priority': '3 high',
      }),
    );
    expect(await deps.db.select().from(cases).get()).toMatchObject({ status: 'new', priority: 'normal', assigneeId: null });
  });

  it('a forged reply token threads nowhere', async () => {
    const { deps } = await firstCase();
    const to = 'reply+0000000000aaaaaaaaaaaa-c-0000000000000000@acme.test';
    const r = await row(deps, await deliver(deps, mail({ To: to, Subject: 'hi', 'Authentication-Results': CF_PASS }), { to }));
    expect(r.status).toBe('processed');
    expect(r.caseId).not.toBeNull();
    expect(await deps.db.select().from(cases)).toHaveLength(2);
  });
});

describe('catch-all', () => {
  it('held mail goes on to the catch-all address, and the row says so', async () => {
    const { deps } = await firstCase();
    await deps.db.update(mailboxes).set({ catchAllAddress: 'triage@acme.test' }).where(eq(mailboxes.id, DEMO.mailboxId));
    const forwarded: string[] = [];
    const r = await row(deps, await deliver(deps, reply(CF_NONE), { forward: async (to) => void forwarded.push(to) }));
    expect(forwarded).toEqual(['triage@acme.test']);
    expect(r).toMatchObject({ status: 'quarantined', forwardedTo: 'triage@acme.test', forwardError: null });
  });

  it('a forward Cloudflare refuses is recorded; the mail stays held', async () => {
    const { deps } = await firstCase();
    await deps.db.update(mailboxes).set({ catchAllAddress: 'unverified@elsewhere.test' }).where(eq(mailboxes.id, DEMO.mailboxId));
    const r = await row(
      deps,
      await deliver(deps, reply(CF_NONE), {
        forward: async () => {
          throw new Error('destination address not verified');
        },
      }),
    );
    expect(r).toMatchObject({ status: 'quarantined', forwardedTo: null, forwardError: 'destination address not verified' });
  });

  it('mail that is not held is never forwarded', async () => {
    const { deps } = await firstCase();
    await deps.db.update(mailboxes).set({ catchAllAddress: 'triage@acme.test' }).where(eq(mailboxes.id, DEMO.mailboxId));
    const forwarded: string[] = [];
    await deliver(deps, reply(CF_PASS), { forward: async (to) => void forwarded.push(to) });
    expect(forwarded).toEqual([]);
  });
});

describe('bounces (RFC 3464)', () => {
  async function ourAckHeaders(_deps: Deps, caseId: string) {
    const h = await buildCaseHeaders({
      secret: env.REPLY_TOKEN_KEY,
      caseId,
      mailboxAddress: DEMO.mailbox,
      mailboxName: 'Acme Support',
      customerLastMessageId: 'first@example.com',
      threadIds: ['first@example.com'],
    });
    return [
      `From: Acme Support <${DEMO.mailbox}>`,
      'To: alice@example.com',
      `Reply-To: ${h.replyTo}`,
      'Subject: [#1] Where is my order?',
      'Message-ID: <cf-1@cloudflare.example>',
      `References: ${h.references.map((r) => `<${r}>`).join(' ')}`,
    ];
  }

  it('a permanent failure of our mail becomes a system message on the case and marks the address undeliverable', async () => {
    const { deps, kase } = await firstCase();
    const r = await row(
      deps,
      await deliver(deps, deliveryReport('alice@example.com', await ourAckHeaders(deps, kase.id)), {
        from: 'mailer-daemon@mx.example.com',
      }),
    );
    expect(r).toMatchObject({ status: 'processed', caseId: kase.id });
    const sys = (await deps.db.select().from(messages).where(eq(messages.direction, 'system')).get())!;
    expect(sys).toMatchObject({ caseId: kase.id, kind: 'bounce' });
    expect(sys.text).toBe('Delivery to alice@example.com failed: 5.1.1 550 5.1.1 user unknown');
    const alice = (await deps.db.select().from(contacts).where(eq(contacts.email, 'alice@example.com')).get())!;
    expect(alice).toMatchObject({ undeliverable: true });
    expect(alice.undeliverableReason).toContain('5.1.1');
    // The case is untouched: a bounce is no customer activity.
    expect((await deps.db.select().from(cases).where(eq(cases.id, kase.id)).get())!.status).toBe('new');
    // Alice's next mail is not acknowledged: the address bounced.
    const next = await row(deps, await deliver(deps, mail({ 'Authentication-Results': CF_PASS, Subject: 'Another question' })));
    expect(JSON.parse(next.decision!).decision.acknowledge).toEqual({ eligible: false, reason: 'alice@example.com bounced before' });
  });

  it('a delay is noted on the case but marks nothing', async () => {
    const { deps, kase } = await firstCase();
    await deliver(deps, deliveryReport('alice@example.com', await ourAckHeaders(deps, kase.id), { action: 'delayed', status: '4.4.1', diagnostic: null }), { from: 'mailer-daemon@mx.example.com' });
    const sys = (await deps.db.select().from(messages).where(eq(messages.direction, 'system')).get())!;
    expect(sys.text).toBe('Delivery to alice@example.com is delayed: 4.4.1');
    expect((await deps.db.select().from(contacts).where(eq(contacts.email, 'alice@example.com')).get())!.undeliverable).toBe(false);
  });

  it('a report that quotes only a customer’s Message-ID is not trusted: ignored, nothing marked', async () => {
    const { deps } = await firstCase();
    const forged = deliveryReport('alice@example.com', ['From: alice@example.com', 'To: support@acme.test', 'Message-ID: <first@example.com>', 'Subject: Where is my order?'], { diagnostic: null });
    expect(await row(deps, await deliver(deps, forged, { from: 'mailer-daemon@mx.example.com' }))).toMatchObject({ status: 'ignored', reason: 'bounce' });
    expect((await deps.db.select().from(contacts).where(eq(contacts.email, 'alice@example.com')).get())!.undeliverable).toBe(false);
  });

  it('a prose bounce naming our reply address in the quoted original is tied too', async () => {
    const { deps, kase } = await firstCase();
    const token = await signReplyToken(env.REPLY_TOKEN_KEY, kase.id);
    const prose = mail(
      { From: 'MAILER-DAEMON@mx.example.com', Subject: 'Mail delivery failed: returning message to sender', 'X-Failed-Recipients': 'alice@example.com' },
      `This message was created automatically by mail delivery software.\r\n\r\n  alice@example.com\r\n    SMTP error from remote mail server after RCPT TO: 550 5.1.1 unknown user\r\n\r\n------ This is a copy of the message, including all the headers. ------\r\nReply-To: reply+${token}@acme.test\r\nSubject: [#1] Where is my order?\r\n`,
    );
    expect(await row(deps, await deliver(deps, prose, { from: 'mailer-daemon@mx.example.com' }))).toMatchObject({ status: 'processed', caseId: kase.id });
    expect((await deps.db.select().from(contacts).where(eq(contacts.email, 'alice@example.com')).get())!.undeliverable).toBe(true);
  });
});

describe('flood breaker', () => {
  it('more than N messages from one sender in the window are held, with one event for admins', async () => {
    const deps = await seeded();
    await deps.db.update(mailboxes).set({ floodMaxPerSender: 3, floodWindowMinutes: 10 }).where(eq(mailboxes.id, DEMO.mailboxId));
    const results = [];
    for (let i = 0; i < 6; i++) {
      // A new deps per message: the count lives in D1, not in the isolate.
      const fresh = { ...makeDeps(env) };
      results.push(await row(deps, await deliver(fresh, mail({ Subject: `Message ${i}` }, `Body ${i}`))));
    }
    expect(results.map((r) => r.status)).toEqual(['processed', 'processed', 'processed', 'quarantined', 'quarantined', 'quarantined']);
    expect(results[3]!.reason).toBe('flood');
    const floods = (await deps.db.select().from(events)).filter((e) => e.type === 'flood.detected');
    expect(floods).toHaveLength(1);
    expect(JSON.parse(floods[0]!.payload)).toMatchObject({ by: 'sender', sender: 'alice@example.com', count: 4, windowMinutes: 10 });
    expect(JSON.parse(results[3]!.decision!).decision.detail).toBe('4 messages from this sender within 10 minutes (limit 3)');
  });

  it('the same subject and text from many senders is held too', async () => {
    const deps = await seeded();
    await deps.db.update(mailboxes).set({ floodMaxIdentical: 2 }).where(eq(mailboxes.id, DEMO.mailboxId));
    const statuses = [];
    for (const who of ['a', 'b', 'c']) statuses.push((await row(deps, await deliver(deps, mail({ From: `${who}@example.net` }, 'WIN A PRIZE'), { from: `${who}@example.net` }))).status);
    expect(statuses).toEqual(['processed', 'processed', 'quarantined']);
  });

  it('outside the window the count starts again', async () => {
    const deps = await seeded();
    await deps.db.update(mailboxes).set({ floodMaxPerSender: 1, floodWindowMinutes: 10 }).where(eq(mailboxes.id, DEMO.mailboxId));
    let now = Date.UTC(2026, 10, 23, 9, 0);
    deps.now = () => now;
    expect((await row(deps, await deliver(deps, mail({ Subject: 'one' })))).status).toBe('processed');
    now += 11 * 60_000;
    expect((await row(deps, await deliver(deps, mail({ Subject: 'two' })))).status).toBe('processed');
  });
});

describe('the loop scenario', () => {
  /** A second helpdesk, "B", in the same database: its own workspace and mailbox. */
  async function installationB(deps: Deps) {
    const now = Date.now();
    await deps.db.insert(workspaces).values({ id: 'ws_b', name: 'Other Co', slug: 'other', createdAt: now });
    await deps.db.insert(mailboxes).values({ id: 'mbx_b', workspaceId: 'ws_b', address: 'help@other.test', displayName: 'Other Help', unverifiedPolicy: 'allow', createdAt: now, updatedAt: now });
  }

  it('two helpdesks acknowledging each other stop after one exchange', async () => {
    const deps = await seeded();
    await installationB(deps);
    // B writes to A (say, B's ticket notification to A's support address). A opens a case and may
    // acknowledge it: it is mail a person could have written.
    const first = await row(deps, await deliver(deps, mail({ From: 'Other Help <help@other.test>', Subject: 'Ticket 77 updated' }), { from: 'help@other.test' }));
    const aDecision = JSON.parse(first.decision!).decision;
    expect(aDecision).toMatchObject({ action: 'new-case', acknowledge: { eligible: true } });

    // A's acknowledgement, as A composes it, arrives at B.
    const kase = (await deps.db.select().from(cases).where(eq(cases.workspaceId, DEMO.workspaceId)).get())!;
    const h = await buildCaseHeaders({ secret: env.REPLY_TOKEN_KEY, caseId: kase.id, mailboxAddress: DEMO.mailbox, mailboxName: 'Acme Support', customerLastMessageId: null, threadIds: [] });
    const ack = renderAck('create', { 'case.number': kase.number, 'case.subject': kase.subject, 'mailbox.name': 'Acme Support' });
    const composed = composeMail({
      from: h.from,
      to: [{ email: 'help@other.test', name: '' }],
      replyTo: h.replyTo,
      subject: ack.subject,
      text: ack.text,
      html: ack.html,
      references: h.references,
      extraHeaders: ackHeaders(),
    });
    const atB = await row(deps, await deliver(deps, composed.raw, { from: DEMO.mailbox, to: 'help@other.test' }));
    // B sees an automatic reply: no case, no acknowledgement back. The exchange ends here.
    expect(atB).toMatchObject({ workspaceId: 'ws_b', status: 'ignored', reason: 'auto-reply' });
    expect(await deps.db.select().from(cases).where(eq(cases.workspaceId, 'ws_b'))).toHaveLength(0);
  });

  it('a vacation responder answering our acknowledgement is attached to the case, never acknowledged', async () => {
    const { deps, kase } = await firstCase();
    const marker = await threadMarker(env.REPLY_TOKEN_KEY, kase.id, 'acme.test');
    const ooo = mail(
      {
        Subject: 'Automatic reply: [#1] Where is my order?',
        'Auto-Submitted': 'auto-replied',
        'In-Reply-To': '<cf-ack-1@cloudflare.example>',
        References: `<first@example.com> <${marker}>`,
        'Authentication-Results': CF_PASS,
      },
      'I am away until Monday.',
    );
    const r = await row(deps, await deliver(deps, ooo));
    expect(r).toMatchObject({ status: 'processed', caseId: kase.id });
    const d = JSON.parse(r.decision!).decision;
    expect(d).toMatchObject({ action: 'append', kind: 'auto-reply', newStatus: null, acknowledge: { eligible: false } });
  });

  it('our own acknowledgement coming back to us is a loop, ignored', async () => {
    const { deps, kase } = await firstCase();
    const h = await buildCaseHeaders({ secret: env.REPLY_TOKEN_KEY, caseId: kase.id, mailboxAddress: DEMO.mailbox, mailboxName: 'Acme Support' });
    const back = composeMail({
      from: h.from,
      to: [{ email: DEMO.mailbox, name: '' }],
      subject: '[#1] Where is my order?',
      text: 'We got your message.',
      references: h.references,
      extraHeaders: ackHeaders(),
    });
    expect(await row(deps, await deliver(deps, back.raw, { from: DEMO.mailbox }))).toMatchObject({ status: 'ignored', reason: 'loop' });
    expect(
      await deps.db
        .select()
        .from(participants)
        .where(and(eq(participants.caseId, kase.id), eq(participants.email, DEMO.mailbox))),
    ).toHaveLength(0);
  });
});
