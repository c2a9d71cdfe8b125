/// <reference lib="dom" />
// The customer panel in a browser, with two agents (open mode: two browser contexts) on one server:
// both have the same case open; agent A edits the customer's note in place, and agent B's panel shows
// the new note without a reload. The panel also lists the customer's other case and their
// organisation by domain; merging a second address of theirs from the panel shows both addresses and
// both cases.
import { describe, expect, test } from 'vitest';
import { caseBySubject, LIVE_BOUND_MS, mail, newAgent, openCase, screenshot, send, suffix, useBrowserHarness } from './harness.ts';

useBrowserHarness();

describe('customer panel', () => {
  test('agent A edits the customer note; agent B, on the same case, sees it change live', async () => {
    const run = suffix();
    const from = `olga-${run}@initrode-${run}.test`;
    const older = `Invoice question ${run}`;
    const newer = `Delivery address ${run}`;
    await send(from, mail({ from: `Olga <${from}>`, subject: older, body: 'Which invoice is this?' }));
    const first = await caseBySubject(older);
    await send(from, mail({ from: `Olga <${from}>`, subject: newer, body: 'Please change my delivery address.' }));
    const second = await caseBySubject(newer);

    const b = await openCase(await newAgent('agent B'), second.id);
    const panelB = b.locator('[data-testid="customer-panel"]');
    await panelB.locator('[data-testid="customer-addresses"]', { hasText: from }).waitFor();
    await panelB.locator(`[data-testid="customer-cases"] a[data-case-id="${first.id}"]`).waitFor();
    expect(await panelB.locator('[data-testid="customer-case-count"]').textContent()).toBe('1');
    expect(await panelB.locator('[data-testid="customer-org"]').getAttribute('data-domain')).toBe(`initrode-${run}.test`);

    const a = await openCase(await newAgent('agent A'), second.id);
    const panelA = a.locator('[data-testid="customer-panel"]');
    await panelA.locator('[data-testid="customer-note"]').click();
    const note = `Calls before noon only (${run})`;
    await panelA.locator('[data-testid="customer-note-input"]').fill(note);
    await panelA.locator('[data-testid="customer-note-save"]').click();
    await panelA.locator('[data-testid="customer-note"]', { hasText: note }).waitFor();

    // B never reloads: the contact.updated event refetches its panel.
    await panelB.locator('[data-testid="customer-note"]', { hasText: note }).waitFor({ timeout: LIVE_BOUND_MS });
    await screenshot(b, 'customer-panel-second-agent.png');
  });

  test('an agent merges the second address of the customer from the panel; it shows both addresses and both cases', async () => {
    const run = suffix();
    const work = `petra-${run}@umbrella-${run}.test`;
    const home = `petra-${run}@gmail.com`;
    const workSubject = `Contract renewal ${run}`;
    const homeSubject = `Renewal, from home ${run}`;
    await send(work, mail({ from: `Petra <${work}>`, subject: workSubject, body: 'When does our contract renew?' }));
    const first = await caseBySubject(workSubject);
    await send(home, mail({ from: `Petra <${home}>`, subject: homeSubject, body: 'Writing from home about the renewal.' }));
    const second = await caseBySubject(homeSubject);

    const page = await openCase(await newAgent('agent A'), first.id);
    const panel = page.locator('[data-testid="customer-panel"]');
    await panel.locator('[data-testid="customer-case-count"]', { hasText: '0' }).waitFor();
    await panel.locator('[data-testid="customer-merge"] summary').click();
    await panel.locator('[data-testid="customer-merge-email"]').fill(home);
    await panel.locator('[data-testid="customer-merge-confirm"]').click();
    await panel.locator('[data-testid="customer-addresses"]', { hasText: home }).waitFor({ timeout: LIVE_BOUND_MS });
    expect(await panel.locator('[data-testid="customer-addresses"] li').allTextContents()).toEqual([work, home]);
    await panel.locator(`[data-testid="customer-cases"] a[data-case-id="${second.id}"]`).waitFor();
    expect(await panel.locator('[data-testid="customer-case-count"]').textContent()).toBe('1');
    await screenshot(page, 'customer-panel-merged.png');
  });
});
