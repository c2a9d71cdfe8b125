// Replies from clients that keep neither References nor our [#n] tag (Outlook's "AW:", a customer
// who retypes the subject) thread by subject, last of the layered rules, and only into a case of the
// same sender: never a second case for one conversation, never a stranger's mail in someone's case.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { cases, mailboxes, messages } from '../../../worker/db/schema.ts';
import { receiveEmail } from '../../../worker/ingest/receive.ts';
import { DEMO, incoming, mail, seeded } from '../helpers.ts';

async function withCase() {
  const deps = await seeded();
  // Unverified senders may thread by headers here, as the demo mailbox allows.
  await deps.db.update(mailboxes).set({ unverifiedPolicy: 'allow' }).where(eq(mailboxes.id, DEMO.mailboxId));
  await receiveEmail(incoming(mail({ Subject: 'Lamp arrived broken', 'Message-ID': '<first@example.com>' })), deps);
  const kase = (await deps.db.select().from(cases).get())!;
  const send = async (headers: Record<string, string>, from?: string) => {
    await receiveEmail(incoming(mail({ ...(from ? { From: from } : {}), ...headers }), from ? { from } : {}), deps);
    return (await deps.db
      .select()
      .from(messages)
      .where(eq(messages.rfcMessageId, headers['Message-ID']!.slice(1, -1)))
      .get())!;
  };
  return { deps, kase, send };
}

describe('threading by a reply’s subject', () => {
  it('an Outlook reply (AW:, Thread-Index, no References) joins the sender’s case', async () => {
    const { deps, kase, send } = await withCase();
    const m = await send({ Subject: 'AW: Lamp arrived broken', 'Thread-Index': 'AdnQ1234abcd==', 'Message-ID': '<outlook-1@example.com>' });
    expect(m).toMatchObject({ caseId: kase.id, threadRule: 'subject' });
    expect(await deps.db.select().from(cases).all()).toHaveLength(1);
  });

  it('a reply that quotes our subject with the tag taken off joins it too', async () => {
    const { kase, send } = await withCase();
    expect(await send({ Subject: `Re: Lamp arrived broken`, 'Message-ID': '<retyped@example.com>' })).toMatchObject({ caseId: kase.id, threadRule: 'subject' });
  });

  it('the same subject from someone who is not part of the case starts a case of their own', async () => {
    const { deps, kase, send } = await withCase();
    const m = await send({ Subject: 'Re: Lamp arrived broken', 'Message-ID': '<stranger@example.org>' }, 'Mallory <mallory@example.org>');
    expect(m.caseId).not.toBe(kase.id);
    expect(await deps.db.select().from(cases).all()).toHaveLength(2);
  });

  it('a first message with the same subject is a new case: only a reply’s prefix says it answers something', async () => {
    const { kase, send } = await withCase();
    expect((await send({ Subject: 'Lamp arrived broken', 'Message-ID': '<again@example.com>' })).caseId).not.toBe(kase.id);
  });
});
