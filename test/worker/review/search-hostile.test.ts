// Search strings shaped like FTS5 or LIKE syntax are words to look for, never syntax: each is
// answered (no 500), and matches only text that has it.
import { describe, expect, it } from 'vitest';
import type { SearchPage } from '../../../worker/protocol/search.ts';
import { seeded } from '../helpers.ts';
import { getJson, newCase } from '../http/client.ts';

async function search(q: string): Promise<{ status: number; ids: string[] }> {
  const { res, body } = await getJson<SearchPage>(`/api/search?q=${encodeURIComponent(q)}&limit=100`);
  return { status: res.status, ids: res.status === 200 ? body.items.map((h) => h.case.id) : [] };
}

describe('hostile search strings', () => {
  it('FTS5 and LIKE syntax in a query are literal', async () => {
    const deps = await seeded();
    const plain = await newCase(deps, 'Parcel never arrived', undefined, 'ana@example.com');
    await newCase(deps, 'Discount 50% off', undefined, 'bob@example.com');
    const hostile = [
      '"',
      '""',
      '*',
      'par*',
      'NEAR(parcel arrived)',
      'subject:parcel',
      'subject : parcel',
      '^parcel',
      'parcel AND',
      'OR',
      'NOT parcel',
      '(parcel',
      'parcel)',
      '{subject}: parcel',
      '-',
      '%',
      '_',
      '\\',
      "'",
      'a"b',
      '"parcel',
      'parcel"',
      '\u0000par',
      'parcel\u0000',
      '-"parcel"',
    ];
    for (const q of hostile) {
      const r = await search(q);
      expect([200, 400], `${JSON.stringify(q)} answered ${r.status}`).toContain(r.status);
    }
    // A LIKE wildcard is a character to find, not "anything".
    expect((await search('_')).ids).toEqual([]);
    expect((await search('%')).ids).not.toContain(plain);
    expect((await search('par*')).ids).toEqual([]);
  });
});
