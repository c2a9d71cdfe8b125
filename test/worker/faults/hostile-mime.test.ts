// Hostile MIME through the real email handler: each shape is filed as a case or held with a reason,
// never crashes the handler or leaves the row failed, and the next ordinary mail still becomes a case.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { cases, contacts, inbound, messages, participants } from '../../../worker/db/schema.ts';
import { receiveEmail } from '../../../worker/ingest/receive.ts';
import { MAX_COPIED_PARTICIPANTS } from '../../../worker/ingest/people.ts';
import { incoming, mail, seeded } from '../helpers.ts';

const HEAD = 'From: Mallory <mallory@example.com>\r\nTo: support@acme.test\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n';

function multipart(boundary: string, parts: string[], close = true): string {
  return `--${boundary}\r\n${parts.join(`\r\n--${boundary}\r\n`)}\r\n${close ? `--${boundary}--\r\n` : ''}`;
}

function nested(depth: number): string {
  let body = 'Content-Type: text/plain\r\n\r\ninnermost\r\n';
  for (let i = depth; i > 0; i--) body = `Content-Type: multipart/mixed; boundary="n${i}"\r\n\r\n${multipart(`n${i}`, [body])}`;
  return body;
}

const SHAPES: Record<string, () => string> = {
  '5,000 sibling parts': () =>
    `${HEAD}Subject: many parts\r\nContent-Type: multipart/mixed; boundary="s"\r\n\r\n${multipart(
      's',
      Array.from({ length: 5000 }, (_, i) => `Content-Type: text/plain\r\n\r\npart ${i}`),
    )}`,
  '300-deep nesting': () => `${HEAD}Subject: deep\r\n${nested(300)}`,
  '3 MB of headers': () => `${HEAD}Subject: big headers\r\n${Array.from({ length: 30_000 }, (_, i) => `X-Filler-${i}: ${'h'.repeat(90)}`).join('\r\n')}\r\n\r\nbody\r\n`,
  'a 1 MB unfolded header line': () => `${HEAD}Subject: long line\r\nX-Long: ${'a'.repeat(1024 * 1024)}\r\n\r\nbody\r\n`,
  '10,000 recipients': () =>
    `${HEAD.replace('To: support@acme.test\r\n', '')}To: support@acme.test, ${Array.from({ length: 10_000 }, (_, i) => `r${i}@example.net`).join(', ')}\r\nSubject: crowd\r\n\r\nhello all\r\n`,
  '2,000 encoded words in one header': () => `${HEAD}Subject: ${Array.from({ length: 2000 }, () => '=?UTF-8?B?w6Q=?=').join(' ')}\r\n\r\nbody\r\n`,
  // 24 MiB as it arrives (under the 25 MiB Email Routing limit): 17.5 MiB of data, base64 encoded.
  'a 24 MiB message with one attachment': () => {
    const b64 = btoa('x'.repeat(3 * 1024)).repeat(5973);
    const lines = b64.match(/.{1,76}/g)!.join('\r\n');
    return `${HEAD}Subject: big file\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n${multipart('b', ['Content-Type: text/plain\r\n\r\nsee attached', `Content-Type: application/octet-stream; name="big.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n${lines}`])}`;
  },
  'NUL bytes': () => `${HEAD}Subject: nul\u0000 in subject\r\n\r\nbody with \u0000 NUL \u0000 bytes\r\n`,
  'an unterminated boundary': () => `${HEAD}Subject: unterminated\r\nContent-Type: multipart/mixed; boundary="u"\r\n\r\n${multipart('u', ['Content-Type: text/plain\r\n\r\nno closing line'], false)}`,
  'a 2,000-character boundary': () => {
    const b = 'q'.repeat(2000);
    return `${HEAD}Subject: long boundary\r\nContent-Type: multipart/mixed; boundary="${b}"\r\n\r\n${multipart(b, ['Content-Type: text/plain\r\n\r\nhello'])}`;
  },
  'an unknown charset': () => `${HEAD}Subject: =?x-made-up?Q?hello?=\r\nContent-Type: text/plain; charset="x-made-up"\r\n\r\nplain words\r\n`,
  'a UTF-7 subject': () => `${HEAD}Subject: =?UTF-7?Q?Gr+APw-+AN8-e?=\r\nContent-Type: text/plain; charset="utf-7"\r\n\r\nGr+APw-+AN8-e\r\n`,
};

describe('hostile MIME', () => {
  for (const [name, build] of Object.entries(SHAPES)) {
    it(`${name}: filed or held with a reason, and the next mail is a case`, async () => {
      const deps = await seeded();
      const raw = build();
      await receiveEmail(incoming(raw, { from: 'mallory@example.com', rawSize: raw.length }), deps);
      const row = (await deps.db.select().from(inbound).get())!;
      if (row.status === 'processed') {
        expect(row.caseId).toBeTruthy();
        expect(await deps.db.$count(messages, eq(messages.inboundId, row.id))).toBe(1);
      } else {
        expect(row.status).toBe('quarantined');
        expect(row.reason).toBeTruthy();
      }
      const before = await deps.db.$count(cases);
      await receiveEmail(incoming(mail({ Subject: 'An ordinary question' })), deps);
      expect(await deps.db.$count(cases)).toBe(before + 1);
    });
  }
});

describe('a mail to a crowd', () => {
  const copied = (n: number) => Array.from({ length: n }, (_, i) => `r${i}@example.net`).join(', ');
  it(`keeps up to ${MAX_COPIED_PARTICIPANTS} copied people as participants`, async () => {
    const deps = await seeded();
    await receiveEmail(incoming(mail({ Cc: copied(MAX_COPIED_PARTICIPANTS) })), deps);
    expect(await deps.db.$count(participants)).toBe(MAX_COPIED_PARTICIPANTS + 1);
  });

  it('with more, files the case for the sender alone: no reply-all to thousands, no thousands of contacts', async () => {
    const deps = await seeded();
    await receiveEmail(incoming(mail({ Cc: copied(10_000) })), deps);
    expect(await deps.db.select({ email: participants.email }).from(participants)).toEqual([{ email: 'alice@example.com' }]);
    expect(await deps.db.$count(contacts, eq(contacts.email, 'r1@example.net'))).toBe(0);
    expect(await deps.db.$count(cases)).toBe(1);
  });
});
