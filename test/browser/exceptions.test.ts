/// <reference lib="dom" />
// The exception log and the archive upload in a browser. Held mail: a message whose processing
// failed shows its attempts and last error, Reprocess runs it again and the outcome stays on the
// row (another agent's list follows on the event, without a reload), and the filters narrow the
// list. Import: an admin uploads a small mbox, confirms the count, gets a summary, and uploading
// the same file again imports nothing.
//
// The failure is a real one of the pipeline: the held-mail tests run on a server of their own whose
// database refuses to store a case for subjects starting "Outage " while the message has failed
// fewer than two times (an SQL trigger, set up before that server starts), as D1 might during an
// outage. So the first delivery fails, the first reprocess fails again, and the second goes through.
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { seedDemo } from '../../scripts/lib/devserver.mjs';
import type { ImportSummary } from '../../worker/protocol/admin.ts';
import type { CaseSummary, InboundView } from '../../worker/protocol/api.ts';
import { LIVE_BOUND_MS, api, executeSql, freshStorage, mail, newAgent, screenshot, send, startServer, suffix, url, useBrowserHarness, useSuiteServer, waitLive } from './harness.ts';

useBrowserHarness();

/** A failing database for "Outage …" cases, until the message behind one has failed twice. */
const OUTAGE_TRIGGER = `CREATE TRIGGER browser_test_outage BEFORE INSERT ON cases
  WHEN NEW.subject LIKE 'Outage %' AND EXISTS (SELECT 1 FROM inbound WHERE inbound.subject = NEW.subject AND inbound.attempts < 2)
  BEGIN SELECT RAISE(ABORT, 'simulated D1 outage'); END;`;

/** Polls a condition in the page rather than sleeping; filters and events take a moment. */
const SETTLE = { timeout: LIVE_BOUND_MS, interval: 100 };

async function getJson<T>(base: string, pathname: string): Promise<T> {
  const res = await fetch(`${base}${pathname}`, { headers: { Accept: 'application/json' } });
  expect(res.status, `GET ${pathname}`).toBe(200);
  return (await res.json()) as T;
}

async function inboundFrom(base: string, sender: string): Promise<InboundView> {
  const all = await getJson<{ items: InboundView[] }>(base, `/api/inbound?status=all&sender=${encodeURIComponent(sender)}&limit=200`);
  const found = all.items.find((i) => i.fromEmail === sender);
  if (!found) throw new Error(`no inbound mail from ${sender}`);
  return found;
}

/** Opens the inbox of the server at `base` on the held mail tab, live. */
async function openHeld(context: BrowserContext, base: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${base}/`);
  await waitLive(page);
  await page.locator('[data-testid="tab-held"]').click();
  await page.locator('[data-testid="held-list"]').waitFor();
  return page;
}

function heldRow(page: Page, sender: string) {
  return page.locator('[data-testid="held-row"]', { hasText: sender });
}

/** The senders of the rows on screen. */
function shownSenders(page: Page): Promise<string[]> {
  return page.locator('[data-testid="held-row"] .contact').allTextContents();
}

// ---------------------------------------------------------------------------------------------

describe('held mail: failed processing, reprocess and filters', () => {
  const outage = useSuiteServer('outage server', async () => {
    const persistTo = await freshStorage();
    await executeSql(persistTo, { command: OUTAGE_TRIGGER });
    const server = await startServer({ persistTo, vars: { AUTH_MODE: 'open' }, label: 'outage' });
    await seedDemo(server.url);
    return server;
  });

  test('a failed message shows its attempts and error; reprocessing it reports on the row and the other agent sees it', async () => {
    const base = outage().url;
    const s = suffix();
    const customer = `outage-${s}@example.com`;
    const subject = `Outage ${s}: my parcel never came`;
    await send(customer, mail({ from: `Olga Outage <${customer}>`, subject, body: 'Where is my parcel?' }), base);
    // Something else held meanwhile, for the filters to tell apart.
    const spammer = `bulk-${s}@example.net`;
    await send(spammer, mail({ from: `Bulk <${spammer}>`, subject: `Lamps ${s}`, body: 'Five hundred lamps.', headers: { 'X-Spam-Flag': 'YES' } }), base);

    const failed = await inboundFrom(base, customer);
    expect(failed).toMatchObject({ status: 'failed', reason: 'processing-error', attempts: 1, caseId: null });
    expect(failed.lastError).toContain('simulated D1 outage');
    expect((await inboundFrom(base, spammer)).reason).toBe('spam-flagged');

    const watcher = await openHeld(await newAgent('watcher'), base);
    const agent = await openHeld(await newAgent('agent'), base);
    const row = heldRow(agent, customer);
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('failed');
    expect(await row.getAttribute('data-reason')).toBe('processing-error');
    expect(await row.getAttribute('data-inbound-id')).toBe(failed.id);
    expect(await row.locator('[data-testid="held-attempts"]').textContent()).toContain('1 failed attempt');
    expect(await row.locator('[data-testid="held-last-error"]').textContent()).toContain('simulated D1 outage');
    // Failed rows can be reprocessed or discarded, not released.
    expect(await row.locator('[data-testid="release"]').count()).toBe(0);
    expect(await row.locator('[data-testid="discard"]').count()).toBe(1);

    // The cause is still there: it fails again, and says so on the row.
    await row.locator('[data-testid="reprocess"]').click();
    const result = row.locator('[data-testid="reprocess-result"]');
    await result.waitFor({ timeout: LIVE_BOUND_MS });
    expect(await result.getAttribute('data-status')).toBe('failed');
    expect(await result.textContent()).toContain('Reprocessing failed again');
    expect(await row.locator('[data-testid="held-attempts"]').textContent()).toContain('2 failed attempts');
    // The other agent's list follows the inbound.reprocessed event, without a reload.
    await expect.poll(() => heldRow(watcher, customer).locator('[data-testid="held-attempts"]').textContent(), SETTLE).toContain('2 failed attempts');
    expect(await heldRow(watcher, customer).locator('[data-testid="reprocess-result"]').count()).toBe(0);

    // Gone: it becomes a case, and the row says which.
    await row.locator('[data-testid="reprocess"]').click();
    await expect.poll(() => result.getAttribute('data-status'), SETTLE).toBe('processed');
    expect(await result.textContent()).toContain('Reprocessed: it is in a case now.');
    expect(await row.locator('[data-testid="held-last-error"]').count()).toBe(0);
    expect(await row.getAttribute('data-status')).toBe('processed');
    const after = await inboundFrom(base, customer);
    // Local mode: the browser is one of the agents, and the row names it.
    const me = await agent.evaluate(async () => ((await (await fetch('/api/session')).json()) as { id: string }).id);
    expect(after).toMatchObject({ status: 'processed', attempts: 2, resolvedBy: me });
    expect(after.caseId).toMatch(/^case_/);
    const link = result.locator('a', { hasText: 'Open the case' });
    expect(await link.getAttribute('href')).toBe(`#/cases/${encodeURIComponent(after.caseId!)}`);
    // Out of the watcher's "needs attention" list; still on the agent's, with its result.
    await heldRow(watcher, customer).waitFor({ state: 'detached', timeout: LIVE_BOUND_MS });
    await screenshot(agent, 'held-mail-reprocessed.png');

    // The link leads to the case, which holds the message.
    await link.click();
    await agent.locator('[data-testid="participants"]').waitFor();
    expect(await agent.locator('[data-testid="participants"]').textContent()).toContain(customer);
    await agent.locator('[data-testid="message"]', { hasText: 'Where is my parcel?' }).waitFor();
    const kase = await getJson<{ case: CaseSummary }>(base, `/api/cases/${after.caseId}`);
    expect(kase.case.subject).toBe(subject);
  });

  test('the filters narrow the rows by reason, sender and status', async () => {
    const base = outage().url;
    const s = suffix();
    const stranger = `stranger-${s}@example.org`;
    await send(stranger, mail({ from: `Stan <${stranger}>`, subject: '[#1] about that order', body: 'Send it to me instead.' }), base);
    const spammer = `spam-${s}@example.net`;
    await send(spammer, mail({ from: `Spam <${spammer}>`, subject: `Cheap lamps ${s}`, body: 'Buy now.', headers: { 'X-Spam-Flag': 'YES' } }), base);
    const customer = `outage-${s}@example.com`;
    await send(customer, mail({ from: `Otto <${customer}>`, subject: `Outage ${s}: broken hinge`, body: 'The hinge broke.' }), base);
    expect(await inboundFrom(base, customer)).toMatchObject({ status: 'failed' });
    // One released into its case earlier, for the "released" view.
    const released = `released-${s}@example.org`;
    await send(released, mail({ from: `Rita <${released}>`, subject: '[#1] me too', body: 'Same here.' }), base);
    const toRelease = await inboundFrom(base, released);
    expect(toRelease.status).toBe('quarantined');
    const rel = await fetch(`${base}/api/inbound/${toRelease.id}/release`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Sec-Fetch-Site': 'same-origin', Origin: base },
      body: '{}',
    });
    expect(rel.status, await rel.clone().text()).toBe(200);

    const page = await openHeld(await newAgent('filterer'), base);
    for (const sender of [stranger, spammer, customer]) await heldRow(page, sender).waitFor();
    // "Needs attention" by default: not the released one.
    expect(await shownSenders(page)).not.toContain(released);

    const reason = page.locator('[data-testid="held-filter-reason"]');
    await reason.selectOption('error');
    await expect
      .poll(async () => new Set(await page.locator('[data-testid="held-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-reason')))), SETTLE)
      .toEqual(new Set(['processing-error']));
    expect(await shownSenders(page)).toContain(customer);

    await reason.selectOption('spam');
    await expect
      .poll(async () => new Set(await page.locator('[data-testid="held-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-reason')))), SETTLE)
      .toEqual(new Set(['spam-flagged']));
    expect(await shownSenders(page)).toContain(spammer);
    expect(await shownSenders(page)).not.toContain(stranger);

    await reason.selectOption('not-a-participant');
    await expect.poll(() => shownSenders(page), SETTLE).toContain(stranger);
    expect(await shownSenders(page)).not.toContain(spammer);
    expect(await shownSenders(page)).not.toContain(customer);

    // Any reason, one sender (part of the address, any case).
    await reason.selectOption('');
    await page.locator('[data-testid="held-filter-sender"]').fill(`SPAM-${s}`);
    await expect.poll(() => shownSenders(page), SETTLE).toEqual([spammer]);
    await page.locator('[data-testid="held-filter-sender"]').fill(`${s}@example.`);
    await expect.poll(async () => (await shownSenders(page)).sort(), SETTLE).toEqual([customer, spammer, stranger].sort());

    // Released: the one released into its case, none of the open ones.
    await page.locator('[data-testid="held-filter-status"]').selectOption('released');
    await expect.poll(() => shownSenders(page), SETTLE).toEqual([released]);
    const releasedRow = heldRow(page, released);
    expect(await releasedRow.getAttribute('data-status')).toBe('processed');
    expect(await releasedRow.locator('[data-testid="held-resolved"]').textContent()).toContain('resolved by local');
    expect(await releasedRow.locator('[data-testid="reprocess"]').count()).toBe(0);

    // Clearing brings back the default view.
    await page.locator('[data-testid="held-filter-clear"]').click();
    expect(await page.locator('[data-testid="held-filter-sender"]').inputValue()).toBe('');
    expect(await page.locator('[data-testid="held-filter-status"]').inputValue()).toBe('exceptions');
    await expect.poll(() => shownSenders(page), SETTLE).toEqual(expect.arrayContaining([stranger, spammer, customer]));
    expect(await shownSenders(page)).not.toContain(released);
  });
});

// ---------------------------------------------------------------------------------------------

/** The date of an mbox `From ` line (asctime, UTC): `Mon Mar  3 10:00:00 2025`. */
function asctime(d: Date): string {
  const [wd, day, mon, year, time] = d.toUTCString().replace(',', '').split(' ');
  return `${wd} ${mon} ${day!.replace(/^0/, ' ').padStart(2, ' ')} ${time} ${year}`;
}

/** An mbox archive: each message after its `From ` line, a blank line after each. */
function mbox(messages: Array<{ from: string; date: string; headers: string[]; body: string }>): string {
  return messages
    .map((m) => {
      const date = new Date(m.date);
      return [`From ${m.from} ${asctime(date)}`, `From: ${m.from}`, `Date: ${date.toUTCString()}`, ...m.headers, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', m.body, ''].join(
        '\n',
      );
    })
    .join('\n');
}

describe('importing old mail in a browser', () => {
  test('a three-message mbox is counted, imported as closed cases, and uploading it again imports nothing', async () => {
    const s = suffix();
    const threadSubject = `Cracked lid ${s}`;
    const otherSubject = `Invoice copy ${s}`;
    const archive = mbox([
      {
        from: `alice-${s}@example.com`,
        date: '2025-03-03T10:00:00Z',
        headers: [`To: support@acme.test`, `Subject: ${threadSubject}`, `Message-ID: <q-${s}@example.com>`],
        body: 'The lid of my order arrived cracked.',
      },
      {
        from: `alice-${s}@example.com`,
        date: '2025-03-03T12:00:00Z',
        headers: [`To: support@acme.test`, `Subject: Re: ${threadSubject}`, `Message-ID: <q2-${s}@example.com>`, `In-Reply-To: <q-${s}@example.com>`, `References: <q-${s}@example.com>`],
        body: 'Any news about the lid?',
      },
      {
        from: `bob-${s}@example.org`,
        date: '2025-03-04T09:00:00Z',
        headers: [`To: support@acme.test`, `Subject: ${otherSubject}`, `Message-ID: <inv-${s}@example.org>`],
        body: 'Could you send me the invoice again?',
      },
    ]);
    const file = { name: `old-mail-${s}.mbox`, mimeType: 'application/mbox', buffer: Buffer.from(archive) };

    const page = await (await newAgent('admin')).newPage();
    await page.goto(`${url()}/#/admin/import`);
    await page.locator('[data-testid="admin-import"]').waitFor();
    // The mailbox list is loaded before a file is chosen, as for a person picking one.
    await page.locator('[data-testid="import-mailbox"] option[value="support@acme.test"]').waitFor({ state: 'attached' });

    await page.locator('[data-testid="import-file"]').setInputFiles(file);
    const count = page.locator('[data-testid="import-count"]');
    await count.waitFor();
    expect(await count.getAttribute('data-messages')).toBe('3');
    expect(await page.locator('[data-testid="import-batch"]').inputValue()).toBe(`old-mail-${s}.mbox`);
    // Counting imported nothing.
    const before = await api<{ items: CaseSummary[] }>('/api/cases?status=all&limit=200');
    expect(before.items.map((c) => c.subject)).not.toContain(threadSubject);

    await page.locator('[data-testid="import-confirm"]').click();
    const summary = page.locator('[data-testid="import-summary"]');
    await summary.waitFor({ timeout: 30_000 });
    expect(await summary.getAttribute('data-imported')).toBe('3');
    expect(await summary.getAttribute('data-duplicates')).toBe('0');
    expect(await summary.getAttribute('data-failed')).toBe('0');
    expect(await summary.textContent()).toContain('2 new cases, 1 added to a case');
    // The confirmation is gone with the file.
    expect(await count.count()).toBe(0);

    const closed = await api<{ items: CaseSummary[] }>('/api/cases?status=closed&limit=200');
    const ours = closed.items.filter((c) => c.subject === threadSubject || c.subject === otherSubject);
    expect(ours.map((c) => [c.subject, c.status, c.messageCount]).sort()).toEqual(
      [
        [threadSubject, 'closed', 2],
        [otherSubject, 'closed', 1],
      ].sort(),
    );
    // Filed in their own time.
    expect(ours.find((c) => c.subject === threadSubject)!.createdAt).toBe(Date.parse('2025-03-03T10:00:00Z'));

    // The same file again: counted, then every message skipped.
    await page.locator('[data-testid="import-file"]').setInputFiles(file);
    await count.waitFor();
    expect(await count.getAttribute('data-messages')).toBe('3');
    expect(await summary.count()).toBe(0);
    await page.locator('[data-testid="import-confirm"]').click();
    await summary.waitFor({ timeout: 30_000 });
    expect(await summary.getAttribute('data-imported')).toBe('0');
    expect(await summary.getAttribute('data-duplicates')).toBe('3');
    expect(await summary.getAttribute('data-failed')).toBe('0');
    const again = await api<{ items: CaseSummary[] }>('/api/cases?status=all&limit=200');
    expect(again.items.filter((c) => c.subject === threadSubject || c.subject === otherSubject)).toHaveLength(2);
    // The summary counts what the server answered.
    const direct = await fetch(`${url()}/api/admin/import?mailbox=support%40acme.test&batch=check-${s}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/mbox', 'Sec-Fetch-Site': 'same-origin', Origin: url() },
      body: archive,
    });
    expect(direct.status).toBe(200);
    expect(await direct.json()).toMatchObject({ messages: 3, imported: 0, duplicates: 3 } satisfies Partial<ImportSummary>);
  });

  test('a file chosen while the mailbox list is still loading is counted once the list arrives', async () => {
    const s = suffix();
    const archive = mbox([
      { from: `early-${s}@example.com`, date: '2025-04-01T10:00:00Z', headers: ['To: support@acme.test', `Subject: Early ${s}`, `Message-ID: <early-${s}@example.com>`], body: 'Chosen early.' },
    ]);
    const page = await (await newAgent('admin')).newPage();
    // The real mailbox list, answered only once the file has been chosen.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route('**/api/admin/mailboxes', async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`${url()}/#/admin/import`);
    await page.locator('[data-testid="admin-import"]').waitFor();
    await page.locator('[data-testid="import-file"]').setInputFiles({ name: `early-${s}.mbox`, mimeType: 'application/mbox', buffer: Buffer.from(archive) });
    const count = page.locator('[data-testid="import-count"]');
    expect(await count.count()).toBe(0);
    release();
    await count.waitFor();
    expect(await count.getAttribute('data-messages')).toBe('1');
    expect(await page.locator('[data-testid="import-mailbox"]').inputValue()).toBe('support@acme.test');
  });
});
