// D1 round trips per inbound mail: a batch counts as one, so does a lone statement. The ingest reads
// its facts in one batch and writes its outcome in one; the email handler's raw-first insert of the
// inbound row is the third, until the row's insert joins the facts batch.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { cases, messages } from '../../../worker/db/schema.ts';
import { receiveEmail } from '../../../worker/ingest/receive.ts';
import { incoming, mail, seeded } from '../helpers.ts';

/** The real D1, counting its round trips. */
function counting() {
  const seen = { calls: 0 };
  const wrapStatement = (s: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(s, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (prop === 'bind') return (...args: unknown[]) => wrapStatement((value as (...a: unknown[]) => D1PreparedStatement).apply(target, args));
        if (prop === 'run' || prop === 'all' || prop === 'first' || prop === 'raw') return (...args: unknown[]) => (seen.calls++, (value as (...a: unknown[]) => unknown).apply(target, args));
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  const d1 = new Proxy(env.DB, {
    get(target, prop) {
      if (prop === 'prepare') return (q: string) => wrapStatement(target.prepare(q));
      if (prop === 'batch') return (stmts: D1PreparedStatement[]) => (seen.calls++, target.batch(stmts));
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { d1, seen };
}

describe('D1 round trips per inbound mail', () => {
  it('a new case and a reply each take one read batch and one write batch after the inbound row', async () => {
    const { d1, seen } = counting();
    const deps = await seeded({ d1, acks: true });
    // The first message resolves the mailbox (not counted against the later ones).
    await receiveEmail(incoming(mail({ Subject: 'Warm-up', 'Message-ID': '<warm@example.com>' })), deps);
    const start = seen.calls;
    await receiveEmail(incoming(mail({ Subject: 'Where is my order?', 'Message-ID': '<q1@example.com>' })), deps);
    const newCase = seen.calls - start;
    const [kase] = (await deps.db.select().from(cases)).filter((c) => c.subject === 'Where is my order?');
    expect(kase).toBeDefined();
    const mid = seen.calls;
    await receiveEmail(incoming(mail({ Subject: 'Re: Where is my order?', 'Message-ID': '<q2@example.com>', 'In-Reply-To': '<q1@example.com>' })), deps);
    const reply = seen.calls - mid;
    const all = await deps.db.select().from(messages);
    expect(all.filter((m) => m.caseId === kase!.id && m.direction === 'inbound')).toHaveLength(2);
    console.log(`d1 calls: new case ${newCase}, reply ${reply} (acknowledgement deliveries included)`);
    // The inbound row (with the mailbox re-read), the facts, the outcome; the acknowledgement's
    // delivery records its result in one more.
    expect(newCase).toBeLessThanOrEqual(4);
    expect(reply).toBeLessThanOrEqual(4);
  });
});
