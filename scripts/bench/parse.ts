// Pure ingest stages over a mix of real messages, against postal-mime's parse alone on the same
// bytes, in the same run. Prints parse_mb_s and parse_ratio (ours ÷ parser alone, in throughput).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import PostalMime from 'postal-mime';
import { analyze } from '../../worker/ingest/analyze.ts';
import { chooseThread } from '../../worker/ingest/thread.ts';
import { ackEligibility, decide } from '../../worker/ingest/decide.ts';
import { idempotencyKey } from '../../worker/ingest/dedupe.ts';
import { splitMbox } from '../../worker/ingest/mbox.ts';
import { prescan } from '../../worker/ingest/prescan.ts';
import { PARSE_LIMITS } from '../../worker/ingest/limits.ts';

const root = path.resolve(import.meta.dirname, '../..');
const corpus = path.resolve(root, process.env.EDGECASE_CORPUS ?? '../shared/corpus');

function loadMix(): Uint8Array[] {
  const out: Uint8Array[] = [];
  const fixtures = path.join(root, 'test/fixtures');
  for (const f of readdirSync(fixtures)) if (f.endsWith('.eml')) out.push(readFileSync(path.join(fixtures, f)));
  if (existsSync(path.join(corpus, 'MANIFEST.tsv'))) {
    const rows = readFileSync(path.join(corpus, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1);
    for (const row of rows) out.push(...splitMbox(readFileSync(path.join(corpus, row.split('\t')[0]!))));
  }
  return out;
}

async function ours(raw: Uint8Array): Promise<void> {
  const a = await analyze({ raw, envelopeFrom: 'sender@example.com', recipient: 'support@acme.test', ownAddresses: ['support@acme.test'] });
  await idempotencyKey(prescan(raw), raw, 'sender@example.com');
  if (!a.ok) return;
  const thread = chooseThread(a.candidates, { token: null, caseByMessageId: {}, caseByTag: null, caseBySubject: null, participants: {} }, a.sender.email);
  const acknowledge = ackEligibility({ kind: a.classification.kind, sender: a.sender.email, ownAddresses: ['support@acme.test'], auth: a.auth.verdict, undeliverable: false });
  decide({ classification: a.classification, thread, matchedCase: null, mailbox: { followUpPolicy: 'reopen', followUpDays: 14 }, now: 0, acknowledge });
}

async function parserAlone(raw: Uint8Array): Promise<void> {
  try {
    await PostalMime.parse(raw, { maxNestingDepth: PARSE_LIMITS.maxNestingDepth, maxHeadersSize: PARSE_LIMITS.maxHeadersSize, maxRfc822NestingDepth: PARSE_LIMITS.maxRfc822NestingDepth });
  } catch {
    // refused messages cost what they cost in both runs
  }
}

async function timeRound(mix: Uint8Array[], fn: (raw: Uint8Array) => Promise<void>): Promise<number> {
  const t0 = performance.now();
  for (const raw of mix) await fn(raw);
  return performance.now() - t0;
}

export async function benchParse(): Promise<Record<string, { value: number; unit: string }>> {
  const mix = loadMix();
  const bytes = mix.reduce((n, m) => n + m.byteLength, 0);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  // Warm both paths up, then alternate rounds so drift on a shared machine hits both alike.
  await timeRound(mix, ours);
  await timeRound(mix, parserAlone);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < rounds; i++) {
    a.push(await timeRound(mix, ours));
    b.push(await timeRound(mix, parserAlone));
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const mbs = bytes / 1024 / 1024 / (median(a) / 1000);
  const base = bytes / 1024 / 1024 / (median(b) / 1000);
  console.log(`parse: ${mix.length} messages, ${(bytes / 1024 / 1024).toFixed(1)} MiB, ${rounds} rounds; pipeline ${median(a).toFixed(0)} ms, postal-mime alone ${median(b).toFixed(0)} ms per round`);
  return {
    parse_mb_s: { value: round(mbs), unit: 'MB/s' },
    parse_baseline_mb_s: { value: round(base), unit: 'MB/s' },
    parse_ratio: { value: round(mbs / base, 3), unit: 'ratio' },
  };
}

function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
