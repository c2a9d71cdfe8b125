import { describe, expect, it } from 'vitest';
import { ParseRefused, parseMail } from '../../../worker/ingest/parse.ts';
import { fixture, fixtureText, fixtures } from '../../fixtures/index.ts';
import { deepNesting, hugeHeaders, nulInHeader } from '../../fixtures/generate.ts';
import { GBK_TEXT, gbkRawHeaders, KOI8_TEXT, koi8Undeclared, LATIN1_TEXT, latin1RawHeaders, SJIS_TEXT, sjisLabelledIso2022jp, swappedLabels } from '../../fixtures/eight-bit.ts';

const ascii = (bytes: Uint8Array, n: number) => String.fromCharCode(...bytes.subarray(0, n));

async function refusal(raw: Uint8Array): Promise<ParseRefused> {
  try {
    await parseMail(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(ParseRefused);
    return err as ParseRefused;
  }
  throw new Error('parseMail accepted a message it should have refused');
}

describe('parse: addresses, subject, ids', () => {
  it('reads the plain customer question', async () => {
    const m = await parseMail(fixture('plain'));
    expect(m.subject).toBe('Order 4471 arrived with a cracked lid');
    expect(m.from).toEqual({ email: 'alice@example.com', name: 'Alice Example' });
    expect(m.to).toEqual([{ email: 'support@acme.test', name: 'Acme Support' }]);
    expect(m.cc).toEqual([{ email: 'bob@example.net', name: 'Bob Example' }]);
    expect(m.replyTo).toEqual([]);
    expect(m.text.trimEnd()).toBe(
      'Hello,\n\nMy order 4471 arrived this morning, but the lid of the teapot is cracked.\n' + 'Could you send a replacement lid, or should I return the whole set?\n\nThanks,\nAlice',
    );
    expect(m.html).toBeNull();
    expect(m.attachments).toEqual([]);
    expect(m.date).toBe(Date.UTC(2025, 5, 3, 9, 14, 5));
  });

  it('gives bare Message-IDs without angle brackets', async () => {
    const plain = await parseMail(fixture('plain'));
    expect(plain.messageId).toBe('first-plain@example.com');
    expect(plain.inReplyTo).toEqual([]);
    expect(plain.references).toEqual([]);

    const reply = await parseMail(fixture('reply-in-reply-to'));
    expect(reply.messageId).toBe('second-plain@example.com');
    expect(reply.inReplyTo).toEqual(['first-plain@example.com']);

    const refs = await parseMail(fixture('reply-references-only'));
    expect(refs.inReplyTo).toEqual([]);
    // Folded over two lines in the fixture; kept in header order.
    expect(refs.references).toEqual(['unknown-root.77@lists.example.org', 'first-plain@example.com', 'unknown-tail.12@mail.example.net']);
    for (const id of [reply.messageId, ...reply.inReplyTo, ...refs.references]) expect(id).not.toMatch(/[<>]/);
  });

  it('has no messageId when the header is missing', async () => {
    const m = await parseMail(fixture('no-message-id'));
    expect(m.messageId).toBeNull();
    expect(m.from?.email).toBe('heidi@example.net');
    expect(m.subject).toBe('Opening hours on Saturday?');
  });

  it('lower-cases addresses', async () => {
    const m = await parseMail(fixture('bounce-dsn'));
    expect(m.from).toEqual({ email: 'mailer-daemon@mx.example.net', name: 'Mail Delivery System' });
  });

  it('keeps every header with lower-case names, in order', async () => {
    const m = await parseMail(fixture('list'));
    const names = m.headers.map(([k]) => k);
    expect(names.slice(0, 3)).toEqual(['return-path', 'received', 'from']);
    expect(m.headers).toContainEqual(['precedence', 'list']);
    expect(m.headers).toContainEqual(['list-id', 'Teapot owners discussion <users.lists.example.org>']);
  });
});

describe('parse: every fixture', () => {
  const expected: Record<string, { subject: string; from: string; to: string[] }> = {
    plain: { subject: 'Order 4471 arrived with a cracked lid', from: 'alice@example.com', to: ['support@acme.test'] },
    'html-only': { subject: 'Invoice link is broken', from: 'carol@example.org', to: ['support@acme.test'] },
    alternative: { subject: 'Can I change my delivery address?', from: 'dave@example.net', to: ['support@acme.test'] },
    'encoded-subject': { subject: 'Rückerstattung für Bestellung 5123', from: 'zoe@example.org', to: ['support@acme.test'] },
    latin1: { subject: 'Facture détaillée', from: 'francois@example.org', to: ['support@acme.test'] },
    cp1252: { subject: 'Charged the wrong price', from: 'grace@example.net', to: ['support@acme.test'] },
    iso2022jp: { subject: '請求書の再送について', from: 'yamada@example.org', to: ['support@acme.test'] },
    'attachments-inline': { subject: 'Wrong logo on my invoice', from: 'erin@example.com', to: ['support@acme.test'] },
    'no-message-id': { subject: 'Opening hours on Saturday?', from: 'heidi@example.net', to: ['support@acme.test'] },
    'reply-in-reply-to': { subject: 'Re: Order 4471 arrived with a cracked lid', from: 'alice@example.com', to: ['support@acme.test'] },
    'reply-references-only': { subject: 'Re: Order 4471 arrived with a cracked lid', from: 'alice@example.com', to: ['support@acme.test'] },
    'reply-subject-tag': { subject: 'Re: [#1] Order 4471 arrived with a cracked lid', from: 'alice@example.com', to: ['support@acme.test'] },
    'stranger-subject-tag': { subject: '[#1] Please send the replacement to my address instead', from: 'mallory@example.org', to: ['support@acme.test'] },
    'ooo-exchange': { subject: 'Automatic reply: Order 4471 arrived with a cracked lid', from: 'bob@example.net', to: ['support@acme.test'] },
    'bounce-dsn': { subject: 'Undelivered Mail Returned to Sender', from: 'mailer-daemon@mx.example.net', to: ['support@acme.test'] },
    list: { subject: '[teapot-users] Which glaze survives the dishwasher?', from: 'ivan@example.org', to: ['users@lists.example.org'] },
    'html-entities': { subject: 'Lieferung der Teekanne', from: 'jonas.weber@example.de', to: ['support@acme.test'] },
    'whitespace-text': { subject: 'Refund for order 4493', from: 'mia.santos@example.com', to: ['support@acme.test'] },
    'second-from': { subject: 'Contact form: Where is my parcel?', from: 'dana.customer@example.net', to: ['support@acme.test'] },
    'unnamed-attachments': { subject: 'Fwd: Order 4471 delivery note and photos', from: 'erin@example.com', to: ['support@acme.test'] },
  };

  it('covers every committed fixture', () => {
    expect(Object.keys(expected).sort()).toEqual(Object.keys(fixtures).sort());
  });

  for (const [name, want] of Object.entries(expected)) {
    it(`parses ${name}.eml`, async () => {
      const m = await parseMail(fixture(name));
      expect({ subject: m.subject, from: m.from?.email, to: m.to.map((a) => a.email) }).toEqual(want);
      expect(m.text.length).toBeGreaterThan(0);
      expect(m.date).not.toBeNull();
    });
  }

  it('gives a null date for an unparsable Date header', async () => {
    const text = new TextDecoder().decode(fixture('plain')).replace('Date: Tue, 03 Jun 2025 11:14:05 +0200', 'Date: sometime on Tuesday');
    expect((await parseMail(new TextEncoder().encode(text))).date).toBeNull();
  });
});

describe('parse: encoded words and charsets', () => {
  it('decodes a subject mixing UTF-8 B and ISO-8859-1 Q encoded words, and an encoded display name', async () => {
    const m = await parseMail(fixture('encoded-subject'));
    expect(m.subject).toBe('Rückerstattung für Bestellung 5123');
    expect(m.from).toEqual({ email: 'zoe@example.org', name: 'Zoë Müller' });
    expect(m.text.trimEnd()).toBe('Guten Tag,\n\nich warte seit zwei Wochen auf die Rückerstattung für Bestellung 5123.\n\nGrüße\nZoë');
  });

  it('decodes an ISO-8859-1 quoted-printable body', async () => {
    const m = await parseMail(fixture('latin1'));
    expect(m.subject).toBe('Facture détaillée');
    expect(m.from).toEqual({ email: 'francois@example.org', name: 'François Lefèvre' });
    expect(m.text.trimEnd()).toBe("Bonjour,\n\nJe n'ai pas reçu la facture détaillée de ma commande passée à Noël.\n" + "Pourriez-vous me l'envoyer à nouveau ?\n\nCordialement,\nFrançois Lefèvre");
  });

  it('decodes windows-1252 curly quotes, en dash and euro sign', async () => {
    const m = await parseMail(fixture('cp1252'));
    expect(m.text.trimEnd()).toBe(
      'Hi,\n\nYou charged me \u201c\u20ac49.00\u201d for the \u201cPremium\u201d plan \u2013 but the website said it\u2019s \u20ac39.00.\n' + 'Please refund the difference.\n\nGrace',
    );
    // Not mistaken for ISO-8859-1, where 0x80 and 0x93 are C1 controls.
    expect(m.text).not.toMatch(/[\u0080-\u009f]/);
  });

  it('decodes ISO-2022-JP subject, display name and body', async () => {
    const m = await parseMail(fixture('iso2022jp'));
    expect(m.subject).toBe('請求書の再送について');
    expect(m.from).toEqual({ email: 'yamada@example.org', name: '山田 太郎' });
    expect(m.text.trimEnd()).toBe('山田です。\nいつもお世話になっております。\n先月分の請求書がまだ届いていません。\nお手数ですが、再送していただけますか。\nよろしくお願いいたします。');
    expect(m.text).not.toContain('\u001b');
  });
});

describe('parse: bodies', () => {
  it('derives the text of HTML-only mail from the HTML', async () => {
    const m = await parseMail(fixture('html-only'));
    expect(m.html).toContain('<p>Hi team,</p>');
    expect(m.text).toBe('Hi team,\n\nThe invoice link in your email returns "404" & nothing loads.\n\nRegards,\nCarol');
    expect(m.text).not.toContain('margin');
  });

  it('takes text and HTML from their own alternatives', async () => {
    const m = await parseMail(fixture('alternative'));
    expect(m.text.trimEnd()).toBe('Hi,\n\nI moved last week. Can you ship order 4480 to my new address instead?\n\nDave');
    expect(m.html).toContain('<b>4480</b>');
    expect(m.html).not.toContain('I moved last week. Can you ship order 4480');
    expect(m.attachments).toEqual([]);
  });
});

describe('parse: attachments', () => {
  it('marks the cid-referenced image inline and the PDF as a real attachment', async () => {
    const m = await parseMail(fixture('attachments-inline'));
    expect(m.attachments).toHaveLength(2);
    const [logo, pdf] = m.attachments;

    expect(logo).toMatchObject({ filename: 'logo.png', contentType: 'image/png', contentId: 'logo@acme', inline: true });
    expect([...logo!.content.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

    expect(pdf).toMatchObject({ filename: 'invoice-2025-0612.pdf', contentType: 'application/pdf', disposition: 'attachment', contentId: null, inline: false });
    expect(ascii(pdf!.content, 8)).toBe('%PDF-1.4');

    expect(m.html).toContain('cid:logo@acme');
    expect(m.text).toBe('Hello,\nThe invoice shows this logo:\n\nbut we are not Acme. Invoice attached.\nErin');
  });

  it('keeps the parts of a delivery report as attachments', async () => {
    const m = await parseMail(fixture('bounce-dsn'));
    expect(m.attachments.map((a) => a.contentType)).toEqual(['message/delivery-status', 'message/rfc822']);
    expect(m.attachments.every((a) => a.filename.length > 0)).toBe(true);
    expect(m.attachments[0]!.filename).toMatch(/\.txt$/);
    expect(m.attachments[1]!.filename).toMatch(/\.eml$/);
    expect(m.text).toContain('mailbox full');
  });
});

describe('parse: hostile input', () => {
  it('refuses 300 levels of nesting with a reason', async () => {
    const err = await refusal(deepNesting(300));
    expect(err.reason).toBe('nesting-too-deep');
    expect(err.message.startsWith('nesting-too-deep: ')).toBe(true);
  });

  it('parses nesting within the limit', async () => {
    const m = await parseMail(deepNesting(20));
    expect(m.text.trim()).toBe('the bottom');
  });

  it('refuses a header block over the parser limit', async () => {
    const err = await refusal(hugeHeaders());
    expect(err.reason).toBe('headers-too-large');
  });

  it('drops a NUL from a header', async () => {
    const m = await parseMail(nulInHeader());
    expect(m.subject).toBe('Refund request');
    expect(m.subject).not.toContain('\u0000');
    for (const [, v] of m.headers) expect(v).not.toContain('\u0000');
    expect(m.text.trim()).toBe('I would like a refund for order 4502.');
  });
});

describe('parse: text derived from HTML', () => {
  it('decodes every named, decimal and hex entity of HTML-only mail', async () => {
    const m = await parseMail(fixture('html-entities'));
    expect(m.text).toBe(
      'Guten Tag,\n\n' +
        'ich habe ein großes Problem mit meiner Bestellung № 4490 – die “Premium”-Teekanne für 89 € ist nicht angekommen.\n\n' +
        'Laut Sendungsverfolgung wurde sie am 12.\u2009Juni zugestellt … aber nicht bei mir. Das ist Ärgerlich!\n\n' +
        'Die Shop-Seite zeigt <b>Geliefert</b> & sonst nichts.\n\n' +
        'Viele Grüße\nJonas Weber',
    );
    expect(m.text).not.toMatch(/&[#a-z0-9]+;/i);
  });

  it('takes the text view from the HTML when the text/plain part holds only whitespace', async () => {
    const m = await parseMail(fixture('whitespace-text'));
    expect(m.text).toBe('Hello,\n\nI returned order 4493 two weeks ago and the refund has not arrived yet.\n\nMia');
    expect(m.html).toContain('refund has not arrived');
  });
});

describe('parse: the author', () => {
  it('takes a second From header when the first holds no usable mailbox', async () => {
    const m = await parseMail(fixture('second-from'));
    expect(m.from).toEqual({ email: 'dana.customer@example.net', name: 'Dana Customer' });
  });

  it('takes a later mailbox of the same From header when the first is empty or garbage', async () => {
    const base = fixtureText('second-from').replace('From: Dana Customer <dana.customer@example.net>\r\n', '');
    const empty = base.replace('From: "Acme contact form" <>', 'From: "Acme contact form" <>, Dana Customer <dana.customer@example.net>');
    expect((await parseMail(new TextEncoder().encode(empty))).from).toEqual({ email: 'dana.customer@example.net', name: 'Dana Customer' });
    const garbage = base.replace('From: "Acme contact form" <>', 'From: undisclosed sender <@@>, <dana.customer@example.net>');
    expect((await parseMail(new TextEncoder().encode(garbage))).from?.email).toBe('dana.customer@example.net');
  });

  it('has no author when no From mailbox is usable (the envelope sender decides then)', async () => {
    const none = fixtureText('second-from').replace('From: Dana Customer <dana.customer@example.net>\r\n', '');
    expect((await parseMail(new TextEncoder().encode(none))).from).toBeNull();
  });

  it('reads an address with RFC 5322 comments inside it', async () => {
    const text = fixtureText('plain').replace('From: Alice Example <alice@example.com>', 'From: Alice Example <alice(work)@example.com(main)>');
    expect((await parseMail(new TextEncoder().encode(text))).from).toEqual({ email: 'alice@example.com', name: 'Alice Example' });
  });
});

describe('parse: raw 8-bit and mislabelled text', () => {
  const noFffd = (m: Awaited<ReturnType<typeof parseMail>>) => {
    for (const s of [m.subject, m.text, m.from?.name ?? '', ...m.attachments.map((a) => a.filename)]) expect(s).not.toContain('\ufffd');
  };

  it('reads GB2312 bytes in Subject, display name and filename with the charset the body declares', async () => {
    const m = await parseMail(gbkRawHeaders());
    expect(m.subject).toBe(GBK_TEXT.subject);
    expect(m.from).toEqual({ email: 'zhang.wei@example.cn', name: GBK_TEXT.name });
    expect(m.attachments.map((a) => a.filename)).toEqual([GBK_TEXT.filename]);
    expect(m.text.replace(/\r\n/g, '\n').trimEnd()).toBe(GBK_TEXT.body);
    expect(m.headers).toContainEqual(['subject', GBK_TEXT.subject]);
    noFffd(m);
  });

  it('detects GB2312 when nothing declares it, in the headers and in the 8-bit body', async () => {
    const m = await parseMail(gbkRawHeaders({ declared: false }));
    expect(m.subject).toBe(GBK_TEXT.subject);
    expect(m.from?.name).toBe(GBK_TEXT.name);
    expect(m.attachments[0]!.filename).toBe(GBK_TEXT.filename);
    expect(m.text.trimEnd()).toBe(GBK_TEXT.body);
    noFffd(m);
  });

  it('reads Latin-1 bytes in Subject and From although the message only declares US-ASCII', async () => {
    const m = await parseMail(latin1RawHeaders());
    expect(m.subject).toBe(LATIN1_TEXT.subject);
    expect(m.from).toEqual({ email: 'francois@example.org', name: LATIN1_TEXT.name });
    noFffd(m);
  });

  it('reads Shift_JIS labelled ISO-2022-JP, in encoded words and in the body', async () => {
    const m = await parseMail(sjisLabelledIso2022jp());
    expect(m.subject).toBe(SJIS_TEXT.subject);
    expect(m.from).toEqual({ email: 'yamada@example.jp', name: SJIS_TEXT.name });
    expect(m.text.trimEnd()).toBe(SJIS_TEXT.body);
    noFffd(m);
  });

  it('detects KOI8-R in a body and a subject without any charset', async () => {
    const m = await parseMail(koi8Undeclared());
    expect(m.subject).toBe(KOI8_TEXT.subject);
    expect(m.text.trimEnd()).toBe(KOI8_TEXT.body);
  });

  it('reads UTF-8 labelled ISO-8859-1 as UTF-8, and windows-1252 labelled UTF-8 as windows-1252', async () => {
    const m = await parseMail(swappedLabels());
    expect(m.from).toEqual({ email: 'juergen@example.de', name: 'Jürgen Müller' });
    expect(m.text).toContain('Schöne Grüße aus Köln');
    expect(m.text).toContain('Preis: 49 € – „günstig“');
    noFffd(m);
  });

  it('leaves raw UTF-8 headers (RFC 6532) as they are', async () => {
    const text = fixtureText('plain').replace('Subject: Order 4471 arrived with a cracked lid', 'Subject: Bestellung 4471: Deckel gesprungen – bitte ersetzen');
    const m = await parseMail(new TextEncoder().encode(text));
    expect(m.subject).toBe('Bestellung 4471: Deckel gesprungen – bitte ersetzen');
  });
});

describe('parse: attachment names', () => {
  it('names unnamed parts after the attached subject, the description or the type, distinct and safe', async () => {
    const m = await parseMail(fixture('unnamed-attachments'));
    expect(m.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      ['Your parcel 4471_B was delivered – photo inside.eml', 'message/rfc822'],
      ['image.jpg', 'image/jpeg'],
      ['Delivery note.pdf', 'application/pdf'],
      ['document.pdf', 'application/pdf'],
      ['scan.pdf', 'application/pdf'],
      ['SCAN (2).pdf', 'application/pdf'],
      ['notes.txt', 'text/plain'],
      ['attachment.bin', 'application/octet-stream'],
    ]);
    for (const a of m.attachments) {
      expect(a.filename).not.toMatch(/[/\\\u0000-\u001f]/);
      expect(a.filename).toMatch(/\.[a-z0-9]+$/i);
    }
  });

  it('numbers two unnamed parts of one type apart', async () => {
    const text = fixtureText('unnamed-attachments').replace('Content-Description: Delivery note\r\n', '');
    const names = (await parseMail(new TextEncoder().encode(text))).attachments.map((a) => a.filename);
    expect(names).toContain('document.pdf');
    expect(names).toContain('document (2).pdf');
  });
});
