import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { calendars, mailboxes } from '../../../worker/db/schema.ts';
import { planAck, type AckLimits } from '../../../worker/mail/ack.ts';
import { composeMail } from '../../../worker/mail/compose.ts';
import { OFF_HOURS_TEMPLATES } from '../../../worker/mail/off-hours.ts';
import {
  DEFAULT_ACK_TEMPLATES,
  TEMPLATE_PLACEHOLDERS,
  ackHeaders,
  formatReopening,
  languagePreferences,
  pickLanguage,
  renderAck,
  renderTemplate,
  validateTemplate,
  type TemplateValues,
} from '../../../worker/mail/templates.ts';
import { DEMO, seeded } from '../helpers.ts';
import { header, parseBack } from './parse-back.ts';

const VALUES: TemplateValues = {
  'case.number': 123,
  'case.subject': 'Printer <b>on fire</b>',
  'customer.name': '<script>alert(1)</script>',
  'mailbox.name': 'ACME Support',
  'agent.name': 'Dana',
  'sla.first_response': 'Tue 24 Nov, 10:00',
};

describe('renderTemplate', () => {
  it('escapes values in HTML mode', () => {
    const r = renderTemplate('<p>Hi {{customer.name}}, re {{ case.subject }} & "{{mailbox.name}}"</p>', VALUES, 'html');
    expect(r.output).toBe('<p>Hi &#60;script&#62;alert(1)&#60;/script&#62;, re Printer &#60;b&#62;on fire&#60;/b&#62; & "ACME Support"</p>');
    expect(r.output).not.toContain('<script');
    expect(r.unknown).toEqual([]);
    expect(renderTemplate('<a title="{{customer.name}}">', { 'customer.name': `a" onmouseover='x'` }, 'html').output).toBe('<a title="a&#34; onmouseover=&#39;x&#39;">');
  });

  it('keeps values as they are in text mode, minus control characters and line breaks', () => {
    const r = renderTemplate('Hi {{customer.name}}!', { 'customer.name': 'Eve\r\nBcc: x@y.test\u0000 <b>' }, 'text');
    expect(r.output).toBe('Hi Eve Bcc: x@y.test <b>!');
  });

  it('leaves unknown placeholders out and reports each once', () => {
    const r = renderTemplate('A{{nope}}B{{ case.body }}C{{nope}}D{{case.number}}', VALUES, 'text');
    expect(r.output).toBe('ABCD123');
    expect(r.unknown).toEqual(['nope', 'case.body']);
  });

  it('reports known placeholders that have no value', () => {
    const r = renderTemplate('Hi {{customer.name}} / {{agent.name}}', { 'agent.name': '  ' }, 'text');
    expect(r.output).toBe('Hi  / ');
    expect(r.missing).toEqual(['customer.name', 'agent.name']);
  });

  it('does not reach into the prototype', () => {
    const r = renderTemplate('{{constructor}}{{__proto__}}', {}, 'text');
    expect(r.output).toBe('');
    expect(r.unknown).toEqual(['constructor', '__proto__']);
  });
});

describe('validateTemplate', () => {
  it('accepts the defaults', () => {
    for (const t of Object.values(DEFAULT_ACK_TEMPLATES)) {
      expect(validateTemplate(t.subject, 'text')).toEqual({ ok: true, problems: [] });
      expect(validateTemplate(t.text, 'text')).toEqual({ ok: true, problems: [] });
      expect(validateTemplate(t.html, 'html')).toEqual({ ok: true, problems: [] });
    }
  });

  it('names each problem', () => {
    const codes = (t: string, mode: 'text' | 'html' = 'text') => validateTemplate(t, mode).problems.map((p) => p.code);
    expect(codes('Hi {{customer.nam}}')).toEqual(['unknown-placeholder']);
    expect(codes('You wrote: {{message.body}}')).toEqual(['body-not-allowed']);
    expect(codes('Hi {{customer.name')).toEqual(['unclosed-placeholder']);
    expect(codes('Hi\u0000')).toEqual(['control-char']);
    expect(codes('x'.repeat(20_001))).toEqual(['too-long']);
    expect(codes('<a href="{{customer.name}}">x</a>', 'html')).toEqual(['placeholder-in-tag']);
    expect(codes('<p onclick="x()">{{customer.name}}</p><script>1</script>', 'html')).toEqual(['script']);
    expect(validateTemplate('Hi {{customer.nam}}', 'text').problems[0]!.message).toContain('{{customer.name}}');
  });
});

describe('acknowledgements', () => {
  it('offers no placeholder for the customer message, and the defaults use only known ones', () => {
    expect(TEMPLATE_PLACEHOLDERS.some((p) => /body|message|text|html/.test(p))).toBe(false);
    for (const t of [...Object.values(DEFAULT_ACK_TEMPLATES), ...Object.values(OFF_HOURS_TEMPLATES)]) {
      expect(validateTemplate(t.html, 'html')).toEqual({ ok: true, problems: [] });
      for (const part of [t.subject, t.text, t.html]) {
        for (const m of part.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) expect(TEMPLATE_PLACEHOLDERS).toContain(m[1]);
      }
    }
  });

  it('renders both defaults with a tagged subject, escaped HTML and fallbacks', () => {
    const create = renderAck('create', VALUES);
    expect(create.subject).toBe('Re: Printer <b>on fire</b> [#123]');
    expect(create.text).toContain('Hello <script>alert(1)</script>,');
    expect(create.text).toContain('case\n#123: "Printer <b>on fire</b>"');
    expect(create.html).toContain('Hello &#60;script&#62;alert(1)&#60;/script&#62;,');
    expect(create.html).not.toContain('<script');
    expect(create.unknown).toEqual([]);
    expect(create.missing).toEqual([]);

    const update = renderAck('update', { 'case.number': 9, 'case.subject': 'Re: Login', 'mailbox.name': 'ACME' });
    expect(update.subject).toBe('Re: Login [#9]');
    expect(update.text).toContain('Hello there,');
    expect(update.text).toContain('our team will get back to you');
  });

  it('makes HTML for a custom text template from the rendered text, escaped', () => {
    const r = renderAck('create', VALUES, { text: 'Dear {{customer.name}},\n\nthanks.\nBye {{bogus}}' });
    expect(r.text).toBe('Dear <script>alert(1)</script>,\n\nthanks.\nBye ');
    expect(r.html).toContain('<p>Dear &#60;script&#62;alert(1)&#60;/script&#62;,</p>');
    expect(r.html).toContain('<p>thanks.<br>\nBye </p>');
    expect(r.unknown).toEqual(['bogus']);
  });

  it('ackHeaders marks the mail automatic and survives composition', async () => {
    expect(ackHeaders()).toEqual({ 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' });
    const ack = renderAck('create', VALUES);
    const mail = composeMail({
      from: { email: 'support@acme.test', name: 'ACME Support' },
      to: [{ email: 'alice@example.com', name: String(VALUES['customer.name']) }],
      subject: ack.subject,
      text: ack.text,
      html: ack.html,
      extraHeaders: ackHeaders(),
    });
    const parsed = await parseBack(mail.raw);
    expect(header(parsed, 'auto-submitted')).toBe('auto-replied');
    expect(header(parsed, 'x-auto-response-suppress')).toBe('All');
    expect(parsed.subject).toBe('Re: Printer <b>on fire</b> [#123]');
    expect(parsed.html).toContain('&#60;script&#62;');
    expect(parsed.to?.[0]).toEqual({ name: '<script>alert(1)</script>', address: 'alice@example.com' });
  });
});

describe('the language of an acknowledgement', () => {
  it('reads Content-Language first, then Accept-Language by q-value; junk and q=0 are left out', () => {
    expect(languagePreferences([['content-language', 'de-DE']])).toEqual(['de-de']);
    expect(languagePreferences([['accept-language', 'en;q=0.5, fr-CH, de;q=0.8, *;q=0.1, it;q=0']])).toEqual(['fr-ch', 'de', 'en']);
    expect(
      languagePreferences([
        ['Accept-Language', 'fr'],
        ['Content-Language', 'de, en'],
      ]),
    ).toEqual(['de', 'en', 'fr']);
    expect(languagePreferences([['content-language', '<script>, 12, x-very-very-long-tag-!']])).toEqual([]);
    expect(languagePreferences([['subject', 'de']])).toEqual([]);
  });

  it('picks the first language the template has, by exact tag or primary subtag, else the fallback', () => {
    const have = ['en', 'de', 'fr'] as const;
    expect(pickLanguage(['de-ch', 'fr'], have, 'en')).toBe('de');
    expect(pickLanguage(['it', 'fr-fr'], have, 'en')).toBe('fr');
    expect(pickLanguage(['ja', 'es'], have, 'en')).toBe('en');
    expect(pickLanguage([], have, 'en')).toBe('en');
  });

  it('says when the office opens again in its own zone, with the date when the weekday alone would not do', () => {
    // Saturday 28 November 2026, 12:00 UTC; Berlin opens again on Monday 30 November at 09:00 (08:00 UTC).
    const now = Date.UTC(2026, 10, 28, 12);
    const monday = Date.UTC(2026, 10, 30, 8);
    expect(formatReopening(monday, now, 'Europe/Berlin', 'en')).toBe('Monday 09:00 (Europe/Berlin)');
    expect(formatReopening(monday, now, 'Europe/Berlin', 'de')).toBe('am Montag um 09:00 Uhr (Europe/Berlin)');
    expect(formatReopening(monday, now, 'Europe/Berlin', 'fr')).toBe('lundi à 09:00 (Europe/Berlin)');
    // In New York that Monday 09:00 is 14:00 UTC; seen from Saturday evening there.
    expect(formatReopening(Date.UTC(2026, 10, 30, 14), Date.UTC(2026, 10, 28, 23), 'America/New_York', 'en')).toBe('Monday 09:00 (America/New_York)');
    // Over the holidays: a week and more away, so the date says which Monday.
    const january = Date.UTC(2027, 0, 4, 8);
    const christmasEve = Date.UTC(2026, 11, 23, 17);
    expect(formatReopening(january, christmasEve, 'Europe/Berlin', 'en')).toBe('Monday 4 January 09:00 (Europe/Berlin)');
    expect(formatReopening(january, christmasEve, 'Europe/Berlin', 'de')).toBe('am Montag, 4. Januar, um 09:00 Uhr (Europe/Berlin)');
    expect(formatReopening(january, christmasEve, 'Europe/Berlin', 'fr')).toBe('lundi 4 janvier à 09:00 (Europe/Berlin)');
  });
});

describe('the off-hours acknowledgement', () => {
  async function offHoursAck(now: number, customerLanguages?: string[]) {
    const deps = await seeded({ acks: true });
    const mailbox = (await deps.db.select().from(mailboxes).where(eq(mailboxes.id, DEMO.mailboxId)).get())!;
    const calendar = await deps.db.select().from(calendars).where(eq(calendars.id, DEMO.calendarId)).get();
    const limits: AckLimits = { perCaseHour: 0, perDay: 0, calendar };
    const plan = await planAck(
      {
        mailbox,
        kind: 'create',
        kase: { id: 'case_1', number: 7, subject: 'Lamp arrived broken' },
        recipient: { email: 'maria@example.com', name: 'María' },
        causeInboundId: 'inb_1',
        customerMessageId: 'm1@example.com',
        threadIds: [],
        ...(customerLanguages ? { customerLanguages } : {}),
        secret: 'k'.repeat(32),
        now,
      },
      limits,
    );
    if ('skipped' in plan) throw new Error(plan.skipped);
    const mime = plan.writes.find((w) => w.table === 'outbox')!;
    return parseBack(String((mime as { values: { mime: string } }).values.mime));
  }

  it("says when the team is back: the calendar's next opening in its time zone", async () => {
    // Saturday noon in Berlin: the demo mailbox's office (Monday to Friday, 09:00–17:00) is closed.
    const parsed = await offHoursAck(Date.UTC(2026, 10, 28, 11));
    expect(parsed.text).toContain('Our team is away right now. We are back Monday 09:00 (Europe/Berlin) and will answer you then.');
    expect(parsed.html).toContain('We are back <strong>Monday 09:00 (Europe/Berlin)</strong>');
  });

  it("speaks the customer's language when the wording exists in it, English otherwise", async () => {
    const german = await offHoursAck(Date.UTC(2026, 10, 28, 11), ['de-at', 'en']);
    expect(german.text).toContain('Hallo María,');
    expect(german.text).toContain('Wir sind am Montag um 09:00 Uhr (Europe/Berlin) wieder da');
    const french = await offHoursAck(Date.UTC(2026, 10, 28, 11), ['fr-ch']);
    expect(french.text).toContain('Nous serons de retour lundi à 09:00 (Europe/Berlin)');
    const japanese = await offHoursAck(Date.UTC(2026, 10, 28, 11), ['ja']);
    expect(japanese.text).toContain('We are back Monday 09:00 (Europe/Berlin)');
  });

  it('during office hours uses the ordinary wording', async () => {
    // Monday 30 November 2026, 10:00 in Berlin.
    const parsed = await offHoursAck(Date.UTC(2026, 10, 30, 9), ['de']);
    expect(parsed.text).toContain('Expected first response');
    expect(parsed.text).not.toContain('away');
  });
});
