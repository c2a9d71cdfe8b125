// Measuring ingest against a labelled folder of mail (a MANIFEST.tsv with the columns path, source,
// category, expected, note). Every message goes through the Worker's planner (explain.ts) against a
// database with the demo workspace, nothing committed: each manifest row is judged on its own, as if
// it were the first mail the mailbox ever got, so no row's outcome depends on the rows before it
// (no duplicates across test suites, no flood counts). The figures are about the triage kind the
// planner decided on. Pure except for the database; the caller reads the files.
import type { CorpusModule, CorpusRow, CorpusSummary, Desk, Expected, MessageResult } from './explain-types.ts';
import { envelopeOf, openDesk, renderExplanation } from './explain.ts';
import { isMboxArchive, splitMbox } from './mbox.ts';
import { stripMboxFromLine } from './prescan.ts';

export type { CorpusRow, CorpusSummary, Expected, MessageResult } from './explain-types.ts';
export { envelopeOf } from './explain.ts';

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

/** Where the manifest's mail is delivered: the demo mailbox. */
export const CORPUS_RECIPIENT = 'support@acme.test';

/** One manifest row (a message, or every message of an archive) through the planner. */
export async function runCorpusFile(row: CorpusRow, file: Uint8Array, desk: Desk, recipient = CORPUS_RECIPIENT): Promise<MessageResult[]> {
  const expected = expectedOf(row.category, row.expected);
  const out: MessageResult[] = [];
  // Archives by name (mailbox/, *.mbox*); any other file is one message, maybe with a From_ line.
  const parts = isMboxArchive(row.path) ? splitMbox(file) : [stripMboxFromLine(file)];
  for (const [index, raw] of parts.entries()) {
    let kind = 'crash';
    let reasons: string[] = [];
    let outcome = 'crash';
    let crashed: string | null = null;
    try {
      const e = await desk.explain({ bytes: raw, recipient, envelopeFrom: envelopeOf(raw) });
      const t = e.thread;
      // Unreadable mail keeps the name it had: quarantined with the parser's reason.
      kind = e.triage.kind === 'unreadable' ? `quarantined:${t.reason}` : e.triage.kind;
      reasons = e.triage.reasons;
      outcome = t.outcome === 'held' || t.outcome === 'ignored' || t.outcome === 'rejected' ? `${t.outcome}:${t.reason}` : t.outcome;
      // The triage stands; what failed after it is counted as a crash: the Worker would retry and quarantine it.
      if (t.outcome === 'failed') crashed = `processing failed after triage: ${t.detail}`;
    } catch (err) {
      crashed = err instanceof Error ? err.message : String(err);
    }
    const ok = expected === 'unspecified' ? null : ACCEPT[expected].includes(kind);
    out.push({ path: row.path, index, category: row.category, expected, kind, reasons, outcome, ok, crashed });
  }
  return out;
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

export const corpusModule = { openDesk, renderExplanation, parseManifest, runCorpusFile, summarize, summaryLine } satisfies CorpusModule<D1Database, R2Bucket>;
