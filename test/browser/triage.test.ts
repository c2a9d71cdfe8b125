/// <reference lib="dom" />
// Triage in a browser: held mail appears live, an agent releases or discards it, and the case view
// shows where each message came from and how far its sender could be trusted. Same setup as
// inbox.test.ts: a real `wrangler dev` on fresh storage with the demo seed, headless Chromium.
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { readDevVar } from '../../scripts/lib/devserver.mjs';
import { threadMarker } from '../../worker/mail/tokens.ts';
import { api, caseBySubject, deliveryReport, LIVE_BOUND_MS, MAILBOX, mail, newAgent, openInbox, screenshot, send, settled, suffix, type CaseSummary, url, useBrowserHarness } from './harness.ts';

const FIRST_CASE_SUBJECT = 'Order #4411 arrived damaged';

useBrowserHarness();

/** Opens the inbox on the held mail tab. */
async function openHeld(context: BrowserContext): Promise<Page> {
  const page = await openInbox(context);
  await page.locator('[data-testid="tab-held"]').click();
  await page.locator('[data-testid="held-list"]').waitFor();
  return page;
}

/** Opens a case by its id and waits for its thread. */
async function openCase(page: Page, caseId: string): Promise<void> {
  await page.goto(`${url()}/#/cases/${encodeURIComponent(caseId)}`);
  await page.locator('[data-testid="participants"]').waitFor();
}

function heldRow(page: Page, sender: string) {
  return page.locator('[data-testid="held-row"]', { hasText: sender });
}

// ---------------------------------------------------------------------------------------------
// API

interface Held {
  id: string;
  fromEmail: string;
  subject: string;
  status: string;
  reason: string | null;
  caseId: string | null;
  resolvedBy: string | null;
}

async function caseByNumber(n: number): Promise<CaseSummary> {
  const cases = await api<{ items: CaseSummary[] }>('/api/cases?status=all&limit=200');
  const found = cases.items.find((c) => c.number === n);
  if (!found) throw new Error(`no case #${n}`);
  return found;
}

async function inboundOf(sender: string): Promise<Held> {
  const all = await api<{ items: Held[] }>('/api/inbound?status=all&limit=200');
  const found = all.items.find((i) => i.fromEmail === sender);
  if (!found) throw new Error(`no inbound mail from ${sender}`);
  return found;
}

// ---------------------------------------------------------------------------------------------

describe('held mail in a browser', () => {
  test('a stranger writing into case #1 appears live, and releasing puts the message into the case', async () => {
    const first = await caseByNumber(1);
    expect(first.subject).toBe(FIRST_CASE_SUBJECT);
    const page = await openHeld(await newAgent('agent'));

    const stranger = `stranger-${suffix()}@example.org`;
    const subject = '[#1] I am taking over this order';
    await send(stranger, mail({ from: `Stan Stranger <${stranger}>`, subject, body: 'Please ship the replacement to my address.' }));

    const row = heldRow(page, stranger);
    await row.waitFor({ timeout: LIVE_BOUND_MS });
    expect(await row.getAttribute('data-reason')).toBe('not-a-participant');
    expect(await row.locator('.subject').textContent()).toBe(subject);
    expect(await row.locator('.reason').textContent()).toContain('not-a-participant');
    expect(await row.locator('.badge.inbound').textContent()).toBe('quarantined');
    const inboundId = await row.getAttribute('data-inbound-id');
    expect(inboundId).toMatch(/^in_/);
    expect(await row.locator('[data-testid="raw-link"]').getAttribute('href')).toBe(`/api/inbound/${inboundId}/raw`);

    // The details say which rules were tried and why it was held.
    await row.locator('[data-testid="held-details"] summary').click();
    const details = await row.locator('[data-testid="held-details"]').textContent();
    expect(details).toContain('is not a participant');
    expect(details).toContain('points at a case the sender does not take part in');

    const release = row.locator('[data-testid="release"]');
    expect(await release.textContent()).toBe('Release into case');
    await release.click();
    await row.waitFor({ state: 'detached', timeout: LIVE_BOUND_MS });
    expect(await page.locator('[data-testid="held-error"]').count()).toBe(0);

    const after = await inboundOf(stranger);
    // Local mode: the browser is one of the agents, and the row names it.
    const me = await page.evaluate(async () => ((await (await fetch('/api/session')).json()) as { id: string }).id);
    expect(after).toMatchObject({ id: inboundId, status: 'processed', caseId: first.id, resolvedBy: me });

    await openCase(page, first.id);
    const released = page.locator('[data-testid="message"]', { hasText: 'Please ship the replacement to my address.' });
    await released.waitFor();
    expect(await released.locator('[data-testid="why-here"]').textContent()).toMatch(/why here: released\b/);
    expect(await released.locator('.from').textContent()).toContain(stranger);
    expect(await page.locator('[data-testid="participants"]').textContent()).toContain(stranger);
    // The earlier thread is still there, the released message last.
    const whys = await page.locator('[data-testid="why-here"]').allTextContents();
    expect(whys[0]).toMatch(/why here: new\b/);
    expect(whys[whys.length - 1]).toMatch(/why here: released\b/);
  });

  test('discarding removes the row for every agent watching, and a held message with no case is released as a new case', async () => {
    const watcher = await openHeld(await newAgent('agent-b'));
    const agent = await openHeld(await newAgent('agent-a'));

    const nosy = `nosy-${suffix()}@example.org`;
    await send(nosy, mail({ from: `Nosy <${nosy}>`, subject: '[#1] what did they order?', body: 'Just curious.' }));
    const spammer = `bulk-${suffix()}@example.net`;
    const spamSubject = `Bulk enquiry ${suffix()}`;
    await send(spammer, mail({ from: `Bulk Buyer <${spammer}>`, subject: spamSubject, body: 'Five hundred lamps, please.', headers: { 'X-Spam-Flag': 'YES' } }));

    for (const page of [watcher, agent]) {
      await heldRow(page, nosy).waitFor({ timeout: LIVE_BOUND_MS });
      await heldRow(page, spammer).waitFor({ timeout: LIVE_BOUND_MS });
    }
    const spamRow = heldRow(agent, spammer);
    expect(await spamRow.getAttribute('data-reason')).toBe('spam-flagged');
    expect(await spamRow.locator('[data-testid="release"]').textContent()).toBe('Release as new case');

    await heldRow(agent, nosy).locator('[data-testid="discard"]').click();
    await heldRow(agent, nosy).waitFor({ state: 'detached', timeout: LIVE_BOUND_MS });
    // The other agent's list follows on the inbound.resolved event.
    await heldRow(watcher, nosy).waitFor({ state: 'detached', timeout: LIVE_BOUND_MS });
    const me = await agent.evaluate(async () => ((await (await fetch('/api/session')).json()) as { id: string }).id);
    expect(await inboundOf(nosy)).toMatchObject({ status: 'discarded', resolvedBy: me });

    await spamRow.locator('[data-testid="release"]').click();
    await spamRow.waitFor({ state: 'detached', timeout: LIVE_BOUND_MS });
    await heldRow(watcher, spammer).waitFor({ state: 'detached', timeout: LIVE_BOUND_MS });
    const created = await caseBySubject(spamSubject);
    await openCase(agent, created.id);
    expect(await agent.locator('[data-testid="participants"]').textContent()).toContain(spammer);
    expect(await agent.locator('[data-testid="message"] .body').first().textContent()).toContain('Five hundred lamps');
  });

  test('duplicates get no buttons, and a failed action is reported on the row', async () => {
    const page = await openHeld(await newAgent('agent'));
    const sender = `twice-${suffix()}@example.com`;
    const raw = mail({ from: `Twice <${sender}>`, subject: `Sent twice ${suffix()}`, body: 'Hello twice.' });
    await send(sender, raw);
    await send(sender, raw);
    const dup = heldRow(page, sender);
    await dup.waitFor({ timeout: LIVE_BOUND_MS });
    expect(await dup.getAttribute('data-reason')).toBe('duplicate');
    expect(await dup.locator('[data-testid="release"]').count()).toBe(0);
    expect(await dup.locator('[data-testid="discard"]').count()).toBe(0);
    expect(await dup.locator('[data-testid="raw-link"]').count()).toBe(1);

    // An action the server refuses (here: as if someone else had discarded it first) is reported on
    // the row, which stays until the list knows better.
    const late = `late-${suffix()}@example.org`;
    await send(late, mail({ from: `Late <${late}>`, subject: '[#1] hello?', body: 'Anyone?' }));
    const row = heldRow(page, late);
    await row.waitFor({ timeout: LIVE_BOUND_MS });
    await page.route('**/api/inbound/*/discard', (route) =>
      route.fulfill({ status: 409, contentType: 'application/json', body: JSON.stringify({ error: { code: 'conflict', message: 'this message is discarded, not held' } }) }),
    );
    // The refetch that follows a 409 is the sentinel: once its answer is in and rendered, the list
    // knows as much as it will, and finds the message still held (the refusal was staged).
    let refused = false;
    const refetched = page.waitForResponse(
      (r) => {
        const { pathname } = new URL(r.url());
        if (pathname.endsWith('/discard')) refused = true;
        return refused && pathname === '/api/inbound' && r.request().method() === 'GET';
      },
      { timeout: LIVE_BOUND_MS },
    );
    await row.locator('[data-testid="discard"]').click();
    const error = row.locator('[data-testid="held-error"]');
    await error.waitFor({ timeout: LIVE_BOUND_MS });
    expect(await error.textContent()).toContain('this message is discarded, not held');
    await refetched;
    await settled(page);
    expect(await row.count()).toBe(1);
    expect(await error.textContent()).toContain('this message is discarded, not held');
    expect(await row.locator('[data-testid="discard"]').isEnabled()).toBe(true);
    await page.unroute('**/api/inbound/*/discard');
  });

  test('a flood shows a banner that can be dismissed', async () => {
    const page = await openInbox(await newAgent('agent'));
    const sender = `flood-${suffix()}@example.net`;
    const subject = `Same again ${suffix()}`;
    // Identical subject and text: the mailbox allows five within its window; the sixth trips the breaker.
    for (let i = 0; i < 6; i++) await send(sender, mail({ from: `Flood <${sender}>`, subject, body: 'Buy now.' }));
    const banner = page.locator('[data-testid="flood-banner"]');
    await banner.waitFor({ timeout: LIVE_BOUND_MS });
    expect(await banner.textContent()).toContain(`Flood held: 6 messages from ${sender} in 10 minutes`);
    expect(await inboundOf(sender)).toMatchObject({ status: 'quarantined', reason: 'flood' });
    await banner.locator('[data-testid="flood-dismiss"]').click();
    await banner.waitFor({ state: 'detached' });
  });

  test('a held message can be read on expand: its text with the quote folded, and its HTML in the sandboxed frame', async () => {
    const page = await openHeld(await newAgent('agent'));
    const stranger = `reader-${suffix()}@example.org`;
    const text = ['Please send the lid to 12 Side Street instead.', '', 'On Mon, Acme Support <support@acme.test> wrote:', '> Where shall we send it?', ''].join('\r\n');
    const html = '<p>Please send the lid to <b>12 Side Street</b> instead.</p><img src="https://tracker.example/p.gif">';
    const body = ['--alt', 'Content-Type: text/plain; charset=utf-8', '', text, '--alt', 'Content-Type: text/html; charset=utf-8', '', html, '--alt--', ''].join('\r\n');
    await send(stranger, mail({ from: `Rea Der <${stranger}>`, subject: '[#1] New address for the lid', body, contentType: 'multipart/alternative; boundary="alt"' }));
    const row = heldRow(page, stranger);
    await row.waitFor({ timeout: LIVE_BOUND_MS });

    // Folded: nothing is read from the raw mail until the agent opens it.
    const held = row.locator('[data-testid="held-body"]');
    expect(await held.locator('[data-testid="held-message"]').count()).toBe(0);
    await held.locator('summary').click();
    const message = held.locator('[data-testid="held-message"]');
    await message.waitFor();
    await message.locator('[data-testid="view-text"]').click();
    expect(await message.locator('.body').first().textContent()).toBe('Please send the lid to 12 Side Street instead.');
    await message.locator('[data-testid="quote-toggle"]').click();
    expect(await message.locator('[data-testid="quoted-text"]').textContent()).toContain('> Where shall we send it?');

    // The HTML through the case view's renderer: a frame without scripts or origin, remote images blocked.
    await message.locator('[data-testid="view-html"]').click();
    const iframe = message.locator('[data-testid="html-frame"]');
    expect(await iframe.getAttribute('sandbox')).toBe('');
    expect(await message.locator('[data-testid="remote-images"]').getAttribute('data-state')).toBe('blocked');
    const frame = await (await iframe.elementHandle())?.contentFrame();
    await frame?.waitForLoadState('load');
    expect(await frame?.locator('b').textContent()).toBe('12 Side Street');
    await screenshot(page, 'held-body-html.png');
    await message.locator('[data-testid="view-text"]').click();
  });
});

describe('the case view in a browser', () => {
  test('shows whether the sender was verified, and the reasons on hover', async () => {
    const page = await openInbox(await newAgent('agent'));
    const verifiedSubject = `Signed and sealed ${suffix()}`;
    await send(
      'someone@example.com',
      mail({
        from: 'Someone <someone@example.com>',
        subject: verifiedSubject,
        body: 'This one passed DMARC.',
        top: { 'Authentication-Results': 'mx.cloudflare.net; dmarc=pass header.from=example.com; dkim=pass header.d=example.com' },
      }),
    );
    const plainSubject = `No papers ${suffix()}`;
    await send('someone-else@example.com', mail({ from: 'Someone Else <someone-else@example.com>', subject: plainSubject, body: 'No authentication results on this one.' }));

    const verified = await caseBySubject(verifiedSubject);
    await openCase(page, verified.id);
    const badge = page.locator('[data-testid="message"] [data-testid="auth-verdict"]');
    await badge.waitFor();
    expect(await badge.getAttribute('data-verdict')).toBe('verified');
    expect(await badge.getAttribute('title')).toContain('dmarc:pass');
    const kind = page.locator('[data-testid="message"] [data-testid="kind-badge"]');
    expect(await kind.getAttribute('data-kind')).toBe('human');
    expect(await kind.getAttribute('title')).toBeTruthy();

    const plain = await caseBySubject(plainSubject);
    await openCase(page, plain.id);
    const other = page.locator('[data-testid="message"] [data-testid="auth-verdict"]');
    await other.waitFor();
    expect(await other.getAttribute('data-verdict')).toBe('unverified');
    expect(await other.getAttribute('title')).toContain('ar:missing');
  });

  test('a bounce about mail of a case shows as a compact system line', async () => {
    const customer = `gone-${suffix()}@example.com`;
    const subject = `Where did it go ${suffix()}`;
    await send(customer, mail({ from: `Gone Away <${customer}>`, subject, body: 'Please write back.' }));
    const kase = await caseBySubject(subject);
    // The report quotes our signed marker from the original's References: that ties it to the case.
    const key = readDevVar('REPLY_TOKEN_KEY');
    expect(key, 'REPLY_TOKEN_KEY in .dev.vars').toBeTruthy();
    const marker = await threadMarker(key ?? '', kase.id, 'acme.test');
    const report = deliveryReport(customer, [`From: ${MAILBOX}`, `To: ${customer}`, `Subject: Re: ${subject}`, `References: <${marker}>`]);
    const page = await openInbox(await newAgent('agent'));
    await openCase(page, kase.id);
    await page.locator('[data-testid="message"]').first().waitFor();
    await send('MAILER-DAEMON@mx.example.com', report);

    // Live: the case refreshes on message.added.
    const line = page.locator('[data-testid="system-message"]');
    await line.waitFor({ timeout: LIVE_BOUND_MS });
    expect(await line.getAttribute('data-kind')).toBe('bounce');
    expect(await line.locator('.system-text').textContent()).toBe(`Delivery to ${customer} failed: 5.1.1 550 5.1.1 user unknown`);
    // A line, not a message card.
    expect(await page.locator('[data-testid="message"]').count()).toBe(1);
  });

  test('an auto-reply shows its kind with the reasons on hover', async () => {
    const page = await openInbox(await newAgent('agent'));
    const first = await caseByNumber(1);
    await openCase(page, first.id);
    const auto = page.locator('[data-testid="message"][data-kind="auto-reply"]');
    await auto.waitFor();
    const kind = auto.locator('[data-testid="kind-badge"]');
    expect(await kind.textContent()).toBe('auto-reply');
    expect(await kind.getAttribute('title')).toMatch(/^auto-reply: .+/);
  });
});
