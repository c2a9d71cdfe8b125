import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatQuery, MAX_QUERY_LENGTH, parseQuery, type Query } from '../../../worker/search/query.ts';

function ok(input: string): Query {
  const p = parseQuery(input);
  if (!p.ok) throw new Error(`did not parse: ${JSON.stringify(p.problems)}`);
  return p.query;
}

describe('the query language', () => {
  it('reads words, phrases, negations and filters', () => {
    expect(ok('refund "credit  card" -spam from:ana@example.com -tag:vip status:OPEN')).toEqual({
      terms: [
        { text: 'refund', phrase: false, negated: false },
        { text: 'credit card', phrase: true, negated: false },
        { text: 'spam', phrase: false, negated: true },
      ],
      filters: [
        { key: 'from', value: 'ana@example.com', negated: false },
        { key: 'tag', value: 'vip', negated: true },
        { key: 'status', value: 'open', negated: false },
      ],
    });
  });

  it('takes a quoted filter value whole, and an unclosed quote to the end', () => {
    expect(ok('assignee:"Ana Lima" tag:billing').filters).toEqual([
      { key: 'assignee', value: 'Ana Lima', negated: false },
      { key: 'tag', value: 'billing', negated: false },
    ]);
    expect(ok('"late parcel again').terms).toEqual([{ text: 'late parcel again', phrase: true, negated: false }]);
  });

  it('keeps an unknown key: as a word, and a lone dash as a word', () => {
    expect(ok('re: invoice - x').terms.map((t) => t.text)).toEqual(['re:', 'invoice', '-', 'x']);
  });

  it('reads dates as days or days back, and refuses impossible ones', () => {
    expect(ok('before:2026-12-01 after:2w after:today').filters.map((f) => f.value)).toEqual([{ day: '2026-12-01' }, { daysAgo: 14 }, { daysAgo: 0 }]);
    const bad = parseQuery('before:2026-02-30');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems[0]!.message).toMatch(/^before: takes a day/);
  });

  it('says what a filter accepts when its value means nothing', () => {
    const p = parseQuery('status:bogus has:pets kind:spam tag:');
    expect(p.ok).toBe(false);
    if (!p.ok)
      expect(p.problems.map((x) => x.message)).toEqual([
        'status: takes new, open, pending, resolved, closed, active',
        'has: takes attachment, note',
        'kind: takes human, auto-reply, bounce, list, loop, spam-flagged',
        'tag: needs a value',
      ]);
  });

  it('keeps non-ASCII text as typed (NFC)', () => {
    expect(ok('Grüße 東京 "ﬁle Straße"').terms.map((t) => t.text)).toEqual(['Grüße', '東京', 'ﬁle Straße']);
    expect(ok('Gru\u0308ße').terms[0]!.text).toBe('Grüße');
  });

  it('refuses a query too long or with too many parts, rather than cutting it', () => {
    expect(parseQuery('a'.repeat(MAX_QUERY_LENGTH + 1)).ok).toBe(false);
    expect(parseQuery(Array.from({ length: 33 }, (_, i) => `w${i}`).join(' ')).ok).toBe(false);
  });

  it('never throws, and what it reads reads back the same after formatting', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (s) => {
        const p = parseQuery(s);
        if (!p.ok) return;
        const again = parseQuery(formatQuery(p.query));
        expect(again).toEqual({ ok: true, query: p.query });
      }),
      { numRuns: 500 },
    );
  });
});
