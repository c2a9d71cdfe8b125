// Shared drafts in the browser: Ada types a reply and it is saved on the server after she stops
// typing; a reload and a second device (another browser, signed in as Ada) find it; Ben, in his own
// browser, sees "Ada Admin is drafting a reply" on the case, never the text. A draft restored after
// the customer wrote again asks before it is sent.
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { caseRow, LIVE_BOUND_MS, mail, screenshot, send, signInAgent, startPasswordServer, suffix, useBrowserHarness, useSuiteServer } from './harness.ts';

useBrowserHarness();

describe('shared drafts', () => {
  const PASSWORD = `pw-${suffix()}-${suffix()}`;
  const pw = useSuiteServer('password-mode', () => startPasswordServer(PASSWORD, ['agt_ada', 'agt_ben']));

  const signedIn = (name: string, email: string) => signInAgent(pw().url, name, email, PASSWORD);

  async function openCase(page: Page, subject: string): Promise<void> {
    const row = caseRow(page, subject);
    await row.waitFor({ timeout: LIVE_BOUND_MS });
    await row.locator('a').click();
    await page.locator('[data-testid="composer-text"]').waitFor({ timeout: LIVE_BOUND_MS });
  }

  test('a typed reply survives a reload and shows on another device; Ben sees that Ada is drafting', async () => {
    const subject = `Lost parcel ${suffix()}`;
    const customer = `drafts-${suffix()}@example.com`;
    const text = `Your parcel left the depot today ${suffix()}.`;
    const ada = await signedIn('ada', 'ada@acme.test');
    const ben = await signedIn('ben', 'ben@acme.test');
    const first = `drafts-${suffix()}@example.com`;
    await send(customer, mail({ from: `Pat Parcel <${customer}>`, subject, body: 'Where is my parcel?', messageId: first }), pw().url);
    await openCase(ada, subject);
    await openCase(ben, subject);

    const saved = ada.waitForResponse((r) => r.url().endsWith('/draft') && r.request().method() === 'PUT' && r.status() === 200, { timeout: 15_000 });
    await ada.locator('[data-testid="composer-text"]').fill(text);
    await saved;

    // Ben: while Ada is on the case, the presence line says she is writing (once, not twice).
    const line = ben.locator('[data-testid="case-drafting"]');
    await ben.locator('[data-testid="presence-entry"][data-composing="true"]', { hasText: 'Ada Admin' }).waitFor({ timeout: LIVE_BOUND_MS });
    expect(await line.count()).toBe(0);

    // Ada reloads: the draft is back.
    await ada.reload();
    await ada.locator('[data-testid="composer-text"]').waitFor({ timeout: LIVE_BOUND_MS });
    await expect.poll(() => ada.locator('[data-testid="composer-text"]').inputValue(), { timeout: LIVE_BOUND_MS }).toBe(text);

    // Ada leaves the case with the draft unsent: Ben sees who drafts, live, and not what.
    await ada.close();
    await line.locator('[data-testid="drafting-entry"]', { hasText: 'Ada Admin is drafting a reply' }).waitFor({ timeout: LIVE_BOUND_MS });
    expect(await ben.locator('body').textContent()).not.toContain(text);
    await screenshot(ben, 'drafts-ben-sees-ada-drafting.png');

    // The customer writes again; then another device (a fresh browser signed in as Ada, nothing
    // local there) finds the draft, written against the older message: sending asks first.
    await send(customer, mail({ from: `Pat Parcel <${customer}>`, subject: `Re: ${subject}`, body: 'Found a tracking number: 42.', headers: { 'In-Reply-To': `<${first}>` } }), pw().url);
    const laptop = await signedIn('ada-laptop', 'ada@acme.test');
    await openCase(laptop, subject);
    await laptop.locator('text=Found a tracking number: 42.').first().waitFor({ timeout: LIVE_BOUND_MS });
    await expect.poll(() => laptop.locator('[data-testid="composer-text"]').inputValue(), { timeout: LIVE_BOUND_MS }).toBe(text);
    await screenshot(laptop, 'drafts-restored-on-another-device.png');
    await laptop.locator('[data-testid="composer-send"]').click();
    await laptop.locator('[data-testid="collision-notice"]').waitFor({ timeout: LIVE_BOUND_MS });

    // Sending anyway clears it: Ben's line goes away.
    await laptop.locator('[data-testid="composer-send-anyway"]').click();
    await laptop.locator('[data-testid="composer-done"]', { hasText: 'Reply queued' }).waitFor({ timeout: LIVE_BOUND_MS });
    await line.waitFor({ state: 'detached', timeout: LIVE_BOUND_MS });
  });
});
