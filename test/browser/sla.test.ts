/// <reference lib="dom" />
// SLA in the browser, end to end: a new case shows its SLA badge; the cron sweep, run with a time a
// month ahead, breaches it and the open inbox and case turn red without a reload; the case is listed
// under "Breaching soon"; and the report counts it, with a chart that has bars.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { buildWeb, deliver, ensureDevVars, migrateLocal, seedDemo, startWrangler } from '../../scripts/lib/devserver.mjs';

declare global {
  interface Window {
    __marker?: number;
  }
}

const CHROMIUM = '/usr/bin/chromium';
const MAILBOX = 'support@acme.test';
const LIVE_BOUND_MS = 5_000;
const DAY = 86_400_000;

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

let server: { url: string; stop: () => Promise<void> } | undefined;
let persistTo: string | undefined;
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

let setupError: Error | undefined;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    setupError = new Error(`Chromium is missing at ${CHROMIUM}: the browser tests need Debian's chromium package (apt-get install chromium).`);
    return;
  }
  try {
    ensureDevVars();
    await buildWeb({ quiet: true });
    persistTo = await mkdtemp(path.join(tmpdir(), 'edgecase-browser-'));
    await migrateLocal(persistTo, { quiet: true });
    const port = await freePort();
    server = await startWrangler({ port, persistTo, output: (line: string) => log(line), vars: { AUTH_MODE: 'open' } });
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
  if (persistTo) await rm(persistTo, { recursive: true, force: true });
});

beforeEach((ctx) => {
  if (setupError) throw new Error(`browser test setup failed: ${setupError.message}`, { cause: setupError });
  ctx.onTestFailed(() => dumpLogs(`"${ctx.task.name}" failed`));
});

function url(): string {
  if (!server) throw new Error('server not started');
  return server.url;
}

async function newAgent(name: string): Promise<BrowserContext> {
  if (!browser) throw new Error('browser not started');
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  contexts.push(context);
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

function caseRow(page: Page, subject: string) {
  return page.locator('[data-testid="case-row"]', { hasText: subject });
}

// ---------------------------------------------------------------------------------------------
// Mail and API

function suffix(): string {
  return randomBytes(4).toString('hex');
}

function mail(fields: { from: string; subject: string; body: string }): string {
  const lines = [
    `From: ${fields.from}`,
    `To: ${MAILBOX}`,
    `Subject: ${fields.subject}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <sla-${suffix()}@example.com>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
  ];
  return `${lines.join('\r\n')}\r\n\r\n${fields.body.replace(/\r?\n/g, '\r\n')}\r\n`;
}

async function send(envelopeFrom: string, raw: string): Promise<void> {
  const res = await deliver(url(), raw, { from: envelopeFrom, to: MAILBOX });
  expect(res.status, `email handler answered ${res.status}: ${res.text}`).toBeLessThan(300);
}

async function api<T>(pathname: string): Promise<T> {
  const res = await fetch(`${url()}${pathname}`, { headers: { Accept: 'application/json' } });
  expect(res.status, `GET ${pathname}`).toBe(200);
  return (await res.json()) as T;
}

/** Runs the cron handler once, as wrangler's local trigger does, with `time` as its scheduled time. */
async function runCron(time: number): Promise<void> {
  const res = await fetch(`${url()}/cdn-cgi/handler/scheduled?time=${time}&cron=${encodeURIComponent('* * * * *')}`);
  expect(res.status, `scheduled handler answered ${res.status}: ${await res.clone().text()}`).toBe(200);
}

interface Summary {
  id: string;
  subject: string;
  sla: { state: string; dueAt: number | null; target: string | null; paused: boolean } | null;
}

interface ReportRow {
  id: string;
  name: string;
  cases: number;
  met: number;
  breached: number;
  open: number;
}

// ---------------------------------------------------------------------------------------------

describe('SLA in the browser', () => {
  const subject = `Where is my refund? ${suffix()}`;
  let caseId = '';

  test('a new case shows an SLA badge that the sweep turns red live, and it is listed as breaching', async () => {
    const inbox = await openInbox(await newAgent('watcher'));
    await inbox.evaluate(() => {
      window.__marker = 1;
    });
    // The first hello refetches the list once. Let that finish before the mail arrives: an answer read
    // before the case existed, landing after the live insert, would take the new row away again.
    await inbox.waitForTimeout(1_000);
    await send('ruth@example.com', mail({ from: 'Ruth Refund <ruth@example.com>', subject, body: 'I returned the lamp two weeks ago.' }));

    const row = caseRow(inbox, subject);
    await row.waitFor({ timeout: LIVE_BOUND_MS });
    caseId = (await row.getAttribute('data-case-id')) ?? '';
    expect(caseId).toBeTruthy();
    const badge = row.locator('[data-testid="sla-badge"]');
    await badge.waitFor();
    expect(await badge.getAttribute('data-state')).toBe('ok');
    expect(await badge.textContent()).toMatch(/due in \d/);
    // The exact due instant is in the title; the countdown is honest about counting wall-clock time.
    expect(await badge.getAttribute('title')).toMatch(/^First response due .+wall-clock/);

    const detail = await api<{ case: Summary }>(`/api/cases/${encodeURIComponent(caseId)}`);
    expect(detail.case.sla).toMatchObject({ state: 'ok', target: 'firstResponse', paused: false });

    // A second agent has the case open.
    const reader = await (await newAgent('reader')).newPage();
    await reader.goto(`${url()}/#/cases/${encodeURIComponent(caseId)}`);
    await waitLive(reader);
    const headBadge = reader.locator('.case-head [data-testid="sla-badge"]');
    await headBadge.waitFor();
    expect(await headBadge.getAttribute('data-state')).toBe('ok');
    expect(await headBadge.textContent()).toMatch(/^First response due in /);
    await reader.evaluate(() => {
      window.__marker = 2;
    });

    // The sweep a month from now: every target of the new case is long overdue.
    const sweptAt = Date.now();
    await runCron(sweptAt + 30 * DAY);

    await inbox.waitForFunction(
      (id) => document.querySelector(`[data-testid="case-row"][data-case-id="${CSS.escape(id)}"] [data-testid="sla-badge"]`)?.getAttribute('data-state') === 'breached',
      caseId,
      { timeout: LIVE_BOUND_MS },
    );
    console.log(`sweep → red badge in the open inbox: ${Date.now() - sweptAt} ms`);
    await reader.waitForFunction(() => document.querySelector('.case-head [data-testid="sla-badge"]')?.getAttribute('data-state') === 'breached', null, { timeout: LIVE_BOUND_MS });
    expect(await inbox.evaluate(() => window.__marker)).toBe(1);
    expect(await reader.evaluate(() => window.__marker)).toBe(2);
    // Red by the server's word: the badge's colour class follows its state.
    expect(await badge.getAttribute('class')).toContain('sla-breached');
    expect(await badge.textContent()).toContain('breached');
    // The breach escalation raised the priority, which the row shows too.
    await row.locator('.badge.prio').waitFor({ timeout: LIVE_BOUND_MS });

    const after = await api<{ case: Summary }>(`/api/cases/${encodeURIComponent(caseId)}`);
    expect(after.case.sla?.state).toBe('breached');

    // "Breaching soon" lists it.
    await inbox.locator('[data-testid="tab-breaching"]').click();
    await inbox.locator('[data-testid="case-list"][data-view="breaching"]').waitFor();
    const listed = caseRow(inbox, subject);
    await listed.waitFor();
    expect(await listed.locator('[data-testid="sla-badge"]').getAttribute('data-state')).toBe('breached');
    for (const state of await inbox.locator('[data-testid="case-row"] [data-testid="sla-badge"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-state')))) {
      expect(['warning', 'breached']).toContain(state);
    }
    expect(await inbox.evaluate(() => window.__marker)).toBe(1);
    const breaching = await api<{ items: Summary[] }>('/api/cases?status=breaching');
    expect(breaching.items.map((c) => c.id)).toContain(caseId);
  });

  test('the report counts the breached case and draws the days as bars', async () => {
    expect(caseId, 'the first test found the case').toBeTruthy();
    const page = await openInbox(await newAgent('manager'));
    await page.locator('[data-testid="reports-link"]').click();
    const report = page.locator('[data-testid="sla-report"]');
    await report.waitFor();
    const mailboxRow = page.locator('[data-testid="report-mailbox-row"]', { hasText: 'Acme Support' });
    await mailboxRow.waitFor();

    const expected = await api<{ from: string; to: string; byMailbox: ReportRow[]; byAgent: ReportRow[]; daily: Array<{ date: string; met: number; breached: number; open: number }> }>('/api/reports/sla');
    const mbx = expected.byMailbox.find((r) => r.name === 'Acme Support');
    expect(mbx?.breached).toBeGreaterThanOrEqual(1);
    expect(Number(await mailboxRow.getAttribute('data-breached'))).toBe(mbx?.breached);
    expect(Number(await mailboxRow.getAttribute('data-cases'))).toBe(mbx?.cases);
    // The breached cell says the share and the count.
    expect(await mailboxRow.locator('td').nth(2).textContent()).toMatch(new RegExp(`^\\d+% \\(${mbx?.breached}\\)$`));
    expect(await page.locator('[data-testid="report-agent-row"]').count()).toBe(expected.byAgent.length);

    const chart = page.locator('[data-testid="sla-chart"]');
    expect(await chart.getAttribute('role')).toBe('img');
    const breachedTotal = expected.daily.reduce((n, d) => n + d.breached, 0);
    expect(await chart.getAttribute('aria-label')).toContain(`${breachedTotal} breached`);
    const bars = chart.locator('rect.bar');
    expect(await bars.count()).toBeGreaterThan(0);
    expect(await chart.locator('rect.bar[data-outcome="breached"]').count()).toBeGreaterThan(0);
    const heights = await bars.evaluateAll((els) => els.map((e) => Number(e.getAttribute('height'))));
    expect(heights.every((h) => h > 0)).toBe(true);
    // Axis labels and a legend.
    expect(await chart.locator('.legend text').allTextContents()).toEqual(['Met', 'Breached', 'Still open']);
    expect(await chart.locator('.x-axis text').count()).toBeGreaterThan(1);

    // Today's bar holds the new case.
    const today = expected.daily.find((d) => d.date === new Date().toISOString().slice(0, 10));
    expect(today?.breached).toBeGreaterThanOrEqual(1);
    expect(await chart.locator(`g.day[data-date="${today?.date}"] rect.bar[data-outcome="breached"]`).count()).toBe(1);

    // A range before anything happened is empty, and says so.
    await page.locator('[data-testid="report-from"]').fill('2020-01-01');
    await page.locator('[data-testid="report-to"]').fill('2020-01-31');
    await page.locator('[data-testid="sla-report"] button[type="submit"]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="report-summary"]')?.textContent?.includes('no cases under an SLA'), null, { timeout: LIVE_BOUND_MS });
    expect(await page.locator('[data-testid="report-mailbox-row"]').count()).toBe(0);
    expect(await chart.locator('rect.bar').count()).toBe(0);
  });
});
