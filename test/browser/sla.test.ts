/// <reference lib="dom" />
// SLA in the browser, end to end: a new case shows its SLA badge; the cron sweep, run with a time a
// month ahead, breaches it and the open inbox and case turn red without a reload; the case is listed
// under "Breaching soon"; and the report counts it, with a chart that has bars.
import { describe, expect, test } from 'vitest';
import type { CaseSummary as Summary, SlaReportRow as ReportRow } from '../../worker/protocol/api.ts';
import type { BrowserContext, Page } from 'playwright-core';
import { api, caseRow, LIVE_BOUND_MS, mail, newAgent, openInbox, send, settled, suffix, url, useBrowserHarness, waitLive } from './harness.ts';

declare global {
  interface Window {
    __marker?: number;
    __rowLost?: boolean;
    __stopWatching?: () => void;
  }
}

const DAY = 86_400_000;

useBrowserHarness();

/** Runs the cron handler once, as wrangler's local trigger does, with `time` as its scheduled time. */
async function runCron(time: number): Promise<void> {
  const res = await fetch(`${url()}/cdn-cgi/handler/scheduled?time=${time}&cron=${encodeURIComponent('* * * * *')}`);
  expect(res.status, `scheduled handler answered ${res.status}: ${await res.clone().text()}`).toBe(200);
}

/**
 * Stages the race of the first hello's refetch against a new case's live row in `context`. What the
 * hub says waits until `listShown()`, so that the hello's refetch is a refetch of a list on screen
 * (not a second first load); that refetch's answer is read from the server as soon as it goes out,
 * and `held` hands it to the page only on `deliver()`.
 */
async function stageRefetchRace(context: BrowserContext) {
  let shown = false;
  const waiting: Array<() => void> = [];
  await context.routeWebSocket(
    (u) => u.pathname === '/api/live',
    (ws) => {
      const server = ws.connectToServer();
      server.onMessage((message) => (shown ? ws.send(message) : waiting.push(() => ws.send(message))));
    },
  );
  let hold: (answer: { deliver: () => Promise<void> }) => void = () => {};
  const held = new Promise<{ deliver: () => Promise<void> }>((resolve) => {
    hold = resolve;
  });
  let taken = false;
  await context.route(
    (u) => u.pathname === '/api/cases',
    async (route) => {
      if (taken || !shown) return route.continue();
      taken = true;
      const answer = await route.fetch();
      const page = route.request().frame().page();
      hold({
        deliver: async () => {
          const finished = page.waitForEvent('requestfinished', { predicate: (r) => r === route.request() });
          await route.fulfill({ response: answer });
          await finished;
        },
      });
    },
  );
  return {
    listShown: () => {
      shown = true;
      for (const send of waiting.splice(0)) send();
    },
    held,
  };
}

/** Notes in the page whether a row with `subject` went away after it had appeared. */
async function watchRowLoss(page: Page, subject: string): Promise<void> {
  await page.evaluate((text) => {
    let seen = false;
    window.__rowLost = false;
    const observer = new MutationObserver(() => {
      const shown = [...document.querySelectorAll('[data-testid="case-row"]')].some((r) => r.textContent?.includes(text));
      if (shown) seen = true;
      else if (seen) window.__rowLost = true;
    });
    observer.observe(document.body, { subtree: true, childList: true });
    window.__stopWatching = () => observer.disconnect();
  }, subject);
}

// ---------------------------------------------------------------------------------------------

describe('SLA in the browser', () => {
  const subject = `Where is my refund? ${suffix()}`;
  let caseId = '';

  test('a new case shows an SLA badge that the sweep turns red live, and it is listed as breaching', async () => {
    const watcher = await newAgent('watcher');
    const race = await stageRefetchRace(watcher);
    const inbox = await watcher.newPage();
    await inbox.goto(`${url()}/`);
    await inbox.locator('[data-testid="case-row"]').first().waitFor();
    race.listShown();
    await waitLive(inbox);
    await inbox.evaluate(() => {
      window.__marker = 1;
    });
    // The first hello refetches the list. Its answer is read on the server before the mail is sent and
    // reaches the page only after the new case's live row: it must not take that row away.
    const stale = await race.held;
    await watchRowLoss(inbox, subject);
    await send('ruth@example.com', mail({ from: 'Ruth Refund <ruth@example.com>', subject, body: 'I returned the lamp two weeks ago.' }));

    const row = caseRow(inbox, subject);
    await row.waitFor({ timeout: LIVE_BOUND_MS });
    await stale.deliver();
    await settled(inbox);
    expect(await inbox.evaluate(() => window.__rowLost), 'the answer read before the case existed took its row away').toBe(false);
    expect(await row.count()).toBe(1);
    await inbox.evaluate(() => window.__stopWatching?.());
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

    const expected = await api<{ from: string; to: string; byMailbox: ReportRow[]; byAgent: ReportRow[]; daily: Array<{ date: string; met: number; breached: number; open: number }> }>(
      '/api/reports/sla',
    );
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
