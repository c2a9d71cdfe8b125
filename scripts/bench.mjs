// npm run bench [-- <name>]: prints "bench: <metric> <value> <unit>" lines and writes bench-results.json.
// Benchmarks: parse (pure stages vs the parser alone), parse-mem (peak memory of a 24 MiB message),
// ingest (mails/s through wrangler dev's local email handler, 4 senders in parallel), latency (delivery
// → event on a socket; BENCH_LATENCY_RATE and BENCH_LATENCY_MAILS change the load), fanout (one event
// to 1,000 sockets), paint (Chromium, first rows of a 10,000-case inbox), sla (the sweep), cpu (CPU
// per mail of the local runtime, with and without acknowledgements, next to the publish-only handler),
// d1 (D1 round trips per new case and per reply, counted by the bench Worker), search (latency over
// 100,000 messages and the ingest rate with the index ÷ without it), bundle (the Worker
// bundle of `wrangler deploy --dry-run`, gzipped; 1 kB = 1,000 bytes). The servers run the bench
// Worker (worker/bench/index.ts): the deployed Worker plus the instruments these figures need.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkNode, childEnv, root } from './lib/env.mjs';
import { buildWeb, deliver, ensureDevVars, freePort, migrateLocal, seedDemo, startWrangler } from './lib/devserver.mjs';
import { bigInboxSql, markFirstRow } from './lib/big-inbox.mjs';
import { kB, workerBundle } from './lib/bundle.mjs';
import { ingestRate, searchLatency } from './bench/search.mjs';
import { run, tool } from './lib/env.mjs';

checkNode();
const results = {};
function report(figures) {
  for (const [metric, { value, unit }] of Object.entries(figures)) {
    results[metric] = { value, unit };
    console.log(`bench: ${metric} ${value} ${unit}`);
  }
}

const benches = {
  async latency() {
    ensureDevVars();
    await buildWeb({ quiet: true });
    const real = await withServer({}, async (url) => {
      // BENCH_LATENCY_ACKS=off: the same mail without acknowledgements, to tell their cost apart.
      if (process.env.BENCH_LATENCY_ACKS === 'off') await acksOff(url);
      return latencyRun(url, (ev) => (ev.type === 'case.created' ? Number(/^Latency (\d+)$/.exec(ev.case.subject)?.[1] ?? NaN) : null));
    });
    const noop = await withServer({ DIAGNOSTIC_EMAIL: 'publish-only', DIAGNOSTIC_WORKSPACE: 'ws_demo' }, (url) =>
      latencyRun(url, (ev) => (ev.type === 'inbound.held' && ev.reason.startsWith('diagnostic:') ? Number(/Latency (\d+)$/.exec(ev.reason)?.[1] ?? NaN) : null)),
    );
    const p99 = percentile(real, 99);
    const base = percentile(noop, 99);
    console.log(
      `latency: delivery → event on a socket, ${real.length} mails at ${process.env.BENCH_LATENCY_RATE ?? 50}/s${process.env.BENCH_LATENCY_ACKS === 'off' ? ', no acknowledgements' : ''}; pipeline p50 ${percentile(real, 50).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms; publish-only p99 ${base.toFixed(1)} ms`,
    );
    report({
      ingest_to_event_p50_ms: { value: round1(percentile(real, 50)), unit: 'ms' },
      ingest_to_event_p99_ms: { value: round1(p99), unit: 'ms' },
      noop_to_event_p99_ms: { value: round1(base), unit: 'ms' },
      ingest_to_event_ratio: { value: Math.round((p99 / base) * 100) / 100, unit: 'ratio' },
    });
  },
  async cpu() {
    if (!existsSync('/proc/self/task')) {
      console.log('cpu: reads per-thread CPU time from /proc, which this system does not have; skipped');
      return;
    }
    ensureDevVars();
    await buildWeb({ quiet: true });
    const mails = Number(process.env.BENCH_CPU_MAILS ?? 200);
    const full = await withServer({}, (url, _p, server) => cpuRun(url, server.child.pid, mails));
    const noAcks = await withServer({}, async (url, _p, server) => (await acksOff(url), cpuRun(url, server.child.pid, mails)));
    const noop = await withServer({ DIAGNOSTIC_EMAIL: 'publish-only', DIAGNOSTIC_WORKSPACE: 'ws_demo' }, (url, _p, server) => cpuRun(url, server.child.pid, mails));
    for (const [name, r] of [
      ['pipeline', full],
      ['no acknowledgements', noAcks],
      ['publish-only', noop],
    ]) {
      console.log(`cpu: ${name}: ${round1(r.wall)} ms/mail wall; workerd ${round1(r.workerd)} ms/mail (its busiest thread ${round1(r.thread)}), wrangler ${round1(r.wrangler)}`);
    }
    report({
      cpu_thread_per_mail_ms: { value: round1(full.thread), unit: 'ms' },
      cpu_thread_per_mail_noack_ms: { value: round1(noAcks.thread), unit: 'ms' },
      cpu_thread_per_mail_noop_ms: { value: round1(noop.thread), unit: 'ms' },
      cpu_thread_ratio: { value: Math.round((full.thread / noop.thread) * 100) / 100, unit: 'ratio' },
    });
  },
  async fanout() {
    ensureDevVars();
    await buildWeb({ quiet: true });
    const clients = Number(process.env.BENCH_FANOUT_CLIENTS ?? 1000);
    const rounds = Number(process.env.BENCH_FANOUT_EVENTS ?? 100);
    const ours = await withServer({}, async (url) => {
      const sockets = [];
      for (let i = 0; i < clients; i += 50) sockets.push(...(await Promise.all(Array.from({ length: Math.min(50, clients - i) }, () => openSocket(url)))));
      const cases = await (await fetch(`${url}/api/cases?status=all&limit=1`)).json();
      const caseId = cases.items[0].id;
      const times = [];
      for (let r = 0; r < rounds; r++) {
        const priority = r % 2 ? 'normal' : 'high';
        let left = sockets.length;
        let finish;
        const all = new Promise((resolve) => (finish = resolve));
        const handlers = sockets.map((ws) => {
          const h = (e) => {
            const f = JSON.parse(e.data);
            if (f.type === 'event' && f.event.type === 'case.updated' && f.event.changes?.priority === priority) {
              ws.removeEventListener('message', h);
              if (--left === 0) finish();
            }
          };
          ws.addEventListener('message', h);
          return [ws, h];
        });
        const t0 = performance.now();
        await fetch(`${url}/api/cases/${caseId}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ priority }) });
        await Promise.race([all, new Promise((r) => setTimeout(r, 30_000))]);
        if (left > 0) throw new Error(`${left} of ${sockets.length} clients missed event ${r}`);
        times.push(performance.now() - t0);
        for (const [ws, h] of handlers) ws.removeEventListener('message', h);
      }
      for (const ws of sockets) ws.close();
      return times;
    });
    const { WebSocketServer } = await import('ws');
    const baseline = await new Promise((resolve) => {
      const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 }, async () => {
        const url = `http://127.0.0.1:${wss.address().port}`;
        const sockets = [];
        for (let i = 0; i < clients; i += 50)
          sockets.push(
            ...(await Promise.all(
              Array.from(
                { length: Math.min(50, clients - i) },
                () =>
                  new Promise((res, rej) => {
                    const ws = new WebSocket(url.replace('http', 'ws'));
                    ws.addEventListener('open', () => res(ws));
                    ws.addEventListener('error', rej);
                  }),
              ),
            )),
          );
        const times = [];
        for (let r = 0; r < rounds; r++) {
          let left = sockets.length;
          let finish;
          const all = new Promise((res) => (finish = res));
          const h = () => {
            if (--left === 0) finish();
          };
          for (const ws of sockets) ws.addEventListener('message', h, { once: true });
          const t0 = performance.now();
          const frame = JSON.stringify({ type: 'event', event: { type: 'case.updated', seq: r } });
          for (const client of wss.clients) client.send(frame);
          await all;
          times.push(performance.now() - t0);
        }
        for (const ws of sockets) ws.close();
        wss.close(() => resolve(times));
      });
    });
    console.log(
      `fanout: one event to ${clients} sockets, ${rounds} events; edgecase p50 ${percentile(ours, 50).toFixed(1)} ms, p99 ${percentile(ours, 99).toFixed(1)} ms; bare ws p99 ${percentile(baseline, 99).toFixed(1)} ms`,
    );
    report({
      fanout_1000_p50_ms: { value: round1(percentile(ours, 50)), unit: 'ms' },
      fanout_1000_p99_ms: { value: round1(percentile(ours, 99)), unit: 'ms' },
      ws_baseline_1000_p99_ms: { value: round1(percentile(baseline, 99)), unit: 'ms' },
      fanout_ratio: { value: Math.round((percentile(ours, 99) / percentile(baseline, 99)) * 100) / 100, unit: 'ratio' },
    });
  },
  async paint() {
    // Chromium opens the inbox of a workspace with 10,000 cases; timed from navigation start to the
    // first case row in the DOM, in the page's own clock. Each run is a new browser context (no cache).
    ensureDevVars();
    await buildWeb({ quiet: true });
    const total = 10_000;
    const runs = Number(process.env.BENCH_PAINT_RUNS ?? 7);
    const { chromium } = await import('playwright-core');
    const persist = mkdtempSync(path.join(os.tmpdir(), 'edgecase-bench-'));
    let server;
    let browser;
    try {
      await migrateLocal(persist, { quiet: true });
      const file = path.join(persist, 'big.sql');
      writeFileSync(file, bigInboxSql(total));
      await run(tool('wrangler'), ['d1', 'execute', 'DB', '--local', '--persist-to', persist, '--file', file, '--yes'], { env: { CI: 'true' }, quiet: true });
      server = await startWrangler({ port: await freePort(), persistTo: persist, output: () => {}, vars: { AUTH_MODE: 'open' } });
      browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
      const times = [];
      for (let i = 0; i <= runs; i++) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
        const page = await context.newPage();
        await page.addInitScript(markFirstRow);
        await page.goto(`${server.url}/`);
        await page.locator('[data-testid="case-row"]').first().waitFor({ timeout: 30_000 });
        const at = await page.evaluate(() => window.__firstRowAt);
        const rows = await page.locator('[data-testid="case-row"]').count();
        if (rows > 200) throw new Error(`${rows} rows in the DOM: the list is not virtualized`);
        // The first run warms wrangler's bundle and the database's page cache; it is not counted.
        if (i > 0) times.push(at);
        await context.close();
      }
      console.log(`paint: inbox of ${total} cases, first rows painted after ${times.map((t) => t.toFixed(0)).join(', ')} ms (${runs} cold browser contexts)`);
      report({ inbox_first_paint_10k_ms: { value: Math.round(percentile(times, 50)), unit: 'ms' } });
    } finally {
      await browser?.close();
      await server?.stop();
      rmSync(persist, { recursive: true, force: true });
    }
  },
  async sla() {
    ensureDevVars();
    await buildWeb({ quiet: true });
    const due = Number(process.env.BENCH_SLA_DUE ?? 1000);
    const big = Number(process.env.BENCH_SLA_OPEN ?? 100_000);
    const small = await sweepRun(due, due);
    const large = await sweepRun(big, due);
    console.log(`sla: sweep of ${due} due cases among ${due} open: ${small.toFixed(0)} ms; among ${big} open: ${large.toFixed(0)} ms`);
    report({
      sla_sweep_1k_ms: { value: Math.round(small), unit: 'ms' },
      sla_sweep_100k_ms: { value: Math.round(large), unit: 'ms' },
      sla_sweep_ratio: { value: Math.round((large / small) * 100) / 100, unit: 'ratio' },
    });
  },
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
      const body = (i) =>
        `From: Sender ${i} <sender${i % 50}@example.com>\r\nTo: support@acme.test\r\nSubject: Bench message ${i}\r\nMessage-ID: <bench-${i}-${Date.now()}@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello, this is message ${i}. ${'Some words to make it a realistic size. '.repeat(40)}\r\n`;
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
  async d1() {
    ensureDevVars();
    const rounds = Number(process.env.BENCH_D1_MAILS ?? 20);
    const figures = await withServer({ BENCH_COUNT_D1: 'on' }, (url) => d1Run(url, rounds));
    console.log(
      `d1: ${rounds} new cases and ${rounds} replies; D1 calls to file a new case ${figures.newCase.join('/')} (min/max), a reply ${figures.reply.join('/')}; an acknowledgement's delivery record ${figures.ack.join('/')} more, in the background`,
    );
    report({
      d1_calls_per_new_case: { value: figures.newCase[1], unit: 'calls' },
      d1_calls_per_reply: { value: figures.reply[1], unit: 'calls' },
      d1_calls_per_ack_delivery: { value: figures.ack[1], unit: 'calls' },
    });
  },
  async search() {
    // Latency over 100,000 messages, then the ingest rate with and without the index, alternated so
    // that the machine's drift hits both alike.
    ensureDevVars();
    await buildWeb({ quiet: true });
    const messages = Number(process.env.BENCH_SEARCH_MESSAGES ?? 100_000);
    const lat = await searchLatency({ messages });
    console.log(
      `search: ${lat.messages} messages seeded in ${lat.seeded.toFixed(0)} s; ${lat.count} searches p50 ${lat.p50.toFixed(1)} ms, p99 ${lat.p99.toFixed(1)} ms${lat.empty.length ? ` (no hits for ${lat.empty.join(', ')})` : ''}; a case list page meanwhile p50 ${lat.listP50.toFixed(1)} ms, p99 ${lat.listP99.toFixed(1)} ms`,
    );
    const kept = [];
    const off = [];
    for (let r = 0; r < 2; r++) {
      off.push(await ingestRate({ SEARCH_INDEX: 'off' }));
      kept.push(await ingestRate({}));
    }
    const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(`search: ingest with the index ${kept.map((x) => x.toFixed(1)).join(', ')} mails/s; without ${off.map((x) => x.toFixed(1)).join(', ')} mails/s`);
    report({
      search_100k_p50_ms: { value: round1(lat.p50), unit: 'ms' },
      search_100k_p99_ms: { value: round1(lat.p99), unit: 'ms' },
      search_list_baseline_p50_ms: { value: round1(lat.listP50), unit: 'ms' },
      search_list_baseline_p99_ms: { value: round1(lat.listP99), unit: 'ms' },
      search_100k_p50_ratio: { value: Math.round((lat.p50 / lat.listP50) * 100) / 100, unit: 'ratio' },
      search_ingest_mails_s: { value: round1(mean(kept)), unit: 'mails/s' },
      search_ingest_noindex_mails_s: { value: round1(mean(off)), unit: 'mails/s' },
      search_ingest_ratio: { value: Math.round((mean(kept) / mean(off)) * 100) / 100, unit: 'ratio' },
    });
  },
  async bundle() {
    const b = await workerBundle();
    console.log(`bundle: ${b.files.join(', ')}, ${kB(b.bytes)} kB as uploaded`);
    report({ worker_bundle_gzip_kb: { value: kB(b.gzipBytes), unit: 'kB' } });
  },
};

/** SQL that fills a fresh database with `total` open cases under an SLA, `due` of them breaching at `at`. */
function slaCasesSql(total, due, at) {
  const lines = [
    "INSERT OR IGNORE INTO workspaces (id, name, slug, case_counter, created_at) VALUES ('ws_bench', 'Bench', 'bench', 0, 0);",
    "INSERT OR IGNORE INTO mailboxes (id, workspace_id, address, display_name, created_at, updated_at, sla_policy_id) VALUES ('mbx_bench', 'ws_bench', 'bench@bench.test', 'Bench', 0, 0, 'sla_bench');",
    "INSERT OR IGNORE INTO sla_policies (id, workspace_id, name, first_response_minutes, resolution_minutes, warn_minutes, escalations, created_at, updated_at) VALUES ('sla_bench', 'ws_bench', 'Bench', 60, 6000, 10, '[]', 0, 0);",
  ];
  const minute = 60_000;
  const rows = [];
  for (let i = 0; i < total; i++) {
    const isDue = i < due;
    const created = at - (isDue ? 120 : 5) * minute;
    const firstDue = isDue ? at - minute : at + 24 * 60 * minute;
    // Due cases were warned already, so the sweep breaches them; the rest look again tomorrow.
    rows.push(
      `('case_b${String(i).padStart(7, '0')}','ws_bench','mbx_bench',${i + 1},'Bench case ${i}','open','normal',${created},${created},${created},'sla_bench',${firstDue},${created + 6000 * minute},${isDue ? at - minute : at + 24 * 60 * minute},${isDue ? 1 : 0},'${isDue ? 'warning' : 'ok'}')`,
    );
  }
  for (let i = 0; i < rows.length; i += 500) {
    lines.push(
      `INSERT INTO cases (id, workspace_id, mailbox_id, number, subject, status, priority, created_at, updated_at, last_message_at, sla_policy_id, first_response_due_at, resolution_due_at, next_due_at, sla_warned_mask, sla_state) VALUES ${rows.slice(i, i + 500).join(',')};`,
    );
  }
  return lines.join('\n');
}

async function sweepRun(total, due) {
  const persist = mkdtempSync(path.join(os.tmpdir(), 'edgecase-bench-sla-'));
  let server;
  try {
    await migrateLocal(persist, { quiet: true });
    const at = Date.UTC(2026, 10, 23, 12, 0);
    const file = path.join(persist, 'cases.sql');
    writeFileSync(file, slaCasesSql(total, due, at));
    execFileSync(path.join(root, 'node_modules/.bin/wrangler'), ['d1', 'execute', 'DB', '--local', '--persist-to', persist, '--file', file, '--yes'], {
      env: childEnv({ CI: 'true' }),
      stdio: 'ignore',
    });
    server = await startWrangler({ port: await freePort(), persistTo: persist, output: () => {} });
    const t0 = performance.now();
    const res = await fetch(`${server.url}/cdn-cgi/handler/scheduled?time=${at}&cron=${encodeURIComponent('* * * * *')}`);
    const ms = performance.now() - t0;
    if (!res.ok) throw new Error(`scheduled handler answered ${res.status}`);
    // Every due case must have been breached: count them back through the API.
    let breached = 0;
    let cursor = '';
    for (;;) {
      const page = await (await fetch(`${server.url}/api/cases?status=breaching&limit=200${cursor ? `&cursor=${cursor}` : ''}`)).json();
      breached += page.items.filter((c) => c.sla?.state === 'breached').length;
      if (!page.nextCursor) break;
      cursor = encodeURIComponent(page.nextCursor);
    }
    if (breached !== due) throw new Error(`the sweep breached ${breached} cases, expected ${due}`);
    return ms;
  } finally {
    await server?.stop();
    rmSync(persist, { recursive: true, force: true });
  }
}

function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

const round1 = (x) => Math.round(x * 10) / 10;

/** The Worker as deployed plus the bench's instruments (the publish-only baseline, counted D1 calls). */
const BENCH_WORKER = 'worker/bench/index.ts';

async function withServer(vars, fn) {
  const persist = mkdtempSync(path.join(os.tmpdir(), 'edgecase-bench-'));
  let server;
  try {
    await migrateLocal(persist, { quiet: true });
    server = await startWrangler({ port: await freePort(), persistTo: persist, output: () => {}, vars, script: BENCH_WORKER });
    await seedDemo(server.url);
    return await fn(server.url, persist, server);
  } finally {
    await server?.stop();
    rmSync(persist, { recursive: true, force: true });
  }
}

function openSocket(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/live`);
    const timer = setTimeout(() => reject(new Error('WebSocket did not open')), 15_000);
    ws.addEventListener('open', () => (clearTimeout(timer), resolve(ws)));
    ws.addEventListener('error', () => (clearTimeout(timer), reject(new Error('WebSocket error'))));
  });
}

/** A new customer's first mail: each `i` a new sender and a new case, subject "Latency <i>". */
function newMail(prefix, i, stamp) {
  const from = `${prefix}${i}.${stamp}@example.com`;
  return { from, raw: `From: Sender ${i} <${from}>\r\nTo: support@acme.test\r\nSubject: Latency ${i}\r\nMessage-ID: <${prefix}-${i}-${stamp}@example.com>\r\n\r\nHello ${i}\r\n` };
}

/** CPU time (ms) of each process below `pid`, and of each workerd thread, from /proc. */
function cpuTimes(pid) {
  const tick = 1000 / 100; // USER_HZ is 100 on Linux
  const stat = (file) => {
    const text = readFileSync(file, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), ms: (Number(f[11]) + Number(f[12])) * tick };
  };
  const all = new Map();
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      all.set(Number(p), stat(`/proc/${p}/stat`));
    } catch {
      // gone meanwhile
    }
  }
  const below = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [p, s] of all) if (!below.has(p) && below.has(s.ppid)) below.add(p), (grew = true);
  }
  const out = { workerd: 0, wrangler: 0, threads: new Map() };
  for (const p of below) {
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    const isWorkerd = cmd.includes('workerd');
    out[isWorkerd ? 'workerd' : 'wrangler'] += all.get(p)?.ms ?? 0;
    if (!isWorkerd) continue;
    for (const t of readdirSync(`/proc/${p}/task`)) {
      try {
        out.threads.set(t, stat(`/proc/${p}/task/${t}/stat`).ms);
      } catch {
        // gone meanwhile
      }
    }
  }
  return out;
}

/** New mail delivered one after another; CPU per mail of the local runtime (wrangler and its workerd). */
async function cpuRun(url, pid, count) {
  const stamp = Date.now();
  const one = (i) => {
    const { from, raw } = newMail('cpu', i, stamp);
    return deliver(url, raw, { from, to: 'support@acme.test' });
  };
  for (let i = 0; i < 20; i++) await one(-1 - i); // warm-up: compiled code, open files
  await new Promise((r) => setTimeout(r, 500));
  const before = cpuTimes(pid);
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const r = await one(i);
    if (r.status >= 300) throw new Error(`delivery ${i}: ${r.status} ${r.text.slice(0, 200)}`);
  }
  const wall = (performance.now() - t0) / count;
  await new Promise((r) => setTimeout(r, 500)); // deliveries finishing after the handler returned
  const after = cpuTimes(pid);
  let thread = 0;
  for (const [t, ms] of after.threads) thread = Math.max(thread, ms - (before.threads.get(t) ?? 0));
  return { wall, workerd: (after.workerd - before.workerd) / count, wrangler: (after.wrangler - before.wrangler) / count, thread: thread / count };
}

/**
 * D1 round trips per inbound mail, as the bench Worker records them: a new customer's mail, then a
 * reply to it, `rounds` times. Calls that record an acknowledgement's delivery (in the background,
 * after the mail was filed) are counted apart. Returns [min, max] of each.
 */
async function d1Run(url, rounds) {
  const { isDeliveryRecord } = await import('../worker/bench/d1-count.ts');
  const stamp = Date.now();
  const recorded = async () => (await (await fetch(`${url}/api/bench/d1-calls`)).json()).items;
  /** Delivers and returns the recorded calls once the mail's work, the background included, is done. */
  const measure = async (raw, from, ack) => {
    const r = await deliver(url, raw, { from, to: 'support@acme.test' });
    if (r.status >= 300) throw new Error(`delivery: ${r.status} ${r.text.slice(0, 200)}`);
    const deadline = Date.now() + 15_000;
    for (;;) {
      const entry = (await recorded()).findLast((e) => e.from === from);
      if (entry && (!ack || entry.calls.some(isDeliveryRecord))) return entry.calls;
      if (Date.now() > deadline) throw new Error(`no ${ack ? 'acknowledgement delivery' : 'D1 calls'} recorded for mail from ${from}`);
      await new Promise((res) => setTimeout(res, 50));
    }
  };
  const range = (xs) => [Math.min(...xs), Math.max(...xs)];
  const filing = (calls) => calls.filter((c) => !isDeliveryRecord(c)).length;
  // Warm-up: the isolate resolves the mailbox once.
  const warm = newMail('d1warm', 0, stamp);
  await measure(warm.raw, warm.from, true);
  const newCase = [];
  const reply = [];
  const ack = [];
  for (let i = 0; i < rounds; i++) {
    const first = newMail('d1', i, stamp);
    const calls = await measure(first.raw, first.from, true);
    newCase.push(filing(calls));
    ack.push(calls.length - filing(calls));
    const answer = `From: Sender ${i} <${first.from}>\r\nTo: support@acme.test\r\nSubject: Re: Latency ${i}\r\nMessage-ID: <d1-re-${i}-${stamp}@example.com>\r\nIn-Reply-To: <d1-${i}-${stamp}@example.com>\r\nReferences: <d1-${i}-${stamp}@example.com>\r\n\r\nThanks, and one more thing.\r\n`;
    reply.push(filing(await measure(answer, first.from, false)));
  }
  return { newCase: range(newCase), reply: range(reply), ack: range(ack) };
}

async function acksOff(url) {
  const { items } = await (await fetch(`${url}/api/admin/mailboxes`)).json();
  for (const m of items) {
    const res = await fetch(`${url}/api/admin/mailboxes/${m.id}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json', Origin: url },
      body: JSON.stringify({ ackOnCreate: false, ackOnUpdate: false }),
    });
    if (!res.ok) throw new Error(`turning acknowledgements off for ${m.address}: ${res.status} ${await res.text()}`);
  }
}

/** 500 mails at 50 per second, each timed from delivery to its event on an agent's socket. */
async function latencyRun(url, eventOf, count = Number(process.env.BENCH_LATENCY_MAILS ?? 500), perSecond = Number(process.env.BENCH_LATENCY_RATE ?? 50)) {
  const ws = await openSocket(url);
  const started = new Map();
  const latencies = [];
  const failures = [];
  let done;
  const all = new Promise((resolve) => (done = resolve));
  ws.addEventListener('message', (e) => {
    const frame = JSON.parse(e.data);
    if (frame.type !== 'event') return;
    const i = eventOf(frame.event);
    if (i === null || !started.has(i)) return;
    latencies.push(performance.now() - started.get(i));
    started.delete(i);
    if (latencies.length === count) done();
  });
  const stamp = Date.now();
  for (let i = 0; i < count; i++) {
    const { from, raw } = newMail('sender', i, stamp);
    started.set(i, performance.now());
    deliver(url, raw, { from, to: 'support@acme.test' }).then(
      (r) => r.status >= 300 && failures.push(`${r.status} ${r.text.slice(0, 200)}`),
      (err) => failures.push(String(err?.cause ?? err)),
    );
    await new Promise((r) => setTimeout(r, 1000 / perSecond));
  }
  await Promise.race([all, new Promise((r) => setTimeout(r, 60_000))]);
  ws.close();
  if (latencies.length < count) throw new Error(`only ${latencies.length} of ${count} events arrived${failures.length ? `; ${failures.length} deliveries failed, first: ${failures[0]}` : ''}`);
  return latencies;
}

const wanted = process.argv.slice(2);
for (const name of wanted.length ? wanted : Object.keys(benches)) {
  if (!benches[name]) {
    console.error(`unknown benchmark "${name}"; there are: ${Object.keys(benches).join(', ')}`);
    process.exit(2);
  }
  console.log(`\n── ${name}`);
  await benches[name]();
}
writeFileSync(path.join(root, 'bench-results.json'), `${JSON.stringify(results, null, 2)}\n`);
