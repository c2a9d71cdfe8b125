import { describe, expect, it } from 'vitest';
import { splitMbox, unescapeFromLines } from '../../../worker/ingest/mbox.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

describe('mbox: splitting an archive', () => {
  const archive = [
    'From alice@example.com Mon Jan  5 09:00:00 2026',
    'From: Alice <alice@example.com>',
    'Subject: One',
    '',
    'First body.',
    '>From the start of a line, escaped by the writer.',
    '>>From twice escaped.',
    'From Russia with love (an unescaped body line, no date: not a separator)',
    '',
    'From bob@example.com Mon Jan  5 10:00:00 2026',
    'From: Bob <bob@example.com>',
    'Subject: Two',
    '',
    'Second body. >From in the middle of a line stays.',
    '',
  ].join('\n');

  it('finds each message by its dated separator followed by a header, and drops the separators', () => {
    const parts = splitMbox(enc(archive)).map(dec);
    expect(parts).toHaveLength(2);
    expect(parts[0]).toMatch(/^From: Alice/);
    expect(parts[0]).toContain('From Russia with love');
    expect(parts[1]).toMatch(/^From: Bob/);
  });

  it('undoes the mboxrd escape: a line starting >From loses one >, nothing else changes', () => {
    const [first, second] = splitMbox(enc(archive)).map(dec);
    expect(first).toContain('\nFrom the start of a line, escaped by the writer.\n');
    expect(first).toContain('\n>From twice escaped.\n');
    expect(second).toContain('Second body. >From in the middle of a line stays.');
  });

  it('leaves a message without escaped lines as the same bytes', () => {
    const bytes = enc('From: a@example.com\r\n\r\n> quoted reply\r\n>> From: not at the start\r\n');
    expect(unescapeFromLines(bytes)).toBe(bytes);
    expect(dec(unescapeFromLines(enc('a\r\n>From b\r\n>From c')))).toBe('a\r\nFrom b\r\nFrom c');
  });
});

describe('mbox: separators without a date', () => {
  const archive = [
    'From sender',
    'From: Alice <alice@example.com>',
    'Subject: One',
    '',
    '>From the escaped line.',
    '',
    'From bob@example.com',
    'From: Bob <bob@example.com>',
    'Subject: Two',
    '',
    'This is my favourite film:',
    '',
    'From Russia with love',
    'Year: 1963',
    '',
    'From 1844347839636459560@xxx',
    'From: Carol <carol@example.com>',
    'Subject: Three',
    '',
    'Three.',
    'From - ',
    'From: Dan <dan@example.com>',
    'Subject: Four',
    '',
    'Four.',
    '',
  ].join('\n');

  it('finds every message, as many as there are separators, and unescapes >From', () => {
    const parts = splitMbox(enc(archive)).map(dec);
    expect(parts.map((p) => /Subject: (\w+)/.exec(p)?.[1])).toEqual(['One', 'Two', 'Three', 'Four']);
    expect(parts[0]).toBe('From: Alice <alice@example.com>\nSubject: One\n\nFrom the escaped line.\n\n');
    expect(parts[1]).toContain('\n\nFrom Russia with love\nYear: 1963\n');
  });

  it('skips a byte order mark before the first separator', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...enc(archive)]);
    expect(splitMbox(bytes)).toHaveLength(4);
    expect(dec(splitMbox(bytes)[0]!)).toMatch(/^From: Alice/);
  });
});
