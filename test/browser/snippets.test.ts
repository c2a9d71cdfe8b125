// Canned replies in the browser: an agent saves one on the Canned replies page (an unknown
// placeholder is refused there), then in a case presses Ctrl+Shift+K, finds it by its shortcut,
// inserts it with Enter at the cursor, sees the placeholders filled for the case, and sends it.
import { describe, expect, test } from 'vitest';
import { LIVE_BOUND_MS, caseBySubject, mail, newAgent, openCase, screenshot, send, suffix, threadMessages, url, useBrowserHarness } from './harness.ts';

useBrowserHarness();

describe('canned replies', () => {
  test('an agent inserts a canned reply by its shortcut, sees it filled for the case, and sends it', async () => {
    const customer = `snippet-${suffix()}@example.com`;
    const subject = `Parcel missing ${suffix()}`;
    const shortcut = `thanks-${suffix()}`.toLowerCase();
    await send(customer, mail({ from: `Nora Quill <${customer}>`, subject, body: 'My parcel never came.' }));
    const kase = await caseBySubject(subject);

    const agent = await newAgent('snippets');
    const page = await agent.newPage();
    await page.goto(`${url()}/#/snippets`);
    await page.locator('[data-testid="snippets-page"]').waitFor({ timeout: LIVE_BOUND_MS });
    const form = page.locator('[data-testid="snippet-form"]').first();
    await form.locator('[data-testid="snippet-name"]').fill('Thanks and case number');
    await form.locator('[data-testid="snippet-shortcut"]').fill(shortcut);
    await form.locator('[data-testid="snippet-body"]').fill('Thank you, {{customer.first_name}}: case #{{case.number}} is in hand. {{order.id}}');
    await form.locator('[data-testid="snippet-save"]').click();
    const refused = page.locator('[data-testid="snippets-error"]');
    await refused.waitFor({ timeout: LIVE_BOUND_MS });
    expect(await refused.textContent()).toContain('{{order.id}} is not a placeholder');
    await form.locator('[data-testid="snippet-body"]').fill('Thank you, {{customer.first_name}}: case #{{case.number}} is in hand.\n{{agent.first_name}}, {{mailbox.name}}');
    await form.locator('[data-testid="snippet-save"]').click();
    await page.locator('[data-testid="snippet-row"]', { hasText: 'Thanks and case number' }).waitFor({ timeout: LIVE_BOUND_MS });

    const caseTab = await openCase(agent, kase.id);
    const agentName = (await caseTab.locator('[data-testid="session-name"]').textContent())!.trim();
    await caseTab.locator('[data-testid="composer-tab-reply"]').click();
    const text = caseTab.locator('[data-testid="composer-text"]');
    await text.fill('Hello!\n\nBest regards');
    // The cursor after "Hello!\n\n": the snippet goes there, not at the end.
    await text.evaluate((el: HTMLTextAreaElement) => el.setSelectionRange(8, 8));
    await text.press('Control+Shift+K');
    const search = caseTab.locator('[data-testid="snippet-search"]');
    await search.waitFor({ timeout: LIVE_BOUND_MS });
    expect(await caseTab.locator('[data-testid="snippet-open"]').textContent()).toContain('Ctrl+Shift+K');
    await search.fill(`;${shortcut}`);
    await caseTab.locator(`[data-testid="snippet-option"][data-shortcut="${shortcut}"]`).waitFor({ timeout: LIVE_BOUND_MS });
    await screenshot(caseTab, 'snippets-picker.png');
    await search.press('Enter');

    const filled = `Thank you, Nora: case #${kase.number} is in hand.\n${agentName.split(/\s+/)[0]}, Acme Support`;
    await expect.poll(() => text.inputValue(), { timeout: LIVE_BOUND_MS }).toBe(`Hello!\n\n${filled}Best regards`);
    await caseTab.locator('[data-testid="snippet-picker"]').waitFor({ state: 'detached' });
    await screenshot(caseTab, 'snippets-inserted.png');

    await caseTab.locator('[data-testid="composer-send"]').click();
    const reply = threadMessages(caseTab).filter({ hasText: `case #${kase.number} is in hand` });
    await reply.waitFor({ timeout: LIVE_BOUND_MS });
    expect(await reply.getAttribute('data-direction')).toBe('outbound');
    await reply.locator(`[data-testid="delivery"][data-recipient="${customer}"][data-status="sent"]`).waitFor({ timeout: LIVE_BOUND_MS });
    expect(await text.inputValue()).toBe('');
  });
});
