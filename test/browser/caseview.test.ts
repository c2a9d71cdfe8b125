// The case view's composer against one agent working in two tabs: what the agent wrote elsewhere is
// not news to them, while a colleague's note still is.
import { describe, expect, test } from 'vitest';
import { LIVE_BOUND_MS, caseBySubject, mail, newAgent, openCase, screenshot, send, settled, suffix, threadMessages, useBrowserHarness } from './harness.ts';

useBrowserHarness();

async function whoIs(page: import('playwright-core').Page): Promise<string> {
  const name = page.locator('[data-testid="session-name"]');
  await name.waitFor();
  return (await name.textContent()) ?? '';
}

async function addNote(page: import('playwright-core').Page, text: string): Promise<void> {
  await page.locator('[data-testid="composer-tab-note"]').click();
  await page.locator('[data-testid="composer-text"]').fill(text);
  await page.locator('[data-testid="composer-send"]').click();
  await threadMessages(page).filter({ hasText: text }).waitFor({ timeout: LIVE_BOUND_MS });
}

describe('the composer guard in a second tab', () => {
  test("the agent's own note from another tab is no news; a colleague's note is", async () => {
    const customer = `tabs-${suffix()}@example.com`;
    const subject = `Two tabs ${suffix()}`;
    await send(customer, mail({ from: `Tab Tester <${customer}>`, subject, body: 'Can you check my invoice?' }));
    const { id } = await caseBySubject(subject);
    const me = await newAgent('me');
    // One tab first, so the browser has its agent before the second asks.
    const writing = await openCase(me, id);
    const other = await openCase(me, id);
    expect(await whoIs(other)).toBe(await whoIs(writing));

    // Tab 1 drafts a reply; tab 2, the same agent, adds a note.
    await writing.locator('[data-testid="composer-tab-reply"]').click();
    await writing.locator('[data-testid="composer-text"]').fill(`The invoice is corrected. ${suffix()}`);
    const own = `Checked the invoice myself. ${suffix()}`;
    await addNote(other, own);

    // The note reaches tab 1 live, and nothing there says a new message arrived.
    await threadMessages(writing).filter({ hasText: own }).waitFor({ timeout: LIVE_BOUND_MS });
    await settled(writing);
    expect(await writing.locator('[data-testid="arrived-meanwhile"]').count()).toBe(0);

    // A colleague's note is news: the hint shows, and sending asks first.
    const colleague = await openCase(await newAgent('colleague'), id);
    expect(await whoIs(colleague)).not.toBe(await whoIs(writing));
    const theirs = `Careful, the customer disputes the tax line. ${suffix()}`;
    await addNote(colleague, theirs);
    await threadMessages(writing).filter({ hasText: theirs }).waitFor({ timeout: LIVE_BOUND_MS });
    const hint = writing.locator('[data-testid="arrived-meanwhile"]');
    await hint.waitFor({ timeout: LIVE_BOUND_MS });
    expect(await hint.textContent()).toContain('A new message arrived');
    await screenshot(writing, 'composer-own-tab-then-colleague.png');
    await writing.locator('[data-testid="composer-send"]').click();
    const notice = writing.locator('[data-testid="collision-notice"]');
    await notice.waitFor({ timeout: LIVE_BOUND_MS });
    // Only the colleague's note is shown as new, not the agent's own.
    expect(await notice.locator('[data-testid="message"]').count()).toBe(1);
    expect(await notice.textContent()).toContain(theirs);
    expect(await notice.textContent()).not.toContain(own);
  });
});
