// One test per reason code the classifier gives, over small messages written for the purpose.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../worker/ingest/analyze.ts';
import { threadMarker } from '../../../worker/mail/tokens.ts';

const OWN = 'support@acme.test';
const KEY = 'test-key';

function msg(headers: Record<string, string>, body = 'Hello, I need help with my order.', contentType = 'text/plain; charset=utf-8'): Uint8Array {
  const all = { From: 'Alice <alice@example.com>', To: OWN, Subject: 'Question', 'Message-ID': '<m1@example.com>', 'Content-Type': contentType, ...headers };
  return new TextEncoder().encode(
    `${Object.entries(all)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\r\n')}\r\n\r\n${body}\r\n`,
  );
}

async function kind(raw: Uint8Array, envelopeFrom = 'alice@example.com') {
  const a = await analyze({ raw, envelopeFrom, recipient: OWN, ownAddresses: [OWN], replyTokenKey: KEY });
  if (!a.ok) throw new Error(a.reason);
  return a.classification;
}

describe('classify: every reason code', () => {
  it('human mail has no reasons', async () => {
    expect(await kind(msg({}))).toEqual({ kind: 'human', reasons: [] });
  });

  it.each([
    ['Auto-Submitted', 'auto-replied', 'auto-submitted:auto-replied'],
    ['Auto-Submitted', 'auto-replied (zimbra; vacation)', 'auto-submitted:auto-replied'],
    ['X-Autoreply', 'yes', 'x-autoreply'],
    ['X-Autorespond', 'Vacation', 'x-autorespond'],
    ['X-Autoresponse', 'yes', 'x-autoresponse'],
    ['X-AutoReply-From', 'alice@example.com', 'x-autoreply-from'],
    ['X-Mail-Autoreply', 'yes', 'x-mail-autoreply'],
    ['Precedence', 'auto_reply', 'precedence:auto_reply'],
    ['X-Precedence', 'auto_reply', 'x-precedence:auto_reply'],
  ])('%s: %s → auto-reply (%s)', async (name, value, reason) => {
    const c = await kind(msg({ [name]: value }));
    expect(c.kind).toBe('auto-reply');
    expect(c.reasons).toContain(reason);
  });

  it('Auto-Submitted: auto-generated answering a message → auto-reply; answering none → work a machine sent', async () => {
    expect(await kind(msg({ 'Auto-Submitted': 'auto-generated', 'In-Reply-To': '<ack-1@acme.test>' }))).toEqual({ kind: 'auto-reply', reasons: ['auto-submitted:auto-generated'] });
    expect(await kind(msg({ 'Auto-Submitted': 'auto-generated', References: '<ack-1@acme.test>' }))).toEqual({ kind: 'auto-reply', reasons: ['auto-submitted:auto-generated'] });
    expect(await kind(msg({ 'Auto-Submitted': 'auto-generated' }))).toEqual({ kind: 'human', reasons: ['auto-submitted:auto-generated'], machine: true });
  });

  it('Auto-Submitted: no is a person', async () => {
    expect((await kind(msg({ 'Auto-Submitted': 'no' }))).kind).toBe('human');
  });

  it('out-of-office subjects of the common clients', async () => {
    for (const subject of ['Automatic reply: Question', 'Out of Office: Question', 'Abwesenheitsnotiz: Frage', 'Réponse automatique : Question', 'Auto: Question', 'Autoreply: Question']) {
      expect(await kind(msg({ Subject: subject })), subject).toMatchObject({ kind: 'auto-reply', reasons: ['subject:out-of-office'] });
    }
  });

  it('X-Auto-Response-Suppress confirms an auto-reply but does not make one on its own (Outlook sets it on ordinary mail)', async () => {
    expect((await kind(msg({ 'X-Auto-Response-Suppress': 'All' }))).kind).toBe('human');
    expect((await kind(msg({ 'X-Auto-Response-Suppress': 'All', Subject: 'Automatic reply: Question' }))).reasons).toEqual(['subject:out-of-office', 'x-auto-response-suppress']);
  });

  it.each([
    ['Precedence', 'bulk', 'precedence:bulk'],
    ['Precedence', 'list', 'precedence:list'],
    ['Precedence', 'junk', 'precedence:junk'],
    ['X-Precedence', 'bulk', 'x-precedence:bulk'],
  ])('%s: %s alone → work a machine sent (%s); from a list manager → list; answering a message (junk, list) → auto-reply', async (name, value, reason) => {
    expect(await kind(msg({ [name]: value }))).toEqual({ kind: 'human', reasons: [reason], machine: true });
    expect(await kind(msg({ [name]: value, Sender: 'owner-teapots@lists.example.org' }))).toEqual({ kind: 'list', reasons: [reason, 'sender:list-manager'] });
    expect(await kind(msg({ [name]: value }), 'teapots-request@lists.example.org')).toMatchObject({ kind: 'list', reasons: [reason, 'sender:list-manager'] });
    const answering = await kind(msg({ [name]: value, 'In-Reply-To': '<ack-1@acme.test>' }));
    expect(answering).toEqual(value === 'bulk' ? { kind: 'human', reasons: [reason], machine: true } : { kind: 'auto-reply', reasons: [reason] });
  });

  it('an out-of-office text counts only with a machine mark: Precedence, a null sender', async () => {
    const away = 'I am currently out of the office until Monday.';
    expect(await kind(msg({}, away))).toEqual({ kind: 'human', reasons: [] });
    expect(await kind(msg({ Precedence: 'bulk' }, away))).toEqual({ kind: 'auto-reply', reasons: ['body:out-of-office', 'precedence:bulk'] });
    expect(await kind(msg({}, away), '')).toEqual({ kind: 'auto-reply', reasons: ['body:out-of-office', 'null-sender'] });
    // On a list it is a list post that mentions an absence.
    expect((await kind(msg({ Precedence: 'bulk', 'List-Id': '<teapots.lists.example.org>' }, away))).kind).toBe('list');
  });

  it.each([
    ['List-Id', '<news.example.com>', 'list-id'],
    ['List-Unsubscribe', '<mailto:u@example.com>', 'list-unsubscribe'],
    ['List-Post', '<mailto:list@example.com>', 'list-post'],
    ['Mailing-List', 'contact list-help@example.org; run by ezmlm', 'mailing-list'],
  ])('%s: %s → list (%s)', async (name, value, reason) => {
    expect(await kind(msg({ [name]: value }))).toMatchObject({ kind: 'list', reasons: [reason] });
  });

  it('delivery reports: multipart/report, X-Failed-Recipients, mailer daemons, null sender', async () => {
    const dsn = msg(
      { From: 'Mail Delivery System <MAILER-DAEMON@mx.example.net>' },
      '--b\r\nContent-Type: text/plain\r\n\r\nFailed.\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n\r\nFinal-Recipient: rfc822; bob@example.net\r\nAction: failed\r\nStatus: 5.1.1\r\n--b--',
      'multipart/report; report-type=delivery-status; boundary="b"',
    );
    expect(await kind(dsn, '')).toMatchObject({ kind: 'bounce', reasons: ['dsn:multipart-report', 'mailer-daemon'] });
    expect((await kind(msg({ 'X-Failed-Recipients': 'bob@example.net' }))).reasons).toEqual(['x-failed-recipients']);
    expect((await kind(msg({ From: 'MAILER-DAEMON' }))).reasons).toEqual(['mailer-daemon']);
    // A null sender alone is a hint, not a verdict (RFC 3464 reports have a shape): nobody answers it.
    expect(await kind(msg({}), '')).toEqual({ kind: 'human', reasons: ['null-sender'], machine: true });
  });

  it('prose delay warnings count from the mail system, or from a machine sender with both subject and text', async () => {
    const body = 'THIS IS A WARNING MESSAGE ONLY. Delivery to bob@example.net has been delayed; the server will continue to try for 4 more days.';
    expect(await kind(msg({ From: 'postmaster@mx.example.net', Subject: 'Delivery delayed: Question', 'Auto-Submitted': 'auto-generated' }, body))).toEqual({
      kind: 'bounce',
      reasons: ['postmaster', 'subject:delivery-delayed', 'body:delivery-delayed'],
    });
    expect(await kind(msg({ From: 'no-reply@mx.example.net', Subject: 'Delivery delayed: Question' }, body))).toEqual({
      kind: 'bounce',
      reasons: ['system-sender', 'subject:delivery-delayed', 'body:delivery-delayed'],
    });
    expect(await kind(msg({ Subject: 'Warning: message 1uQ2x-0003Ab-7K delayed 24 hours' }, 'Still trying.'), '')).toEqual({
      kind: 'bounce',
      reasons: ['null-sender', 'subject:delivery-delayed', 'body:delivery-delayed'],
    });
    // The subject alone from a no-reply address is a shop's news; a customer saying it is a customer.
    expect((await kind(msg({ From: 'no-reply@shop.example.com', Subject: 'Delivery delayed: your order 10231' }))).kind).toBe('human');
    expect((await kind(msg({ Subject: 'Delivery delayed?' }, body))).kind).toBe('human');
  });

  it('prose delivery reports count only from a machine sender', async () => {
    const body = 'This is the mail system. Your message could not be delivered to bob@example.net: user unknown.';
    expect(await kind(msg({ From: 'postmaster@mx.example.net', Subject: 'Undeliverable: Question' }, body))).toMatchObject({ kind: 'bounce' });
    // A customer telling us about a bounce is a customer.
    expect((await kind(msg({ Subject: 'Undeliverable email from your shop' }, body))).kind).toBe('human');
  });

  it('Amazon SES notifications in JSON', async () => {
    expect((await kind(msg({ From: 'no-reply@sns.amazonaws.com' }, '{"notificationType":"Bounce","bounce":{}}'))).reasons).toContain('ses:bounce');
    expect((await kind(msg({ From: 'no-reply@sns.amazonaws.com' }, '{"notificationType":"Complaint"}'))).reasons).toContain('ses:complaint');
  });

  it('read receipts and abuse reports are automatic mail', async () => {
    const mdn = msg(
      {},
      '--b\r\nContent-Type: text/plain\r\n\r\nRead.\r\n--b\r\nContent-Type: message/disposition-notification\r\n\r\nDisposition: manual-action/MDN-sent-manually; displayed\r\n--b--',
      'multipart/report; report-type=disposition-notification; boundary="b"',
    );
    expect((await kind(mdn)).reasons).toContain('mdn:disposition-notification');
    const arf = msg(
      {},
      '--b\r\nContent-Type: text/plain\r\n\r\nAbuse.\r\n--b\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\n--b--',
      'multipart/report; report-type=feedback-report; boundary="b"',
    );
    expect((await kind(arf)).reasons).toContain('arf:feedback-report');
  });

  it('loops: our own address as sender, X-Loop naming us, our own signed marker as Message-ID', async () => {
    expect(await kind(msg({ From: OWN }))).toEqual({ kind: 'loop', reasons: ['own-address'] });
    expect(await kind(msg({ 'X-Loop': OWN }))).toEqual({ kind: 'loop', reasons: ['x-loop'] });
    const marker = await threadMarker(KEY, 'case_01abcdefghjk', 'acme.test');
    expect(await kind(msg({ 'Message-ID': `<${marker}>` }))).toEqual({ kind: 'loop', reasons: ['own-message-id'] });
    // A marker-shaped id that we did not sign is nothing of ours.
    expect((await kind(msg({ 'Message-ID': '<ec-01abcdefghjk-0000000000000000@acme.test>' }))).kind).toBe('human');
  });

  it('spam flagged upstream', async () => {
    expect(await kind(msg({ 'X-Spam-Flag': 'YES' }))).toEqual({ kind: 'spam-flagged', reasons: ['x-spam-flag'] });
  });
});
