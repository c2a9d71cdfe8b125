/// <reference lib="dom" />
// Agents at once, in a browser: mail arriving in an open inbox, who is looking at a case and who is
// writing in it (presence, on the rows and in the case), presence told again after a reconnect, quick
// actions from the keyboard that show at once and are undone when refused, and the collision guard
// when two agents answer the same case. Open mode (every tab is the same 'local' agent) on one server;
// two real agents (password sign-in) on a second. Same setup as inbox.test.ts and outbound.test.ts:
// real `wrangler dev` on fresh storage, headless Chromium. Screenshots go to $EDGECASE_ARTIFACTS
// (default: <tmp>/edgecase-artifacts); the paths are printed.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { buildWeb, deliver, ensureDevVars, migrateLocal, seedDemo, startWrangler } from '../../scripts/lib/devserver.mjs';
import { run, tool } from '../../scripts/lib/env.mjs';
import { hashPassword } from '../../worker/auth/password.ts';

declare global {
  interface Window {
    __marker?: number;
    __sockets?: WebSocket[];
  }
}

const CHROMIUM = '/usr/bin/chromium';
const MAILBOX = 'support@acme.test';
const LIVE_BOUND_MS = 5_000;
const ARTIFACTS = process.env.EDGECASE_ARTIFACTS || path.join(tmpdir(), 'edgecase-artifacts');

// ---------------------------------------------------------------------------------------------
// Server, browser and logs (shown only when something fails)

const logs: string[] = [];
let printedUpTo = 0;
function log(line: string): void {
  logs.push(line.endsWith('\n') ? line : `${line}\n`);
}
function dumpLogs(why: string): void {
  const fresh = logs.slice(printedUpTo).join('');
  printedUpTo = logs.length;
  process.stderr.write(`\n----- wrangler dev and browser output (${why}) -----\n${fresh || '(nothing new)\n'}----- end of output -----\n`);
}

type Server = { url: string; stop: () => Promise<void> };
let server: Server | undefined;
const tempDirs: string[] = [];
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];

function freePort(): Promise<number> {
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

async function freshStorage(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'edgecase-browser-'));
  tempDirs.push(dir);
  await migrateLocal(dir, { quiet: true });
  return dir;
}

let setupError: Error | undefined;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    setupError = new Error(`Chromium is missing at ${CHROMIUM}: the browser tests need Debian's chromium package (apt-get install chromium).`);
    return;
  }
  try {
    ensureDevVars();
    await buildWeb({ quiet: true });
    server = await startWrangler({ port: await freePort(), persistTo: await freshStorage(), output: (line: string) => log(line), vars: { AUTH_MODE: 'open' } });
    await seedDemo(server.url);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  } catch (err) {
    dumpLogs('setup failed');
    setupError = err instanceof Error ? err : new Error(String(err));
  }
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close().catch(() => {});
  await server?.stop();
  for (const dir of tempDirs) await rm(dir, { recursive: true, force: true });
});

beforeEach((ctx) => {
  if (setupError) throw new Error(`browser test setup failed: ${setupError.message}`, { cause: setupError });
  ctx.onTestFailed(() => dumpLogs(`"${ctx.task.name}" failed`));
});

function url(): string {
  if (!server) throw new Error('server not started');
  return server.url;
}

/** A browser context is one agent: its own cookies, storage and WebSocket. */
async function newAgent(name: string): Promise<BrowserContext> {
  if (!browser) throw new Error('browser not started');
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  // Keeps the page's WebSockets reachable, so a test can drop the connection.
  await context.addInitScript(() => {
    const Native = window.WebSocket;
    window.__sockets = [];
    window.WebSocket = class extends Native {
      constructor(address: string | URL, protocols?: string | string[]) {
        super(address, protocols);
        window.__sockets?.push(this);
      }
    };
  });
  context.on('page', (page) => {
    page.on('console', (msg) => log(`[${name} console.${msg.type()}] ${msg.text()}`));
    page.on('pageerror', (err) => log(`[${name} pageerror] ${err.message}`));
  });
  return context;
}

async function waitLive(page: Page): Promise<void> {
  await page.locator('[data-testid="connection"][data-state="live"]').waitFor({ timeout: 15_000 });
}

async function openInbox(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${url()}/`);
  await waitLive(page);
  await page.locator('[data-testid="case-row"]').first().waitFor();
  return page;
}

async function openCase(context: BrowserContext, caseId: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${url()}/#/cases/${encodeURIComponent(caseId)}`);
  await waitLive(page);
  await page.locator('[data-testid="composer"]').waitFor();
  return page;
}

function caseRow(page: Page, subject: string) {
  return page.locator('[data-testid="case-row"]', { hasText: subject });
}

function threadMessages(page: Page) {
  return page.locator('.thread [data-testid="message"]');
}

async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, name);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`screenshot: ${file}`);
  return file;
}

// ---------------------------------------------------------------------------------------------
// Mail and API

function suffix(): string {
  return randomBytes(4).toString('hex');
}

function mail(fields: { from: string; subject: string; body: string; messageId: string }): string {
  const lines = [
    `From: ${fields.from}`,
    `To: ${MAILBOX}`,
    `Subject: ${fields.subject}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${fields.messageId}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
  ];
  return `${lines.join('\r\n')}\r\n\r\n${fields.body.replace(/\r?\n/g, '\r\n')}\r\n`;
}

async function send(envelopeFrom: string, raw: string, base = url()): Promise<void> {
  const res = await deliver(base, raw, { from: envelopeFrom, to: MAILBOX });
  expect(res.status, `email handler answered ${res.status}: ${res.text}`).toBeLessThan(300);
}

interface Message {
  id: string;
  direction: string;
  text: string;
}

async function api<T>(pathname: string): Promise<T> {
  const res = await fetch(`${url()}${pathname}`, { headers: { Accept: 'application/json' } });
  expect(res.status, `GET ${pathname}`).toBe(200);
  return (await res.json()) as T;
}

// ---------------------------------------------------------------------------------------------

async function waitForPresenceTitle(page: Page, caseId: string, title: string | null): Promise<void> {
  await page.waitForFunction(
    ([id, want]) => (document.querySelector(`[data-testid="case-row"][data-case-id="${CSS.escape(id ?? '')}"] [data-testid="row-presence"]`)?.getAttribute('title') ?? null) === want,
    [caseId, title] as const,
    { timeout: LIVE_BOUND_MS },
  );
}

describe('open mode: every tab is the same local agent', () => {
  test('mail shows up in an open inbox; another tab opening the case and writing in it shows on the row and in the case', async () => {
    const a = await openInbox(await newAgent('tab-a'));
    await a.evaluate(() => {
      window.__marker = 1;
    });

    // A new mail appears in A's open list, no reload.
    const customer = `live-${suffix()}@example.com`;
    const subject = `Lamp flickers after update ${suffix()}`;
    await send(customer, mail({ from: `Flick Ering <${customer}>`, subject, body: 'Since the last firmware update my lamp flickers.', messageId: `live-${suffix()}@example.com` }));
    const rowA = caseRow(a, subject);
    await rowA.waitFor({ timeout: LIVE_BOUND_MS });
    expect(await a.evaluate(() => window.__marker)).toBe(1);
    const caseId = (await rowA.getAttribute('data-case-id')) ?? '';
    expect(caseId).toMatch(/\S/);
    expect(await rowA.locator('[data-testid="row-presence"]').count()).toBe(0);

    // B opens the case: A's row shows it. Both are the 'local' agent, so the words say "another tab".
    const b = await openCase(await newAgent('tab-b'), caseId);
    await waitForPresenceTitle(a, caseId, 'Another tab (Local agent) is viewing');
    const presence = rowA.locator('[data-testid="row-presence"]');
    expect(await presence.getAttribute('data-agents')).toBe('Local agent');
    expect(await presence.getAttribute('data-composing')).toBe('false');
    // A tab does not list itself.
    expect(await b.locator('[data-testid="case-presence"]').count()).toBe(0);

    // B starts a reply: A's row says so.
    await b.locator('.case-title').click();
    await b.keyboard.press('r');
    await b.keyboard.type('Let me check the firmware notes');
    await waitForPresenceTitle(a, caseId, 'Another tab (Local agent) is writing a reply…');
    expect(await presence.getAttribute('data-composing')).toBe('true');

    // A opens the case too: the case says B is writing, and B's case says A is viewing.
    await rowA.locator('a').click();
    const lineA = a.locator('[data-testid="case-presence"]');
    await lineA.waitFor({ timeout: LIVE_BOUND_MS });
    expect(await lineA.locator('[data-testid="presence-entry"]').allTextContents()).toEqual([expect.stringContaining('Another tab (Local agent) is writing a reply…')]);
    await b.locator('[data-testid="case-presence"]', { hasText: 'Another tab (Local agent) is viewing' }).waitFor({ timeout: LIVE_BOUND_MS });
    expect(await a.evaluate(() => window.__marker)).toBe(1);

    // B empties the reply: no longer writing. B goes back to the inbox: no longer on the case.
    await b.locator('[data-testid="composer-text"]').fill('');
    await lineA.locator('[data-testid="presence-entry"][data-composing="false"]').waitFor({ timeout: LIVE_BOUND_MS });
    expect(await lineA.textContent()).toContain('Another tab (Local agent) is viewing');
    await b.locator('[data-testid="back-link"]').click();
    await lineA.waitFor({ state: 'detached', timeout: LIVE_BOUND_MS });
  });

  test('after a dropped connection the tab tells the hub again what it shows; a closed tab disappears', async () => {
    const customer = `again-${suffix()}@example.com`;
    const subject = `Reconnect check ${suffix()}`;
    const a = await openInbox(await newAgent('tab-a2'));
    await send(customer, mail({ from: `Re Connect <${customer}>`, subject, body: 'Is anyone there?', messageId: `again-${suffix()}@example.com` }));
    const row = caseRow(a, subject);
    await row.waitFor({ timeout: LIVE_BOUND_MS });
    const id = (await row.getAttribute('data-case-id')) ?? '';
    await row.locator('a').click();
    await a.locator('[data-testid="composer"]').waitFor();

    const b = await openCase(await newAgent('tab-b2'), id);
    const line = a.locator('[data-testid="case-presence"]');
    await line.waitFor({ timeout: LIVE_BOUND_MS });
    expect(await line.locator('[data-testid="presence-entry"]').allTextContents()).toEqual([expect.stringContaining('Another tab (Local agent) is viewing')]);

    // Drop B's socket: the hub forgets it at once; B reconnects (about a second later) and, its new
    // socket knowing nothing of it, says again which case it shows.
    await b.evaluate(() => window.__sockets?.[window.__sockets.length - 1]?.close());
    await line.waitFor({ state: 'detached', timeout: LIVE_BOUND_MS });
    await waitLive(b);
    await line.waitFor({ timeout: LIVE_BOUND_MS });
    expect(await line.locator('[data-testid="presence-entry"]').allTextContents()).toEqual([expect.stringContaining('Another tab (Local agent) is viewing')]);

    // B goes: so does its presence.
    await b.close();
    await line.waitFor({ state: 'detached', timeout: LIVE_BOUND_MS });
  });

  test('a and e act on the selected row at once; a change the server refuses is undone and said so', async () => {
    const customer = `keys-${suffix()}@example.com`;
    const subject = `Keyboard actions ${suffix()}`;
    const page = await openInbox(await newAgent('keys'));
    await send(customer, mail({ from: `Kay Board <${customer}>`, subject, body: 'Please assign me to someone.', messageId: `keys-${suffix()}@example.com` }));
    const row = caseRow(page, subject);
    await row.waitFor({ timeout: LIVE_BOUND_MS });
    const id = (await row.getAttribute('data-case-id')) ?? '';
    const number = ((await row.locator('.num').textContent()) ?? '').replace('#', '');

    // j selects the top row, the new case.
    await page.keyboard.press('j');
    expect(await page.locator('[data-testid="case-row"].selected').getAttribute('data-case-id')).toBe(id);

    // a: open mode has no "me"; the session names the workspace's admin, and the case goes to her.
    await page.keyboard.press('a');
    await row.locator('[data-testid="row-assignee"][data-assignee-id="agt_ada"]').waitFor({ timeout: LIVE_BOUND_MS });
    await expect.poll(async () => (await api<{ case: { assignee: { id: string } | null } }>(`/api/cases/${id}`)).case.assignee?.id, { timeout: LIVE_BOUND_MS }).toBe('agt_ada');

    // e, refused by the server: Closed shows at once, then goes back, with a message.
    await page.route('**/api/cases/*', (route) =>
      route.request().method() === 'PATCH'
        ? route.fulfill({ status: 409, contentType: 'application/json', body: JSON.stringify({ error: { code: 'conflict', message: 'the case changed meanwhile' } }) })
        : route.continue(),
    );
    await page.evaluate((caseId) => {
      const seen: string[] = [];
      (window as unknown as { __badges: string[] }).__badges = seen;
      new MutationObserver(() => {
        const text = document.querySelector(`[data-testid="case-row"][data-case-id="${CSS.escape(caseId)}"] .badge.status`)?.textContent ?? '';
        if (seen[seen.length - 1] !== text) seen.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    }, id);
    await page.keyboard.press('e');
    const failure = page.locator('[data-testid="action-error"]');
    await failure.waitFor({ timeout: LIVE_BOUND_MS });
    expect(await failure.textContent()).toContain(`Could not close #${number}: the case changed meanwhile`);
    expect(await failure.textContent()).toContain('The change was undone.');
    expect(await row.locator('.badge.status').textContent()).toBe('New');
    // It did show Closed before going back.
    expect((await page.evaluate(() => (window as unknown as { __badges: string[] }).__badges)).slice(-2)).toEqual(['Closed', 'New']);
    expect((await api<{ case: { status: string } }>(`/api/cases/${id}`)).case.status).toBe('new');
    await page.unroute('**/api/cases/*');

    // e again, accepted: the case is closed and leaves the Active list; the selection moves on.
    await page.keyboard.press('e');
    await row.waitFor({ state: 'detached', timeout: LIVE_BOUND_MS });
    expect((await api<{ case: { status: string } }>(`/api/cases/${id}`)).case.status).toBe('closed');
    expect(await page.locator('[data-testid="action-error"]').count()).toBe(0);
    expect(await page.locator('[data-testid="case-row"].selected').count()).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------
// Two real agents: password sign-in on a second server (seeded in open mode first, then Ada and Ben
// get passwords, then it starts in password mode).

describe('two agents, signed in', () => {
  const PASSWORD = `pw-${suffix()}-${suffix()}`;
  let pw: Server | undefined;
  let pwSetupError: Error | undefined;

  beforeAll(async () => {
    if (setupError) return;
    try {
      const persistTo = await freshStorage();
      const seeding = await startWrangler({ port: await freePort(), persistTo, output: (line: string) => log(`[seeding] ${line}`), vars: { AUTH_MODE: 'open' } });
      try {
        await seedDemo(seeding.url);
      } finally {
        await seeding.stop();
      }
      const hash = await hashPassword(PASSWORD);
      expect(hash).toMatch(/^[A-Za-z0-9+/=$-]+$/);
      await run(tool('wrangler'), ['d1', 'execute', 'DB', '--local', '--persist-to', persistTo, '--command', `UPDATE agents SET password_hash = '${hash}' WHERE id IN ('agt_ada', 'agt_ben')`], {
        env: { CI: 'true' },
        quiet: true,
      });
      pw = await startWrangler({ port: await freePort(), persistTo, output: (line: string) => log(`[password] ${line}`), vars: { AUTH_MODE: 'password' } });
    } catch (err) {
      dumpLogs('password-mode setup failed');
      pwSetupError = err instanceof Error ? err : new Error(String(err));
    }
  });

  afterAll(async () => {
    await pw?.stop();
  });

  beforeEach(() => {
    if (pwSetupError) throw new Error(`password-mode setup failed: ${pwSetupError.message}`, { cause: pwSetupError });
  });

  async function signedIn(name: string, email: string, hash = '/'): Promise<Page> {
    if (!pw) throw new Error('password-mode server not started');
    const page = await (await newAgent(name)).newPage();
    await page.goto(`${pw.url}/${hash === '/' ? '' : hash}`);
    await page.locator('[data-testid="signin-form"]').waitFor({ timeout: 15_000 });
    await page.locator('[data-testid="signin-email"]').fill(email);
    await page.locator('[data-testid="signin-password"]').fill(PASSWORD);
    await page.locator('[data-testid="signin-submit"]').click();
    await page.locator('[data-testid="session-name"]').waitFor({ timeout: LIVE_BOUND_MS });
    await waitLive(page);
    return page;
  }

  async function messagesSeenBy(page: Page, caseId: string): Promise<Message[]> {
    return page.evaluate(async (id) => ((await (await fetch(`/api/cases/${encodeURIComponent(id)}`)).json()) as { messages: Message[] }).messages, caseId);
  }

  test('Ben opening and writing shows to Ada by name; when both answer, the collision guard stops Ben until he has seen Ada’s reply', async () => {
    if (!pw) throw new Error('password-mode server not started');
    const ada = await signedIn('ada', 'ada@acme.test');
    await ada.locator('[data-testid="case-row"]').first().waitFor();
    await ada.evaluate(() => {
      window.__marker = 1;
    });

    const customer = `both-${suffix()}@example.com`;
    const subject = `Wrong colour delivered ${suffix()}`;
    await send(customer, mail({ from: `Col Ourful <${customer}>`, subject, body: 'I ordered the blue lamp and got a green one.', messageId: `both-${suffix()}@example.com` }), pw.url);
    const rowAda = caseRow(ada, subject);
    await rowAda.waitFor({ timeout: LIVE_BOUND_MS });
    expect(await ada.evaluate(() => window.__marker)).toBe(1);
    const caseId = (await rowAda.getAttribute('data-case-id')) ?? '';

    // Ben opens the case: Ada's row shows his initials.
    const ben = await signedIn('ben', 'ben@acme.test', `#/cases/${encodeURIComponent(caseId)}`);
    await ben.locator('[data-testid="composer"]').waitFor();
    await waitForPresenceTitle(ada, caseId, 'Ben Agent is viewing');
    expect(await rowAda.locator('[data-testid="row-presence"]').getAttribute('data-agents')).toBe('Ben Agent');
    expect(await rowAda.locator('[data-testid="row-presence"] .avatar').textContent()).toBe('BA');

    // Ben starts a reply.
    await ben.locator('.case-title').click();
    await ben.keyboard.press('r');
    const draftBen = `We will send the blue one right away. ${suffix()}`;
    await ben.keyboard.type(draftBen);
    await waitForPresenceTitle(ada, caseId, 'Ben Agent is writing a reply…');
    await screenshot(ada, 'inbox-presence.png');

    // Ada opens the case: she reads that Ben is writing; Ben reads that Ada is viewing.
    await rowAda.locator('a').click();
    const lineAda = ada.locator('[data-testid="case-presence"]');
    await lineAda.waitFor({ timeout: LIVE_BOUND_MS });
    expect(await lineAda.locator('[data-testid="presence-entry"]').allTextContents()).toEqual([expect.stringContaining('Ben Agent is writing a reply…')]);
    await ben.locator('[data-testid="case-presence"]', { hasText: 'Ada Admin is viewing' }).waitFor({ timeout: LIVE_BOUND_MS });
    await screenshot(ada, 'case-presence.png');

    // Ada answers anyway, first.
    const replyAda = `Sorry about the mix-up, a blue lamp is on its way. ${suffix()}`;
    await ada.locator('[data-testid="composer-text"]').fill(replyAda);
    await ben.locator('[data-testid="case-presence"] [data-testid="presence-entry"][data-composing="true"]', { hasText: 'Ada Admin is writing a reply…' }).waitFor({ timeout: LIVE_BOUND_MS });
    await ada.locator('[data-testid="composer-send"]').click();
    await threadMessages(ada).filter({ hasText: replyAda }).waitFor({ timeout: LIVE_BOUND_MS });

    // Her reply reaches Ben live; his draft predates it, so sending stops at the collision notice.
    await threadMessages(ben).filter({ hasText: replyAda }).waitFor({ timeout: LIVE_BOUND_MS });
    await ben.locator('[data-testid="arrived-meanwhile"]').waitFor();
    await ben.locator('[data-testid="composer-send"]').click();
    const notice = ben.locator('[data-testid="collision-notice"]');
    await notice.waitFor({ timeout: LIVE_BOUND_MS });
    expect(await notice.locator('[data-testid="message"]').count()).toBe(1);
    expect(await notice.locator('[data-testid="message"]').textContent()).toContain(replyAda);
    expect(await ben.locator('[data-testid="composer-text"]').inputValue()).toBe(draftBen);
    expect((await messagesSeenBy(ben, caseId)).filter((m) => m.direction === 'outbound').map((m) => m.text)).toEqual([replyAda]);

    // Having seen it, Ben sends anyway: both replies are on the case, and Ben is no longer "writing".
    await ben.locator('[data-testid="composer-send-anyway"]').click();
    await threadMessages(ben).filter({ hasText: draftBen }).waitFor({ timeout: LIVE_BOUND_MS });
    expect((await messagesSeenBy(ada, caseId)).filter((m) => m.direction === 'outbound').map((m) => m.text)).toEqual([replyAda, draftBen]);
    await lineAda.locator('[data-testid="presence-entry"][data-composing="false"]', { hasText: 'Ben Agent is viewing' }).waitFor({ timeout: LIVE_BOUND_MS });
    await threadMessages(ada).filter({ hasText: draftBen }).waitFor({ timeout: LIVE_BOUND_MS });
    await screenshot(ada, 'case-after-both-replies.png');
  });
});
