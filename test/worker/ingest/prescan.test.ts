import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_MESSAGE_BYTES, PARSE_LIMITS } from '../../../worker/ingest/limits.ts';
import { headerValue, parseHeaderBlock, prescan, stripMboxFromLine } from '../../../worker/ingest/prescan.ts';
import { fixture, fixtures, fixtureText } from '../../fixtures/index.ts';
import { hugeHeaders, manySiblingParts, oversize } from '../../fixtures/generate.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

describe('prescan: the header block', () => {
  it('ends the header block at the first CRLF CRLF', () => {
    const text = fixtureText('plain');
    const pre = prescan(fixture('plain'));
    const blank = text.indexOf('\r\n\r\n');
    expect(blank).toBeGreaterThan(0);
    expect(pre.bodyOffset).toBe(blank + 4);
    expect(pre.headerBytes).toBe(blank + 4);
    expect(dec.decode(fixture('plain').subarray(pre.bodyOffset))).toMatch(/^Hello,\r\n\r\nMy order 4471/);
  });

  it('ends the header block at the first LF LF in LF-only mail', () => {
    const text = fixtureText('plain').replace(/\r\n/g, '\n');
    const pre = prescan(enc.encode(text));
    expect(pre.bodyOffset).toBe(text.indexOf('\n\n') + 2);
    expect(text.slice(pre.bodyOffset)).toMatch(/^Hello,\n\nMy order 4471/);
    expect(headerValue(pre.headers, 'message-id')).toBe('<first-plain@example.com>');
  });

  it('accepts a CRLF header block closed by a bare LF', () => {
    const raw = enc.encode('From: a@example.com\r\nSubject: mixed\r\n\nbody\r\n');
    const pre = prescan(raw);
    expect(dec.decode(raw.subarray(pre.bodyOffset))).toBe('body\r\n');
    expect(pre.headers).toEqual([
      ['from', 'a@example.com'],
      ['subject', 'mixed'],
    ]);
  });

  it('puts the body offset at the end when there is no blank line', () => {
    const raw = enc.encode('From: a@example.com\r\nSubject: headers only\r\n');
    expect(prescan(raw).bodyOffset).toBe(raw.length);
  });

  it('unfolds headers, lower-cases names, keeps repeats in order and leaves values undecoded', () => {
    const pre = prescan(fixture('encoded-subject'));
    const received = pre.headers.filter(([k]) => k === 'received');
    expect(received).toHaveLength(1);
    expect(received[0]![1]).toBe('from mx.example.org (mx.example.org [198.51.100.77]) by mx.acme.test with ESMTPS id 9Kd1Sv for <support@acme.test>; Fri, 06 Jun 2025 10:05:44 +0000');
    expect(headerValue(pre.headers, 'subject')).toBe('=?UTF-8?B?UsO8Y2tlcnN0YXR0dW5n?= =?ISO-8859-1?Q?_f=FCr_Bestellung?= 5123');
    expect(pre.headers.map(([k]) => k)).toContain('mime-version');
    // Nothing of the body leaks into the header list.
    expect(pre.headers.some(([k]) => k.includes('guten'))).toBe(false);
  });

  it('skips malformed header lines instead of failing', () => {
    expect(parseHeaderBlock('no colon here\r\n: empty name\r\nX-Ok: yes\r\n\r\nBody: not a header')).toEqual([['x-ok', 'yes']]);
  });
});

describe('prescan: mbox From_ line', () => {
  it('strips a leading "From " line', () => {
    const raw = fixture('plain');
    const withFrom = enc.encode(`From alice@example.com Tue Jun  3 09:14:22 2025\r\n${fixtureText('plain')}`);
    const stripped = stripMboxFromLine(withFrom);
    expect(stripped).toEqual(raw);
    expect(headerValue(prescan(stripped).headers, 'from')).toBe('Alice Example <alice@example.com>');
  });

  it('strips an LF-terminated From_ line too', () => {
    const stripped = stripMboxFromLine(enc.encode('From MAILER-DAEMON Mon Jun 16 10:00:00 2025\nSubject: x\n\nbody\n'));
    expect(dec.decode(stripped)).toBe('Subject: x\n\nbody\n');
  });

  it('leaves a "From:" header alone', () => {
    const raw = fixture('html-only');
    expect(dec.decode(raw).startsWith('Return-Path:')).toBe(true);
    const fromFirst = enc.encode('From: Carol Example <carol@example.org>\r\nSubject: hi\r\n\r\nbody\r\n');
    expect(stripMboxFromLine(fromFirst)).toBe(fromFirst);
    expect(stripMboxFromLine(raw)).toBe(raw);
  });
});

describe('prescan: refusals', () => {
  it('accepts every committed fixture', () => {
    for (const [name, raw] of Object.entries(fixtures)) {
      expect({ name, refuse: prescan(raw).refuse }).toEqual({ name, refuse: null });
    }
    expect(Object.keys(fixtures).length).toBeGreaterThanOrEqual(16);
  });

  it("refuses 5000 sibling parts as 'too-many-parts'", () => {
    const pre = prescan(manySiblingParts(5000));
    expect(pre.refuse).toBe('too-many-parts');
    expect(pre.partLines).toBeGreaterThanOrEqual(5000);
  });

  it('lets a modest multipart through', () => {
    const pre = prescan(manySiblingParts(50));
    expect(pre.refuse).toBeNull();
    expect(pre.partLines).toBe(51); // 50 delimiters and the closing one
  });

  it('counts boundary lines in the real multipart fixtures', () => {
    // alternative.eml: two delimiters and the closing delimiter.
    expect(prescan(fixture('alternative')).partLines).toBe(3);
    // PARSE_LIMITS is `as const`, so prescan's parameter type only admits the default values.
    const tight = { ...PARSE_LIMITS, maxParts: 2 };
    expect(prescan(fixture('alternative'), tight).refuse).toBe('too-many-parts');
  });

  it("refuses a 3 MiB header block as 'headers-too-large'", () => {
    const raw = hugeHeaders();
    expect(raw.length).toBeGreaterThanOrEqual(3 * 1024 * 1024);
    const pre = prescan(raw);
    expect(pre.refuse).toBe('headers-too-large');
    expect(pre.headerBytes).toBeGreaterThan(PARSE_LIMITS.maxTopHeaderBytes);
  });

  it('accepts a header block just under the limit', () => {
    const raw = hugeHeaders(200 * 1024);
    expect(prescan(raw).refuse).toBeNull();
  });

  it('does not judge total size (that is for the receiver): an oversize body is not refused', () => {
    const raw = oversize(DEFAULT_MAX_MESSAGE_BYTES + 1);
    expect(raw.length).toBe(DEFAULT_MAX_MESSAGE_BYTES + 1);
    const pre = prescan(raw);
    expect(pre.refuse).toBeNull();
    expect(pre.bodyOffset).toBeLessThan(1024);
  });
});
