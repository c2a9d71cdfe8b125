import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { cases, inbound, messages, outboxRecipients } from '../../../worker/db/schema.ts';
import { DEMO, mail, seeded } from '../helpers.ts';
import { call, expectError } from './client.ts';

function importMessage(raw: string, query = `mailbox=${DEMO.mailbox}&batch=archive-1`): Promise<Response> {
  return call(`/api/admin/import?${query}`, { method: 'POST', headers: { 'Content-Type': 'message/rfc822' }, body: raw });
}

describe('POST /api/admin/import', () => {
  it('files history closed, in its own time, threads rebuilt from headers, never acknowledged', async () => {
    const deps = await seeded({ acks: true });
    const first = mail({ 'Message-ID': '<old-1@example.com>', Date: 'Tue, 03 Mar 2026 10:00:00 +0000', Subject: 'Old question' });
    const reply = mail({
      'Message-ID': '<old-2@example.com>',
      'In-Reply-To': '<old-1@example.com>',
      From: 'Colleague <carol@example.org>',
      Date: 'Tue, 03 Mar 2026 11:00:00 +0000',
      Subject: 'Re: Old question',
    });
    const a = await importMessage(first);
    expect(a.status).toBe(201);
    expect(await a.json()).toMatchObject({ status: 'processed', duplicate: false });
    expect((await importMessage(reply)).status).toBe(201);
    const [kase] = await deps.db.select().from(cases);
    expect(kase).toMatchObject({ status: 'closed', messageCount: 2, createdAt: Date.parse('2026-03-03T10:00:00Z'), lastMessageAt: Date.parse('2026-03-03T11:00:00Z'), slaPolicyId: null });
    // Carol was not a participant, but history is trusted as it was.
    expect((await deps.db.select().from(messages).where(eq(messages.rfcMessageId, 'old-2@example.com')).get())!.caseId).toBe(kase!.id);
    expect(await deps.db.select().from(outboxRecipients)).toHaveLength(0);
    expect((await deps.db.select().from(inbound)).every((r) => r.importBatch === 'archive-1')).toBe(true);
  });

  it('a second import of the same message is a duplicate: resuming an import is safe', async () => {
    const deps = await seeded();
    const raw = mail({ 'Message-ID': '<again@example.com>' });
    await importMessage(raw);
    const res = await importMessage(raw);
    expect(await res.json()).toMatchObject({ duplicate: true, status: 'ignored' });
    expect(await deps.db.select().from(cases)).toHaveLength(1);
  });

  it('refuses an unknown mailbox, a bad batch name, an empty body and other content types', async () => {
    await seeded();
    await expectError(await importMessage(mail(), 'mailbox=nobody@acme.test&batch=x'), 400, 'bad_request');
    await expectError(await importMessage(mail(), `mailbox=${DEMO.mailbox}&batch=bad%20name`), 400, 'bad_request');
    await expectError(await importMessage(''), 400, 'bad_request');
    await expectError(await call(`/api/admin/import?mailbox=${DEMO.mailbox}&batch=x`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: mail() }), 415, 'unsupported_media_type');
  });
});
