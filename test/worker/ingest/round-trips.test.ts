// D1 round trips per inbound mail: a batch counts as one, so does a lone statement. The email handler
// stores the row and reads every fact the plan needs in one batch, and writes the outcome with its
// events in another. An acknowledgement's delivery is recorded afterwards, in the background, in one
// more (the provider's Message-ID it records is how a reply to the acknowledgement finds its case).
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { countingD1, isDeliveryRecord, type D1Call } from '../../../worker/bench/d1-count.ts';
import { forgetMailbox } from '../../../worker/db/queries/mailboxes.ts';
import { cases, messages, outboxRecipients } from '../../../worker/db/schema.ts';
import { receiveEmail } from '../../../worker/ingest/receive.ts';
import { DEMO, incoming, mail, seeded } from '../helpers.ts';

describe('D1 round trips per inbound mail', () => {
  it('a new case and a reply each take one batch to store and read, one to write; the acknowledgement one more', async () => {
    const calls: D1Call[] = [];
    const deps = await seeded({ d1: countingD1(env.DB, calls), acks: true });
    const during = async (fn: () => Promise<unknown>) => {
      const start = calls.length;
      await fn();
      const made = calls.slice(start);
      return { filing: made.filter((c) => !isDeliveryRecord(c)).length, deliveries: made.filter(isDeliveryRecord).length };
    };
    // The first message resolves the mailbox: a cold isolate's one extra round trip.
    forgetMailbox(DEMO.mailbox);
    const cold = await during(() => receiveEmail(incoming(mail({ Subject: 'Warm-up', 'Message-ID': '<warm@example.com>' })), deps));
    expect(cold.filing).toBe(3);

    const newCase = await during(() => receiveEmail(incoming(mail({ Subject: 'Where is my order?', 'Message-ID': '<q1@example.com>' })), deps));
    const [kase] = (await deps.db.select().from(cases)).filter((c) => c.subject === 'Where is my order?');
    expect(kase).toBeDefined();
    const acks = (await deps.db.select().from(outboxRecipients)).filter((r) => r.caseId === kase!.id);
    expect(acks.map((a) => a.status)).toEqual(['sent']);

    const reply = await during(() => receiveEmail(incoming(mail({ Subject: 'Re: Where is my order?', 'Message-ID': '<q2@example.com>', 'In-Reply-To': '<q1@example.com>' })), deps));
    const all = await deps.db.select().from(messages);
    expect(all.filter((m) => m.caseId === kase!.id && m.direction === 'inbound')).toHaveLength(2);
    console.log(`d1 calls: new case ${newCase.filing} (+${newCase.deliveries} delivery record), reply ${reply.filing} (+${reply.deliveries})`);
    expect(newCase).toEqual({ filing: 2, deliveries: 1 });
    expect(reply.filing).toBe(2);
  });

  it('settings changed since the mailbox was remembered: the lookahead is dropped and the mail planned on fresh ones', async () => {
    const calls: D1Call[] = [];
    const deps = await seeded({ d1: countingD1(env.DB, calls), acks: true });
    forgetMailbox(DEMO.mailbox);
    await receiveEmail(incoming(mail({ Subject: 'Warm-up', 'Message-ID': '<warm2@example.com>' })), deps);
    // An admin turns acknowledgements off; this isolate still remembers them on.
    await env.DB.prepare('UPDATE mailboxes SET ack_on_create = 0').run();
    const start = calls.length;
    await receiveEmail(incoming(mail({ Subject: 'After the change', 'Message-ID': '<changed@example.com>' })), deps);
    const made = calls.slice(start);
    const [kase] = (await deps.db.select().from(cases)).filter((c) => c.subject === 'After the change');
    expect(kase).toBeDefined();
    expect((await deps.db.select().from(outboxRecipients)).filter((r) => r.caseId === kase!.id)).toEqual([]);
    // The batch, the facts gathered again, the outcome.
    expect(made.filter((c) => !isDeliveryRecord(c))).toHaveLength(3);
  });
});
