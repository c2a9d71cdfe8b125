// POST /api/admin/import with an uploaded archive (application/mbox): counted first (dryRun), then
// every message through the import-mode pipeline; admins only, size-limited.
import { describe, expect, it } from 'vitest';
import { cases, events, inbound, messages, outbox, outboxRecipients } from '../../../worker/db/schema.ts';
import { IMPORT_UPLOAD_LIMITS, type ImportCount, type ImportSummary } from '../../../worker/protocol/admin.ts';
import { signedIn } from '../admin/helpers.ts';
import { PASSWORD } from '../auth/helpers.ts';
import { DEMO, mail, seeded } from '../helpers.ts';
import { call, expectError, ORIGIN } from './client.ts';

/** An mbox archive: each message after a `From ` separator line, a blank line between them. */
function mbox(list: string[]): string {
  return list.map((m, i) => `From sender${i}@example.com Tue Mar  3 1${i % 10}:00:00 2026\n${m.replace(/\r\n/g, '\n')}\n`).join('');
}

/** A customer's question, a colleague's answer, her follow-up to it; and an unrelated message. */
function thread(): string[] {
  return [
    mail({ 'Message-ID': '<q1@example.com>', Date: 'Tue, 03 Mar 2026 10:00:00 +0000', Subject: 'Broken lid' }, 'The lid of my order arrived cracked.'),
    mail(
      {
        'Message-ID': '<a1@example.com>',
        'In-Reply-To': '<q1@example.com>',
        References: '<q1@example.com>',
        From: 'Carol <carol@example.com>',
        To: 'alice@example.com',
        Cc: 'support@acme.test',
        Date: 'Tue, 03 Mar 2026 11:00:00 +0000',
        Subject: 'Re: Broken lid',
      },
      'Sorry! A new one is on its way.',
    ),
    mail(
      { 'Message-ID': '<q2@example.com>', 'In-Reply-To': '<a1@example.com>', References: '<q1@example.com> <a1@example.com>', Date: 'Tue, 03 Mar 2026 12:00:00 +0000', Subject: 'Re: Broken lid' },
      'Thanks, it arrived.',
    ),
    mail({ 'Message-ID': '<other@example.org>', From: 'Bob <bob@example.org>', Date: 'Wed, 04 Mar 2026 09:00:00 +0000', Subject: 'Invoice copy' }, 'Could you send me the invoice again?'),
  ];
}

function upload(body: string | Uint8Array, query = `mailbox=${DEMO.mailbox}&batch=old-mail.mbox`, headers: Record<string, string> = {}, bindings: Record<string, string> = {}): Promise<Response> {
  return call(`/api/admin/import?${query}`, { method: 'POST', headers: { 'Content-Type': 'application/mbox', Origin: ORIGIN, ...headers }, body }, bindings as Partial<Env>);
}

describe('POST /api/admin/import with an archive', () => {
  it('counts first, importing nothing', async () => {
    const deps = await seeded();
    const res = await upload(mbox(thread()), `mailbox=${DEMO.mailbox}&batch=old-mail.mbox&dryRun=true`);
    expect(res.status).toBe(200);
    const count = (await res.json()) as ImportCount;
    expect(count).toEqual({ messages: 4, bytes: new TextEncoder().encode(mbox(thread())).byteLength, tooLarge: 0 });
    expect(await deps.db.select().from(inbound)).toHaveLength(0);
  });

  it('files a thread as one closed case, sends nothing, and is a no-op when uploaded again', async () => {
    const deps = await seeded({ acks: true });
    const archive = mbox(thread());
    const res = await upload(archive);
    expect(res.status).toBe(200);
    const summary = (await res.json()) as ImportSummary;
    expect(summary).toMatchObject({ batch: 'old-mail.mbox', mailbox: DEMO.mailbox, messages: 4, imported: 4, newCases: 2, appended: 2, duplicates: 0, failed: 0, errors: [] });
    expect(summary.held).toEqual({});
    expect(summary.items.map((i) => i.status)).toEqual(['processed', 'processed', 'processed', 'processed']);

    const all = await deps.db.select().from(cases).orderBy(cases.createdAt);
    expect(all.map((c) => [c.subject, c.status, c.messageCount, c.slaPolicyId])).toEqual([
      ['Broken lid', 'closed', 3, null],
      ['Invoice copy', 'closed', 1, null],
    ]);
    expect(all[0]!.createdAt).toBe(Date.parse('2026-03-03T10:00:00Z'));
    // Never answered: no acknowledgements, no notifications.
    expect(await deps.db.select().from(outbox)).toHaveLength(0);
    expect(await deps.db.select().from(outboxRecipients)).toHaveLength(0);
    expect((await deps.db.select().from(inbound)).every((r) => r.importBatch === 'old-mail.mbox')).toBe(true);

    const again = (await (await upload(archive)).json()) as ImportSummary;
    expect(again).toMatchObject({ messages: 4, imported: 0, newCases: 0, duplicates: 4, failed: 0 });
    expect(await deps.db.select().from(cases)).toHaveLength(2);
    expect(await deps.db.select().from(messages)).toHaveLength(4);
    expect(await deps.db.select().from(outbox)).toHaveLength(0);
  });

  it('takes a single .eml as an archive of one, and a message the CLI imported before is a duplicate', async () => {
    const deps = await seeded();
    const one = mail({ 'Message-ID': '<single@example.com>', Subject: 'Just one' });
    expect(await (await upload(one, `mailbox=${DEMO.mailbox}&batch=single.eml&dryRun=true`)).json()).toMatchObject({ messages: 1 });
    expect(await (await upload(one, `mailbox=${DEMO.mailbox}&batch=single.eml`)).json()).toMatchObject({ messages: 1, imported: 1, newCases: 1 });
    // The same message one at a time, as `npm run import` sends it.
    const res = await call(`/api/admin/import?mailbox=${DEMO.mailbox}&batch=cli`, { method: 'POST', headers: { 'Content-Type': 'message/rfc822' }, body: one });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ duplicate: true, status: 'ignored' });
    expect(await deps.db.select().from(cases)).toHaveLength(1);
  });

  it('reports what it could not import, per message, and goes on', async () => {
    const deps = await seeded();
    const bounce = mail({ From: 'Mail Delivery System <MAILER-DAEMON@mx.example.net>', 'Auto-Submitted': 'auto-replied', Subject: 'Undelivered Mail Returned to Sender' }, 'could not deliver');
    const summary = (await (await upload(mbox([bounce, thread()[0]!]))).json()) as ImportSummary;
    expect(summary.messages).toBe(2);
    expect(summary.imported).toBe(1);
    expect(summary.held).toEqual({ 'ignored: bounce': 1 });
    expect(await deps.db.select().from(events)).not.toHaveLength(0);
  });

  it('refuses more bytes than an upload takes with a 413, before importing anything', async () => {
    const deps = await seeded();
    const big = new Uint8Array(IMPORT_UPLOAD_LIMITS.maxBytes + 1).fill(0x61);
    const body = await expectError(await upload(big), 413, 'payload_too_large');
    expect(body.error.message).toContain('npm run import');
    // A declared length over the limit is refused without reading the body.
    await expectError(await upload(mbox(thread()), undefined, { 'Content-Length': String(IMPORT_UPLOAD_LIMITS.maxBytes + 1) }), 413, 'payload_too_large');
    expect(await deps.db.select().from(inbound)).toHaveLength(0);
  });

  it('refuses more messages than an upload takes with a 413, when counting too', async () => {
    const deps = await seeded();
    const many = mbox(Array.from({ length: IMPORT_UPLOAD_LIMITS.maxMessages + 1 }, (_, i) => mail({ 'Message-ID': `<m${i}@example.com>`, Subject: `n${i}` }, 'x')));
    const counted = await expectError(await upload(many, `mailbox=${DEMO.mailbox}&batch=many&dryRun=true`), 413, 'payload_too_large');
    expect(counted.error.message).toContain(`${IMPORT_UPLOAD_LIMITS.maxMessages + 1} messages`);
    await expectError(await upload(many), 413, 'payload_too_large');
    expect(await deps.db.select().from(inbound)).toHaveLength(0);
  });

  it('refuses an empty upload, an unknown mailbox, a bad dryRun and dryRun for a single raw message', async () => {
    await seeded();
    await expectError(await upload(''), 400, 'bad_request');
    await expectError(await upload('\n\n  \n'), 400, 'bad_request');
    await expectError(await upload(mbox(thread()), 'mailbox=nobody@acme.test&batch=x'), 400, 'bad_request');
    await expectError(await upload(mbox(thread()), `mailbox=${DEMO.mailbox}&batch=x&dryRun=maybe`), 400, 'bad_request');
    await expectError(await call(`/api/admin/import?mailbox=${DEMO.mailbox}&batch=x&dryRun=true`, { method: 'POST', headers: { 'Content-Type': 'message/rfc822' }, body: mail() }), 400, 'bad_request');
  });

  it('is for admins: an agent gets 403 for counting and importing, an admin gets through', async () => {
    const deps = await seeded();
    const { ada, ben } = await signedIn(deps);
    const dry = `mailbox=${DEMO.mailbox}&batch=x&dryRun=true`;
    await expectError(await upload(mbox(thread()), dry, { Cookie: ben }, PASSWORD), 403, 'forbidden');
    await expectError(await upload(mbox(thread()), undefined, { Cookie: ben }, PASSWORD), 403, 'forbidden');
    await expectError(
      await call(`/api/admin/import?mailbox=${DEMO.mailbox}&batch=x`, { method: 'POST', headers: { 'Content-Type': 'message/rfc822', Cookie: ben }, body: mail() }, PASSWORD),
      403,
      'forbidden',
    );
    expect(await deps.db.select().from(inbound)).toHaveLength(0);
    expect((await upload(mbox(thread()), dry, { Cookie: ada }, PASSWORD)).status).toBe(200);
  });
});
