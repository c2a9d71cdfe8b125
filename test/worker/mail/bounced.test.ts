// A delivery report about mail we sent marks that mail's delivery bounced, with the report's reason,
// and says so live; it never reaches mail of another case. Through the real handler into D1, with
// acknowledgements on (the mail that bounces most: the first answer to a mistyped address).
import { env } from 'cloudflare:test';
import { and, asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { cases, events, outboxRecipients } from '../../../worker/db/schema.ts';
import type { Deps } from '../../../worker/deps.ts';
import { receiveEmail } from '../../../worker/ingest/receive.ts';
import { threadMarker } from '../../../worker/mail/tokens.ts';
import { DEMO, incoming, mail, seeded } from '../helpers.ts';
import { deliveryReport } from '../../fixtures/dsn.ts';

const CF_PASS = 'mx.cloudflare.net; dkim=pass header.d=example.com; dmarc=pass header.from=example.com';

async function deliver(deps: Deps, raw: string, from = 'alice@example.com'): Promise<void> {
  const r = await receiveEmail(incoming(raw, { from }), deps);
  if (r.verdict !== 'accepted') throw new Error(r.reason);
}

/** A new case from `from`, acknowledged: the case and its acknowledgement's delivery row. */
async function acknowledgedCase(deps: Deps, from: string, subject: string) {
  await deliver(deps, mail({ From: `Customer <${from}>`, Subject: subject, 'Authentication-Results': CF_PASS.replaceAll('example.com', from.split('@')[1]!) }), from);
  const kase = (await deps.db.select().from(cases).where(eq(cases.subject, subject)).get())!;
  const ack = (await deps.db
    .select()
    .from(outboxRecipients)
    .where(and(eq(outboxRecipients.caseId, kase.id), eq(outboxRecipients.kind, 'ack-create')))
    .get())!;
  expect(ack).toMatchObject({ recipient: from, status: 'sent' });
  return { kase, ack, marker: await threadMarker(env.REPLY_TOKEN_KEY, kase.id, 'acme.test') };
}

async function deliveryOf(deps: Deps, outboxId: string, recipient: string) {
  return (await deps.db
    .select()
    .from(outboxRecipients)
    .where(and(eq(outboxRecipients.outboxId, outboxId), eq(outboxRecipients.recipient, recipient)))
    .get())!;
}

describe('a bounce of our mail marks its delivery', () => {
  it('names our acknowledgement by its Message-ID: that delivery is bounced with the reason, and delivery.updated says so', async () => {
    const deps = await seeded({ acks: true });
    const { kase, ack, marker } = await acknowledgedCase(deps, 'alice@example.com', 'Where is my order?');
    await deliver(
      deps,
      deliveryReport('alice@example.com', [`From: ${DEMO.mailbox}`, 'To: alice@example.com', `Message-ID: <${ack.outboxId}@acme.test>`, `References: <${marker}>`]),
      'mailer-daemon@mx.example.com',
    );

    expect(await deliveryOf(deps, ack.outboxId, 'alice@example.com')).toMatchObject({ status: 'bounced', errorCode: '5.1.1', error: '550 5.1.1 user unknown' });
    const evs = await deps.db.select().from(events).where(eq(events.caseId, kase.id)).orderBy(asc(events.seq));
    const bounced = evs.map((e) => JSON.parse(e.payload) as { type: string; status?: string }).filter((p) => p.type === 'delivery.updated' && p.status === 'bounced');
    expect(bounced).toEqual([
      {
        type: 'delivery.updated',
        caseId: kase.id,
        outboxId: ack.outboxId,
        messageId: null,
        kind: 'ack-create',
        recipient: 'alice@example.com',
        status: 'bounced',
        error: '5.1.1 550 5.1.1 user unknown',
      },
    ]);
  });

  it('a report tied to the case by our marker alone marks the mail sent to that recipient on the case', async () => {
    const deps = await seeded({ acks: true });
    const { ack, marker } = await acknowledgedCase(deps, 'alice@example.com', 'Where is my order?');
    await deliver(
      deps,
      deliveryReport('alice@example.com', [`From: ${DEMO.mailbox}`, 'To: alice@example.com', `References: <${marker}>`], { status: '5.2.1', diagnostic: '550 5.2.1 mailbox disabled' }),
      'mailer-daemon@mx.example.com',
    );
    expect(await deliveryOf(deps, ack.outboxId, 'alice@example.com')).toMatchObject({ status: 'bounced', errorCode: '5.2.1', error: '550 5.2.1 mailbox disabled' });
  });

  it('never marks mail of another case, whatever Message-ID the report quotes', async () => {
    const deps = await seeded({ acks: true });
    const mine = await acknowledgedCase(deps, 'alice@example.com', 'Where is my order?');
    const theirs = await acknowledgedCase(deps, 'carol@example.org', 'Another question');
    // Evidence for Alice's case, but the id of Carol's acknowledgement.
    await deliver(
      deps,
      deliveryReport('carol@example.org', [`From: ${DEMO.mailbox}`, `Message-ID: <${theirs.ack.outboxId}@acme.test>`, `References: <${mine.marker}>`]),
      'mailer-daemon@mx.example.com',
    );
    expect((await deliveryOf(deps, theirs.ack.outboxId, 'carol@example.org')).status).toBe('sent');
    expect((await deliveryOf(deps, mine.ack.outboxId, 'alice@example.com')).status).toBe('sent');
  });

  it('a delay warning marks nothing', async () => {
    const deps = await seeded({ acks: true });
    const { ack, marker } = await acknowledgedCase(deps, 'alice@example.com', 'Where is my order?');
    const delayed = deliveryReport('alice@example.com', [`Message-ID: <${ack.outboxId}@acme.test>`, `References: <${marker}>`], {
      action: 'delayed',
      status: '4.4.1',
      diagnostic: '451 4.4.1 try again later',
    });
    await deliver(deps, delayed, 'mailer-daemon@mx.example.com');
    expect((await deliveryOf(deps, ack.outboxId, 'alice@example.com')).status).toBe('sent');
  });
});
