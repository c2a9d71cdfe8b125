// Starts `wrangler dev` for edgecase on loopback: .dev.vars, the web build, local migrations, then the
// server, the demo seed and the demo mail. Used by `npm start` and by the browser tests.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { childEnv, root, run, tool } from './env.mjs';
import { demoBounce, demoMessages } from './demo-mail.mjs';

/** A port on loopback that nothing listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('could not find a free port'))));
    });
  });
}

/** Creates .dev.vars with a fresh reply-token key on first run; never overwrites one. */
export function ensureDevVars() {
  const file = path.join(root, '.dev.vars');
  if (existsSync(file)) return { file, created: false };
  const key = randomBytes(32).toString('hex');
  writeFileSync(
    file,
    `# Local secrets for wrangler dev. Production: wrangler secret put REPLY_TOKEN_KEY\nREPLY_TOKEN_KEY=${key}\n# Only on a machine nobody else can reach: the API asks for no sign-in.\nAUTH_MODE=open\n`,
    { mode: 0o600 },
  );
  return { file, created: true };
}

export async function buildWeb({ quiet = false } = {}) {
  await run(tool('vite'), ['build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { quiet });
}

export async function migrateLocal(persistTo, { quiet = false } = {}) {
  // The main database, then the search index (its own database, its own migrations).
  for (const binding of ['DB', 'SEARCH']) {
    const args = ['d1', 'migrations', 'apply', binding, '--local'];
    if (persistTo) args.push('--persist-to', persistTo);
    await run(tool('wrangler'), args, { env: { CI: 'true' }, quiet });
  }
}

/** Whether the process `pid` is still there. */
export function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** Every process below `pid` (its children, theirs, …), by `ps` (Linux and macOS); [] where there is none. */
export function descendants(pid) {
  let table;
  try {
    table = execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  } catch {
    return [];
  }
  const children = new Map();
  for (const line of table.split('\n')) {
    const [child, parent] = line.trim().split(/\s+/).map(Number);
    if (!child || parent === undefined) continue;
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(child);
  }
  const out = [];
  for (let queue = [...(children.get(pid) ?? [])]; queue.length > 0; ) {
    const next = queue.shift();
    out.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return out;
}

function kill(pid, signal) {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Spawns wrangler dev and resolves once it answers. `output` receives its lines (default: ours).
 * Returns { url, child, stop, exited, devToken }.
 * `script` runs another entry than wrangler.toml's (the bench Worker) with the same bindings.
 * `stop` ends wrangler and everything below it (its workerd): SIGTERM, then SIGKILL for whatever is
 * left after 5 s, so no workerd outlives it; a start that fails stops it the same way.
 * `devToken` opens /api/dev/seed on this server whatever AUTH_MODE it runs in (see seedDemo).
 * @param {{ port?: number, persistTo?: string, output?: (line: string) => void, vars?: Record<string, string>, script?: string }} [options]
 */
export async function startWrangler({ port = 8787, persistTo, output = (line) => process.stdout.write(line), vars = {}, script } = {}) {
  // wrangler refuses to start without the static-assets folder; the API works without the web build.
  mkdirSync(path.join(root, 'web', 'dist'), { recursive: true });
  const devToken = randomBytes(32).toString('base64url');
  const args = ['dev', ...(script ? [script] : []), '--ip', '127.0.0.1', '--port', String(port), '--show-interactive-dev-session=false'];
  if (persistTo) args.push('--persist-to', persistTo);
  for (const [k, v] of Object.entries({ EDGECASE_DEV_TOKEN: devToken, ...vars })) args.push('--var', `${k}:${v}`);
  const child = spawn(tool('wrangler'), args, { cwd: root, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let ready = null;
  const seen = [];
  const onData = (chunk) => {
    const text = chunk.toString();
    seen.push(text);
    output(text);
    const m = /Ready on (http:\/\/[^\s]+)/.exec(text);
    if (m && !ready) ready = m[1].replace('localhost', '127.0.0.1');
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  const gone = (ms) => Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), ms))]);
  const stop = async () => {
    // Looked up before wrangler goes: once it has, its workerd would belong to nobody we can name.
    const below = child.pid === undefined ? [] : descendants(child.pid);
    if (child.exitCode === null && child.signalCode === null) {
      // wrangler stops its workerd on SIGTERM; SIGKILL only if it does not go in time.
      child.kill('SIGTERM');
      if (!(await gone(5000))) child.kill('SIGKILL');
      await gone(5000);
    }
    for (let waited = 0; below.some(alive); waited += 100) {
      if (waited === 5000) for (const pid of below) kill(pid, 'SIGKILL');
      if (waited > 10_000) throw new Error(`processes of wrangler dev would not stop: ${below.filter(alive).join(', ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`wrangler dev exited early:\n${seen.join('').slice(-2000)}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev did not answer within 90 s:\n${seen.join('').slice(-2000)}`);
    }
    const url = ready ?? `http://127.0.0.1:${port}`;
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) return { url, child, stop, exited, devToken };
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Delivers a raw message to the local email handler the way Email Routing would. */
export async function deliver(url, raw, { from, to }) {
  const q = new URLSearchParams({ from, to });
  const res = await fetch(`${url}/cdn-cgi/handler/email?${q}`, { method: 'POST', body: raw });
  return { status: res.status, text: await res.text() };
}

/**
 * The demo agents' password for AUTH_MODE=password on the local database in `persistTo` (wrangler's
 * default: .wrangler/state): made up once and kept next to that database, readable by this user only,
 * so every start prints the same one and a fresh database gets it again.
 */
export function demoPassword(persistTo) {
  const dir = persistTo ?? path.join(root, '.wrangler', 'state');
  const file = path.join(dir, 'edgecase-demo-password');
  if (existsSync(file)) {
    const kept = readFileSync(file, 'utf8').trim();
    if (kept.length >= 12) return kept;
  }
  mkdirSync(dir, { recursive: true });
  const made = randomBytes(12).toString('base64url');
  writeFileSync(file, `${made}\n`, { mode: 0o600 });
  return made;
}

/**
 * Creates the demo workspace and delivers its mail. `server` is what startWrangler returned (its dev
 * token opens the seed route in every AUTH_MODE), or just a URL, which works in open mode only.
 * With `demoPassword`, demo agents without a password get it (AUTH_MODE=password signs them in).
 * @param {string | { url: string, devToken?: string }} server
 * @param {{ demoPassword?: string }} [options]
 */
export async function seedDemo(server, { demoPassword: password } = {}) {
  const url = typeof server === 'string' ? server : server.url;
  const headers = { 'Content-Type': 'application/json', ...(typeof server !== 'string' && server.devToken ? { 'X-Edgecase-Dev-Token': server.devToken } : {}) };
  // wrangler dev restarts the Worker when its files change and answers 503 meanwhile: try again.
  let res;
  for (let attempt = 0; attempt < 5; attempt++) {
    res = await fetch(`${url}/api/dev/seed`, { method: 'POST', headers, body: JSON.stringify(password ? { demoPassword: password } : {}) });
    if (res.status !== 503) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  if (!res.ok) throw new Error(`seeding failed: ${res.status} ${await res.text()}`);
  const seed = await res.json();
  for (const m of demoMessages()) {
    const r = await deliver(url, m.raw, { from: m.from, to: m.to });
    if (r.status >= 300) throw new Error(`demo mail "${m.subject}" was refused: ${r.status} ${r.text}`);
  }
  // What needs the mail in place: the case near its SLA breach, and the bounce of an acknowledgement.
  const fin = await fetch(`${url}/api/dev/seed/finish`, { method: 'POST', headers, body: '{}' });
  if (!fin.ok) throw new Error(`seeding failed: ${fin.status} ${await fin.text()}`);
  const { bounceFor } = await fin.json();
  if (bounceFor) {
    if (typeof bounceFor.raw !== 'string') throw new Error('seeding failed: the acknowledgement to bounce is not there');
    const b = demoBounce(bounceFor.raw);
    // A fixed Message-ID: delivered again on the next start, it is recognised as a duplicate.
    const r = await deliver(url, b.raw, { from: b.from, to: b.to });
    if (r.status >= 300) throw new Error(`demo mail "${b.subject}" was refused: ${r.status} ${r.text}`);
  }
  return seed;
}

/**
 * Everything `npm start` starts before it prints where to go: the web build (unless `build` is
 * false), migrations, wrangler dev, the demo seed (the demo agents get `demoPassword(persistTo)`).
 * When a step after wrangler dev fails, wrangler dev and its workerd are stopped before the error is
 * passed on: a failed start leaves nothing running.
 * @param {{ port?: number, persistTo?: string, vars?: Record<string, string>, build?: boolean, output?: (line: string) => void, log?: (line: string) => void }} [options]
 */
export async function startLocal({ port = 8787, persistTo, vars, build = true, output, log = (line) => console.log(line) } = {}) {
  if (build) {
    log('Building the web inbox…');
    await buildWeb();
  }
  log('Applying migrations to the local D1 database…');
  await migrateLocal(persistTo, { quiet: output !== undefined });
  const server = await startWrangler({ port, persistTo, vars, ...(output ? { output } : {}) });
  try {
    const password = demoPassword(persistTo);
    const seed = await seedDemo(server, { demoPassword: password });
    return { server, seed, demoPassword: password };
  } catch (err) {
    await server.stop();
    throw err;
  }
}

/**
 * Runs the Worker's scheduled handler every minute, as the cron trigger does once deployed: wrangler
 * dev does not fire cron triggers by itself, and without the sweep no SLA would ever be breached and
 * no failed mail retried. Returns a function that stops it.
 */
export function tickCron(url, { everyMs = 60_000, onError = () => {} } = {}) {
  const tick = async () => {
    try {
      const res = await fetch(`${url}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent('* * * * *')}`);
      await res.arrayBuffer();
      if (!res.ok) onError(new Error(`scheduled handler answered ${res.status}`));
    } catch (err) {
      onError(err);
    }
  };
  const timer = setInterval(tick, everyMs);
  return () => clearInterval(timer);
}

export function readDevVar(name) {
  const file = path.join(root, '.dev.vars');
  if (!existsSync(file)) return null;
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}=`));
  return line ? line.slice(name.length + 1) : null;
}
