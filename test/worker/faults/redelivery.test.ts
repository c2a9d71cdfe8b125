// Faults: the same message delivered many times at once (relays retry, Email Routing redelivers),
// and the cron run duplicated or late. Each ends with one of everything.
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import worker from '../../../worker/index.ts';
import { cases, events, inbound, mailboxes, messages, outboxRecipients, slaPolicies } from '../../../worker/db/schema.ts';
import { receiveEmail } from '../../../worker/ingest/receive.ts';
import { DEMO, incoming, mail, seeded } from '../helpers.ts';

const MIN = 60_000;

describe('the same message delivered concurrently', () => {
  for (const copies of [2, 5, 20]) {
    it(`${copies} copies at once: one case, one message, one acknowledgement, the rest recorded as duplicates, not as a flood`, async () => {
      const deps = await seeded({ acks: true });
      const raw = mail({ 'Message-ID': `<burst-${copies}@example.com>`, Subject: `Sent ${copies} times` });
      // Each copy came through a different relay, as redeliveries do.
      const results = await Promise.allSettled(
        Array.from({ length: copies }, (_, i) => receiveEmail(incoming(`Received: from relay${i}.example.net; Mon, 23 Nov 2026 10:00:0${i % 10} +0000\r\n${raw}`), deps)),
      );
      await deps.settle();
      // Every copy was accepted (no temporary failure handed back to the sender for a duplicate).
      expect(results.map((r) => r.status)).toEqual(Array(copies).fill('fulfilled'));
      expect(await deps.db.$count(cases)).toBe(1);
      expect(await deps.db.$count(messages)).toBe(1);
      expect(await deps.db.$count(outboxRecipients, eq(outboxRecipients.kind, 'ack-create'))).toBe(1);
      const rows = await deps.db.select({ status: inbound.status, reason: inbound.reason }).from(inbound);
      expect(rows).toHaveLength(copies);
      expect(rows.filter((r) => r.status === 'processed')).toHaveLength(1);
      expect(rows.filter((r) => r.status === 'ignored' && r.reason === 'duplicate')).toHaveLength(copies - 1);
      expect(await deps.db.$count(events, eq(events.type, 'case.created'))).toBe(1);
    });
  }
});

describe('the cron run duplicated or late', () => {
  async function cron(scheduledTime: number) {
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime }), env, ctx);
    await waitOnExecutionContext(ctx);
  }

  it('a breach and its notification happen once whether the run comes twice at once or ten minutes late', async () => {
    const deps = await seeded();
    await deps.db.update(mailboxes).set({ slaOfficeHoursOnly: false }).where(eq(mailboxes.id, DEMO.mailboxId));
    await deps.db
      .update(slaPolicies)
      .set({ firstResponseMinutes: 60, warnMinutes: 10, escalations: JSON.stringify([{ on: 'breach', action: 'notify-address', address: 'lead@example.com' }]) })
      .where(eq(slaPolicies.id, DEMO.slaPolicyId));
    const t0 = Date.UTC(2026, 10, 23, 9, 0);
    deps.now = () => t0;
    await receiveEmail(incoming(mail({ Subject: 'Late cron' })), deps);
    // The minute the breach falls due has no run at all; the next one comes 10 minutes late, twice at once.
    await Promise.all([cron(t0 + 70 * MIN), cron(t0 + 70 * MIN)]);
    await cron(t0 + 71 * MIN);
    const raised = (await deps.db.select().from(events).where(eq(events.type, 'sla.updated'))).map((e) => JSON.parse(e.payload) as { kind: string; target: string });
    // The warning's moment passed unseen; the late run raises the breach only, once.
    expect(raised).toEqual([expect.objectContaining({ kind: 'breach', target: 'firstResponse' })]);
    expect(await deps.db.select({ to: outboxRecipients.recipient }).from(outboxRecipients).where(eq(outboxRecipients.kind, 'notification'))).toEqual([{ to: 'lead@example.com' }]);
  });
});
