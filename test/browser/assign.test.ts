// Assignment in the browser: agent A gives a case to agent B with the picker (type to filter,
// Enter); B, signed in in another browser, sees it arrive in Mine live, with the count, and A's
// case view shows the history line.
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { caseRow, LIVE_BOUND_MS, mail, newAgent, screenshot, send, startPasswordServer, suffix, useBrowserHarness, useSuiteServer, waitLive } from './harness.ts';

declare global {
  interface Window {
    __marker?: number;
  }
}

useBrowserHarness();

describe('assigning to another agent', () => {
  const PASSWORD = `pw-${suffix()}-${suffix()}`;
  const pw = useSuiteServer('password-mode', () => startPasswordServer(PASSWORD, ['agt_ada', 'agt_ben']));

  async function signedIn(name: string, email: string): Promise<Page> {
    const page = await (await newAgent(name)).newPage();
    await page.goto(`${pw().url}/`);
    await page.locator('[data-testid="signin-form"]').waitFor({ timeout: 15_000 });
    await page.locator('[data-testid="signin-email"]').fill(email);
    await page.locator('[data-testid="signin-password"]').fill(PASSWORD);
    await page.locator('[data-testid="signin-submit"]').click();
    await page.locator('[data-testid="session-name"]').waitFor({ timeout: LIVE_BOUND_MS });
    await waitLive(page);
    return page;
  }

  test('Ada assigns a case to Ben with the picker; it appears in Ben’s Mine without a reload; Ben unassigns it from the row', async () => {
    const subject = `Invoice twice ${suffix()}`;
    const customer = `assign-${suffix()}@example.com`;
    const ada = await signedIn('ada', 'ada@acme.test');
    const ben = await signedIn('ben', 'ben@acme.test');

    const mine = ben.locator('[data-testid="tab-view:builtin:mine"]');
    await mine.click();
    const count = ben.locator('[data-testid="count-view:builtin:mine"]');
    await expect.poll(() => count.textContent(), { timeout: LIVE_BOUND_MS }).toBe('0');
    await ben.evaluate(() => {
      window.__marker = 1;
    });

    await send(customer, mail({ from: `Ivy Voice <${customer}>`, subject, body: 'I was charged twice for order 1182.', messageId: `assign-${suffix()}@example.com` }), pw().url);
    const rowAda = caseRow(ada, subject);
    await rowAda.waitFor({ timeout: LIVE_BOUND_MS });
    await rowAda.locator('a').click();
    await ada.locator('[data-testid="assign-picker"]').click();
    await ada.locator('[data-testid="assign-filter"]').fill('ben');
    // Type-to-filter leaves Ben alone; Enter takes the highlighted option.
    await expect.poll(() => ada.locator('[data-testid="assign-option"]').allTextContents(), { timeout: LIVE_BOUND_MS }).toEqual([expect.stringContaining('Ben Agent')]);
    await ada.locator('[data-testid="assign-filter"]').press('Enter');
    await ada.locator('[data-testid="case-assignee"]', { hasText: 'Assigned to Ben Agent' }).waitFor({ timeout: LIVE_BOUND_MS });
    await ada.locator('[data-testid="history-line"]', { hasText: 'Ada Admin assigned this to Ben Agent' }).waitFor({ timeout: LIVE_BOUND_MS });

    // Ben's Mine: the row and the count, live, on the same page (no reload: the marker survives).
    await caseRow(ben, subject).waitFor({ timeout: LIVE_BOUND_MS });
    await expect.poll(() => count.textContent(), { timeout: LIVE_BOUND_MS }).toBe('1');
    expect(await ben.evaluate(() => window.__marker)).toBe(1);
    await screenshot(ben, 'assign-mine.png');
    await screenshot(ada, 'assign-history.png');

    // From the list row: Ben gives it back to nobody; it leaves his Mine and the count follows.
    await caseRow(ben, subject).locator('[data-testid="row-assign"]').click();
    await ben.locator('[data-testid="assign-filter"]').fill('nob');
    await ben.locator('[data-testid="assign-option"]', { hasText: 'Nobody' }).waitFor({ timeout: LIVE_BOUND_MS });
    // Not clipped by the list: the option is what is under its own centre.
    const onTop = await ben.locator('[data-testid="assign-option"]', { hasText: 'Nobody' }).evaluate((el) => {
      const r = el.getBoundingClientRect();
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      return hit !== null && el.contains(hit);
    });
    expect(onTop).toBe(true);
    await screenshot(ben, 'assign-row-picker.png');
    await ben.locator('[data-testid="assign-filter"]').press('Enter');
    await caseRow(ben, subject).waitFor({ state: 'detached', timeout: LIVE_BOUND_MS });
    await expect.poll(() => count.textContent(), { timeout: LIVE_BOUND_MS }).toBe('0');
    await ada.locator('[data-testid="history-line"]', { hasText: 'Ben Agent unassigned this' }).waitFor({ timeout: LIVE_BOUND_MS });
  });
});
