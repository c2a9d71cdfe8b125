// Marks and excerpts: offsets into the original text, whatever folding matched them.
import { describe, expect, it } from 'vitest';
import { excerpt, mark } from '../../../worker/search/highlight.ts';
import { ftsTerm, indexable } from '../../../worker/search/match.ts';

const marked = (text: string, needles: string[]) => mark(text, needles).marks.map(([a, b]) => text.slice(a, b));

describe('marks', () => {
  it('marks across case, accents and ß, at the original characters', () => {
    expect(marked('Herr Müller aus der Straße', ['muller', 'STRASSE'])).toEqual(['Müller', 'Straße']);
    expect(marked('Ana Pérez, ana@shop.example', ['perez', 'ANA'])).toEqual(['Ana', 'Pérez', 'ana']);
    expect(marked('東京都に住んでいます', ['東京'])).toEqual(['東京']);
    // Overlapping matches are one mark; characters outside the BMP stay whole.
    expect(marked('refunded refund', ['refund', 'funded'])).toEqual(['refunded', 'refund']);
    expect(marked('𠀋𠀋 x', ['𠀋'])).toEqual(['𠀋𠀋']);
    expect(mark('nothing here', ['absent']).marks).toEqual([]);
  });

  it('cuts an excerpt around the first match and says where it was cut', () => {
    const text = `${'lorem ipsum '.repeat(40)}the parcel arrived broken ${'dolor sit '.repeat(40)}`;
    const s = excerpt('body', text, ['parcel'])!;
    expect(s.cutBefore).toBe(true);
    expect(s.cutAfter).toBe(true);
    expect(s.text.length).toBeLessThanOrEqual(201);
    expect(s.marks.map(([a, b]) => s.text.slice(a, b))).toEqual(['parcel']);
    expect(excerpt('body', 'short text', ['parcel'])).toBeNull();
    expect(excerpt('notes', 'a\nparcel', ['parcel'])).toEqual({ field: 'notes', text: 'a parcel', marks: [[2, 8]], cutBefore: false, cutAfter: false });
  });

  it('sends terms of three characters or more to FTS5 quoted, with the ß/ss spellings', () => {
    expect(indexable('ab')).toBe(false);
    expect(indexable('東京')).toBe(false);
    expect(indexable('東京都')).toBe(true);
    expect(ftsTerm('say "hi"')).toBe('"say ""hi"""');
    expect(ftsTerm('strasse')).toBe('("strasse" OR "straße")');
    expect(ftsTerm('NEAR(a b)')).toBe('"NEAR(a b)"');
  });
});
