// npm run corpus -- <folder with MANIFEST.tsv> [--misses]
// Runs the pure ingest stages on every message the manifest lists and prints, per category, how many
// got the expected outcome, then one line with the recall figures. --misses lists every disagreement.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseManifest, runCorpusFile, summarize, summaryLine, type MessageResult } from '../worker/ingest/corpus.ts';

const args = process.argv.slice(2);
const dir = args.find((a) => !a.startsWith('--'));
const showMisses = args.includes('--misses');
if (!dir) {
  console.error('usage: npm run corpus -- <folder with MANIFEST.tsv> [--misses]');
  process.exit(2);
}
const manifestPath = path.join(dir, 'MANIFEST.tsv');
if (!existsSync(manifestPath)) {
  console.error(`${manifestPath} not found: the folder needs a MANIFEST.tsv (columns path, source, category, expected, note)`);
  process.exit(2);
}
const rows = parseManifest(readFileSync(manifestPath, 'utf8'));
const results: MessageResult[] = [];
const started = performance.now();
for (const row of rows) {
  let file: Uint8Array;
  try {
    file = readFileSync(path.join(dir, row.path));
  } catch (err) {
    console.error(`cannot read ${row.path}: ${(err as Error).message}`);
    results.push({ path: row.path, index: 0, category: row.category, expected: 'unspecified', kind: 'unreadable', reasons: [], ok: null, crashed: 'unreadable' });
    continue;
  }
  results.push(...(await runCorpusFile(row, file, ['support@acme.test'])));
}
const s = summarize(results);
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
      `miss: ${r.path}${r.index ? `#${r.index}` : ''} expected ${r.expected}, got ${r.kind}${r.reasons.length ? ` (${r.reasons.join(', ')})` : ''}${r.crashed ? ` crashed: ${r.crashed}` : ''}`,
    );
  }
}
console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
console.log(summaryLine(s));
process.exit(s.crashes > 0 ? 1 : 0);
