/// <reference lib="dom" />
// Working the queue in a browser, with two agents (open mode: two browser contexts) on one server:
// three cases chosen by a click and a shift-click and tagged in one bulk action show their tag in the
// other agent's list at once, and Undo takes it away again; a case snoozed with `x` and the bulk bar
// leaves the other agent's Active list and comes back when the cron wakes it.
import { describe, expect, test } from 'vitest';
import { api, caseBySubject, caseRow, LIVE_BOUND_MS, mail, newAgent, openInbox, screenshot, send, suffix, url, useBrowserHarness } from './harness.ts';

useBrowserHarness();

async function runCron(time: number): Promise<void> {
  const res = await fetch(`${url()}/cdn-cgi/handler/scheduled?time=${time}&cron=${encodeURIComponent('* * * * *')}`);
  expect(res.status, `scheduled handler answered ${res.status}`).toBe(200);
}

async function newCases(tag: string, n: number): Promise<string[]> {
  const subjects = Array.from({ length: n }, (_, i) => `Bulk ${tag} ${i + 1}`);
  for (const subject of subjects) await send('carol@example.com', mail({ from: 'Carol <carol@example.com>', subject, body: `About ${subject}.` }));
  for (const subject of subjects) await caseBySubject(subject);
  return subjects;
}

describe('bulk actions', () => {
  test('three cases chosen by click and shift-click, tagged at once: the other agent sees the tags live; Undo removes them', async () => {
    const run = suffix();
    const subjects = await newCases(run, 3);
    const tagName = `Batch-${run}`;
    const a = await openInbox(await newAgent('agent A'));
    const b = await openInbox(await newAgent('agent B'));
    for (const s of subjects) await caseRow(b, s).waitFor();
    // Newest first: the third case is on top, the first below the other two.
    await caseRow(a, subjects[2]!).locator('[data-testid="row-choose"]').click();
    await caseRow(a, subjects[0]!)
      .locator('[data-testid="row-choose"]')
      .click({ modifiers: ['Shift'] });
    await expect.poll(() => a.locator('[data-testid="bulk-count"]').textContent()).toBe('3 chosen');
    const input = a.locator('[data-testid="bulk-tag"]');
    await input.fill(tagName);
    await expect.poll(() => a.locator('[data-testid="tag-suggestions"]').textContent()).toContain(`Create “${tagName}”`);
    await input.press('Enter');
    for (const s of subjects) await caseRow(b, s).locator(`[data-testid="tag-chip"][data-tag="${tagName}"]`).waitFor({ timeout: LIVE_BOUND_MS });
    await a.locator('[data-testid="undo-toast"]').waitFor();
    expect(await a.locator('[data-testid="undo-toast"]').textContent()).toContain('3 cases changed');
    await screenshot(b, 'bulk-tagged-second-agent.png');
    await a.locator('[data-testid="undo"]').click();
    for (const s of subjects) await caseRow(b, s).locator(`[data-testid="tag-chip"][data-tag="${tagName}"]`).waitFor({ state: 'detached', timeout: LIVE_BOUND_MS });
    const tags = await api<{ items: Array<{ name: string; cases: number }> }>('/api/tags');
    expect(tags.items.find((t) => t.name === tagName)?.cases).toBe(0);
  });

  test('a case snoozed with x and the bulk bar leaves the other agent’s Active list and comes back when woken', async () => {
    const [subject] = await newCases(`snooze-${suffix()}`, 1);
    const a = await openInbox(await newAgent('agent A'));
    const b = await openInbox(await newAgent('agent B'));
    await caseRow(b, subject!).waitFor();
    await caseRow(a, subject!).locator('a').focus();
    await a.keyboard.press('x');
    await expect.poll(() => a.locator('[data-testid="bulk-count"]').textContent()).toBe('1 chosen');
    await a.locator('[data-testid="bulk-snooze"]').selectOption('tomorrow');
    await caseRow(b, subject!).waitFor({ state: 'detached', timeout: LIVE_BOUND_MS });
    await caseRow(a, subject!).waitFor({ state: 'detached', timeout: LIVE_BOUND_MS });
    // In the Snoozed view, with its badge.
    await b.locator('[data-testid="tab-snoozed"]').click();
    await caseRow(b, subject!).locator('[data-testid="row-snoozed"]').waitFor();
    await b.locator('[data-testid="tab-active"]').click();
    await caseRow(b, subject!).waitFor({ state: 'detached' });
    const snoozed = await api<{ items: Array<{ subject: string; snooze: { until: number } | null }> }>('/api/cases?status=snoozed');
    const until = snoozed.items.find((c) => c.subject === subject)?.snooze?.until;
    expect(until).toBeGreaterThan(Date.now());
    await runCron(until! + 60_000);
    await caseRow(b, subject!).waitFor({ timeout: LIVE_BOUND_MS });
    await caseRow(a, subject!).waitFor({ timeout: LIVE_BOUND_MS });
    expect(await caseRow(b, subject!).locator('[data-testid="row-snoozed"]').count()).toBe(0);
  });
});
