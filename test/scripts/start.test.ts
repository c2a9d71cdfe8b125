// What `npm start` starts (scripts/lib/devserver.mjs startLocal, which scripts/start.mjs runs), on
// fresh storage in a temp dir: seeding works whatever AUTH_MODE the Worker runs in, and a start whose
// seeding fails leaves no wrangler dev and no workerd behind. The web build is left out (the API
// needs none); each test starts and stops its own server.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { alive, descendants, ensureDevVars, freePort, migrateLocal, startLocal } from '../../scripts/lib/devserver.mjs';
import { run, tool } from '../../scripts/lib/env.mjs';

const logs: string[] = [];
const log = (line: string) => logs.push(line.endsWith('\n') ? line : `${line}\n`);
let work: string;
const stops: Array<() => Promise<void>> = [];

beforeEach(async (ctx) => {
  ensureDevVars();
  logs.length = 0;
  work = await mkdtemp(path.join(tmpdir(), 'edgecase-start-'));
  ctx.onTestFailed(() => {
    process.stderr.write(`\n----- output of the start -----\n${logs.slice(-200).join('')}----- end -----\n`);
  });
});

afterEach(async () => {
  for (let stop = stops.pop(); stop; stop = stops.pop()) await stop();
  // A test that timed out inside startLocal has no server to stop: whatever still runs on its
  // storage (wrangler dev, and below it workerd) goes here, so no run leaves a process behind.
  const ours = descendants(process.pid).filter((pid) => commandOf(pid).includes(work));
  for (const pid of ours.flatMap((p) => [p, ...descendants(p)])) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  await rm(work, { recursive: true, force: true });
});

function commandOf(pid: number): string {
  try {
    return execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' });
  } catch {
    return '';
  }
}

/**
 * Every process below this one while `during` runs, with its command line, sampled every 50 ms: a
 * wrangler dev that got away from its parent (and its workerd) is seen here before it could.
 */
async function watchingChildren<T>(during: () => Promise<T>): Promise<{ result: PromiseSettledResult<T>; seen: Map<number, string> }> {
  const seen = new Map<number, string>();
  const look = () => {
    const fresh = descendants(process.pid).filter((pid) => !seen.has(pid));
    if (fresh.length === 0) return;
    try {
      for (const line of execFileSync('ps', ['-o', 'pid=,args=', '-p', fresh.join(',')], { encoding: 'utf8' }).split('\n')) {
        const m = /^\s*(\d+)\s+(.*)$/.exec(line);
        if (m) seen.set(Number(m[1]), m[2]!);
      }
    } catch {
      // gone before they could be looked at
    }
  };
  const timer = setInterval(look, 50);
  const [result] = await Promise.allSettled([during()]);
  clearInterval(timer);
  return { result: result!, seen };
}

/** Each test starts wrangler dev once or twice, with migrations: more than the config's minute on a busy machine. */
const START_MS = 180_000;

describe('npm start', { timeout: START_MS }, () => {
  test('in password mode it seeds, gives the demo agents the demo password, and they can sign in', async () => {
    const persistTo = path.join(work, 'state');
    const port = await freePort();
    const { server, seed, demoPassword } = await startLocal({ port, persistTo, vars: { AUTH_MODE: 'password' }, build: false, output: log, log });
    stops.push(() => server.stop());
    expect(seed).toMatchObject({ mailbox: 'support@acme.test', authMode: 'password', passwordsSet: ['agt_ada', 'agt_ben'] });
    // The password is kept next to the database, for this user only.
    expect((await readFile(path.join(persistTo, 'edgecase-demo-password'), 'utf8')).trim()).toBe(demoPassword);

    const signIn = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: server.url },
      body: JSON.stringify({ email: 'ben@acme.test', password: demoPassword }),
    });
    expect(signIn.status).toBe(200);
    const cookie = (signIn.headers.get('Set-Cookie') ?? '').split(';')[0]!;
    const list = (await (await fetch(`${server.url}/api/cases?status=all`, { headers: { Cookie: cookie } })).json()) as { items: Array<{ subject: string }> };
    expect(list.items.map((c) => c.subject)).toContain('Cannot log in after password reset');

    // The seed route is open to the started server's token only; without it, password mode has none.
    expect((await fetch(`${server.url}/api/dev/seed`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${server.url}/api/dev/outbox`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/cases`)).status).toBe(401);
  });

  test('a second start keeps the demo password, and the demo is there once', async () => {
    const persistTo = path.join(work, 'state');
    const first = await startLocal({ port: await freePort(), persistTo, vars: { AUTH_MODE: 'password' }, build: false, output: log, log });
    await first.server.stop();
    const again = await startLocal({ port: await freePort(), persistTo, vars: { AUTH_MODE: 'access' }, build: false, output: log, log });
    stops.push(() => again.server.stop());
    expect(again.demoPassword).toBe(first.demoPassword);
    expect(again.seed).toMatchObject({ authMode: 'access', passwordsSet: [] });
  });

  test('when seeding fails, the start fails and leaves neither wrangler dev nor its workerd running', async () => {
    // A local database that lost a table: the seed's batch cannot write.
    const persistTo = path.join(work, 'state');
    await migrateLocal(persistTo, { quiet: true });
    await run(tool('wrangler'), ['d1', 'execute', 'DB', '--local', '--persist-to', persistTo, '--command', 'DROP TABLE calendars'], { env: { CI: 'true' }, quiet: true });
    const port = await freePort();

    const { result, seen } = await watchingChildren(() => startLocal({ port, persistTo, vars: { AUTH_MODE: 'password' }, build: false, output: log, log }));
    if (result.status === 'fulfilled') stops.push(() => result.value.server.stop());
    expect(result.status).toBe('rejected');
    expect(String((result as PromiseRejectedResult).reason)).toMatch(/seeding failed: 500/);

    // wrangler dev and its workerd were running (seen), and none of them is now.
    const started = [...seen].filter(([, args]) => (args.includes('wrangler') && args.includes(`--port ${port}`)) || /\bworkerd\b/.test(args));
    expect(
      started.some(([, args]) => args.includes('wrangler')),
      [...seen.values()].join('\n'),
    ).toBe(true);
    expect(
      started.some(([, args]) => /\bworkerd\b/.test(args)),
      [...seen.values()].join('\n'),
    ).toBe(true);
    expect([...seen.keys()].filter(alive)).toEqual([]);
    await expect(fetch(`http://127.0.0.1:${port}/api/health`)).rejects.toThrow();
  });
});
