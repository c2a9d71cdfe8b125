/// <reference lib="dom" />
// The customer panel in a browser, with two agents (open mode: two browser contexts) on one server:
// both have the same case open; agent A edits the customer's note in place, and agent B's panel shows
// the new note without a reload. The panel also lists the customer's other case and their
// organisation by domain.
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
});
