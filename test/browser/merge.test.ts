/// <reference lib="dom" />
// Merging in a browser, with two agents (open mode: two browser contexts) on one server: the case
// view suggests the customer's other case with a similar subject, agent A merges the two from the
// dialog, and agent B's list drops the absorbed case live while B's open view of it moves on to the
// survivor.
import { describe, expect, test } from 'vitest';
import { api, caseBySubject, caseRow, LIVE_BOUND_MS, mail, newAgent, openCase, openInbox, screenshot, send, suffix, useBrowserHarness } from './harness.ts';

useBrowserHarness();

describe('merge', () => {
  test('agent A merges two cases of one customer from the suggestion; agent B sees the absorbed one leave the list and its open view follow', async () => {
    const run = suffix();
    const from = `dora-${run}@example.com`;
    const older = `Printer jams ${run}`;
    const newer = `Printer jams again ${run}`;
    await send(from, mail({ from: `Dora <${from}>`, subject: older, body: 'The printer jams on every page.' }));
    const first = await caseBySubject(older);
    await send(from, mail({ from: `Dora <${from}>`, subject: newer, body: 'Still jamming, please help.' }));
    const second = await caseBySubject(newer);

    const agentB = await newAgent('agent B');
    const list = await openInbox(agentB);
    await caseRow(list, older).waitFor();
    await caseRow(list, newer).waitFor();
    const absorbedView = await openCase(agentB, first.id);

    const a = await openCase(await newAgent('agent A'), second.id);
    const suggestion = a.locator(`[data-testid="merge-suggestion"][data-case-id="${first.id}"]`);
    await suggestion.waitFor();
    expect(await suggestion.textContent()).toContain(`Looks like #${first.number} (same sender, similar subject)`);
    await suggestion.locator('[data-testid="merge-suggestion-merge"]').click();
    const dialog = a.locator('[data-testid="merge-dialog"]');
    await dialog.locator(`[data-testid="merge-card"][data-case-id="${first.id}"]`).waitFor();
    expect(await dialog.locator('[data-testid="merge-card"]').count()).toBe(2);
    expect(await dialog.locator(`[data-testid="merge-card"][data-case-id="${first.id}"] [data-testid="merge-include"]`).isChecked()).toBe(true);
    expect(await dialog.locator(`[data-testid="merge-card"][data-case-id="${second.id}"] [data-testid="merge-survivor"]`).isChecked()).toBe(true);
    await screenshot(a, 'merge-dialog.png');
    await dialog.locator('[data-testid="merge-confirm"]').click();

    // B: the absorbed case leaves the list, the survivor stays; B's view of it goes to the survivor.
    await caseRow(list, older).waitFor({ state: 'detached', timeout: LIVE_BOUND_MS });
    await caseRow(list, newer).waitFor();
    await expect.poll(() => new URL(absorbedView.url()).hash, { timeout: LIVE_BOUND_MS }).toBe(`#/cases/${second.id}`);
    await absorbedView.locator('[data-testid="system-message"]', { hasText: `merged #${first.number} into this case` }).waitFor({ timeout: LIVE_BOUND_MS });
    await screenshot(list, 'merge-second-agent-list.png');
    // A: the survivor's thread holds both mails and the line saying what happened.
    await a.locator('[data-testid="system-message"]', { hasText: `merged #${first.number} into this case` }).waitFor({ timeout: LIVE_BOUND_MS });
    expect(await a.locator('[data-testid="merge-suggestion"]').count()).toBe(0);
    const detail = await api<{ messages: Array<{ direction: string }> }>(`/api/cases/${second.id}`);
    expect(detail.messages.filter((m) => m.direction === 'inbound')).toHaveLength(2);
  });
});
