/// <reference lib="dom" />
// The search box in a browser: `/` focuses it, typing shows results with the words marked (text in
// <mark>, never markup from the mail), Escape clears, a result opens its case.
import { describe, expect, test } from 'vitest';
import { caseBySubject, mail, newAgent, openCase, openInbox, send, suffix, useBrowserHarness } from './harness.ts';

useBrowserHarness();

describe('search in a browser', () => {
  test('typing shows marked results as you type; a result opens its case; Escape clears', async () => {
    const tag = suffix();
    const subject = `Kühlschrank summt ${tag}`;
    await send('jorg@example.com', mail({ from: 'Jörg Brünner <jorg@example.com>', subject, body: `The <b>fridge</b> hums loudly since Tuesday, ref ${tag}.` }));
    const kase = await caseBySubject(subject);
    const page = await openInbox(await newAgent('agent'));
    const box = page.locator('[data-testid="search-input"]');
    await box.click();
    // Typed letter by letter: every keystroke's answer but the last is dropped or replaced.
    await box.pressSequentially('kuhlschrank', { delay: 30 });
    const hit = page.locator('[data-testid="search-hit"]');
    await hit.first().waitFor();
    await expect.poll(() => hit.count()).toBe(1);
    expect(await hit.locator('mark').first().textContent()).toBe('Kühlschrank');
    await box.fill(`fridge ${tag}`);
    // The excerpt is of the mail (its subject line, then its text), both words marked.
    await expect.poll(async () => new Set(await hit.locator('.search-snippet mark').allTextContents())).toEqual(new Set(['fridge', tag]));
    // The mail's markup is text in the excerpt, not elements.
    expect(await hit.locator('.search-snippet b').count()).toBe(0);
    expect(await hit.locator('.search-snippet').textContent()).toContain('<b>');
    await hit.first().click();
    await page.waitForURL((u) => u.hash === `#/cases/${encodeURIComponent(kase.id)}`);
    await box.focus();
    await page.keyboard.press('Escape');
    expect(await box.inputValue()).toBe('');
    expect(await page.locator('[data-testid="search-results"]').count()).toBe(0);
  });

  test('/ focuses the box on a case page and in the inbox list; a bad filter says what is wrong', async () => {
    const subject = `Slash focus ${suffix()}`;
    await send('slash@example.com', mail({ from: 'Slash <slash@example.com>', subject, body: 'Hello.' }));
    const kase = await caseBySubject(subject);
    const page = await openCase(await newAgent('agent'), kase.id);
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('search-input');
    await page.keyboard.type('status:bogus');
    const error = page.locator('[data-testid="search-error"]');
    await error.waitFor();
    expect(await error.textContent()).toContain('status: takes');

    // In the inbox list too: `/` is the search box's, `f` the list's filter of loaded rows.
    const inbox = await openInbox(await newAgent('agent'));
    await inbox.locator('[data-testid="case-row"]').first().waitFor();
    const blur = () => inbox.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await blur();
    await inbox.keyboard.press('/');
    expect(await inbox.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('search-input');
    await inbox.keyboard.press('Escape');
    await blur();
    await inbox.keyboard.press('f');
    expect(await inbox.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('case-filter');
  });
});
