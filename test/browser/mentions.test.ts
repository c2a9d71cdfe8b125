// Mentions in the browser: Ada writes a note naming @ben; Ben, signed in in another browser, sees
// his bell count go up without a reload, opens the list and goes to the case from it.
import { describe, expect, test } from 'vitest';
import { caseRow, LIVE_BOUND_MS, mail, screenshot, send, signInAgent, startPasswordServer, suffix, useBrowserHarness, useSuiteServer } from './harness.ts';

declare global {
  interface Window {
    __marker?: number;
  }
}

useBrowserHarness();

describe('mentioning an agent in a note', () => {
  const PASSWORD = `pw-${suffix()}-${suffix()}`;
  const pw = useSuiteServer('password-mode', () => startPasswordServer(PASSWORD, ['agt_ada', 'agt_ben']));

  const signedIn = (name: string, email: string) => signInAgent(pw().url, name, email, PASSWORD);

  test('Ada writes a note naming @ben; Ben’s bell count goes up live and its list opens the case', async () => {
    const subject = `Refund check ${suffix()}`;
    const customer = `mention-${suffix()}@example.com`;
    const ada = await signedIn('ada', 'ada@acme.test');
    const ben = await signedIn('ben', 'ben@acme.test');
    const bell = ben.locator('[data-testid="bell"]');
    await expect.poll(() => bell.getAttribute('data-unread'), { timeout: LIVE_BOUND_MS }).toBe('0');
    await ben.evaluate(() => {
      window.__marker = 1;
    });

    await send(customer, mail({ from: `Rita Fund <${customer}>`, subject, body: 'Where is my refund?', messageId: `mention-${suffix()}@example.com` }), pw().url);
    const row = caseRow(ada, subject);
    await row.waitFor({ timeout: LIVE_BOUND_MS });
    await row.locator('a').click();
    await ada.locator('[data-testid="composer-tab-note"]').click();
    await ada.locator('[data-testid="composer-text"]').fill('@ben can you check the refund? @nobody');
    await ada.locator('[data-testid="composer-send"]').click();
    await ada.locator('[data-testid="composer-done"]').waitFor({ timeout: LIVE_BOUND_MS });

    await expect.poll(() => bell.getAttribute('data-unread'), { timeout: LIVE_BOUND_MS }).toBe('1');
    expect(await ben.locator('[data-testid="bell-count"]').textContent()).toBe('1');
    // Same page: no reload happened.
    expect(await ben.evaluate(() => window.__marker)).toBe(1);
    // Ada mentioned nobody of hers: her bell stays at zero.
    expect(await ada.locator('[data-testid="bell"]').getAttribute('data-unread')).toBe('0');

    await bell.click();
    const item = ben.locator('[data-testid="bell-item"]', { hasText: 'Ada Admin mentioned you' });
    await item.waitFor({ timeout: LIVE_BOUND_MS });
    await screenshot(ben, 'mentions-bell.png');
    await item.click();
    await ben.locator('h2, [data-testid="case-subject"]', { hasText: subject }).first().waitFor({ timeout: LIVE_BOUND_MS });
    await expect.poll(() => bell.getAttribute('data-unread'), { timeout: LIVE_BOUND_MS }).toBe('0');
  });
});
