import { describe, expect, it } from 'vitest';
import { buildCaseHeaders, composeMail, subjectWithTag, type ComposeInput } from '../../../worker/mail/compose.ts';
import { MailComposeError, referencesHeaderBytes } from '../../../worker/mail/headers.ts';
import { tokenFromAddress, verifyReplyToken, verifyThreadMarker } from '../../../worker/mail/tokens.ts';
import { bytesOf, header, headerBlock, headerNames, parseBack } from './parse-back.ts';

const DATE = new Date(Date.UTC(2026, 10, 23, 10, 0, 0));
const SECRET = 'test-mail-secret';
const CASE_ID = 'case_01jq7k3m2n4p5r6s7t8v9w0x';

function base(over: Partial<ComposeInput> = {}): ComposeInput {
  return {
    from: { email: 'support@acme.test', name: 'ACME Support' },
    to: [{ email: 'alice@example.com', name: 'Alice Example' }],
    subject: 'Your order',
    text: 'Hello Alice,\n\nyour order has shipped.\n',
    date: DATE,
    ...over,
  };
}

/** Bytes with every value, in an order that is not trivially compressible. */
function sampleBytes(length: number, seed = 7): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = i < 256 ? i : x >>> 24;
  }
  return out;
}

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0xff, 0x00, 0x0d, 0x0a]);

describe('composeMail: structure and round trips', () => {
  it('round-trips UTF-8 subjects and display names', async () => {
    const mail = composeMail(
      base({
        from: { email: 'support@acme.test', name: 'Grüße — 請求書 Team' },
        to: [{ email: 'yamada@example.jp', name: '山田 太郎' }],
        cc: [{ email: 'j@example.de', name: 'Jürgen Müller, Buchhaltung' }],
        subject: 'Grüße — 請求書',
      }),
    );
    const parsed = await parseBack(mail.raw);
    expect(parsed.subject).toBe('Grüße — 請求書');
    expect(parsed.from).toEqual({ name: 'Grüße — 請求書 Team', address: 'support@acme.test' });
    expect(parsed.to).toEqual([{ name: '山田 太郎', address: 'yamada@example.jp' }]);
    expect(parsed.cc).toEqual([{ name: 'Jürgen Müller, Buchhaltung', address: 'j@example.de' }]);
    expect(mail.subject).toBe('Grüße — 請求書');
    expect(mail.from).toBe('support@acme.test');
    expect(mail.to).toEqual(['yamada@example.jp', 'j@example.de']);
    // Encoded, not raw UTF-8, in the header block.
    expect(headerBlock(mail.raw)).toMatch(/^[\x00-\x7f]*$/);
  });

  it('round-trips long subjects and names, folding every header line', async () => {
    const subject = `${'Rechnung für März — 請求書 '.repeat(12)}end`;
    const name = 'Ünïcödé '.repeat(10).trim();
    const ascii = Array.from({ length: 30 }, (_, i) => `w${i}`).join(' ');
    const a = composeMail(base({ subject, to: [{ email: 'a@example.com', name }] }));
    const b = composeMail(base({ subject: ascii }));
    const pa = await parseBack(a.raw);
    expect(pa.subject).toBe(subject);
    expect(pa.to?.[0]).toEqual({ name, address: 'a@example.com' });
    expect((await parseBack(b.raw)).subject).toBe(ascii);
    for (const raw of [a.raw, b.raw]) for (const line of headerBlock(raw).split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
  });

  it('writes a single text/plain part when there is no HTML and no attachment', async () => {
    const mail = composeMail(base({ text: `Grüße,\r\nline two\rline three\n${'long '.repeat(100)}` }));
    expect(headerBlock(mail.raw)).toContain('Content-Type: text/plain; charset=UTF-8');
    expect(headerBlock(mail.raw)).toContain('Content-Transfer-Encoding: quoted-printable');
    const parsed = await parseBack(mail.raw);
    // The message ends in CRLF, which a single-part body keeps as its last line end.
    expect(parsed.text).toBe(`Grüße,\nline two\nline three\n${'long '.repeat(100)}\n`);
    expect(parsed.html).toBeUndefined();
    for (const line of mail.raw.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
  });

  it('writes multipart/alternative for text plus HTML', async () => {
    const mail = composeMail(base({ text: 'Hello = world', html: '<p>Hello <b>Grüße</b> = world</p>' }));
    expect(headerBlock(mail.raw)).toMatch(/Content-Type: multipart\/alternative; boundary=ec-alt-[0-9a-f]{24}/);
    const parsed = await parseBack(mail.raw);
    expect(parsed.text?.trim()).toBe('Hello = world');
    expect(parsed.html?.trim()).toBe('<p>Hello <b>Grüße</b> = world</p>');
  });

  it('round-trips attachments byte for byte, with non-ASCII names and an inline image', async () => {
    const blob = sampleBytes(20_000);
    const mail = composeMail(
      base({
        text: 'See the attached files.',
        html: '<p>Our logo: <img src="cid:logo-1@acme.test"></p>',
        attachments: [
          { filename: 'Rechnung März — 請求書.pdf', contentType: 'application/pdf', content: blob },
          { filename: 'inline.png', contentType: 'image/png', content: PNG },
          { filename: 'logo.png', contentType: 'image/png', content: PNG, inline: true, contentId: 'logo-1@acme.test' },
          { filename: `${'長い名前'.repeat(40)}.txt`, contentType: 'text/plain; charset=utf-8', content: new TextEncoder().encode('hi') },
          { filename: 'empty.bin', contentType: 'not a type\r\nX-Injected: 1', content: new Uint8Array(0) },
        ],
      }),
    );
    expect(headerBlock(mail.raw)).toMatch(/Content-Type: multipart\/mixed; boundary=ec-mixed-/);
    expect(mail.raw).toMatch(/Content-Type: multipart\/related; boundary=ec-rel-/);
    for (const line of mail.raw.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);

    const parsed = await parseBack(mail.raw);
    expect(parsed.text?.trim()).toBe('See the attached files.');
    expect(parsed.html).toContain('cid:logo-1@acme.test');
    // "inline.png" is an attachment whose name contains "inline": it must appear once, as a download.
    expect(parsed.attachments.map((a) => a.filename).sort()).toEqual(['Rechnung März — 請求書.pdf', 'empty.bin', 'inline.png', 'logo.png', `${'長い名前'.repeat(24)}.txt`].sort());
    const byName = new Map(parsed.attachments.map((a) => [a.filename, a]));
    const pdf = byName.get('Rechnung März — 請求書.pdf')!;
    expect(pdf.mimeType).toBe('application/pdf');
    expect(pdf.disposition).toBe('attachment');
    expect(bytesOf(pdf.content)).toEqual(blob);
    const png = byName.get('inline.png')!;
    expect(png.disposition).toBe('attachment');
    expect(bytesOf(png.content)).toEqual(PNG);
    const logo = byName.get('logo.png')!;
    expect(logo.disposition).toBe('inline');
    expect(logo.contentId).toBe('<logo-1@acme.test>');
    expect(bytesOf(logo.content)).toEqual(PNG);
    const empty = byName.get('empty.bin')!;
    expect(empty.mimeType).toBe('application/octet-stream');
    expect(bytesOf(empty.content).byteLength).toBe(0);
    expect(headerNames(parsed)).not.toContain('x-injected');
  });

  it('makes an inline part a download when there is no HTML to show it', async () => {
    const mail = composeMail(base({ attachments: [{ filename: 'logo.png', contentType: 'image/png', content: PNG, inline: true, contentId: 'logo@x.test' }] }));
    expect(mail.raw).not.toContain('multipart/related');
    const parsed = await parseBack(mail.raw);
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]!.disposition).toBe('attachment');
  });

  it('refuses an inline part without a usable Content-ID, and content that is not bytes', () => {
    expect(() => composeMail(base({ html: '<p>x</p>', attachments: [{ filename: 'a.png', contentType: 'image/png', content: PNG, inline: true }] }))).toThrow(
      expect.objectContaining({ code: 'attachment-invalid', field: 'attachments[0]' }),
    );
    expect(() => composeMail(base({ html: '<p>x</p>', attachments: [{ filename: 'a.png', contentType: 'image/png', content: PNG, inline: true, contentId: 'a b>\r\nX: y' }] }))).toThrow(
      MailComposeError,
    );
    expect(() => composeMail(base({ attachments: [{ filename: 'a', contentType: 'text/plain', content: 'text' as unknown as Uint8Array }] }))).toThrow(/Uint8Array/);
  });

  it('writes no Message-ID (Cloudflare sets it) and the Date it is given', async () => {
    const mail = composeMail(base());
    expect(mail.raw).not.toMatch(/^Message-ID:/im);
    const parsed = await parseBack(mail.raw);
    expect(parsed.messageId).toBeUndefined();
    expect(header(parsed, 'date')).toBe('Mon, 23 Nov 2026 10:00:00 +0000');
    expect(mail.headers.Date).toBe('Mon, 23 Nov 2026 10:00:00 +0000');
    expect(mail.raw.endsWith('\r\n')).toBe(true);
    expect(mail.raw).not.toMatch(/\r(?!\n)|(?<!\r)\n/);
  });

  it('lists each recipient once, in the envelope and the headers', async () => {
    const mail = composeMail(base({ to: [{ email: 'a@example.com' }, { email: 'A@EXAMPLE.com' }], cc: [{ email: 'a@example.com' }, { email: 'b@example.com' }] }));
    expect(mail.to).toEqual(['a@example.com', 'b@example.com']);
    const parsed = await parseBack(mail.raw);
    expect(parsed.to?.map((a) => a.address)).toEqual(['a@example.com']);
    expect(parsed.cc?.map((a) => a.address)).toEqual(['b@example.com']);
  });

  it('adds allow-listed extra headers and refuses others', async () => {
    const mail = composeMail(base({ extraHeaders: { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' } }));
    const parsed = await parseBack(mail.raw);
    expect(header(parsed, 'auto-submitted')).toBe('auto-replied');
    expect(header(parsed, 'x-auto-response-suppress')).toBe('All');
    expect(() => composeMail(base({ extraHeaders: { Bcc: 'evil@example.net' } }))).toThrow(expect.objectContaining({ code: 'header-not-allowed' }));
    expect(() => composeMail(base({ extraHeaders: { 'Message-ID': '<x@y>' } }))).toThrow(expect.objectContaining({ code: 'header-not-allowed' }));
  });

  it('needs a recipient', () => {
    expect(() => composeMail(base({ to: [] }))).toThrow(expect.objectContaining({ code: 'no-recipients' }));
  });
});

describe('composeMail: header injection', () => {
  const INJECT = '\r\nBcc: evil@example.net\r\nX-Injected: yes';

  it('cannot be made to write a header through the subject, names or file names', async () => {
    const variants: ComposeInput[] = [
      base({ subject: `Hello${INJECT}` }),
      base({ subject: `Grüße${INJECT}` }),
      base({ subject: `Hello\nBcc: evil@example.net\nX-Injected: yes` }),
      base({ subject: `Hello\rBcc: evil@example.net\rX-Injected: yes` }),
      base({ subject: `Hello\u2028Bcc: evil@example.net` }),
      base({ from: { email: 'support@acme.test', name: `ACME${INJECT}` } }),
      base({ to: [{ email: 'alice@example.com', name: `Alice${INJECT}` }] }),
      base({ cc: [{ email: 'bob@example.com', name: `"Bob"${INJECT}` }] }),
      base({ attachments: [{ filename: `a.txt"${INJECT}`, contentType: 'text/plain', content: PNG }] }),
    ];
    for (const input of variants) {
      const mail = composeMail(input);
      const parsed = await parseBack(mail.raw);
      const names = headerNames(parsed);
      expect(names).not.toContain('bcc');
      expect(names).not.toContain('x-injected');
      expect(parsed.bcc).toBeUndefined();
      expect(mail.raw).not.toMatch(/^(Bcc|X-Injected):/im);
      expect(names.filter((n) => n === 'subject')).toHaveLength(1);
    }
    const parsed = await parseBack(composeMail(base({ subject: `Hello${INJECT}` })).raw);
    expect(parsed.subject).toBe('Hello Bcc: evil@example.net X-Injected: yes');
    const named = await parseBack(composeMail(base({ to: [{ email: 'alice@example.com', name: `Alice${INJECT}` }] })).raw);
    expect(named.to).toEqual([{ name: 'Alice Bcc: evil@example.net X-Injected: yes', address: 'alice@example.com' }]);
  });

  it('refuses addresses, reply-to and Message-IDs that carry line breaks', () => {
    const cases: Array<[Partial<ComposeInput>, string, string]> = [
      [{ to: [{ email: `alice@example.com${INJECT}` }] }, 'address-invalid', 'to[0]'],
      [{ cc: [{ email: `bob@example.com\nBcc: evil@example.net` }] }, 'address-invalid', 'cc[0]'],
      [{ from: { email: `support@acme.test${INJECT}`, name: 'x' } }, 'address-invalid', 'from'],
      [{ replyTo: `reply@acme.test${INJECT}` }, 'address-invalid', 'replyTo'],
      [{ inReplyTo: `<abc@example.com>${INJECT}` }, 'message-id-invalid', 'inReplyTo'],
      [{ references: ['root@example.com', `x@y>${INJECT}`] }, 'message-id-invalid', 'references[1]'],
    ];
    for (const [over, code, field] of cases) {
      let error: unknown;
      try {
        composeMail(base(over));
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(over)).toBeInstanceOf(MailComposeError);
      expect(error).toMatchObject({ code, field });
      expect((error as Error).message).not.toMatch(/[\r\n]/);
    }
  });

  it('refuses invalid addresses with a message that says what is wrong', () => {
    expect(() => composeMail(base({ to: [{ email: 'alice@localhost' }] }))).toThrow(/to\[0\]: .*no dot/);
    expect(() => composeMail(base({ to: [{ email: 'alice example.com' }] }))).toThrow(/whitespace/);
    expect(() => composeMail(base({ to: [{ email: 'alice@@example.com' }] }))).toThrow(/exactly one "@"/);
  });
});

describe('buildCaseHeaders', () => {
  const longId = (i: number) => `${String(i).padStart(4, '0')}.${'a1b2c3d4e5'.repeat(10)}@mail.example.com`;

  it('signs a reply address that verifies and threads by token', async () => {
    const h = await buildCaseHeaders({
      secret: SECRET,
      caseId: CASE_ID,
      mailboxAddress: 'Support@ACME.test',
      mailboxName: 'ACME\r\nSupport',
      customerLastMessageId: '<c1@example.com>',
      threadIds: ['<c1@example.com>'],
    });
    expect(h.from).toEqual({ email: 'Support@acme.test', name: 'ACME Support' });
    expect(h.replyTo).toMatch(/^reply\+[0-9a-z-]+@acme\.test$/);
    const token = tokenFromAddress(h.replyTo)!;
    expect(await verifyReplyToken(SECRET, token)).toEqual({ ok: true, caseId: CASE_ID, purpose: 'c' });
    expect(await verifyReplyToken('another-secret', token)).toMatchObject({ ok: false });
    expect(await verifyThreadMarker(SECRET, h.marker)).toBe(CASE_ID);
    expect(h.marker.endsWith('@acme.test')).toBe(true);
    expect(h.inReplyTo).toBe('c1@example.com');
    expect(h.references).toEqual(['c1@example.com', h.marker]);
  });

  it('keeps References within 2048 bytes with 200 long ids: root, marker and the latest survive', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => longId(i));
    const h = await buildCaseHeaders({ secret: SECRET, caseId: CASE_ID, mailboxAddress: 'support@acme.test', mailboxName: 'ACME', customerLastMessageId: ids[199], threadIds: ids });
    expect(referencesHeaderBytes(h.references)).toBeLessThanOrEqual(2048);
    expect(h.references[0]).toBe(ids[0]);
    expect(h.references[1]).toBe(h.marker);
    expect(h.references.at(-1)).toBe(ids[199]);
    expect(h.references.at(-2)).toBe(ids[198]);
    expect(h.references.length).toBeGreaterThan(5);

    const mail = composeMail(base({ replyTo: h.replyTo, inReplyTo: h.inReplyTo, references: h.references, from: h.from, subject: subjectWithTag('Re: Printer', 42) }));
    const parsed = await parseBack(mail.raw);
    const refs = (parsed.references ?? '').match(/<[^>]+>/g)!.map((s) => s.slice(1, -1));
    expect(`References: ${parsed.references}`.length).toBeLessThanOrEqual(2048);
    expect(refs).toEqual(h.references);
    expect(parsed.inReplyTo).toBe(`<${ids[199]}>`);
    expect(await verifyThreadMarker(SECRET, refs[1]!)).toBe(CASE_ID);
    const replyTo = parsed.replyTo?.[0];
    expect(replyTo && 'address' in replyTo ? replyTo.address : null).toBe(h.replyTo);
    expect(await verifyReplyToken(SECRET, tokenFromAddress(h.replyTo)!)).toMatchObject({ ok: true, caseId: CASE_ID });
    for (const line of headerBlock(mail.raw).split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
  });

  it('composeMail trims an over-long References itself, keeping root, parent and our marker', async () => {
    const h = await buildCaseHeaders({ secret: SECRET, caseId: CASE_ID, mailboxAddress: 'support@acme.test', mailboxName: 'ACME' });
    const ids = Array.from({ length: 200 }, (_, i) => longId(i));
    const refs = [ids[0]!, ...ids.slice(1, 100), h.marker, ...ids.slice(100)];
    const mail = composeMail(base({ inReplyTo: ids[199], references: refs }));
    const kept = mail.headers.References!.match(/<[^>]+>/g)!.map((s) => s.slice(1, -1));
    expect(`References: ${mail.headers.References}`.length).toBeLessThanOrEqual(2048);
    expect(kept[0]).toBe(ids[0]);
    expect(kept).toContain(h.marker);
    expect(kept.at(-1)).toBe(ids[199]);
  });

  it('leaves out unusable stored ids instead of failing', async () => {
    const h = await buildCaseHeaders({
      secret: SECRET,
      caseId: CASE_ID,
      mailboxAddress: 'support@acme.test',
      mailboxName: 'ACME',
      customerLastMessageId: 'broken id\r\nBcc: x',
      threadIds: ['root@example.com', 'bad\r\nid', 'no-at'],
    });
    expect(h.inReplyTo).toBeUndefined();
    expect(h.references).toEqual(['root@example.com', h.marker]);
  });

  it('refuses a mailbox address that is not one', async () => {
    await expect(buildCaseHeaders({ secret: SECRET, caseId: CASE_ID, mailboxAddress: 'support@localhost', mailboxName: 'x' })).rejects.toMatchObject({ code: 'address-invalid' });
  });
});

describe('subjectWithTag', () => {
  it('adds the tag once and is idempotent', () => {
    const once = subjectWithTag('Printer broken', 123);
    expect(once).toBe('Printer broken [#123]');
    expect(subjectWithTag(once, 123)).toBe(once);
    expect(subjectWithTag(subjectWithTag(once, 123), 123)).toBe(once);
  });

  it('collapses reply prefixes and does not tag twice behind them', () => {
    expect(subjectWithTag('Re: Printer broken', 123)).toBe('Re: Printer broken [#123]');
    expect(subjectWithTag('RE: AW: Re[2]: Printer broken [#123]', 123)).toBe('Re: Printer broken [#123]');
    expect(subjectWithTag('Re: [#123] Printer broken', 123)).toBe('Re: [#123] Printer broken');
    expect(subjectWithTag(subjectWithTag('Re: Re: x', 7), 7)).toBe('Re: x [#7]');
    expect(subjectWithTag('Fwd: x', 7)).toBe('Fwd: x [#7]');
  });

  it('puts ours first when the subject carries another tag, so ingest reads ours', () => {
    expect(subjectWithTag('Ticket [#4521] from vendor', 123)).toBe('[#123] Ticket [#4521] from vendor');
    expect(subjectWithTag('Re: Ticket [#4521] from vendor [#123]', 123)).toBe('Re: [#123] Ticket [#4521] from vendor');
    expect(subjectWithTag('[#123] Ticket [#4521] from vendor', 123)).toBe('[#123] Ticket [#4521] from vendor');
    expect(subjectWithTag('Re: [#1234] x', 123)).toBe('Re: [#123] [#1234] x');
  });

  it('handles empty and hostile subjects and refuses bad numbers', () => {
    expect(subjectWithTag('', 5)).toBe('[#5]');
    expect(subjectWithTag('Re:', 5)).toBe('Re: [#5]');
    expect(subjectWithTag('Hi\r\nBcc: x@y.test', 5)).toBe('Hi Bcc: x@y.test [#5]');
    expect(() => subjectWithTag('x', 0)).toThrow(MailComposeError);
    expect(() => subjectWithTag('x', 1.5)).toThrow(MailComposeError);
  });
});
