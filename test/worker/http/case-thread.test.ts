// GET /api/cases/:id as the thread needs it on a day of real mail: the acknowledgements sent on the
// case with their text and delivery, a bounce marking the one it refused, the addresses that bounced
// before (for the composer's warning), and where a reply's quoted history starts.
import { env } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { cases, contacts } from '../../../worker/db/schema.ts';
import { threadMarker } from '../../../worker/mail/tokens.ts';
import type { CaseDetail } from '../../../worker/protocol/api.ts';
import { seeded } from '../helpers.ts';
import { deliveryReport } from '../../fixtures/dsn.ts';
import { DEMO, deliver, getJson, mail } from './client.ts';

const T0 = Date.UTC(2026, 10, 23, 9, 0);
const CF_PASS = 'mx.cloudflare.net; dkim=pass header.d=example.com; dmarc=pass header.from=example.com';

async function detailOf(caseId: string): Promise<CaseDetail> {
  const { res, body } = await getJson<CaseDetail>(`/api/cases/${caseId}`);
  expect(res.status).toBe(200);
  return body;
}

describe('the thread of a case', () => {
  it('shows each acknowledgement with its text and delivery, laid in by time, and no message for it', async () => {
    const deps = await seeded({ acks: true });
    await deliver(deps, mail({ 'Message-ID': '<q1@example.com>', 'Authentication-Results': CF_PASS }, 'My order has not arrived.'), { at: T0 });
    const kase = (await deps.db.select().from(cases).get())!;
    await deliver(deps, mail({ 'In-Reply-To': '<q1@example.com>', Subject: 'Re: Where is my order?', 'Authentication-Results': CF_PASS }, 'Any news?'), { at: T0 + 60_000 });

    const d = await detailOf(kase.id);
    // The thread's messages are the customer's two; the acknowledgements are beside them.
    expect(d.messages.map((m) => m.text.trim())).toEqual(['My order has not arrived.', 'Any news?']);
    expect(d.case.messageCount).toBe(2);
    expect(d.acknowledgements.map((a) => [a.kind, a.createdAt])).toEqual([['ack-create', T0]]);
    const [ack] = d.acknowledgements;
    expect(ack!.subject).toContain('[#1]');
    expect(ack!.text).toContain('#1');
    expect(ack!.text).not.toContain('My order has not arrived');
    expect(ack!.deliveries).toEqual([expect.objectContaining({ outboxId: ack!.outboxId, kind: 'ack-create', recipient: 'alice@example.com', status: 'sent', error: null })]);
    expect(d.undeliverable).toEqual([]);
  });

  it('a bounce of the acknowledgement shows on its delivery with the reason, and the address is named as undeliverable', async () => {
    const deps = await seeded({ acks: true });
    await deliver(deps, mail({ 'Authentication-Results': CF_PASS }), { at: T0 });
    const kase = (await deps.db.select().from(cases).get())!;
    const [ack] = (await detailOf(kase.id)).acknowledgements;
    const marker = await threadMarker(env.REPLY_TOKEN_KEY, kase.id, 'acme.test');
    await deliver(deps, deliveryReport('alice@example.com', [`From: ${DEMO.mailbox}`, 'To: alice@example.com', `Message-ID: <${ack!.outboxId}@acme.test>`, `References: <${marker}>`]), {
      from: 'mailer-daemon@mx.example.com',
      at: T0 + 120_000,
    });

    const d = await detailOf(kase.id);
    expect(d.acknowledgements[0]!.deliveries).toEqual([expect.objectContaining({ recipient: 'alice@example.com', status: 'bounced', error: '5.1.1 550 5.1.1 user unknown', updatedAt: T0 + 120_000 })]);
    expect(d.undeliverable).toEqual([{ email: 'alice@example.com', reason: '5.1.1 550 5.1.1 user unknown', at: T0 + 120_000 }]);
    // The report itself is the system line it always was.
    expect(d.messages.filter((m) => m.direction === 'system').map((m) => m.text)).toEqual(['Delivery to alice@example.com failed: 5.1.1 550 5.1.1 user unknown']);
  });

  it('names a participant whose contact is marked undeliverable, though no mail of this case bounced', async () => {
    const deps = await seeded();
    await deliver(deps, mail({ Cc: 'Bob <bob@example.net>' }), { at: T0 });
    const kase = (await deps.db.select().from(cases).get())!;
    await deps.db
      .update(contacts)
      .set({ undeliverable: true, undeliverableReason: 'suppressed by the sending service (E_RECIPIENT_SUPPRESSED)', undeliverableAt: T0 })
      .where(eq(contacts.email, 'bob@example.net'));
    expect((await detailOf(kase.id)).undeliverable).toEqual([{ email: 'bob@example.net', reason: 'suppressed by the sending service (E_RECIPIENT_SUPPRESSED)', at: T0 }]);
  });

  it('says where the quoted history of a reply starts; the text stays whole', async () => {
    const deps = await seeded();
    await deliver(deps, mail({ 'Message-ID': '<q1@example.com>' }, 'My order has not arrived.'), { at: T0 });
    const quoted = 'Thanks, it came today.\r\n\r\nOn Mon, 23 Nov 2026 at 10:00, Acme Support <support@acme.test> wrote:\r\n> Your order is on its way.\r\n>\r\n> Acme Support';
    await deliver(deps, mail({ 'In-Reply-To': '<q1@example.com>', Subject: 'Re: Where is my order?' }, quoted), { at: T0 + 60_000 });
    const kase = (await deps.db.select().from(cases).get())!;
    const [first, reply] = (await detailOf(kase.id)).messages;
    expect(first!.quotedFrom).toBeNull();
    expect(reply!.text).toContain('> Your order is on its way.');
    expect(reply!.text.slice(0, reply!.quotedFrom!).trim()).toBe('Thanks, it came today.');
    expect(reply!.text.slice(reply!.quotedFrom!)).toMatch(/^On Mon, 23 Nov 2026 at 10:00, Acme Support <support@acme.test> wrote:\n> Your order is on its way\./);
  });
});
