// Acknowledgements through the real pipeline and the real send_email binding (wrangler's local one
// captures what it is given): when they go, what they say, how replies to them thread back, when
// they must not go (RFC 3834 and loop rules), rate limits, retries and suppression.
import { env } from 'cloudflare:test';
import { and, eq } from 'drizzle-orm';
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { calendars, cases, contacts, inbound, mailboxes, messages, outbox, outboxRecipients } from '../../../worker/db/schema.ts';
import type { Deps } from '../../../worker/deps.ts';
import { receiveEmail, type ReceiveResult } from '../../../worker/ingest/receive.ts';
import { retryOutboxDue, STALE_SENDING_MS, outgoingMime } from '../../../worker/mail/outbox.ts';
import { verifyReplyToken, verifyThreadMarker, tokenFromAddress } from '../../../worker/mail/tokens.ts';
import { DEMO, incoming, mail, seeded } from '../helpers.ts';

const CF_PASS = 'mx.cloudflare.net; dkim=pass header.d=example.com; dmarc=pass header.from=example.com';

async function deliver(deps: Deps, raw: string, opts: { from?: string; to?: string } = {}): Promise<ReceiveResult> {
  return receiveEmail(incoming(raw, opts), deps);
}

async function acks(deps: Deps) {
  return deps.db.select().from(outboxRecipients).where(eq(outboxRecipients.kind, 'ack-create'));
}

async function rawOf(deps: Deps, outboxId: string): Promise<string> {
  const row = (await deps.db.select().from(outbox).where(eq(outbox.id, outboxId)).get())!;
  return outgoingMime(env.RAW, row);
}

describe('acknowledgement of a new case', () => {
  it('goes to the sender only, is marked automatic, threads, and never echoes the customer', async () => {
    const deps = await seeded({ acks: true });
    await deliver(deps, mail({ 'Message-ID': '<q1@example.com>', Cc: 'bob@example.net', 'Authentication-Results': CF_PASS }, 'My SECRET-ORDER-TEXT is late.'));
    const kase = (await deps.db.select().from(cases).get())!;
    const [ack] = await acks(deps);
    expect(ack).toMatchObject({ recipient: 'alice@example.com', status: 'sent', caseId: kase.id, attempts: 1 });
    expect(ack!.providerMessageId).toBeTruthy();
    const raw = await rawOf(deps, ack!.outboxId);
    const parsed = await PostalMime.parse(raw);
    const header = (name: string) => parsed.headers.find((h) => h.key === name)?.value;
    expect(header('auto-submitted')).toBe('auto-replied');
    expect(header('x-auto-response-suppress')).toBe('All');
    expect(header('x-loop')).toBe(DEMO.mailbox);
    expect(parsed.from?.address).toBe(DEMO.mailbox);
    expect(parsed.to?.map((a) => a.address)).toEqual(['alice@example.com']);
    expect(parsed.cc).toBeUndefined();
    expect(parsed.subject).toContain('[#1]');
    expect(parsed.inReplyTo).toBe('<q1@example.com>');
    const replyTo = parsed.replyTo![0]!.address!;
    expect(await verifyReplyToken(env.REPLY_TOKEN_KEY, tokenFromAddress(replyTo)!)).toMatchObject({ ok: true, caseId: kase.id });
    const refs = parsed.references!.match(/<[^>]+>/g)!.map((r) => r.slice(1, -1));
    expect(await Promise.all(refs.map((r) => verifyThreadMarker(env.REPLY_TOKEN_KEY, r)))).toContain(kase.id);
    expect(parsed.text).toContain('#1');
    expect(parsed.text).not.toContain('SECRET-ORDER-TEXT');
    expect(parsed.html).not.toContain('SECRET-ORDER-TEXT');
    // The inbound row says what happened to it.
    const row = (await deps.db.select().from(inbound).get())!;
    expect(JSON.parse(row.decision!).outgoing).toEqual({ acknowledgement: 'queued' });
  });

  it('a CR/LF smuggled into the subject (as an encoded word) creates no header in the acknowledgement', async () => {
    const deps = await seeded({ acks: true });
    await deliver(deps, mail({ Subject: '=?utf-8?q?Help=0D=0ABcc:_victim@example.com=0D=0AX-Injected:_1?=' }));
    const [ack] = await acks(deps);
    const parsed = await PostalMime.parse(await rawOf(deps, ack!.outboxId));
    expect(parsed.headers.map((h) => h.key)).not.toContain('bcc');
    expect(parsed.headers.map((h) => h.key)).not.toContain('x-injected');
    expect(parsed.bcc).toBeUndefined();
  });

  it('the same inbound message delivered twice is acknowledged once', async () => {
    const deps = await seeded({ acks: true });
    const raw = mail({ 'Message-ID': '<twice@example.com>' });
    await deliver(deps, raw);
    await deliver(deps, `Received: from relay2.example.com; Mon, 23 Nov 2026 10:01:00 +0000\r\n${raw}`);
    expect(await acks(deps)).toHaveLength(1);
  });

  it('uses the off-hours wording while the mailbox calendar says the team is away', async () => {
    const deps = await seeded({ acks: true });
    const today = new Date(deps.now()).toISOString().slice(0, 10);
    const now = Date.now();
    await deps.db.insert(calendars).values({
      id: 'cal_off',
      workspaceId: DEMO.workspaceId,
      name: 'Closed today',
      timeZone: 'UTC',
      weekly: JSON.stringify({
        0: [{ start: '00:00', end: '24:00' }],
        1: [{ start: '00:00', end: '24:00' }],
        2: [{ start: '00:00', end: '24:00' }],
        3: [{ start: '00:00', end: '24:00' }],
        4: [{ start: '00:00', end: '24:00' }],
        5: [{ start: '00:00', end: '24:00' }],
        6: [{ start: '00:00', end: '24:00' }],
      }),
      holidays: JSON.stringify([today]),
      createdAt: now,
      updatedAt: now,
    });
    await deps.db.update(mailboxes).set({ calendarId: 'cal_off' }).where(eq(mailboxes.id, DEMO.mailboxId));
    await deliver(deps, mail());
    const parsed = await PostalMime.parse(await rawOf(deps, (await acks(deps))[0]!.outboxId));
    expect(parsed.text).toContain('Our team is away right now');
  });
});

describe('replies to an acknowledgement thread back into the case', () => {
  async function afterAck() {
    const deps = await seeded({ acks: true });
    await deps.db.update(mailboxes).set({ unverifiedPolicy: 'allow' }).where(eq(mailboxes.id, DEMO.mailboxId));
    await deliver(deps, mail({ 'Message-ID': '<orig@example.com>' }));
    const kase = (await deps.db.select().from(cases).get())!;
    const [ack] = await acks(deps);
    const parsed = await PostalMime.parse(await rawOf(deps, ack!.outboxId));
    return { deps, kase, ack: ack!, parsed };
  }

  it('by the reply token, as a mail client replying to Reply-To does', async () => {
    const { deps, kase, parsed } = await afterAck();
    const to = parsed.replyTo![0]!.address!;
    await deliver(deps, mail({ To: to, Subject: 'a new subject', 'Message-ID': '<r1@example.com>' }, 'thanks'), { to });
    expect(await deps.db.select().from(messages).where(eq(messages.rfcMessageId, 'r1@example.com')).get()).toMatchObject({ caseId: kase.id, threadRule: 'token' });
  });

  it('by headers: In-Reply-To the acknowledgement (the Message-ID the provider gave it) and its References', async () => {
    const { deps, kase, ack, parsed } = await afterAck();
    await deliver(
      deps,
      mail(
        { 'In-Reply-To': `<${ack.providerMessageId}>`, References: `${parsed.references} <${ack.providerMessageId}>`, Subject: `Re: ${parsed.subject}`, 'Message-ID': '<r2@example.com>' },
        'thanks',
      ),
    );
    const m = (await deps.db.select().from(messages).where(eq(messages.rfcMessageId, 'r2@example.com')).get())!;
    expect(m.caseId).toBe(kase.id);
    expect(['in-reply-to', 'references']).toContain(m.threadRule);
  });

  it('by In-Reply-To alone: the Message-ID we wrote into the acknowledgement (kept by a local or relaying provider)', async () => {
    const { deps, kase, parsed } = await afterAck();
    expect(parsed.messageId).toMatch(/^<ob_/);
    // A plain reply to the mailbox address, no References, no [#n] tag: only In-Reply-To leads back.
    await deliver(deps, mail({ 'In-Reply-To': parsed.messageId!, Subject: 'Re: your acknowledgement', 'Message-ID': '<r5@example.com>' }, 'thanks'));
    expect(await deps.db.select().from(messages).where(eq(messages.rfcMessageId, 'r5@example.com')).get()).toMatchObject({ caseId: kase.id, threadRule: 'in-reply-to' });
    expect(await deps.db.select().from(cases).all()).toHaveLength(1);
    // One acknowledgement: the reply did not start a case, so it gets none of its own.
    expect(await acks(deps)).toHaveLength(1);
  });

  it('a Message-ID shaped like ours but naming no mail of this workspace leads nowhere', async () => {
    const { deps, kase, parsed } = await afterAck();
    const forged = parsed.messageId!.replace(/@.*/, '@elsewhere.example>');
    await deliver(deps, mail({ 'In-Reply-To': forged, Subject: 'Re: something else', 'Message-ID': '<r6@example.com>' }, 'hello'));
    expect((await deps.db.select().from(messages).where(eq(messages.rfcMessageId, 'r6@example.com')).get())!.caseId).not.toBe(kase.id);
  });

  it('by our marker alone, when a client keeps only References', async () => {
    const { deps, kase, parsed } = await afterAck();
    const marker = parsed.references!.match(/<ec-[^>]+>/)![0];
    await deliver(deps, mail({ References: marker, Subject: 'Re: something', 'Message-ID': '<r3@example.com>' }));
    expect(await deps.db.select().from(messages).where(eq(messages.rfcMessageId, 'r3@example.com')).get()).toMatchObject({ caseId: kase.id, threadRule: 'references' });
  });

  it('by the subject tag, from a participant', async () => {
    const { deps, kase, parsed } = await afterAck();
    await deliver(deps, mail({ Subject: `Re: ${parsed.subject}`, 'Message-ID': '<r4@example.com>' }));
    expect(await deps.db.select().from(messages).where(eq(messages.rfcMessageId, 'r4@example.com')).get()).toMatchObject({ caseId: kase.id, threadRule: 'subject-tag' });
  });
});

describe('no acknowledgement (RFC 3834 and loop rules)', () => {
  const cases_: Array<[string, Record<string, string | null>, { from?: string }]> = [
    ['an auto-reply', { 'Auto-Submitted': 'auto-replied' }, {}],
    ['a bounce', { From: 'MAILER-DAEMON@mx.example.net', Subject: 'Undelivered Mail Returned to Sender', 'X-Failed-Recipients': 'x@example.net' }, { from: 'mailer-daemon@mx.example.net' }],
    ['list mail', { 'List-Id': '<news.example.com>', Precedence: 'bulk' }, {}],
    ['a noreply sender', { From: 'No Reply <noreply@shop.example>' }, { from: 'noreply@shop.example' }],
    ['a postmaster', { From: 'postmaster@example.org' }, { from: 'postmaster@example.org' }],
    ['our own address', { From: DEMO.mailbox }, { from: DEMO.mailbox }],
    ['a sender that failed DMARC', { 'Authentication-Results': 'mx.cloudflare.net; dmarc=fail header.from=example.com' }, {}],
  ];
  it.each(cases_)('%s', async (_name, headers, opts) => {
    const deps = await seeded({ acks: true });
    await deliver(deps, mail(headers), opts);
    expect(await acks(deps)).toHaveLength(0);
  });

  it('a null envelope sender', async () => {
    const deps = await seeded({ acks: true });
    await deliver(deps, mail({}), { from: '' });
    expect(await acks(deps)).toHaveLength(0);
  });

  it('a flood', async () => {
    const deps = await seeded({ acks: true });
    await deps.db.update(mailboxes).set({ floodMaxPerSender: 1, ackMaxPerRecipientDay: 100 }).where(eq(mailboxes.id, DEMO.mailboxId));
    await deliver(deps, mail({ Subject: 'one' }));
    await deliver(deps, mail({ Subject: 'two' }));
    expect(await acks(deps)).toHaveLength(1);
  });

  it('an address that bounced before', async () => {
    const deps = await seeded({ acks: true });
    await deliver(deps, mail({ Subject: 'first' }));
    await deps.db.update(contacts).set({ undeliverable: true }).where(eq(contacts.email, 'alice@example.com'));
    await deliver(deps, mail({ Subject: 'second' }));
    expect(await acks(deps)).toHaveLength(1);
  });
});

describe('a sender we cannot write back to', () => {
  // Real mail from other projects' test suites: a bare host name, and an internationalised local part
  // (RFC 6532), which the send binding does not take. The case is filed; only the acknowledgement is left out.
  for (const from of ['Guest <guest@localhost>', 'J Doe <jdöe@mächine.example>']) {
    it(`files the case and skips the acknowledgement, saying why: ${from}`, async () => {
      const deps = await seeded({ acks: true });
      await deliver(deps, mail({ From: from }));
      expect(await deps.db.select().from(cases).all()).toHaveLength(1);
      expect(await acks(deps)).toEqual([]);
      const row = (await deps.db.select().from(inbound).get())!;
      expect(row.status).toBe('processed');
      expect(JSON.parse(row.decision!).outgoing.acknowledgement).toMatch(/^not sent: the customer's address cannot receive mail from us: /);
    });
  }
});

describe('rate limits', () => {
  it('one acknowledgement of replies per case per hour', async () => {
    const deps = await seeded({ acks: true });
    await deps.db.update(mailboxes).set({ ackOnCreate: false, ackOnUpdate: true, unverifiedPolicy: 'allow' }).where(eq(mailboxes.id, DEMO.mailboxId));
    await deliver(deps, mail({ 'Message-ID': '<base@example.com>' }));
    for (let i = 0; i < 3; i++) await deliver(deps, mail({ 'In-Reply-To': '<base@example.com>', Subject: `Re: more ${i}` }));
    const updates = await deps.db.select().from(outboxRecipients).where(eq(outboxRecipients.kind, 'ack-update'));
    expect(updates).toHaveLength(1);
    const last = (await deps.db.select().from(inbound)).at(-1)!;
    expect(JSON.parse(last.decision!).outgoing.acknowledgement).toBe('not sent: rate limit: 1 acknowledgement(s) per case per hour');
  });

  it('at most N acknowledgements per recipient per day', async () => {
    const deps = await seeded({ acks: true });
    await deps.db.update(mailboxes).set({ ackMaxPerRecipientDay: 2 }).where(eq(mailboxes.id, DEMO.mailboxId));
    for (let i = 0; i < 4; i++) await deliver(deps, mail({ Subject: `Question ${i}` }));
    expect(await deps.db.select().from(cases)).toHaveLength(4);
    expect(await acks(deps)).toHaveLength(2);
  });
});

describe('delivery', () => {
  function failing(codes: string[]) {
    const calls: string[] = [];
    return {
      calls,
      mailer: {
        async send(_from: string, to: string) {
          calls.push(to);
          const code = codes.shift();
          if (code) throw Object.assign(new Error(`simulated ${code}`), { code });
          return { messageId: `sent-${calls.length}@provider.example` };
        },
      },
    };
  }

  it('a transient failure is retried with backoff by the scheduled sweep, then sent', async () => {
    const deps = await seeded({ acks: true });
    const fake = failing(['E_INTERNAL_SERVER_ERROR']);
    deps.mailer = fake.mailer;
    const t0 = Date.UTC(2026, 10, 23, 10, 0);
    deps.now = () => t0;
    await deliver(deps, mail());
    let [ack] = await acks(deps);
    expect(ack).toMatchObject({ status: 'retry', attempts: 1, errorCode: 'E_INTERNAL_SERVER_ERROR', nextAttemptAt: t0 + 60_000 });
    // Not due yet.
    await retryOutboxDue(deps, t0 + 30_000);
    expect((await acks(deps))[0]!.status).toBe('retry');
    deps.now = () => t0 + 61_000;
    await retryOutboxDue(deps, t0 + 61_000);
    [ack] = await acks(deps);
    expect(ack).toMatchObject({ status: 'sent', attempts: 2, providerMessageId: 'sent-2@provider.example', errorCode: null });
    expect(fake.calls).toEqual(['alice@example.com', 'alice@example.com']);
  });

  it('is written already claimed; if the isolate dies before sending, the sweep sends it once it is stale, once', async () => {
    const deps = await seeded({ acks: true });
    const t0 = Date.UTC(2026, 10, 23, 10, 0);
    deps.now = () => t0;
    // The Worker is gone after its batch committed: the send it started never finishes.
    deps.mailer = { send: () => new Promise(() => {}) };
    deps.background = () => {};
    await deliver(deps, mail());
    const fake = failing([]);
    deps.mailer = fake.mailer;
    expect((await acks(deps))[0]).toMatchObject({ status: 'sending', attempts: 1, updatedAt: t0 });
    // A sweep within the lease leaves it alone: the sender may still be at work.
    await retryOutboxDue(deps, t0 + 60_000);
    expect(fake.calls).toEqual([]);
    const later = t0 + STALE_SENDING_MS + 1;
    deps.now = () => later;
    await retryOutboxDue(deps, later);
    await retryOutboxDue(deps, later + 60_000);
    expect(fake.calls).toEqual(['alice@example.com']);
    expect((await acks(deps))[0]).toMatchObject({ status: 'sent', attempts: 2, providerMessageId: 'sent-1@provider.example' });
  });

  it('a permanent failure stops at once', async () => {
    const deps = await seeded({ acks: true });
    deps.mailer = failing(['E_SENDER_NOT_VERIFIED']).mailer;
    await deliver(deps, mail());
    expect((await acks(deps))[0]).toMatchObject({ status: 'failed', attempts: 1, errorCode: 'E_SENDER_NOT_VERIFIED', nextAttemptAt: null });
  });

  it('a suppressed recipient is marked undeliverable', async () => {
    const deps = await seeded({ acks: true });
    deps.mailer = failing(['E_RECIPIENT_SUPPRESSED']).mailer;
    await deliver(deps, mail());
    expect((await acks(deps))[0]!.status).toBe('suppressed');
    expect(
      (await deps.db
        .select()
        .from(contacts)
        .where(and(eq(contacts.email, 'alice@example.com'), eq(contacts.workspaceId, DEMO.workspaceId)))
        .get())!.undeliverable,
    ).toBe(true);
  });

  it('gives up after six transient failures', async () => {
    const deps = await seeded({ acks: true });
    deps.mailer = failing(Array(10).fill('E_RATE_LIMIT_EXCEEDED')).mailer;
    let now = Date.UTC(2026, 10, 23, 10, 0);
    deps.now = () => now;
    await deliver(deps, mail());
    for (let i = 0; i < 8; i++) {
      now += 3_600_000;
      await retryOutboxDue(deps, now);
    }
    expect((await acks(deps))[0]).toMatchObject({ status: 'failed', attempts: 6 });
  });
});
