import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import worker from '../../../worker/index.ts';
import { cases, events, inbound, mailboxes, messages, attachments, participants } from '../../../worker/db/schema.ts';
import { forgetMailbox } from '../../../worker/db/queries/mailboxes.ts';
import { receiveEmail } from '../../../worker/ingest/receive.ts';
import { retryDue } from '../../../worker/ingest/retry.ts';
import { DEMO, flakyD1, incoming, mail, seeded } from '../helpers.ts';

describe('email() handler end to end', () => {
  it('stores raw mail, a case, a message, attachments and an event, and acknowledges it', async () => {
    const deps = await seeded({ acks: true });
    const raw = mail(
      { 'Content-Type': 'multipart/mixed; boundary="b1"', Cc: 'Bob <bob@example.net>' },
      '--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee the attached invoice.\r\n--b1\r\nContent-Type: application/pdf; name="invoice.pdf"\r\nContent-Disposition: attachment; filename="invoice.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcfsj6IK\r\n--b1--',
    );
    const msg = incoming(raw);
    const ctx = createExecutionContext();
    await worker.email(msg as unknown as ForwardableEmailMessage, env, ctx);
    await waitOnExecutionContext(ctx);
    expect(msg.rejected).toBeNull();

    const [row] = await deps.db.select().from(inbound);
    expect(row).toMatchObject({ status: 'processed', mailboxId: DEMO.mailboxId, attempts: 0 });
    const stored = await env.RAW.get(row!.rawKey);
    expect(await stored!.text()).toBe(raw);

    const [kase] = await deps.db.select().from(cases);
    expect(kase).toMatchObject({ subject: 'Where is my order?', status: 'new', number: 1, messageCount: 1 });
    const [m] = await deps.db.select().from(messages);
    expect(m).toMatchObject({ caseId: kase!.id, direction: 'inbound', kind: 'human', threadRule: 'new', fromEmail: 'alice@example.com' });
    expect(m!.text).toContain('See the attached invoice.');
    const [att] = await deps.db.select().from(attachments);
    expect(att).toMatchObject({ filename: 'invoice.pdf', messageId: m!.id, inline: false });
    const bytes = await env.RAW.get(att!.r2Key!);
    expect(new Uint8Array(await bytes!.arrayBuffer()).slice(0, 5)).toEqual(new TextEncoder().encode('%PDF-'));
    const people = await deps.db.select().from(participants).where(eq(participants.caseId, kase!.id));
    expect(people.map((p) => `${p.email}:${p.role}`).sort()).toEqual(['alice@example.com:requester', 'bob@example.net:cc']);
    const evs = await deps.db.select().from(events);
    expect(evs.map((e) => e.type)).toEqual(['case.created', 'delivery.updated']);
    expect(evs[0]).toMatchObject({ seq: 1, type: 'case.created', caseId: kase!.id });
    expect(JSON.parse(evs[0]!.payload).case.number).toBe(1);
    // The acknowledgement went out through the send_email binding, to the sender only.
    expect(JSON.parse(evs[1]!.payload)).toMatchObject({ type: 'delivery.updated', kind: 'ack-create', recipient: 'alice@example.com', status: 'sent', caseId: kase!.id });
  });

  it('rejects unknown mailboxes and oversize mail with a reason, storing nothing', async () => {
    const deps = await seeded();
    const unknown = incoming(mail(), { to: 'sales@acme.test' });
    expect(await receiveEmail(unknown, deps)).toEqual({ verdict: 'rejected', reason: 'no such mailbox' });
    expect(unknown.rejected).toBe('no such mailbox');

    const big = incoming(mail(), { rawSize: 26 * 1024 * 1024 });
    const result = await receiveEmail(big, deps);
    expect(result.verdict).toBe('rejected');
    expect(big.rejected).toMatch(/^message too large: 26\.0 MiB, this mailbox accepts up to 25\.0 MiB$/);
    // A declared size can lie; the stream itself is bounded too.
    const liar = incoming('x'.repeat(2048), { rawSize: 10 });
    const small = { ...deps, config: { ...deps.config, maxMessageBytes: 1024 } };
    expect((await receiveEmail(liar, small)).verdict).toBe('rejected');
    expect(await deps.db.select().from(inbound)).toHaveLength(0);
  });

  it('throws (a temporary failure for the sender) when the raw mail cannot be stored', async () => {
    const deps = await seeded();
    const broken = {
      ...deps,
      raw: {
        put: async () => {
          throw new Error('R2 unavailable');
        },
      } as unknown as R2Bucket,
    };
    await expect(receiveEmail(incoming(mail()), broken)).rejects.toThrow('R2 unavailable');
    expect(await deps.db.select().from(inbound)).toHaveLength(0);
  });

  it('a D1 failure after the raw is stored leaves a retryable row, and the retry succeeds', async () => {
    const deps = await seeded({ d1: flakyD1(1) });
    const t0 = Date.UTC(2026, 10, 23, 10, 0);
    deps.now = () => t0;
    const result = await receiveEmail(incoming(mail({ Subject: 'Retry me' })), deps);
    expect(result).toMatchObject({ verdict: 'accepted', outcome: null });
    const [row] = await deps.db.select().from(inbound);
    expect(row).toMatchObject({ status: 'failed', attempts: 1, reason: 'processing-error', nextAttemptAt: t0 + 60_000 });
    expect(row!.lastError).toContain('simulated outage');
    expect(await deps.db.select().from(cases)).toHaveLength(0);

    // Not yet due: nothing happens.
    expect(await retryDue(deps, t0 + 30_000)).toEqual({ tried: 0, succeeded: 0 });
    // The scheduled handler, at a fixed time after the backoff, processes it.
    deps.now = () => t0 + 61_000;
    expect(await retryDue(deps, t0 + 61_000)).toEqual({ tried: 1, succeeded: 1 });
    const [after] = await deps.db.select().from(inbound);
    expect(after).toMatchObject({ status: 'processed', attempts: 1, lastError: null });
    const [kase] = await deps.db.select().from(cases);
    expect(kase!.subject).toBe('Retry me');
  });

  it('quarantines after five failed attempts, keeping the raw mail', async () => {
    const deps = await seeded({ d1: flakyD1(1000) });
    let now = Date.UTC(2026, 10, 23, 10, 0);
    deps.now = () => now;
    await receiveEmail(incoming(mail()), deps);
    for (let i = 0; i < 10; i++) {
      now += 61 * 60_000;
      await retryDue(deps, now);
    }
    const [row] = await deps.db.select().from(inbound);
    expect(row).toMatchObject({ status: 'quarantined', reason: 'processing-failed', attempts: 5 });
    expect(await env.RAW.get(row!.rawKey)).not.toBeNull();
  });

  it('the scheduled() entry point runs the retry with the controller time', async () => {
    const deps = await seeded({ d1: flakyD1(1) });
    await receiveEmail(incoming(mail({ Subject: 'Via cron' })), deps);
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now() + 5 * 60_000 }), env, ctx);
    await waitOnExecutionContext(ctx);
    const [row] = await deps.db.select().from(inbound);
    expect(row!.status).toBe('processed');
  });
});

describe('a mailbox the isolate resolved a moment ago', () => {
  /** The real D1, counting the lookups of a recipient's mailbox. */
  function counting() {
    const seen = { lookups: 0 };
    const d1 = new Proxy(env.DB, {
      get(target, prop) {
        if (prop === 'prepare') return (q: string) => (/from "mailboxes" where "mailboxes"\."address" = \?/.test(q) && seen.lookups++, target.prepare(q));
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    return { d1, seen };
  }

  it('takes the next message without looking the recipient up again', async () => {
    const { d1, seen } = counting();
    const deps = await seeded({ d1 });
    forgetMailbox(DEMO.mailbox);
    await receiveEmail(incoming(mail({ Subject: 'First' })), deps);
    const first = seen.lookups;
    expect(first).toBeGreaterThan(0);
    await receiveEmail(incoming(mail({ Subject: 'Second', From: 'Bob <bob@example.com>' }), { from: 'bob@example.com' }), deps);
    expect(seen.lookups).toBe(first);
    expect((await deps.db.select().from(cases)).map((c) => c.subject).sort()).toEqual(['First', 'Second']);
  });

  it('refuses mail once the mailbox was disabled, storing nothing, even though it remembered it', async () => {
    const deps = await seeded();
    await receiveEmail(incoming(mail({ Subject: 'Before' })), deps);
    // Disabled behind this isolate's back (another isolate served the admin's request).
    await deps.db.update(mailboxes).set({ enabled: false }).where(eq(mailboxes.id, DEMO.mailboxId));
    const late = incoming(mail({ Subject: 'After' }));
    expect(await receiveEmail(late, deps)).toEqual({ verdict: 'rejected', reason: 'mailbox disabled' });
    expect(late.rejected).toBe('mailbox disabled');
    expect((await deps.db.select().from(inbound)).map((r) => r.subject)).toEqual(['Before']);
    expect((await env.RAW.list({ prefix: 'raw/' })).objects).toHaveLength(1);
  });

  it('refuses mail over a limit lowered meanwhile, and works from the fresh settings otherwise', async () => {
    const deps = await seeded({ acks: true });
    await receiveEmail(incoming(mail({ Subject: 'Before' })), deps);
    await deps.db.update(mailboxes).set({ maxMessageBytes: 1024, ackOnCreate: false }).where(eq(mailboxes.id, DEMO.mailboxId));
    const big = incoming(mail({ Subject: 'Too big now' }, 'x'.repeat(4096)));
    expect((await receiveEmail(big, deps)).verdict).toBe('rejected');
    expect(big.rejected).toMatch(/^message too large: .* this mailbox accepts up to 0\.0 MiB$/);
    // A small one is taken, and not acknowledged: the mailbox no longer wants that.
    const small = await receiveEmail(incoming(mail({ Subject: 'Small', From: 'Bob <bob@example.com>' }, 'hi'), { from: 'bob@example.com' }), deps);
    expect(small).toMatchObject({ verdict: 'accepted', outcome: { status: 'processed' } });
    expect(JSON.parse((await deps.db.select().from(inbound).where(eq(inbound.subject, 'Small')).get())!.decision!).outgoing).toEqual({
      acknowledgement: 'not sent: the mailbox does not acknowledge new cases',
    });
  });
});
