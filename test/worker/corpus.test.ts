// Real mail from other projects' test suites (../shared/corpus, see its README), delivered through
// the real email handler into D1 and R2. Nothing may escape as an exception; what cannot be parsed
// must be quarantined. Prints one summary line. Skipped, saying so, when the corpus is not there.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { inbound } from '../../worker/db/schema.ts';
import { receiveEmail } from '../../worker/ingest/receive.ts';
import { isMboxArchive, splitMbox } from '../../worker/ingest/mbox.ts';
import { envelopeOf } from '../../worker/ingest/corpus.ts';
import { stripMboxFromLine } from '../../worker/ingest/prescan.ts';
import { mailboxes } from '../../worker/db/schema.ts';
import { incoming, seeded, DEMO } from './helpers.ts';

const present = env.HAS_CORPUS === 'yes';
if (!present) console.log('corpus: ../shared/corpus is not there; the corpus test is skipped');

interface Row {
  path: string;
  category: string;
  expected: string;
}

function tally(map: Record<string, number>, key: string) {
  map[key] = (map[key] ?? 0) + 1;
}

function fmt(map: Record<string, number>): string {
  return (
    Object.entries(map)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || 'none'
  );
}

describe.skipIf(!present)('corpus', () => {
  it('every message goes through ingest without an exception escaping', { timeout: 600_000 }, async () => {
    const deps = await seeded();
    // The corpus arrives as one burst with many messages per sender; the flood breaker (tested on
    // its own) would hold a share of it, which says nothing about the messages themselves.
    await deps.db.update(mailboxes).set({ floodMaxPerSender: 100_000, floodMaxIdentical: 100_000 });
    const manifest = await (await env.CORPUS.fetch('http://corpus/manifest')).text();
    const rows: Row[] = manifest
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => {
        const [path = '', , category = '', expected = ''] = line.split('\t');
        return { path, category, expected };
      });
    const started = Date.now();
    const outcome = { messages: 0, newCases: 0, appended: 0, rejected: 0, thrown: 0, duplicates: 0 };
    const ignored: Record<string, number> = {};
    const quarantined: Record<string, number> = {};
    const failed: string[] = [];
    // Agreement with the manifest, per expected outcome: expected → what we did.
    const agreement: Record<string, Record<string, number>> = {};
    let counter = 0;
    for (const row of rows) {
      const res = await env.CORPUS.fetch(`http://corpus/file?path=${encodeURIComponent(row.path)}`);
      expect(res.status, row.path).toBe(200);
      const file = new Uint8Array(await res.arrayBuffer());
      for (const raw of isMboxArchive(row.path) ? splitMbox(file) : [stripMboxFromLine(file)]) {
        outcome.messages++;
        // Each message its own sender's copy: distinct envelopes keep unrelated files from deduping.
        const msg = incoming(raw, { from: envelopeOf(raw), to: DEMO.mailbox });
        let did = '';
        try {
          const result = await receiveEmail(msg, deps);
          if (result.verdict === 'rejected') {
            outcome.rejected++;
            did = `rejected`;
          } else if (!result.outcome) {
            const row2 = await deps.db.select().from(inbound).all();
            failed.push(`${row.path}: ${row2.find((r) => r.id === result.inboundId)?.lastError}`);
            did = 'failed';
          } else {
            const stored = result.outcome;
            const ev = stored.events[0];
            if (stored.status === 'processed' && ev?.type === 'case.created') outcome.newCases++, (did = 'new case');
            else if (stored.status === 'processed') outcome.appended++, (did = 'appended');
            else if (ev?.type === 'inbound.held' && ev.reason === 'duplicate') outcome.duplicates++, (did = 'duplicate');
            else if (stored.status === 'ignored' && ev?.type === 'inbound.held') tally(ignored, ev.reason), (did = `ignored:${ev.reason}`);
            else if (stored.status === 'quarantined' && ev?.type === 'inbound.held') tally(quarantined, ev.reason), (did = `quarantined:${ev.reason}`);
          }
        } catch (err) {
          outcome.thrown++;
          failed.push(`${row.path}: threw ${String(err)}`);
          did = 'threw';
        }
        const exp =
          row.expected.startsWith('ignore: bounce') || row.expected.startsWith('ignore: DSN') || row.expected.startsWith('ignore: delayed')
            ? 'bounce'
            : row.expected.startsWith('ignore')
              ? 'other-ignore'
              : row.expected.startsWith('new case') || row.expected.startsWith('append')
                ? 'case'
                : 'unspecified';
        tally((agreement[exp] ??= {}), did.startsWith('ignored') || did.startsWith('quarantined') ? `${did.split(':')[0]!}:${did.split(':')[1]}` : did);
        if (++counter % 200 === 0) console.log(`corpus: ${counter} messages…`);
      }
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      `corpus: ${outcome.messages} messages from ${rows.length} files in ${seconds} s: new cases ${outcome.newCases}, appended ${outcome.appended}, ` +
        `duplicates ${outcome.duplicates}, ignored by kind {${fmt(ignored)}}, quarantined by reason {${fmt(quarantined)}}, rejected ${outcome.rejected}, failed ${failed.length}`,
    );
    for (const [exp, did] of Object.entries(agreement)) console.log(`corpus: expected ${exp}: ${fmt(did)}`);
    if (failed.length) console.log(failed.slice(0, 20).join('\n'));
    expect(outcome.thrown).toBe(0);
    expect(failed).toEqual([]);
    // Every inbound row reached a final state.
    const rowsLeft = (await deps.db.select({ status: inbound.status }).from(inbound)).filter((r) => r.status === 'received' || r.status === 'failed');
    expect(rowsLeft).toHaveLength(0);
  });
});
