import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import worker from '../../../worker/index.ts';
import { cases, events, inbound, messages, attachments, participants } from '../../../worker/db/schema.ts';
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
    const broken = { ...deps, raw: { put: async () => { throw new Error('R2 unavailable'); } } as unknown as R2Bucket };
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
