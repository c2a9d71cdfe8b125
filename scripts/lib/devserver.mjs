// Starts `wrangler dev` for edgecase on loopback: .dev.vars, the web build, local migrations, then the
// server, the demo seed and the demo mail. Used by `npm start` and by the browser tests.
import { spawn } from 'node:child_process';
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
  const args = ['d1', 'migrations', 'apply', 'DB', '--local'];
  if (persistTo) args.push('--persist-to', persistTo);
  await run(tool('wrangler'), args, { env: { CI: 'true' }, quiet });
}

/**
 * Spawns wrangler dev and resolves once it answers. `output` receives its lines (default: ours).
 * Returns { url, child, stop }.
 * `script` runs another entry than wrangler.toml's (the bench Worker) with the same bindings.
 * @param {{ port?: number, persistTo?: string, output?: (line: string) => void, vars?: Record<string, string>, script?: string }} [options]
 */
export async function startWrangler({ port = 8787, persistTo, output = (line) => process.stdout.write(line), vars = {}, script } = {}) {
  // wrangler refuses to start without the static-assets folder; the API works without the web build.
  mkdirSync(path.join(root, 'web', 'dist'), { recursive: true });
  const args = ['dev', ...(script ? [script] : []), '--ip', '127.0.0.1', '--port', String(port), '--show-interactive-dev-session=false'];
  if (persistTo) args.push('--persist-to', persistTo);
  for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}:${v}`);
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
  const stop = async () => {
    if (child.exitCode !== null) return;
    // wrangler stops its workerd on SIGTERM; SIGKILL only if it does not go in time.
    child.kill('SIGTERM');
    const gone = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 5000))]);
    if (!gone) child.kill('SIGKILL');
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${seen.join('').slice(-2000)}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev did not answer within 90 s:\n${seen.join('').slice(-2000)}`);
    }
    const url = ready ?? `http://127.0.0.1:${port}`;
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) return { url, child, stop, exited };
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

export async function seedDemo(url) {
  // wrangler dev restarts the Worker when its files change and answers 503 meanwhile: try again.
  let res;
  for (let attempt = 0; attempt < 5; attempt++) {
    res = await fetch(`${url}/api/dev/seed`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
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
  const fin = await fetch(`${url}/api/dev/seed/finish`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
  if (!fin.ok) throw new Error(`seeding failed: ${fin.status} ${await fin.text()}`);
  const { bounceFor } = await fin.json();
  if (bounceFor) {
    const ack = await fetch(`${url}${bounceFor.rawUrl}`);
    if (!ack.ok) throw new Error(`seeding failed: the acknowledgement to bounce is not there (${ack.status})`);
    const b = demoBounce(await ack.text());
    // A fixed Message-ID: delivered again on the next start, it is recognised as a duplicate.
    const r = await deliver(url, b.raw, { from: b.from, to: b.to });
    if (r.status >= 300) throw new Error(`demo mail "${b.subject}" was refused: ${r.status} ${r.text}`);
  }
  return seed;
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
