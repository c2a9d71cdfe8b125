// npm run corpus -- <folder with MANIFEST.tsv> [--misses]
// Runs every message the manifest lists through the Worker's planner (worker/ingest/corpus.ts) against
// a throwaway database with the demo workspace, and prints, per category, how many got the expected
// triage kind, then one line with the recall figures. --misses lists every disagreement.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CorpusModule, MessageResult } from '../worker/ingest/explain-types.ts';
import { type ForwardedD1, openLocalD1, root } from './lib/local-d1.ts';

const args = process.argv.slice(2);
const dir = args.find((a) => !a.startsWith('--'));
const showMisses = args.includes('--misses');
const unknown = args.filter((a) => a.startsWith('--') && a !== '--misses');
if (!dir || unknown.length) {
  if (unknown.length) console.error(`corpus: unknown option ${unknown.join(' ')}`);
  console.error('usage: npm run corpus -- <folder with MANIFEST.tsv> [--misses]');
  process.exit(2);
}
const manifestPath = path.join(dir, 'MANIFEST.tsv');
if (!existsSync(manifestPath)) {
  console.error(`${manifestPath} not found: the folder needs a MANIFEST.tsv (columns path, source, category, expected, note)`);
  process.exit(2);
}

// Loaded by URL: corpus.ts is type-checked with the Worker (its imports need the Workers types).
const corpus = (await import(pathToFileURL(path.join(root, 'worker/ingest/corpus.ts')).href)).corpusModule as CorpusModule<ForwardedD1, unknown>;
const rows = corpus.parseManifest(readFileSync(manifestPath, 'utf8'));
const started = performance.now();
const db = await openLocalD1();
// Nothing is committed, so every message meets the same database and the messages may overlap: while
// one waits for D1, the next is parsed.
const desk = await corpus.openDesk({ DB: db.DB, RAW: null }, { replyTokenKey: 'corpus-key', appUrl: null, maxMessageBytes: 25 * 1024 * 1024, now: () => Date.now(), commit: false, seed: true });
const perRow: MessageResult[][] = new Array(rows.length);
let next = 0;
async function worker(): Promise<void> {
  for (let i = next++; i < rows.length; i = next++) {
    const row = rows[i]!;
    let file: Uint8Array;
    try {
      file = readFileSync(path.join(dir!, row.path));
    } catch (err) {
      console.error(`cannot read ${row.path}: ${(err as Error).message}`);
      perRow[i] = [{ path: row.path, index: 0, category: row.category, expected: 'unspecified', kind: 'unreadable', reasons: [], outcome: 'unreadable', ok: null, crashed: 'unreadable' }];
      continue;
    }
    perRow[i] = await corpus.runCorpusFile(row, file, desk);
  }
}
try {
  await Promise.all(Array.from({ length: 8 }, worker));
} finally {
  await db.dispose();
}
const results = perRow.flat();
const s = corpus.summarize(results);
for (const [category, c] of Object.entries(s.byCategory).sort()) {
  const kinds = Object.entries(c.kinds)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  console.log(`${category.padEnd(11)} ${String(c.ok).padStart(4)}/${String(c.total).padEnd(4)} as expected   (${kinds})`);
}
if (showMisses) {
  for (const r of results.filter((r) => r.ok === false || r.crashed)) {
    console.log(
      `miss: ${r.path}${r.index ? `#${r.index}` : ''} expected ${r.expected}, got ${r.kind}${r.reasons.length ? ` (${r.reasons.join(', ')})` : ''}${r.crashed ? ` crashed: ${r.crashed}` : `, planned ${r.outcome}`}`,
    );
  }
}
console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
console.log(corpus.summaryLine(s));
process.exit(s.crashes > 0 ? 1 : 0);
