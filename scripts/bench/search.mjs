// The search benchmark: latency of GET /api/search over 100,000 messages in local D1 (seeded with
// SQL straight into both databases, as a commit would have left them), and the ingest rate with the
// index kept next to the same run without it (SEARCH_INDEX=off).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deliver, freePort, migrateLocal, seedDemo, startWrangler } from '../lib/devserver.mjs';
import { run, tool } from '../lib/env.mjs';

/** A small deterministic generator (mulberry32), so every run searches the same text. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COMMON = 'the a to and of my is for in it on this with not have order please your you we was be can would like'.split(' ');
const TOPICS = 'refund invoice parcel delivery broken password account subscription warranty kettle printer charger screen battery courier address payment discount voucher cancel exchange'.split(' ');
const PHRASES = ['credit card', 'tracking number', 'out of stock', 'wrong size', 'customer service'];
const NAMES = ['Ana Pérez', 'Jürgen Müller', 'Chloé Martin', 'Sam Lee', 'Priya Nair', 'Tom Berg', 'Yuki Sato', 'Li Wei'];

/** Pseudo-words: most of the vocabulary is rare, as in real mail. */
function vocabulary(rand, n) {
  const letters = 'abcdefghiklmnoprstuvwz';
  return Array.from({ length: n }, () => Array.from({ length: 4 + Math.floor(rand() * 6) }, () => letters[Math.floor(rand() * letters.length)]).join(''));
}

function sentence(rand, words) {
  const out = [];
  const n = 12 + Math.floor(rand() * 30);
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (r < 0.5) out.push(COMMON[Math.floor(rand() * COMMON.length)]);
    // A topic word in about a quarter of the cases, a phrase in a tenth: common, not universal.
    else if (r < 0.53) out.push(TOPICS[Math.floor(rand() * TOPICS.length)]);
    else if (r < 0.5316) out.push(PHRASES[Math.floor(rand() * PHRASES.length)]);
    else out.push(words[Math.floor(rand() ** 2 * words.length)]);
  }
  return `${out.join(' ')}.`;
}

/** Multi-row INSERTs under D1's statement size limit (100 kB). */
function inserts(head, rows, maxBytes = 90_000) {
  const out = [];
  let part = [];
  let size = 0;
  for (const r of rows) {
    if (part.length && size + r.length > maxBytes) {
      out.push(`${head} ${part.join(',')};`);
      part = [];
      size = 0;
    }
    part.push(r);
    size += r.length + 1;
  }
  if (part.length) out.push(`${head} ${part.join(',')};`);
  return out;
}

const q = (s) => `'${String(s).replace(/'/g, "''")}'`;

/** SQL for both databases: `cases` cases of `perCase` messages each, in one workspace (the only one, so open mode serves it). */
export function searchCorpusSql(cases, perCase, at) {
  const rand = random(42);
  const words = vocabulary(rand, 20_000);
  const main = [
    `INSERT INTO workspaces (id, name, slug, case_counter, created_at) VALUES ('ws_sb', 'Search bench', 'sb', ${cases}, ${at});`,
    `INSERT INTO mailboxes (id, workspace_id, address, display_name, created_at, updated_at) VALUES ('mbx_sb', 'ws_sb', 'help@sb.test', 'Help', ${at}, ${at});`,
    `INSERT INTO agents (id, workspace_id, email, name, role, created_at) VALUES ('agt_sb', 'ws_sb', 'ada@sb.test', 'Ada', 'admin', ${at});`,
  ];
  const search = [];
  const caseRows = [];
  const messageRows = [];
  const indexRows = [];
  const textRows = [];
  const statuses = ['new', 'open', 'open', 'pending', 'resolved', 'closed'];
  const priorities = ['low', 'normal', 'normal', 'normal', 'high', 'urgent'];
  for (let n = 1; n <= cases; n++) {
    const id = `case_sb${String(n).padStart(7, '0')}`;
    const t = at - (cases - n) * 60_000;
    const status = statuses[n % statuses.length];
    const priority = priorities[(n * 7) % priorities.length];
    const name = NAMES[n % NAMES.length];
    const email = `customer${n % 5000}@example.com`;
    const subject = `${TOPICS[n % TOPICS.length]} ${words[Math.floor(rand() * words.length)]} question ${n}`;
    const assignee = n % 3 === 0 ? "'agt_sb'" : 'NULL';
    caseRows.push(`(${q(id)},'ws_sb','mbx_sb',${n},${q(subject)},'${status}','${priority}',${assignee},${t},${t},${t},${perCase})`);
    const bodies = [];
    for (let m = 0; m < perCase; m++) {
      const text = `${sentence(rand, words)} ${sentence(rand, words)}`;
      bodies.push(`${m === 0 ? subject : `Re: ${subject}`}\n${text}\n`);
      const dir = m % 2 === 0 ? 'inbound' : 'outbound';
      messageRows.push(
        `(${q(`msg_sb${n}_${m}`)},'ws_sb',${q(id)},'mbx_sb','${dir}',${q(dir === 'inbound' ? email : 'help@sb.test')},${q(dir === 'inbound' ? name : 'Help')},${q(m === 0 ? subject : `Re: ${subject}`)},${q(text)},'new',${t - (perCase - m) * 1000})`,
      );
    }
    const attached = n % 10 === 0;
    indexRows.push(`(${n},${q(id)},'ws_sb','mbx_sb','${status}','${priority}',${assignee},' ${email} ',' help@sb.test ',' human ',${attached ? 1 : 0},0,${t},${t})`);
    textRows.push(`(${n},${q(subject)},${q(`${name} <${email}>\n`)},${q(attached ? `scan-${n}.pdf\n` : '')},'',${q(bodies.join(''))})`);
  }
  main.push(
    ...inserts('INSERT INTO cases (id, workspace_id, mailbox_id, number, subject, status, priority, assignee_id, created_at, updated_at, last_message_at, message_count) VALUES', caseRows),
    ...inserts('INSERT INTO messages (id, workspace_id, case_id, mailbox_id, direction, from_email, from_name, subject, text, thread_rule, created_at) VALUES', messageRows),
  );
  search.push(
    ...inserts(
      'INSERT INTO search_cases (doc, case_id, workspace_id, mailbox_id, status, priority, assignee_id, senders, recipients, kinds, has_attachment, has_note, created_at, active_at) VALUES',
      indexRows,
    ),
    ...inserts('INSERT INTO search_text (rowid, subject, people, files, notes, body) VALUES', textRows),
  );
  return { main: main.join('\n'), search: search.join('\n'), words };
}

/** The queries timed: words common and rare, phrases, filters alone and with words, negation. */
function queryMix(words) {
  return [
    'refund',
    'invoice',
    'kettle printer',
    '"credit card"',
    '"tracking number" courier',
    words[5],
    words[500],
    words[15_000],
    'status:open refund',
    'priority:urgent invoice',
    'from:customer42@example.com',
    'has:attachment scan',
    'assignee:me status:pending',
    'parcel -refund',
    'status:active after:30d',
    `${words[20]} ${words[21]}`,
    'question 4242',
    'müller warranty',
    'is:unassigned password',
    'tracking',
  ];
}

function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** p50 and p99 of GET /api/search over `messages` messages. */
export async function searchLatency({ messages = 100_000, perCase = 5, rounds = 10 } = {}) {
  const persist = mkdtempSync(path.join(os.tmpdir(), 'edgecase-bench-search-'));
  let server;
  try {
    await migrateLocal(persist, { quiet: true });
    const cases = Math.ceil(messages / perCase);
    const at = Date.now();
    const t0 = performance.now();
    const sql = searchCorpusSql(cases, perCase, at);
    for (const [binding, text] of [
      ['DB', sql.main],
      ['SEARCH', sql.search],
    ]) {
      const file = path.join(persist, `${binding}.sql`);
      writeFileSync(file, text);
      await run(tool('wrangler'), ['d1', 'execute', binding, '--local', '--persist-to', persist, '--file', file, '--yes'], { env: { CI: 'true' }, quiet: true });
    }
    const seeded = (performance.now() - t0) / 1000;
    server = await startWrangler({ port: await freePort(), persistTo: persist, output: () => {}, vars: { AUTH_MODE: 'open' } });
    const mix = queryMix(sql.words);
    const ask = async (query) => {
      const s = performance.now();
      const res = await fetch(`${server.url}/api/search?q=${encodeURIComponent(query)}&limit=25`);
      const body = await res.json();
      if (res.status !== 200) throw new Error(`search "${query}" answered ${res.status}: ${JSON.stringify(body)}`);
      return { ms: performance.now() - s, hits: body.items.length };
    };
    // Warm-up: the Worker's first requests compile code and fill SQLite's page cache.
    for (const query of mix) await ask(query);
    // The baseline, interleaved: a page of the case list, the cheapest API read of the same size.
    const list = async () => {
      const s = performance.now();
      const res = await fetch(`${server.url}/api/cases?status=all&limit=25`);
      await res.text();
      if (res.status !== 200) throw new Error(`the case list answered ${res.status}`);
      return performance.now() - s;
    };
    const times = [];
    const baseline = [];
    const found = new Map();
    for (let r = 0; r < rounds; r++)
      for (const query of mix) {
        const { ms, hits } = await ask(query);
        times.push(ms);
        found.set(query, hits);
        baseline.push(await list());
      }
    const empty = [...found].filter(([, n]) => n === 0).map(([k]) => k);
    if (empty.length > 3) throw new Error(`the mix finds nothing for ${empty.join(', ')}: the corpus or the index is broken`);
    return {
      messages: cases * perCase,
      seeded,
      p50: percentile(times, 50),
      p99: percentile(times, 99),
      listP50: percentile(baseline, 50),
      listP99: percentile(baseline, 99),
      count: times.length,
      empty,
    };
  } finally {
    await server?.stop();
    rmSync(persist, { recursive: true, force: true });
  }
}

/** mails/s accepted by the local email handler, 4 senders in parallel, with `vars` (SEARCH_INDEX=off for the baseline). */
export async function ingestRate(vars, total = 400) {
  const persist = mkdtempSync(path.join(os.tmpdir(), 'edgecase-bench-'));
  let server;
  try {
    await migrateLocal(persist, { quiet: true });
    server = await startWrangler({ port: await freePort(), persistTo: persist, output: () => {}, vars });
    await seedDemo(server.url);
    const stamp = Date.now();
    const body = (i) =>
      `From: Sender ${i} <sender${i % 50}@example.com>\r\nTo: support@acme.test\r\nSubject: Bench message ${i}\r\nMessage-ID: <bench-${i}-${stamp}@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello, this is message ${i}. ${'Some words to make it a realistic size. '.repeat(40)}\r\n`;
    for (let i = 0; i < 10; i++) await deliver(server.url, body(-1 - i), { from: 'warm@example.com', to: 'support@acme.test' });
    let next = 0;
    let failed = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < total) {
          const i = next++;
          const r = await deliver(server.url, body(i), { from: `sender${i % 50}@example.com`, to: 'support@acme.test' });
          if (r.status >= 300) failed++;
        }
      }),
    );
    const rate = total / ((performance.now() - t0) / 1000);
    if (failed) throw new Error(`${failed} deliveries failed`);
    return rate;
  } finally {
    await server?.stop();
    rmSync(persist, { recursive: true, force: true });
  }
}
