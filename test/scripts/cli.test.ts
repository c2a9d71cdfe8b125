// `npm run import` and `npm run smtp` against a real `wrangler dev` (fresh storage in a temp dir, the
// demo workspace seeded): the CLIs run as child processes, the SMTP client is a raw socket. The
// SMTP tests come last: the final one stops wrangler to see the bridge answer 451.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { ensureDevVars, freePort, migrateLocal, seedDemo, startWrangler } from '../../scripts/lib/devserver.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');
const MAILBOX = 'support@acme.test';

// ---------------------------------------------------------------------------------------------
// Server and processes (output shown only when something fails)

const logs: string[] = [];
function log(text: string): void {
  logs.push(text.endsWith('\n') ? text : `${text}\n`);
}

let server: { url: string; stop: () => Promise<void> } | undefined;
let work: string | undefined;
let setupError: Error | undefined;
const children = new Set<ChildProcess>();
const servers = new Set<Server>();

beforeAll(async () => {
  try {
    ensureDevVars();
    work = await mkdtemp(path.join(tmpdir(), 'edgecase-cli-'));
    const persistTo = path.join(work, 'wrangler');
    await migrateLocal(persistTo, { quiet: true });
    server = await startWrangler({ port: await freePort(), persistTo, output: (line: string) => log(line), vars: { AUTH_MODE: 'open' } });
    await seedDemo(server.url);
  } catch (err) {
    setupError = err instanceof Error ? err : new Error(String(err));
    process.stderr.write(`\n----- wrangler dev output (setup failed) -----\n${logs.join('')}\n`);
  }
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const s of servers) await new Promise((r) => s.close(r));
  await server?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

beforeEach((ctx) => {
  if (setupError) throw new Error(`setup failed: ${setupError.message}`, { cause: setupError });
  ctx.onTestFailed(() => {
    process.stderr.write(`\n----- output of wrangler dev and the CLIs -----\n${logs.slice(-200).join('')}----- end -----\n`);
  });
});

function url(): string {
  if (!server) throw new Error('server not started');
  return server.url;
}

type Run = { code: number | null; stdout: string; stderr: string };

/** Runs a script of ours with the Node that runs the tests, in `cwd` (where the import keeps its state). */
function runScript(script: string, args: string[], { cwd = work!, timeoutMs = 60_000 } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.INIT_CWD;
    const child = spawn(process.execPath, [path.join(ROOT, script), ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      children.delete(child);
      log(`$ ${script} ${args.join(' ')} → ${code}\n${stdout}${stderr}`);
      resolve({ code, stdout, stderr });
    });
  });
}

const importCli = (args: string[], opts?: { cwd?: string }) => runScript('scripts/import.mjs', args, opts);

// ---------------------------------------------------------------------------------------------
// API

type CaseSummary = { id: string; subject: string; status: string; messageCount: number };

async function api<T>(p: string): Promise<T> {
  const res = await fetch(`${url()}${p}`);
  if (!res.ok) throw new Error(`GET ${p}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function casesWith(tag: string): Promise<CaseSummary[]> {
  const page = await api<{ items: CaseSummary[] }>('/api/cases?status=all&limit=200');
  return page.items.filter((c) => c.subject.includes(tag));
}

async function rawOf(subject: string): Promise<string> {
  const page = await api<{ items: { id: string; subject: string | null }[] }>('/api/inbound?status=all&limit=200');
  const row = page.items.find((r) => r.subject === subject);
  if (!row) throw new Error(`no inbound message "${subject}"`);
  const res = await fetch(`${url()}/api/inbound/${row.id}/raw`);
  return res.text();
}

// ---------------------------------------------------------------------------------------------
// Mail

const tag = () => randomBytes(4).toString('hex');

function mail(f: { from: string; to?: string; subject: string; id: string; date: string; body: string; inReplyTo?: string }): string {
  const lines = [
    `From: ${f.from}`,
    `To: ${f.to ?? MAILBOX}`,
    `Subject: ${f.subject}`,
    `Date: ${f.date}`,
    `Message-ID: <${f.id}>`,
    ...(f.inReplyTo ? [`In-Reply-To: <${f.inReplyTo}>`, `References: <${f.inReplyTo}>`] : []),
    'Content-Type: text/plain; charset=utf-8',
  ];
  return `${lines.join('\n')}\n\n${f.body}\n`;
}

/** Summary lines of the CLI, as numbers: { imported, duplicates, held, failed, skipped }. */
function counts(stdout: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of stdout.matchAll(/^ {2}(imported|duplicates|held|failed|skipped) +(\d+)/gm)) out[m[1]!] = Number(m[2]);
  return out;
}

// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// The demo `npm start` seeds (beforeAll ran seedDemo): every feature has something to show.

type SlaView = { state: string; dueAt: number | null; target: string | null; paused: boolean };
type CaseRow = CaseSummary & { sla: SlaView | null };
type Detail = { case: CaseRow; messages: { direction: string; kind: string; text: string; from: { email: string } }[] };

async function demoCase(subject: string): Promise<CaseRow> {
  const page = await api<{ items: CaseRow[] }>('/api/cases?status=all&limit=200');
  const found = page.items.find((c) => c.subject === subject);
  if (!found) throw new Error(`no demo case "${subject}"`);
  return found;
}

describe('the demo seed', () => {
  test('a case near breach: listed under Breaching soon, its first response due within minutes; the sweep breaches it on time', async () => {
    const kase = await demoCase('Cannot log in after password reset');
    const breaching = await api<{ items: CaseRow[] }>('/api/cases?status=breaching');
    const listed = breaching.items.find((c) => c.id === kase.id);
    expect(listed?.sla).toMatchObject({ state: 'warning', target: 'firstResponse', paused: false });
    const left = listed!.sla!.dueAt! - Date.now();
    expect(left).toBeGreaterThan(60_000);
    expect(left).toBeLessThanOrEqual(4 * 60_000);
    // The minute cron (npm start runs it) at the due time turns it red.
    const at = listed!.sla!.dueAt! + 1000;
    const res = await fetch(`${url()}/cdn-cgi/handler/scheduled?time=${at}&cron=${encodeURIComponent('* * * * *')}`);
    expect(res.ok).toBe(true);
    expect((await demoCase('Cannot log in after password reset')).sla?.state).toBe('breached');
  });

  test('a stranger replying into a case is held as not-a-participant, not filed', async () => {
    const held = await api<{ items: { subject: string; fromEmail: string; status: string; reason: string | null }[] }>('/api/inbound?status=held&limit=200');
    expect(held.items.filter((i) => i.fromEmail === 'sam@example.net').map((i) => [i.subject, i.reason])).toEqual([['Re: Order #4411 arrived damaged', 'not-a-participant']]);
    const maria = await api<Detail>(`/api/cases/${(await demoCase('Order #4411 arrived damaged')).id}`);
    expect(maria.messages.some((m) => m.from.email === 'sam@example.net')).toBe(false);
  });

  test('the bounce of an acknowledgement is a system line on its case', async () => {
    const detail = await api<Detail>(`/api/cases/${(await demoCase('Exchange for a smaller size')).id}`);
    const lines = detail.messages.filter((m) => m.direction === 'system' && m.kind === 'bounce');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.text).toContain('Delivery to tom@exmaple.com failed: 5.1.2');
  });

  test('seeding again adds nothing and leaves the near-breach case as it was', async () => {
    const before = await api<{ items: CaseRow[] }>('/api/cases?status=all&limit=200');
    await seedDemo(url());
    const after = await api<{ items: CaseRow[] }>('/api/cases?status=all&limit=200');
    expect(after.items.map((c) => [c.id, c.messageCount, c.sla?.dueAt ?? null, c.sla?.state ?? null])).toEqual(
      before.items.map((c) => [c.id, c.messageCount, c.sla?.dueAt ?? null, c.sla?.state ?? null]),
    );
  });
});

describe('npm run import', () => {
  const t = tag();
  let mbox: string;

  test('an mbox: three messages, two threads, From lines in bodies left alone; filed closed', async () => {
    mbox = path.join(work!, `archive-${t}.mbox`);
    const first = mail({
      from: 'Alice <alice@example.com>',
      subject: `Printer on fire ${t}`,
      id: `a-${t}@example.com`,
      date: 'Mon, 02 Mar 2026 08:12:00 +0000',
      // An unescaped From line after an empty line, date and all, but no header after it: body text.
      body: `It started this morning.\n\nFrom here on Mon Mar  2 08:30:00 2026 nobody may print.\n>From the archive: escaped the mboxrd way.\n\nAlice`,
    });
    const reply = mail({
      from: 'Alice <alice@example.com>',
      subject: `Re: Printer on fire ${t}`,
      id: `a2-${t}@example.com`,
      date: 'Mon, 02 Mar 2026 09:00:00 +0000',
      inReplyTo: `a-${t}@example.com`,
      body: 'It is out now.',
    });
    const other = mail({ from: 'Bob <bob@example.org>', subject: `Invoice missing ${t}`, id: `b-${t}@example.org`, date: 'Tue, 03 Mar 2026 10:00:00 +0000', body: 'Where is my invoice?' });
    await writeFile(
      mbox,
      `From alice@example.com Mon Mar  2 08:12:00 2026\n${first}\nFrom alice@example.com Mon Mar  2 09:00:00 2026\n${reply}\nFrom bob@example.org Tue Mar  3 10:00:00 2026\n${other}\n`,
    );

    const run = await importCli([mbox, '--mailbox', MAILBOX, '--url', url(), '--yes']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`Importing 3 messages into ${MAILBOX}`);
    expect(counts(run.stdout)).toEqual({ imported: 3, duplicates: 0, held: 0, failed: 0 });
    expect(run.stdout).toContain('(2 new cases, 1 added to a case)');
    expect(run.stdout).toContain(`batch archive-${t}.mbox`);
    expect(run.stdout).toContain('3 of 3 done');

    const cases = await casesWith(t);
    expect(cases.map((c) => [c.subject, c.status, c.messageCount]).sort()).toEqual([
      [`Invoice missing ${t}`, 'closed', 1],
      [`Printer on fire ${t}`, 'closed', 2],
    ]);
    const raw = await rawOf(`Printer on fire ${t}`);
    expect(raw).toContain('\n\nFrom here on Mon Mar  2 08:30:00 2026 nobody may print.\nFrom the archive: escaped the mboxrd way.\n');
    expect(raw).not.toContain('>From the archive');
    expect(raw.startsWith('From: Alice')).toBe(true);

    const state = JSON.parse(await readFile(path.join(work!, '.edgecase-import', `archive-${t}.mbox.json`), 'utf8'));
    expect(state).toMatchObject({ mailbox: MAILBOX, kind: 'mbox', complete: true, resume: { done: 3 } });
  });

  test('the same archive again: nothing left to do; with --restart everything is a duplicate', async () => {
    const again = await importCli([mbox, '--mailbox', MAILBOX, '--url', url(), '--yes']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('Nothing to import: all 3 messages');

    const restart = await importCli([mbox, '--mailbox', MAILBOX, '--url', url(), '--yes', '--restart']);
    expect(restart.code, restart.stderr).toBe(0);
    expect(counts(restart.stdout)).toEqual({ imported: 0, duplicates: 3, held: 0, failed: 0 });
    const cases = await casesWith(t);
    expect(cases.map((c) => c.messageCount).sort()).toEqual([1, 2]);
  });

  test('a maildir (new/ and cur/, flags in the names) and a folder of .eml files in name order', async () => {
    const m = tag();
    const maildir = path.join(work!, `Maildir-${m}`);
    for (const sub of ['cur', 'new', 'tmp']) await mkdir(path.join(maildir, sub), { recursive: true });
    await writeFile(
      path.join(maildir, 'cur', `1700000000.M1P1.host:2,S`),
      mail({ from: 'Cleo <cleo@example.com>', subject: `Login broken ${m}`, id: `c1-${m}@example.com`, date: 'Wed, 04 Mar 2026 08:00:00 +0000', body: 'Cannot log in.' }),
    );
    await writeFile(
      path.join(maildir, 'new', `1700000100.M2P2.host`),
      mail({
        from: 'Cleo <cleo@example.com>',
        subject: `Re: Login broken ${m}`,
        id: `c2-${m}@example.com`,
        date: 'Wed, 04 Mar 2026 09:00:00 +0000',
        inReplyTo: `c1-${m}@example.com`,
        body: 'Still broken.',
      }),
    );
    await writeFile(
      path.join(maildir, 'tmp', `1700000200.M3P3.host`),
      mail({ from: 'x@example.com', subject: `half written ${m}`, id: `c3-${m}@example.com`, date: 'Wed, 04 Mar 2026 10:00:00 +0000', body: 'not yet delivered' }),
    );

    const dir = await importCli([maildir, '--mailbox', MAILBOX, '--url', url(), '--yes']);
    expect(dir.code, dir.stderr).toBe(0);
    expect(counts(dir.stdout)).toEqual({ imported: 2, duplicates: 0, held: 0, failed: 0 });
    expect(dir.stdout).toContain('(maildir)');
    expect((await casesWith(m)).map((c) => [c.subject, c.status, c.messageCount])).toEqual([[`Login broken ${m}`, 'closed', 2]]);

    // 2.eml starts a thread that 10.eml answers: by name, 10 comes after 2.
    const e = tag();
    const folder = path.join(work!, `eml folder ${e}`);
    await mkdir(folder);
    await writeFile(
      path.join(folder, '1.eml'),
      mail({ from: 'Dan <dan@example.net>', subject: `Refund ${e}`, id: `d1-${e}@example.net`, date: 'Thu, 05 Mar 2026 08:00:00 +0000', body: 'I want a refund.' }),
    );
    await writeFile(
      path.join(folder, '2.eml'),
      mail({ from: 'Eve <eve@example.net>', subject: `Shipping ${e}`, id: `e1-${e}@example.net`, date: 'Thu, 05 Mar 2026 09:00:00 +0000', body: 'Where is my parcel?' }),
    );
    await writeFile(
      path.join(folder, '10.eml'),
      mail({ from: 'Eve <eve@example.net>', subject: `Re: Shipping ${e}`, id: `e2-${e}@example.net`, date: 'Thu, 05 Mar 2026 10:00:00 +0000', inReplyTo: `e1-${e}@example.net`, body: 'Found it.' }),
    );
    await writeFile(path.join(folder, 'notes.txt'), 'not mail');

    const eml = await importCli([folder, '--mailbox', MAILBOX, '--url', url(), '--yes']);
    expect(eml.code, eml.stderr).toBe(0);
    expect(counts(eml.stdout)).toEqual({ imported: 3, duplicates: 0, held: 0, failed: 0 });
    expect(eml.stdout).toContain('(2 new cases, 1 added to a case)');
    // The batch name comes from the folder's name, made safe.
    expect(eml.stdout).toContain(`batch eml-folder-${e}`);
    expect((await casesWith(e)).map((c) => [c.subject, c.status, c.messageCount]).sort()).toEqual([
      [`Refund ${e}`, 'closed', 1],
      [`Shipping ${e}`, 'closed', 2],
    ]);
  });

  test('4xx for one message is recorded and the import goes on; 5xx is retried, then it stops and resumes later', async () => {
    const r = tag();
    const archive = path.join(work!, `flaky-${r}.mbox`);
    const msgs = [1, 2, 3, 4].map((i) =>
      mail({ from: `F${i} <f${i}@example.com>`, subject: `Flaky ${i} ${r}`, id: `f${i}-${r}@example.com`, date: `Fri, 06 Mar 2026 0${i}:00:00 +0000`, body: `number ${i}` }),
    );
    await writeFile(archive, msgs.map((m, i) => `From f${i + 1}@example.com Fri Mar  6 0${i + 1}:00:00 2026\n${m}\n`).join(''));

    // In front of the real server: refuses the first import with a 400, passes the second, and
    // answers 503 from then on.
    let imports = 0;
    const proxy = createHttpServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      if (req.url?.startsWith('/api/admin/import')) {
        imports++;
        if (imports === 1) return void res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: { code: 'bad_request', message: 'injected refusal' } }));
        if (imports > 2) return void res.writeHead(503, { 'Content-Type': 'text/plain' }).end('injected outage');
      }
      const upstream = await fetch(`${url()}${req.url}`, {
        method: req.method,
        headers: { 'Content-Type': req.headers['content-type'] ?? 'application/octet-stream' },
        body: chunks.length ? Buffer.concat(chunks) : undefined,
      });
      res.writeHead(upstream.status, { 'Content-Type': upstream.headers.get('content-type') ?? 'text/plain' }).end(Buffer.from(await upstream.arrayBuffer()));
    });
    servers.add(proxy);
    const port = await freePort();
    await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));

    const started = Date.now();
    const first = await importCli([archive, '--mailbox', MAILBOX, '--url', `http://127.0.0.1:${port}`, '--yes']);
    expect(first.code).toBe(1);
    expect(counts(first.stdout)).toEqual({ imported: 1, duplicates: 0, held: 0, failed: 1 });
    expect(first.stdout).toContain('message 1 (byte 0): 400 bad_request: injected refusal');
    expect(first.stdout).toContain('2 of 4 done');
    expect(first.stderr).toMatch(/failed 4 times in a row \(last: 503 injected outage\)/);
    expect(first.stderr).toContain('run the same command again to continue');
    expect(imports).toBe(2 + 4); // the third message: once and 3 retries
    expect(Date.now() - started).toBeGreaterThan(6_000); // backoff 1 + 2 + 4 s

    const second = await importCli([archive, '--mailbox', MAILBOX, '--url', url(), '--yes']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain('the remaining 2 of 4 messages (an earlier run did 2)');
    expect(counts(second.stdout)).toEqual({ imported: 2, duplicates: 0, held: 0, failed: 0, skipped: 2 });
    expect((await casesWith(r)).map((c) => c.subject).sort()).toEqual([`Flaky 2 ${r}`, `Flaky 3 ${r}`, `Flaky 4 ${r}`]);
  });

  test('refuses without a terminal and without --yes; a server that is not there is named, with a hint', async () => {
    const single = path.join(work!, `one-${tag()}.eml`);
    await writeFile(single, mail({ from: 'g@example.com', subject: 'one', id: `g-${tag()}@example.com`, date: 'Sat, 07 Mar 2026 08:00:00 +0000', body: 'x' }));
    const noTty = await importCli([single, '--mailbox', MAILBOX, '--url', url()]);
    expect(noTty.code).toBe(1);
    expect(noTty.stderr).toContain(`this would import 1 message into ${MAILBOX}, and there is no terminal to ask. Pass --yes`);

    const closed = `http://127.0.0.1:${await freePort()}`;
    const down = await importCli([single, '--mailbox', MAILBOX, '--url', closed, '--yes']);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`Cannot reach edgecase at ${closed}`);
    expect(down.stderr).toContain('npm start');

    const wrongMailbox = await importCli([single, '--mailbox', 'nobody@acme.test', '--url', url(), '--yes', '--batch', `wrong-${tag()}`]);
    expect(wrongMailbox.code).toBe(1);
    expect(wrongMailbox.stderr).toContain('no mailbox nobody@acme.test');
  });
});

// ---------------------------------------------------------------------------------------------
// SMTP

/** A minimal SMTP client over a raw socket: one command, one (possibly multi-line) reply. */
class Smtp {
  private buffer = '';
  private waiting: ((reply: string) => void) | null = null;
  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.buffer += d;
      this.flush();
    });
  }

  static async connect(port: number): Promise<{ client: Smtp; greeting: string }> {
    const socket = createConnection({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const client = new Smtp(socket);
    return { client, greeting: await client.reply() };
  }

  private flush(): void {
    // A reply ends with a line "NNN text" (a "NNN-" line means more follow).
    const m = /(^|\r\n)\d{3} [^\r\n]*\r\n/.exec(this.buffer);
    if (!m || !this.waiting) return;
    const end = m.index + m[0].length;
    const reply = this.buffer.slice(0, end);
    this.buffer = this.buffer.slice(end);
    const done = this.waiting;
    this.waiting = null;
    done(reply.trimEnd());
  }

  reply(): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no SMTP reply; got so far: ${JSON.stringify(this.buffer)}`)), 30_000);
      this.waiting = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
      this.flush();
    });
  }

  async cmd(line: string): Promise<string> {
    this.socket.write(`${line}\r\n`);
    return this.reply();
  }

  /** DATA with the message dot-stuffed; answers the reply to the final dot. */
  async data(message: string): Promise<string> {
    const go = await this.cmd('DATA');
    if (!go.startsWith('354')) return go;
    const body = message.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
    this.socket.write(`${body}${body.endsWith('\r\n') ? '' : '\r\n'}.\r\n`);
    return this.reply();
  }

  close(): void {
    this.socket.end();
    this.socket.destroy();
  }
}

async function send(port: number, { from, to, message }: { from: string; to: string[]; message: string }): Promise<{ mail: string; rcpt: string[]; data: string }> {
  const { client } = await Smtp.connect(port);
  try {
    await client.cmd('EHLO test.example');
    const mailReply = await client.cmd(`MAIL FROM:<${from}>`);
    const rcpt: string[] = [];
    for (const r of to) rcpt.push(await client.cmd(`RCPT TO:<${r}>`));
    const data = await client.data(message);
    await client.cmd('QUIT');
    return { mail: mailReply, rcpt, data };
  } finally {
    client.close();
  }
}

type Bridge = { port: number; output: () => string; stop: () => Promise<void> };

/** What `p` gives, or 'timeout' once `ms` have passed: a bound the caller turns into a failure. */
async function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** An SMTP client as applications use it, talking to a bridge on loopback. */
function mailer(port: number) {
  return nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, name: 'app.example', connectionTimeout: 10_000 });
}

/** `npm run smtp` as a child process, on a free port, in front of `target`. */
async function startBridgeProcess(target: string): Promise<Bridge> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(ROOT, 'scripts/smtp.mjs'), '--port', String(port), '--url', target], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
    log(`[smtp ${port}] ${d}`);
  });
  child.stderr!.on('data', (d) => log(`[smtp ${port} stderr] ${d}`));
  const exited = new Promise<'exited'>((resolve) => child.once('exit', () => resolve('exited')));
  const said = (text: string) =>
    new Promise<'up'>((resolve) => {
      const check = () => {
        if (!out.includes(text)) return;
        child.stdout!.off('data', check);
        resolve('up');
      };
      child.stdout!.on('data', check);
      check();
    });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    // It closes within its 2 s closeTimeout and exits; still there after 5 s is a failure (killed
    // first, so that the run does not hang on it).
    const hung = (await within(exited, 5000)) === 'timeout';
    if (hung) child.kill('SIGKILL');
    children.delete(child);
    if (hung) throw new Error(`the SMTP bridge on port ${port} did not exit within 5 s of SIGTERM:\n${out}`);
  };
  const started = await within(Promise.race([said(`SMTP on 127.0.0.1:${port}`), exited]), 15_000);
  if (started !== 'up') {
    await stop().catch(() => {});
    throw new Error(`the SMTP bridge did not start (${started}):\n${out}`);
  }
  return { port, output: () => out, stop };
}

describe('npm run smtp', () => {
  let bridge: Bridge | undefined;
  let port = 0;
  const bridgeOut = () => bridge?.output() ?? '';

  beforeAll(async () => {
    if (setupError) return;
    bridge = await startBridgeProcess(url());
    port = bridge.port;
  });

  afterAll(async () => {
    await bridge?.stop();
  });

  test('a message to the support mailbox: 250, and the case is there', async () => {
    const s = tag();
    const { client, greeting } = await Smtp.connect(port);
    expect(greeting).toMatch(/^220 /);
    const ehlo = await client.cmd('EHLO test.example');
    expect(ehlo).toMatch(/^250[- ]/);
    expect(ehlo).toContain('SIZE 26214400');
    expect(ehlo).not.toContain('AUTH');
    expect(ehlo).not.toContain('STARTTLS');
    expect(await client.cmd('MAIL FROM:<hana@example.com>')).toMatch(/^250 /);
    expect(await client.cmd(`RCPT TO:<${MAILBOX}>`)).toMatch(/^250 /);
    const message = mail({
      from: 'Hana <hana@example.com>',
      subject: `Sent over SMTP ${s}`,
      id: `h-${s}@example.com`,
      date: new Date().toUTCString(),
      body: 'Hello over SMTP.\n.a line that starts with a dot',
    });
    const reply = await client.data(message);
    expect(reply).toBe(`250 2.0.0 delivered to <${MAILBOX}>`);
    await client.cmd('QUIT');
    client.close();

    const cases = await casesWith(s);
    expect(cases.map((c) => [c.subject, c.status])).toEqual([[`Sent over SMTP ${s}`, 'new']]);
    // Dot-stuffing undone, bytes otherwise as sent.
    expect(await rawOf(`Sent over SMTP ${s}`)).toContain('\r\n.a line that starts with a dot\r\n');
    expect(bridgeOut()).toMatch(new RegExp(`from=<hana@example.com> to=<${MAILBOX}> size=\\d+ B: 250 accepted`));
  });

  test('an unknown mailbox: the answer to DATA is 550 5.7.1 no such mailbox', async () => {
    const s = tag();
    const r = await send(port, {
      from: 'ivan@example.com',
      to: ['nobody@acme.test'],
      message: mail({ from: 'ivan@example.com', to: 'nobody@acme.test', subject: `Lost ${s}`, id: `i-${s}@example.com`, date: new Date().toUTCString(), body: 'hello?' }),
    });
    expect(r.rcpt).toEqual(['250 Accepted']);
    expect(r.data).toBe('550 5.7.1 no such mailbox');
    expect(await casesWith(s)).toEqual([]);
  });

  test('a mailer application (nodemailer) is told 250 for the mailbox and a permanent 550 for an unknown address', async () => {
    const s = tag();
    const transport = mailer(port);
    try {
      const info = await transport.sendMail({ from: 'Lena <lena@example.com>', to: MAILBOX, subject: `From an application ${s}`, text: 'Sent with nodemailer.', messageId: `<l-${s}@example.com>` });
      expect(info.accepted).toEqual([MAILBOX]);
      expect(info.response).toBe(`250 2.0.0 delivered to <${MAILBOX}>`);
      expect((await casesWith(s)).map((c) => c.subject)).toEqual([`From an application ${s}`]);
      const refused = await transport.sendMail({ from: 'lena@example.com', to: 'nobody@acme.test', subject: `Nobody ${s}`, text: 'hello?' }).then(
        () => null,
        (err: { responseCode?: number; response?: string }) => err,
      );
      expect(refused).toMatchObject({ responseCode: 550, response: '550 5.7.1 no such mailbox' });
    } finally {
      transport.close();
    }
  });

  test('the null sender (MAIL FROM:<>) is delivered too', async () => {
    const s = tag();
    const r = await send(port, {
      from: '',
      to: [MAILBOX],
      message: mail({
        from: 'Mail Delivery System <mailer-daemon@example.net>',
        subject: `Undelivered Mail Returned to Sender ${s}`,
        id: `n-${s}@example.net`,
        date: new Date().toUTCString(),
        body: 'This is the mail system. Your message could not be delivered.',
      }),
    });
    expect(r.mail).toMatch(/^250 /);
    expect(r.data).toMatch(/^250 2\.0\.0 /);
    const page = await api<{ items: { subject: string | null; envelopeFrom: string }[] }>('/api/inbound?status=all&limit=200');
    expect(page.items.find((i) => i.subject === `Undelivered Mail Returned to Sender ${s}`)?.envelopeFrom).toBe('mailer-daemon@localhost');
  });

  test('npm run demo:traffic --count 5 --rate 600: five mails, each answered 250, filed as cases and messages', async () => {
    const before = await api<{ items: unknown[] }>('/api/inbound?status=all&limit=200');
    const r = await runScript('scripts/demo-traffic.mjs', ['--count', '5', '--rate', '600', '--port', String(port), '--url', url()], { cwd: ROOT });
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => /^\d\d:\d\d:\d\d +\d+ /.test(l));
    expect(lines).toHaveLength(5);
    for (const l of lines) expect(l).toMatch(/→ 250 2\.0\.0 delivered to <support@acme\.test>$/);
    expect(r.stdout).toContain('Sent 5: 5 accepted, 0 refused, 0 deferred or failed.');
    const after = await api<{ items: unknown[] }>('/api/inbound?status=all&limit=200');
    expect(after.items.length - before.items.length).toBe(5);
    // The first mails of a run are new questions from customers: each is a case now.
    const subjects = lines.filter((l) => l.includes('new question')).map((l) => /"(.*)" →/.exec(l)![1]!);
    expect(subjects.length).toBeGreaterThanOrEqual(3);
    const all = await api<{ items: CaseSummary[] }>('/api/cases?status=all&limit=200');
    for (const s of subjects) expect(all.items.some((c) => c.subject === s && c.messageCount >= 1)).toBe(true);
  });

  test('npm run demo:traffic without a bridge says how to start one', async () => {
    const r = await runScript('scripts/demo-traffic.mjs', ['--count', '1', '--port', String(await freePort())], { cwd: ROOT });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('No SMTP bridge answers at 127.0.0.1:');
    expect(r.stderr).toContain('npm run smtp');
    expect(r.stderr).toContain('npm start');
  });

  test('a Worker that throws (here: its database has no tables yet) is a temporary failure: 451 4.3.0', async () => {
    const broken = await startWrangler({ port: await freePort(), persistTo: path.join(work!, 'unmigrated'), output: (line: string) => log(`[unmigrated] ${line}`), vars: { AUTH_MODE: 'open' } });
    let other: Bridge | undefined;
    try {
      other = await startBridgeProcess(broken.url);
      const s = tag();
      const r = await send(other.port, {
        from: 'kim@example.com',
        to: [MAILBOX],
        message: mail({ from: 'kim@example.com', subject: `Broken ${s}`, id: `k-${s}@example.com`, date: new Date().toUTCString(), body: 'hello' }),
      });
      expect(r.data).toMatch(/^451 4\.3\.0 the Worker failed \(500: .*no such table/);
      expect(r.data).toMatch(/; try again later$/);
      // An application sees a temporary failure it may retry, not a refusal.
      const transport = mailer(other.port);
      const failed = await transport.sendMail({ from: 'kim@example.com', to: MAILBOX, subject: `Broken again ${s}`, text: 'hello' }).then(
        () => null,
        (err: { responseCode?: number }) => err,
      );
      transport.close();
      expect(failed).toMatchObject({ responseCode: 451 });
    } finally {
      await other?.stop();
      await broken.stop();
    }
  });

  test('with the Worker gone the bridge answers 451 4.3.0: try again later', async () => {
    await server!.stop();
    const s = tag();
    const r = await send(port, {
      from: 'jo@example.com',
      to: [MAILBOX],
      message: mail({ from: 'jo@example.com', subject: `Later ${s}`, id: `j-${s}@example.com`, date: new Date().toUTCString(), body: 'anyone?' }),
    });
    expect(r.data).toMatch(/^451 4\.3\.0 edgecase at http:\/\/127\.0\.0\.1:\d+ is not reachable/);
    expect(bridgeOut()).toMatch(new RegExp(`from=<jo@example.com> to=<${MAILBOX}> size=\\d+ B: 451 4\\.3\\.0`));
  });
});
