import { describe, expect, it } from 'vitest';
import {
  MailComposeError,
  checkExtraHeaders,
  encodeWords,
  formatAddress,
  formatUnstructured,
  normalizeMessageId,
  referencesHeaderBytes,
  safeHeaderValue,
  trimReferences,
  validateAddress,
} from '../../../worker/mail/headers.ts';

describe('safeHeaderValue', () => {
  it('turns every kind of line break into one space and drops other controls', () => {
    expect(safeHeaderValue('Hello\r\nBcc: x@y.test')).toBe('Hello Bcc: x@y.test');
    expect(safeHeaderValue('a\rb\nc\u2028d\u2029e\u0085f')).toBe('a b c d e f');
    expect(safeHeaderValue('nul\u0000 bell\u0007 del\u007f tab\tend')).toBe('nul bell del tab end');
    expect(safeHeaderValue('  padded \r\n')).toBe('padded');
  });

  it('drops bidi overrides that disguise names', () => {
    expect(safeHeaderValue('Invoice\u202efdp.exe')).toBe('Invoicefdp.exe');
  });

  it('caps length without splitting a surrogate pair', () => {
    expect(safeHeaderValue('😀😀😀', 2)).toBe('😀😀');
  });
});

describe('validateAddress', () => {
  it('accepts a normal address and lower-cases only the domain', () => {
    expect(validateAddress('Bob.Smith+tag@Example.COM')).toEqual({ ok: true, address: 'Bob.Smith+tag@example.com', local: 'Bob.Smith+tag', domain: 'example.com' });
  });

  it('converts an internationalised domain to A-labels', () => {
    const check = validateAddress('info@bücher.de');
    expect(check).toMatchObject({ ok: true, domain: 'xn--bcher-kva.de', address: 'info@xn--bcher-kva.de' });
  });

  const refused: Array<[string, string]> = [
    ['', 'empty'],
    ['bob@example.com\r\nBcc: evil@example.net', 'control-char'],
    ['bob@example.com\nX-Injected: 1', 'control-char'],
    ['bob smith@example.com', 'whitespace'],
    ['bob.example.com', 'at-sign'],
    ['bob@@example.com', 'at-sign'],
    ['a@b@example.com', 'at-sign'],
    ['@example.com', 'local-empty'],
    ['bob@', 'domain-empty'],
    ['.bob@example.com', 'local-invalid'],
    ['bob..smith@example.com', 'local-invalid'],
    ['"bob smith"@example.com', 'whitespace'],
    ['bob<x>@example.com', 'local-invalid'],
    ['jürgen@example.de', 'local-invalid'],
    [`${'a'.repeat(65)}@example.com`, 'local-too-long'],
    ['bob@localhost', 'domain-no-dot'],
    ['bob@[192.0.2.1]', 'domain-literal'],
    ['bob@192.0.2.1', 'domain-invalid'],
    ['bob@-example.com', 'domain-invalid'],
    ['bob@exa_mple.com', 'domain-invalid'],
    ['bob@example.com.', 'domain-invalid'],
    ['bob@example..com', 'domain-invalid'],
    [`bob@${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(60)}.com`, 'domain-invalid'],
    [`bob@${'a'.repeat(64)}.com`, 'domain-invalid'],
    [`${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(60)}.com`, 'too-long'],
  ];
  it.each(refused)('refuses %j (%s) with a readable message', (addr, problem) => {
    const check = validateAddress(addr);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.problem).toBe(problem);
    expect(check.message.length).toBeGreaterThan(10);
    expect(check.message).not.toMatch(/[\r\n]/);
  });

  it('formatAddress throws a MailComposeError naming the field', () => {
    let error: unknown;
    try {
      formatAddress({ email: 'bob@localhost', name: 'Bob' }, 'to[0]');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MailComposeError);
    expect(error).toMatchObject({ code: 'address-invalid', field: 'to[0]' });
    expect((error as Error).message).toContain('to[0]');
    expect((error as Error).message).toContain('bob@localhost');
  });
});

describe('formatAddress', () => {
  it('leaves plain words alone', () => {
    expect(formatAddress({ name: 'John Smith', email: 'john@example.com' })).toBe('John Smith <john@example.com>');
  });

  it('quotes specials and escapes quotes and backslashes', () => {
    expect(formatAddress({ name: 'Smith, John', email: 'john@example.com' })).toBe('"Smith, John" <john@example.com>');
    expect(formatAddress({ name: 'J. "Jay" O\\Neil', email: 'j@example.com' })).toBe('"J. \\"Jay\\" O\\\\Neil" <j@example.com>');
    expect(formatAddress({ name: 'evil <x@y.test>', email: 'j@example.com' })).toBe('"evil <x@y.test>" <j@example.com>');
  });

  it('encodes non-ASCII names, and names that look like encoded words', () => {
    expect(formatAddress({ name: 'Jürgen', email: 'j@example.de' })).toBe('=?UTF-8?B?SsO8cmdlbg==?= <j@example.de>');
    expect(formatAddress({ name: '=?UTF-8?B?QmNj?=', email: 'j@example.de' })).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?= <j@example\.de>$/);
  });

  it('writes the bare address without a name', () => {
    expect(formatAddress({ email: 'j@Example.DE' })).toBe('j@example.de');
    expect(formatAddress({ email: 'j@example.de', name: ' \r\n ' })).toBe('j@example.de');
  });
});

describe('encoded words and folding', () => {
  it('keeps each encoded word within 75 characters and whole characters in each', () => {
    const text = '請求書'.repeat(40);
    const encoded = encodeWords(text, 9);
    for (const word of encoded.split('\r\n ')) {
      expect(word.length).toBeLessThanOrEqual(75);
      const b64 = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=$/.exec(word)![1]!;
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      expect(() => new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes)).not.toThrow();
    }
  });

  it('folds a long ASCII subject at its own spaces, losslessly', () => {
    const subject = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
    const folded = formatUnstructured(subject, 'Subject');
    expect(folded).toContain('\r\n ');
    expect(folded.replace(/\r\n/g, '')).toBe(subject);
    for (const [i, line] of folded.split('\r\n').entries()) expect(line.length + (i === 0 ? 9 : 0)).toBeLessThanOrEqual(78);
  });

  it('never leaves a continuation line of only spaces', () => {
    const folded = formatUnstructured(`${'x'.repeat(60)}     ${'y'.repeat(30)}`, 'Subject');
    for (const line of folded.split('\r\n').slice(1)) expect(line).toMatch(/^ +\S/);
  });
});

describe('Message-IDs and References', () => {
  it('normalizes and refuses ids', () => {
    expect(normalizeMessageId('<abc@example.com>')).toBe('abc@example.com');
    expect(normalizeMessageId(' abc@example.com ')).toBe('abc@example.com');
    expect(normalizeMessageId('abc@example.com>\r\nBcc: x@y.test')).toBeNull();
    expect(normalizeMessageId('no-at-sign')).toBeNull();
    expect(normalizeMessageId('a b@example.com')).toBeNull();
    expect(normalizeMessageId(`${'a'.repeat(400)}@x`)).toBeNull();
  });

  it('returns short lists unchanged but deduplicated and cleaned', () => {
    expect(trimReferences(['<a@x>', 'b@x', 'a@x', 'bad id', 'c@x'], [])).toEqual(['a@x', 'b@x', 'c@x']);
  });

  it('drops middle ids, oldest first, keeping root, must-keeps and the latest', () => {
    const ids = Array.from({ length: 200 }, (_, i) => `${String(i).padStart(3, '0')}.${'x'.repeat(100)}@mail.example.com`);
    const marker = ids[5]!;
    const trimmed = trimReferences(ids, [marker], 2048);
    expect(referencesHeaderBytes(trimmed)).toBeLessThanOrEqual(2048);
    expect(trimmed[0]).toBe(ids[0]);
    expect(trimmed).toContain(marker);
    expect(trimmed.at(-1)).toBe(ids[199]);
    // The survivors after root and marker are a contiguous run of the most recent ids.
    const tail = trimmed.slice(2);
    expect(tail).toEqual(ids.slice(200 - tail.length));
    expect(tail.length).toBeGreaterThan(5);
    // Greedy: one more id would not have fit.
    expect(referencesHeaderBytes([...trimmed, ids[150]!])).toBeGreaterThan(2048);
  });

  it('returns must-keep ids even when they alone are too long', () => {
    const ids = ['root@x', `${'a'.repeat(300)}@x`, `${'b'.repeat(300)}@x`];
    expect(trimReferences(ids, ids, 100)).toEqual(ids);
  });
});

describe('extra headers', () => {
  it('accepts the allow-list in any case and writes canonical names', () => {
    expect(checkExtraHeaders({ 'auto-submitted': 'auto-replied', PRECEDENCE: 'bulk' })).toEqual([
      ['Auto-Submitted', 'auto-replied'],
      ['Precedence', 'bulk'],
    ]);
  });

  it('refuses other names, duplicates and unsafe values', () => {
    expect(() => checkExtraHeaders({ Bcc: 'evil@example.net' })).toThrow(/Bcc.*may not be set/);
    expect(() => checkExtraHeaders({ 'X-Injected': 'yes' })).toThrow(MailComposeError);
    expect(() => checkExtraHeaders({ 'Auto-Submitted': 'auto-replied', 'auto-submitted': 'no' })).toThrow(/twice/);
    expect(() => checkExtraHeaders({ 'Auto-Submitted': 'auto-replied\r\nBcc: evil@example.net' })).toThrow(/printable ASCII on one line/);
    expect(() => checkExtraHeaders({ 'List-Id': 'Grüße <x.example.com>' })).toThrow(MailComposeError);
  });
});
