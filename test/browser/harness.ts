// What every browser test file shares: a real `wrangler dev` on its own temporary storage with the
// demo seed, headless Chromium (playwright-core), their output kept and shown only when something
// fails, the helpers that talk to the server, and the cleanup when the file is done. The web app is
// built once per run, before any file starts (global-setup.ts). A test file calls
// useBrowserHarness() once at its top; vitest gives each file its own copy of this module's state.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, expect, vi } from 'vitest';
import { deliver, ensureDevVars, freePort, migrateLocal, seedDemo, startWrangler } from '../../scripts/lib/devserver.mjs';
import { run, tool } from '../../scripts/lib/env.mjs';
import { hashPassword } from '../../worker/auth/password.ts';

/** Debian's chromium package: playwright-core downloads no browser of its own. */
export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const VIEWPORT = { width: 1280, height: 900 };
/** The demo seed's support address. */
export const MAILBOX = 'support@acme.test';
/** How long something pushed over the live connection may take to show in an open page. */
export const LIVE_BOUND_MS = 5_000;
/** A first page load and its live connection, on a busy two-core machine. */
const PAGE_READY_MS = 15_000;
export const ARTIFACTS = process.env.EDGECASE_ARTIFACTS || path.join(tmpdir(), 'edgecase-artifacts');

export interface Server {
  url: string;
  stop: () => Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Output of wrangler dev and the pages, kept and printed only when something fails

const logs: string[] = [];
let printedUpTo = 0;

export function log(line: string): void {
  logs.push(line.endsWith('\n') ? line : `${line}\n`);
}

/** Prints what was kept since the last print. */
export function dumpLogs(why: string): void {
  const fresh = logs.slice(printedUpTo).join('');
  printedUpTo = logs.length;
  process.stderr.write(`\n----- wrangler dev and browser output (${why}) -----\n${fresh || '(nothing new)\n'}----- end of output -----\n`);
}

// ---------------------------------------------------------------------------------------------
// Cleanup: whatever is started registers how to undo it

const cleanups: Array<() => Promise<unknown>> = [];

/** Runs when the file is done, newest first: pages before the browser, a server before its storage. */
export function onCleanup(undo: () => Promise<unknown>): void {
  cleanups.push(undo);
}

async function cleanUp(): Promise<void> {
  const errors: unknown[] = [];
  for (let undo = cleanups.pop(); undo; undo = cleanups.pop()) {
    try {
      await undo();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length > 0) throw errors[0];
}

// ---------------------------------------------------------------------------------------------
// Servers

/** A temporary storage folder with the migrations applied; removed when the file is done. */
export async function freshStorage(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'edgecase-browser-'));
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  await migrateLocal(dir, { quiet: true });
  return dir;
}

/** `wrangler dev` over `persistTo` on a free port, its output kept (after `[label]` when given); stopped when the file is done. */
export async function startServer({ persistTo, vars, label }: { persistTo: string; vars: Record<string, string>; label?: string }): Promise<Server> {
  const output = (line: string) => log(label ? `[${label}] ${line}` : line);
  const server: Server = await startWrangler({ port: await freePort(), persistTo, output, vars });
  onCleanup(() => server.stop());
  return server;
}

/** Runs SQL on the local D1 database in `persistTo`, while no server is using it. */
export async function executeSql(persistTo: string, sql: { command: string } | { file: string }): Promise<void> {
  const source = 'file' in sql ? ['--file', sql.file, '--yes'] : ['--command', sql.command];
  await run(tool('wrangler'), ['d1', 'execute', 'DB', '--local', '--persist-to', persistTo, ...source], { env: { CI: 'true' }, quiet: true });
}

/**
 * A server in AUTH_MODE=password over the demo workspace, where the agents `agentIds` sign in with
 * `password`. The seed route exists only in open mode, so an open-mode server seeds the storage
 * first, then the agents get the password, then the server starts in password mode.
 */
export async function startPasswordServer(password: string, agentIds: string[]): Promise<Server> {
  const persistTo = await freshStorage();
  const seeding = await startServer({ persistTo, vars: { AUTH_MODE: 'open' }, label: 'seeding' });
  try {
    await seedDemo(seeding.url);
  } finally {
    await seeding.stop();
  }
  const hash = await hashPassword(password);
  // The hash is base64 and `$`: nothing that needs escaping inside an SQL string.
  expect(hash).toMatch(/^[A-Za-z0-9+/=$-]+$/);
  const ids = agentIds.map((id) => `'${id}'`).join(', ');
  await executeSql(persistTo, { command: `UPDATE agents SET password_hash = '${hash}' WHERE id IN (${ids})` });
  return startServer({ persistTo, vars: { AUTH_MODE: 'password' }, label: 'password' });
}

// ---------------------------------------------------------------------------------------------
// The file's setup: one seeded server and the browser

let setupError: Error | undefined;
let mainServer: Server | undefined;
let browser: Browser | undefined;

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

async function launchBrowser(): Promise<Browser> {
  const launched = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  onCleanup(() => launched.close().catch(() => {}));
  return launched;
}

/**
 * Registers the file's hooks. Before its tests: a server on fresh storage with the demo seed, and
 * Chromium (`alsoStart`, when given, runs first, as part of the same setup). After them: all of it
 * closed and removed. When setup fails every test fails with why (vitest would only mark them
 * skipped); a failing test prints the output kept since the last print.
 */
export function useBrowserHarness({ alsoStart }: { alsoStart?: () => Promise<void> } = {}): void {
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      setupError = new Error(`Chromium is missing at ${CHROMIUM}: the browser tests need Debian's chromium package (apt-get install chromium).`);
      return;
    }
    try {
      ensureDevVars();
      await alsoStart?.();
      // Open mode: AUTH_MODE=open is what .dev.vars says too; passing it keeps the seed route
      // reachable whatever that file holds, and whoever sits at the machine is an admin.
      mainServer = await startServer({ persistTo: await freshStorage(), vars: { AUTH_MODE: 'open' } });
      await seedDemo(mainServer.url);
      browser = await launchBrowser();
    } catch (err) {
      dumpLogs('setup failed');
      setupError = asError(err);
    }
  });

  afterAll(cleanUp);

  beforeEach((ctx) => {
    if (setupError) throw new Error(`browser test setup failed: ${setupError.message}`, { cause: setupError });
    ctx.onTestFailed(() => dumpLogs(`"${ctx.task.name}" failed`));
  });
}

/**
 * A server of its own for one describe block: `start` runs before the block's tests, the server
 * stops after them. When it cannot start, each of the block's tests fails with why. Returns the
 * server for the tests to use.
 */
export function useSuiteServer(what: string, start: () => Promise<Server>): () => Server {
  let server: Server | undefined;
  let error: Error | undefined;
  beforeAll(async () => {
    if (setupError) return;
    try {
      server = await start();
    } catch (err) {
      dumpLogs(`${what} setup failed`);
      error = asError(err);
    }
  });
  afterAll(async () => {
    await server?.stop();
  });
  beforeEach(() => {
    if (error) throw new Error(`${what} setup failed: ${error.message}`, { cause: error });
  });
  return () => {
    if (!server) throw new Error(`${what} server not started`);
    return server;
  };
}

/** The seeded server's address. */
export function url(): string {
  if (!mainServer) throw new Error('server not started');
  return mainServer.url;
}

// ---------------------------------------------------------------------------------------------
// Browser

/** A browser context is one agent: its own cookies, storage and WebSocket. Its pages log under `name`. */
export async function newAgent(name: string): Promise<BrowserContext> {
  if (!browser) throw new Error('browser not started');
  const context = await browser.newContext({ viewport: VIEWPORT });
  onCleanup(() => context.close().catch(() => {}));
  context.on('page', (page) => watch(page, name));
  return context;
}

function watch(page: Page, name: string): void {
  page.on('console', (msg) => log(`[${name} console.${msg.type()}] ${msg.text()}`));
  page.on('pageerror', (err) => log(`[${name} pageerror] ${err.message}`));
  page.on('requestfailed', (req) => log(`[${name} requestfailed] ${req.method()} ${req.url()} ${req.failure()?.errorText ?? ''}`));
}

export async function waitLive(page: Page): Promise<void> {
  await page.locator('[data-testid="connection"][data-state="live"]').waitFor({ timeout: PAGE_READY_MS });
}

/** A new agent (browser context) signed in with a password on `base`, the inbox live. */
export async function signInAgent(base: string, name: string, email: string, password: string): Promise<Page> {
  const page = await (await newAgent(name)).newPage();
  await page.goto(`${base}/`);
  await page.locator('[data-testid="signin-form"]').waitFor({ timeout: 15_000 });
  await page.locator('[data-testid="signin-email"]').fill(email);
  await page.locator('[data-testid="signin-password"]').fill(password);
  await page.locator('[data-testid="signin-submit"]').click();
  await page.locator('[data-testid="session-name"]').waitFor({ timeout: LIVE_BOUND_MS });
  await waitLive(page);
  return page;
}

/** Opens the inbox and waits until the live connection is up and the list has rows. */
export async function openInbox(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${url()}/`);
  await waitLive(page);
  await page.locator('[data-testid="case-row"]').first().waitFor();
  return page;
}

/** Opens a case by its id in a new page and waits for the live connection and the participants. */
export async function openCase(context: BrowserContext, caseId: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${url()}/#/cases/${encodeURIComponent(caseId)}`);
  await waitLive(page);
  await page.locator('[data-testid="participants"]').waitFor();
  return page;
}

export function caseRow(page: Page, subject: string) {
  return page.locator('[data-testid="case-row"]', { hasText: subject });
}

/** Messages of the thread itself (the collision notice shows copies of some). */
export function threadMessages(page: Page) {
  return page.locator('.thread [data-testid="message"]');
}

/**
 * A sentinel in the page's event loop, for "nothing happened" checks: a task queued after the next
 * frame runs after the tasks and renders that anything before it set off, so looking afterwards sees
 * what they did.
 */
export async function settled(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0))));
}

/** Saves a full-page screenshot under ARTIFACTS and prints where. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, name);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`screenshot: ${file}`);
  return file;
}

// ---------------------------------------------------------------------------------------------
// Mail and API

export function suffix(): string {
  return randomBytes(4).toString('hex');
}

/** The header lines of a message to MAILBOX, up to its Content-Type. */
export function mailHeaders(fields: { from: string; subject: string; messageId?: string; contentType?: string }): string[] {
  return [
    `From: ${fields.from}`,
    `To: ${MAILBOX}`,
    `Subject: ${fields.subject}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${fields.messageId ?? `browser-${suffix()}@example.com`}>`,
    'MIME-Version: 1.0',
    `Content-Type: ${fields.contentType ?? 'text/plain; charset=utf-8'}`,
  ];
}

/**
 * A single-part message to MAILBOX. `headers` go after the standard ones; `top` above everything,
 * as a receiving server prepends its own.
 */
export function mail(fields: { from: string; subject: string; body: string; messageId?: string; contentType?: string; headers?: Record<string, string>; top?: Record<string, string> }): string {
  const lines = [
    ...Object.entries(fields.top ?? {}).map(([k, v]) => `${k}: ${v}`),
    ...mailHeaders(fields),
    'Content-Transfer-Encoding: 8bit',
    ...Object.entries(fields.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
  ];
  return `${lines.join('\r\n')}\r\n\r\n${fields.body.replace(/\r?\n/g, '\r\n')}\r\n`;
}

/** Delivers `raw` to the email handler of the server at `base`, as Email Routing would. */
export async function send(envelopeFrom: string, raw: string, base = url()): Promise<void> {
  const res = await deliver(base, raw, { from: envelopeFrom, to: MAILBOX });
  expect(res.status, `email handler answered ${res.status}: ${res.text}`).toBeLessThan(300);
}

/** GETs JSON from the seeded server's API (open mode: no sign-in) and expects a 200. */
export async function api<T>(pathname: string): Promise<T> {
  const res = await fetch(`${url()}${pathname}`, { headers: { Accept: 'application/json' } });
  expect(res.status, `GET ${pathname}`).toBe(200);
  return (await res.json()) as T;
}

export interface CaseSummary {
  id: string;
  number: number;
  subject: string;
}

/** The case with this subject, waiting up to LIVE_BOUND_MS for the mail that opens it to be processed. */
export function caseBySubject(subject: string): Promise<CaseSummary> {
  return vi.waitFor(
    async () => {
      const cases = await api<{ items: CaseSummary[] }>('/api/cases?status=all&limit=200');
      const found = cases.items.find((c) => c.subject === subject);
      if (!found) throw new Error(`no case "${subject}"`);
      return found;
    },
    { timeout: LIVE_BOUND_MS, interval: 100 },
  );
}

/** An RFC 3464 delivery report to MAILBOX (the demo's); the one builder every test uses. */
export { deliveryReport } from '../fixtures/dsn.ts';
