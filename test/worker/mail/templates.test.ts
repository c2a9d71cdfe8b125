import { describe, expect, it } from 'vitest';
import { composeMail } from '../../../worker/mail/compose.ts';
import { DEFAULT_ACK_TEMPLATES, TEMPLATE_PLACEHOLDERS, ackHeaders, renderAck, renderTemplate, validateTemplate, type TemplateValues } from '../../../worker/mail/templates.ts';
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
    for (const t of Object.values(DEFAULT_ACK_TEMPLATES)) {
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
