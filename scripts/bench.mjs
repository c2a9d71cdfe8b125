// npm run bench [-- <name>]: prints "bench: <metric> <value> <unit>" lines and writes bench-results.json.
// Benchmarks: parse (pure stages vs the parser alone), parse-mem (peak memory of a 24 MiB message),
// ingest (mails/s through wrangler dev's local email handler, 4 senders in parallel).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { checkNode, childEnv, root } from './lib/env.mjs';
import { buildWeb, deliver, ensureDevVars, migrateLocal, seedDemo, startWrangler } from './lib/devserver.mjs';

checkNode();
const results = {};
function report(figures) {
  for (const [metric, { value, unit }] of Object.entries(figures)) {
    results[metric] = { value, unit };
    console.log(`bench: ${metric} ${value} ${unit}`);
  }
}

async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const benches = {
  async parse() {
    const { benchParse } = await import('./bench/parse.ts');
    report(await benchParse());
  },
  async 'parse-mem'() {
    const out = execFileSync(process.execPath, ['--expose-gc', '--no-warnings', path.join(root, 'scripts/bench/parse-mem.ts')], { env: childEnv(), encoding: 'utf8' });
    const r = JSON.parse(out.trim().split('\n').pop());
    console.log(`parse-mem: ${(r.size / 1048576).toFixed(1)} MiB message, peak grew by ${(r.peakGrowth / 1048576).toFixed(1)} MiB`);
    report({ parse_peak_mem_ratio: { value: Math.round(r.ratio * 100) / 100, unit: 'ratio' } });
  },
  async ingest() {
    const total = Number(process.env.BENCH_INGEST_MAILS ?? 400);
    const senders = 4;
    ensureDevVars();
    await buildWeb({ quiet: true });
    const persist = mkdtempSync(path.join(os.tmpdir(), 'edgecase-bench-'));
    let server;
    try {
      await migrateLocal(persist, { quiet: true });
      server = await startWrangler({ port: await freePort(), persistTo: persist, output: () => {} });
      await seedDemo(server.url);
      const body = (i) => `From: Sender ${i} <sender${i % 50}@example.com>\r\nTo: support@acme.test\r\nSubject: Bench message ${i}\r\nMessage-ID: <bench-${i}-${Date.now()}@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello, this is message ${i}. ${'Some words to make it a realistic size. '.repeat(40)}\r\n`;
      // Warm-up outside the measurement.
      for (let i = 0; i < 10; i++) await deliver(server.url, body(-1 - i), { from: 'warm@example.com', to: 'support@acme.test' });
      let next = 0;
      let failed = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: senders }, async () => {
          while (next < total) {
            const i = next++;
            const r = await deliver(server.url, body(i), { from: `sender${i % 50}@example.com`, to: 'support@acme.test' });
            if (r.status >= 300) failed++;
          }
        }),
      );
      const seconds = (performance.now() - t0) / 1000;
      const cases = await (await fetch(`${server.url}/api/inbound?status=processed&limit=1`)).json();
      if (failed || !cases.items.length) throw new Error(`${failed} deliveries failed`);
      console.log(`ingest: ${total} mails by ${senders} senders in ${seconds.toFixed(1)} s`);
      report({ ingest_mails_s: { value: Math.round((total / seconds) * 10) / 10, unit: 'mails/s' } });
    } finally {
      await server?.stop();
      rmSync(persist, { recursive: true, force: true });
    }
  },
};

const wanted = process.argv.slice(2);
for (const name of wanted.length ? wanted : Object.keys(benches)) {
  if (!benches[name]) {
    console.error(`unknown benchmark "${name}"; there are: ${Object.keys(benches).join(', ')}`);
    process.exit(2);
  }
  console.log(`\n── ${name}`);
  await benches[name]();
}
writeFileSync(path.join(root, 'bench-results.json'), JSON.stringify(results, null, 2) + '\n');
