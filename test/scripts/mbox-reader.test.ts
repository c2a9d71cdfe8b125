// The streaming mbox reader behind `npm run import`: where messages start and end, what is body
// text, mboxrd unescaping, resuming at a saved offset, and bounded memory for huge messages and lines.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { envelopeSender, isSeparatorLine, readMbox } from '../../scripts/lib/mbox-reader.mjs';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'edgecase-mbox-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
async function file(content: string | Buffer): Promise<string> {
  const p = path.join(dir, `f${n++}.mbox`);
  await writeFile(p, content);
  return p;
}

type Msg = { index: number; offset: number; end: number; envelopeFrom: string | null; raw: Buffer | null; size: number; oversize: boolean };
async function all(p: string, opts: Record<string, unknown> = {}): Promise<Msg[]> {
  const out: Msg[] = [];
  for await (const m of readMbox(p, opts)) out.push(m as Msg);
  return out;
}
const texts = (ms: Msg[]) => ms.map((m) => m.raw?.toString('latin1'));

const ARCHIVE = [
  'From alice@example.com Mon Nov 23 08:12:00 2026',
  'From: Alice <alice@example.com>',
  'Subject: one',
  '',
  'Hello',
  '',
  'From the desk of Alice: this is body text.',
  '',
  'From here on Mon Nov 23 08:12:00 2026 it looks like a separator, but no header follows.',
  '>From escaped once',
  '>>From escaped twice',
  '',
  'From bob@example.com Mon Nov 23 09:12:00 2026',
  'From: Bob <bob@example.com>',
  'Subject: two',
  '',
  'Body two',
  '',
  'From - Mon Nov 23 10:00:00 2026',
  'X-Mozilla-Status: 0001',
  'From: Carol <carol@example.com>',
  'Subject: three',
  '',
  'three',
  '',
  '',
].join('\n');

describe('separators', () => {
  test('splits only at From_ lines after an empty line, with a date, followed by a header', async () => {
    const ms = await all(await file(ARCHIVE));
    expect(ms).toHaveLength(3);
    expect(texts(ms)[0]).toBe(
      'From: Alice <alice@example.com>\nSubject: one\n\nHello\n\nFrom the desk of Alice: this is body text.\n\nFrom here on Mon Nov 23 08:12:00 2026 it looks like a separator, but no header follows.\nFrom escaped once\n>From escaped twice\n',
    );
    expect(texts(ms)[1]).toBe('From: Bob <bob@example.com>\nSubject: two\n\nBody two\n');
    expect(texts(ms)[2]).toBe('X-Mozilla-Status: 0001\nFrom: Carol <carol@example.com>\nSubject: three\n\nthree\n');
    expect(ms.map((m) => m.envelopeFrom)).toEqual(['alice@example.com', 'bob@example.com', null]);
  });

  test('offsets chain: each message ends where the next separator starts, the last at the end of the file', async () => {
    const p = await file(ARCHIVE);
    const ms = await all(p);
    expect(ms[0]!.offset).toBe(0);
    expect(ms[1]!.offset).toBe(ARCHIVE.indexOf('From bob@'));
    expect(ms[2]!.offset).toBe(ARCHIVE.indexOf('From - '));
    expect(ms.map((m) => m.end)).toEqual([ms[1]!.offset, ms[2]!.offset, Buffer.byteLength(ARCHIVE)]);
  });

  test('resuming at a saved offset reads the rest, and counting keeps no message', async () => {
    const p = await file(ARCHIVE);
    const first = await all(p);
    const rest = await all(p, { start: first[0]!.end });
    expect(texts(rest)).toEqual(texts(first).slice(1));
    const counted = await all(p, { collect: false });
    expect(counted.map((m) => [m.offset, m.end, m.size])).toEqual(first.map((m) => [m.offset, m.end, m.size]));
    expect(counted.every((m) => m.raw === null)).toBe(true);
  });

  test('CRLF archives keep their line endings', async () => {
    const crlf = ARCHIVE.replace(/\n/g, '\r\n');
    const ms = await all(await file(crlf));
    expect(ms).toHaveLength(3);
    expect(texts(ms)[1]).toBe('From: Bob <bob@example.com>\r\nSubject: two\r\n\r\nBody two\r\n');
  });

  test('a From line not after an empty line is body text', async () => {
    const ms = await all(await file('From a@example.com Mon Nov 23 08:12:00 2026\nSubject: x\n\nline\nFrom b@example.com Mon Nov 23 08:12:00 2026\nSubject: y\n'));
    expect(ms).toHaveLength(1);
  });

  test('the same whatever the read size', async () => {
    const p = await file(ARCHIVE);
    const expected = texts(await all(p));
    for (const readSize of [1, 2, 3, 7, 16, 64]) expect(texts(await all(p, { readSize }))).toEqual(expected);
  });

  test('a file that does not start with a separator is one message, untouched', async () => {
    const eml = 'From: Alice <alice@example.com>\nSubject: hi\n\nbody\n\nFrom a@example.com Mon Nov 23 08:12:00 2026\nSubject: quoted\n\n>From x\n';
    expect(texts(await all(await file(eml)))).toEqual([eml]);
  });

  test('separator lines', () => {
    expect(isSeparatorLine(Buffer.from('From MAILER-DAEMON Fri Jul  8 12:08:34 2011\n'))).toBe(true);
    expect(isSeparatorLine(Buffer.from('From 1786234324829341234@xxx Wed Jan 10 10:00:00 +0000 2024\n'))).toBe(true);
    expect(isSeparatorLine(Buffer.from('From -\n'))).toBe(true);
    expect(isSeparatorLine(Buffer.from('From Russia with love\n'))).toBe(false);
    expect(isSeparatorLine(Buffer.from('From me at 10:30 today\n'))).toBe(false);
    expect(isSeparatorLine(Buffer.from('From: alice@example.com\n'))).toBe(false);
    expect(envelopeSender(Buffer.from('From <jo@example.com> Mon Nov 23 08:12:00 2026\n'))).toBe('jo@example.com');
    expect(envelopeSender(Buffer.from('From MAILER-DAEMON Fri Jul  8 12:08:34 2011\n'))).toBeNull();
    expect(envelopeSender(Buffer.from('From 1786234324829341234@xxx Wed Jan 10 10:00:00 +0000 2024\n'))).toBeNull();
  });
});

describe('separators without a date', () => {
  const UNDATED = [
    'From sender',
    'From: Alice <alice@example.com>',
    'Subject: one',
    '',
    'First.',
    '>From the escaped body line.',
    '',
    'From bob@example.com',
    'From: Bob <bob@example.com>',
    'Subject: two',
    '',
    'This is my favourite film:',
    '',
    'From Russia with love',
    'Year: 1963',
    '',
    'From 1844347839636459560@xxx',
    'From: Carol <carol@example.com>',
    'Subject: three',
    '',
    'Three.',
    'From - ',
    'From: Dan <dan@example.com>',
    'Subject: four',
    '',
    'Four.',
    '',
  ].join('\n');

  test("splits at `From <sender>` alone, `From <address>` and `From <n>@xxx`, and at Thunderbird's `From -` after any line", async () => {
    const ms = await all(await file(UNDATED));
    expect(ms.map((m) => /Subject: (\w+)/.exec(m.raw!.toString('latin1'))?.[1])).toEqual(['one', 'two', 'three', 'four']);
    expect(texts(ms)[0]).toBe('From: Alice <alice@example.com>\nSubject: one\n\nFirst.\nFrom the escaped body line.\n');
    // "From Russia with love" is a body line even after an empty line and before a header-like line.
    expect(texts(ms)[1]).toContain('\n\nFrom Russia with love\nYear: 1963\n');
    expect(ms.map((m) => m.envelopeFrom)).toEqual([null, 'bob@example.com', null, null]);
  });

  test('counting finds as many messages as reading does', async () => {
    const p = await file(UNDATED);
    let counted = 0;
    for await (const _ of readMbox(p, { collect: false })) counted++;
    expect(counted).toBe(4);
  });

  test('a byte order mark before the first separator is skipped', async () => {
    const ms = await all(await file(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(UNDATED)])));
    expect(ms).toHaveLength(4);
    expect(texts(ms)[0]!.startsWith('From: Alice')).toBe(true);
  });

  test('undated separator lines', () => {
    expect(isSeparatorLine(Buffer.from('From sender\n'))).toBe(true);
    expect(isSeparatorLine(Buffer.from('From alice@example.com\r\n'))).toBe(true);
    expect(isSeparatorLine(Buffer.from('From alice@example.com Sat\n'))).toBe(true);
    expect(isSeparatorLine(Buffer.from('From Russia with love\n'))).toBe(false);
    expect(isSeparatorLine(Buffer.from('From \n'))).toBe(false);
  });
});

describe('bounded memory', () => {
  test('a message over the limit is measured, not kept; the next one is read as usual', async () => {
    const big = `${'x'.repeat(999)}\n`;
    const content = `From a@example.com Mon Nov 23 08:12:00 2026\nSubject: big\n\n${big.repeat(50)}\nFrom b@example.com Mon Nov 23 08:12:00 2026\nSubject: small\n\nok\n`;
    const ms = await all(await file(content), { maxBytes: 10_000 });
    expect(ms).toHaveLength(2);
    expect(ms[0]!.oversize).toBe(true);
    expect(ms[0]!.raw).toBeNull();
    expect(ms[0]!.size).toBeGreaterThan(50_000);
    expect(ms[1]!.raw!.toString()).toBe('Subject: small\n\nok\n');
  });

  test('a line longer than maxLine is passed on in pieces and comes out whole', async () => {
    const long = 'y'.repeat(5000);
    const content = `From a@example.com Mon Nov 23 08:12:00 2026\nSubject: long\n\n${long}\n\nFrom b@example.com Mon Nov 23 08:12:00 2026\nSubject: next\n\n${long}`;
    const ms = await all(await file(content), { readSize: 100, maxLine: 256 });
    expect(texts(ms)).toEqual([`Subject: long\n\n${long}\n`, `Subject: next\n\n${long}`]);
  });

  test('whitespace at the end of an archive is not a message', async () => {
    const ms = await all(await file(`${ARCHIVE}\n\n  \n`));
    expect(ms).toHaveLength(3);
  });
});
