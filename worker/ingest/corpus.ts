// Measuring the pure stages against a labelled folder of mail (a MANIFEST.tsv with the columns
// path, source, category, expected, note). Pure except for reading files, which the caller does.
import { analyze } from './analyze.ts';
import { isMboxArchive, splitMbox } from './mbox.ts';
import { stripMboxFromLine } from './prescan.ts';
import { headerValue, prescan } from './prescan.ts';

/** What the manifest says should happen, reduced to what the classifier decides. */
export type Expected = 'bounce' | 'auto-reply' | 'report' | 'human' | 'list' | 'unspecified';

export function expectedOf(category: string, expected: string): Expected {
  const e = expected.toLowerCase();
  if (e.startsWith('?')) return 'unspecified';
  if (/^ignore: (bounce|dsn|delayed)/.test(e)) return 'bounce';
  if (/^ignore: (auto-reply|read receipt|auto-generated)/.test(e)) return 'auto-reply';
  if (/^ignore: feedback|^ignore: notification/.test(e)) return 'report';
  if (category === 'list') return 'list';
  if (/^(new case|append)/.test(e)) return 'human';
  return 'unspecified';
}

/** The kinds that satisfy each expectation. An ARF report or a system notification is fine as either. */
const ACCEPT: Record<Expected, string[]> = {
  bounce: ['bounce'],
  'auto-reply': ['auto-reply'],
  report: ['auto-reply', 'bounce'],
  human: ['human'],
  list: ['list'],
  unspecified: [],
};

export interface CorpusRow {
  path: string;
  source: string;
  category: string;
  expected: string;
}

export function parseManifest(tsv: string): CorpusRow[] {
  const lines = tsv
    .replace(/\r/g, '')
    .split('\n')
    .filter((l) => l.trim());
  const header = (lines.shift() ?? '').split('\t');
  const col = (name: string) => header.indexOf(name);
  const [p, s, c, e] = [col('path'), col('source'), col('category'), col('expected')];
  if (p < 0 || c < 0 || e < 0) throw new Error('MANIFEST.tsv needs the columns path, category and expected');
  return lines.map((l) => {
    const f = l.split('\t');
    return { path: f[p] ?? '', source: s >= 0 ? (f[s] ?? '') : '', category: f[c] ?? '', expected: f[e] ?? '' };
  });
}

/** The envelope sender as Email Routing would report it: Return-Path, else the From address. */
export function envelopeOf(raw: Uint8Array): string {
  const pre = prescan(raw);
  const rp = headerValue(pre.headers, 'return-path');
  if (rp !== null) return /<([^>]*)>/.exec(rp)?.[1] ?? rp.trim();
  // No Return-Path: a relay would still have had an envelope sender; only `<>` means none.
  const from = headerValue(pre.headers, 'from') ?? '';
  return /<([^>]+@[^>]+)>/.exec(from)?.[1] ?? /[^\s<>"]+@[^\s<>"]+/.exec(from)?.[0] ?? 'unknown@sender.invalid';
}

export interface MessageResult {
  path: string;
  index: number;
  category: string;
  expected: Expected;
  kind: string;
  reasons: string[];
  ok: boolean | null;
  crashed: string | null;
}

export async function runCorpusFile(row: CorpusRow, file: Uint8Array, ownAddresses: string[]): Promise<MessageResult[]> {
  const expected = expectedOf(row.category, row.expected);
  const out: MessageResult[] = [];
  // Archives by name (mailbox/, *.mbox*); any other file is one message, maybe with a From_ line.
  const parts = isMboxArchive(row.path) ? splitMbox(file) : [stripMboxFromLine(file)];
  for (const [index, raw] of parts.entries()) {
    let kind = 'crash';
    let reasons: string[] = [];
    let crashed: string | null = null;
    try {
      const a = await analyze({ raw, envelopeFrom: envelopeOf(raw), recipient: ownAddresses[0] ?? 'support@example.invalid', ownAddresses });
      if (a.ok) {
        kind = a.classification.kind;
        reasons = a.classification.reasons;
      } else {
        kind = `quarantined:${a.reason}`;
      }
    } catch (err) {
      crashed = err instanceof Error ? err.message : String(err);
    }
    const ok = expected === 'unspecified' ? null : ACCEPT[expected].includes(kind);
    out.push({ path: row.path, index, category: row.category, expected, kind, reasons, ok, crashed });
  }
  return out;
}

export interface CorpusSummary {
  messages: number;
  crashes: number;
  byCategory: Record<string, { total: number; ok: number; kinds: Record<string, number> }>;
  recall: { bounce: number; autoReply: number; human: number };
  counts: { bounce: [number, number]; autoReply: [number, number]; human: [number, number] };
}

/** Categories whose mail a person wrote: a false "ignore" there loses a customer. */
export const HUMAN_CATEGORIES = ['customer', 'reply', 'charset', 'attachment'];

export function summarize(results: MessageResult[]): CorpusSummary {
  const byCategory: CorpusSummary['byCategory'] = {};
  for (const r of results) {
    const c = (byCategory[r.category] ??= { total: 0, ok: 0, kinds: {} });
    c.total++;
    if (r.ok) c.ok++;
    c.kinds[r.kind] = (c.kinds[r.kind] ?? 0) + 1;
  }
  const frac = (xs: MessageResult[], good: (r: MessageResult) => boolean): [number, number] => [xs.filter(good).length, xs.length];
  const bounce = frac(
    results.filter((r) => r.expected === 'bounce'),
    (r) => r.kind === 'bounce',
  );
  const autoReply = frac(
    results.filter((r) => r.expected === 'auto-reply'),
    (r) => r.kind === 'auto-reply',
  );
  const human = frac(
    results.filter((r) => HUMAN_CATEGORIES.includes(r.category) && r.expected === 'human'),
    (r) => r.kind === 'human',
  );
  const pct = ([a, b]: [number, number]) => (b === 0 ? 100 : (100 * a) / b);
  return {
    messages: results.length,
    crashes: results.filter((r) => r.crashed).length,
    byCategory,
    recall: { bounce: pct(bounce), autoReply: pct(autoReply), human: pct(human) },
    counts: { bounce, autoReply, human },
  };
}

export function summaryLine(s: CorpusSummary): string {
  const p = (n: number) => `${n.toFixed(1)}%`;
  return `corpus: ${s.messages} messages, bounce recall ${p(s.recall.bounce)}, auto-reply recall ${p(s.recall.autoReply)}, human mail kept as human ${p(s.recall.human)}, crashes ${s.crashes}`;
}
