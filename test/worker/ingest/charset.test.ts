import { describe, expect, it } from 'vitest';
import { charsetLabel, chooseCharset, decodeIfFits } from '../../../worker/ingest/charset.ts';
import { recodeMail } from '../../../worker/ingest/recode.ts';
import { encodeAs, gbkRawHeaders, mail, sjisLabelledIso2022jp } from '../../fixtures/eight-bit.ts';
import { fixture, fixtures } from '../../fixtures/index.ts';

const dec = (b: Uint8Array) => new TextDecoder().decode(b);

describe('charset: names as mail writes them', () => {
  it('maps labels and code page names to the decoders the runtime has', () => {
    expect(charsetLabel('GB2312')).toBe('gbk');
    expect(charsetLabel('"ISO-8859-1"')).toBe('windows-1252');
    expect(charsetLabel('cp932')).toBe('shift_jis');
    expect(charsetLabel('x-sjis')).toBe('shift_jis');
    expect(charsetLabel('ks_c_5601-1987')).toBe('euc-kr');
    expect(charsetLabel('iso-2022-jp-2')).toBe('iso-2022-jp');
    expect(charsetLabel('koi8-r')).toBe('koi8-r');
  });

  it('has no decoder for unknown labels or for the replacement encoding', () => {
    expect(charsetLabel('x-unknown')).toBeNull();
    expect(charsetLabel('iso-2022-kr')).toBeNull();
    expect(charsetLabel('')).toBeNull();
  });
});

describe('charset: choosing a decoder', () => {
  const gbk = encodeAs('gbk', '关于发票的问题');

  it('needs no decision for ASCII and takes strict UTF-8 first, even over a declared charset', () => {
    expect(chooseCharset(new TextEncoder().encode('plain'))).toBeNull();
    expect(chooseCharset(new TextEncoder().encode('Grüße'), { declared: ['iso-8859-1'] })).toBe('utf-8');
  });

  it('takes the declared charset when UTF-8 does not fit, and passes over US-ASCII and UTF-8 labels', () => {
    expect(chooseCharset(gbk, { declared: ['us-ascii', 'utf-8', 'gb2312'] })).toBe('gbk');
  });

  it("tries a declared charset's relatives when it does not fit: Shift_JIS labelled ISO-2022-JP", () => {
    expect(chooseCharset(encodeAs('shift_jis', '請求書の再送について'), { declared: ['iso-2022-jp'] })).toBe('shift_jis');
    expect(chooseCharset(encodeAs('euc-jp', '請求書の再送について'), { declared: ['iso-2022-jp'] })).toBe('euc-jp');
  });

  it('asks the detector, over the sample when one is given', () => {
    const longer = encodeAs('gbk', '关于发票的问题 张伟 发票 您好，我上周的订单的发票金额不对，请帮我重新开一张。');
    // The detector names GB18030, the superset; TextDecoder reads GBK text with it alike.
    expect(chooseCharset(gbk, { sample: longer })).toMatch(/^gb(k|18030)$/);
    expect(chooseCharset(encodeAs('windows-1252', 'Facture détaillée, François Lefèvre'))).toBe('windows-1252');
  });

  it('does not take a one-byte charset that turns bytes into C1 controls', () => {
    expect(decodeIfFits(new Uint8Array([0x41, 0x81, 0x42]), 'windows-1252')).toBeNull();
    expect(decodeIfFits(new Uint8Array([0x41, 0x80, 0x42]), 'windows-1252')).toBe('A€B');
  });
});

describe('recode: the copy the parser reads', () => {
  it('hands back the very same bytes for every committed fixture but none of them changes', () => {
    for (const raw of Object.values(fixtures)) expect(recodeMail(raw)).toBe(raw);
  });

  it('rewrites header lines only, never the raw input, and keeps body bytes', () => {
    const raw = gbkRawHeaders({ declared: false });
    const before = raw.slice();
    const out = recodeMail(raw);
    expect(raw).toEqual(before);
    expect(out).not.toBe(raw);
    const text = dec(out);
    expect(text).toContain('Subject: 关于发票的问题\r\n');
    expect(text).toContain('filename="发票.pdf"');
    // The body kept its GB2312 bytes; its part now says so.
    expect(text).toMatch(/^Content-Type: text\/plain; charset="gb(k|18030)"\r$/m);
  });

  it('relabels encoded words and the body part, leaving the words otherwise as they were', () => {
    const text = dec(recodeMail(sjisLabelledIso2022jp()));
    expect(text).toMatch(/^Subject: =\?shift_jis\?B\?[A-Za-z0-9+/=]+\?=\r$/m);
    expect(text).toContain('Content-Type: text/plain; charset="shift_jis"');
  });

  it('joins adjacent encoded words of one charset before judging them (a character split between two)', () => {
    const bytes = new TextEncoder().encode('Grüße');
    const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
    const raw = mail(`From: a@example.com\nSubject: =?utf-8?B?${b64(bytes.subarray(0, 3))}?= =?utf-8?B?${b64(bytes.subarray(3))}?=\n\nbody\n`);
    expect(recodeMail(raw)).toBe(raw);
  });

  it('leaves a message it cannot read as it came', () => {
    const raw = fixture('plain');
    expect(recodeMail(raw.subarray(0, 10))).toEqual(raw.subarray(0, 10));
  });
});
