/// <reference lib="dom" />
// What agents send, in a browser: acknowledgements in "Sent mail", replies with live per-recipient
// delivery, the collision guard, internal notes and forwards; then password sign-in on a second
// server. Same setup as inbox.test.ts: a real `wrangler dev` on fresh storage, headless Chromium.
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { api, caseBySubject, LIVE_BOUND_MS, mail, newAgent, openCase as openCaseView, send, startPasswordServer, suffix, threadMessages, url, useBrowserHarness, useSuiteServer } from './harness.ts';

declare global {
  interface Window {
    __marker?: number;
    __statuses?: string[];
  }
}

useBrowserHarness();

/** Opens a case by its id in a new page and waits for its thread, the composer and the live connection. */
async function openCase(context: BrowserContext, caseId: string): Promise<Page> {
  const page = await openCaseView(context, caseId);
  await page.locator('[data-testid="composer"]').waitFor();
  await page.evaluate(() => {
    window.__marker = 1;
  });
  return page;
}

// ---------------------------------------------------------------------------------------------
// Mail and API

interface Delivery {
  outboxId: string;
  kind: string;
  recipient: string;
  status: string;
}

interface Message {
  id: string;
  direction: string;
  text: string;
  deliveries: Delivery[];
}

interface OutboxItem {
  id: string;
  kind: string;
  caseId: string | null;
  messageId: string | null;
  rawUrl: string;
  recipients: Delivery[];
}

/** A new case from a new customer: its id, the customer's address and the first Message-ID. */
async function newCase(label: string): Promise<{ id: string; customer: string; subject: string; firstMessageId: string }> {
  const customer = `${label}-${suffix()}@example.com`;
  const subject = `${label} question ${suffix()}`;
  const firstMessageId = `first-${suffix()}@example.com`;
  await send(customer, mail({ from: `Cus Tomer <${customer}>`, subject, body: `Hello, this is ${label}.`, messageId: firstMessageId }));
  const kase = await caseBySubject(subject);
  return { id: kase.id, customer, subject, firstMessageId };
}

async function messagesOf(caseId: string): Promise<Message[]> {
  return (await api<{ messages: Message[] }>(`/api/cases/${encodeURIComponent(caseId)}`)).messages;
}

/** Records every status a delivery element shows, so a test can say what the agent was told. */
async function recordStatuses(page: Page): Promise<void> {
  await page.evaluate(() => {
    window.__statuses = [];
    const look = () => {
      for (const el of document.querySelectorAll('[data-testid="delivery"]')) {
        const s = el.getAttribute('data-status') ?? '';
        const label = el.querySelector('.dstatus')?.textContent ?? '';
        const entry = `${s}|${label}`;
        if (window.__statuses?.[window.__statuses.length - 1] !== entry && !window.__statuses?.includes(entry)) window.__statuses?.push(entry);
      }
    };
    new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
}

// ---------------------------------------------------------------------------------------------

describe('outgoing mail in a browser (local mode)', () => {
  test('a new case is acknowledged, and Sent mail lists the acknowledgement as sent', async () => {
    const { id, customer, subject } = await newCase('ack');
    const page = await openCase(await newAgent('agent'), id);
    expect(await page.locator('[data-testid="session-mode"]').textContent()).toBe('Local mode (no sign-in)');
    expect(await page.locator('[data-testid="signout"]').count()).toBe(0);

    await page.locator('[data-testid="outbox-link"]').click();
    await page.locator('[data-testid="outbox-list"]').waitFor();
    expect(page.url()).toContain('#/outbox');
    const row = page.locator('[data-testid="outbox-row"][data-kind="ack-create"]', { has: page.locator(`[data-testid="delivery"][data-recipient="${customer}"]`) });
    await row.locator(`[data-testid="delivery"][data-status="sent"]`).waitFor({ timeout: LIVE_BOUND_MS });
    expect(await row.count()).toBe(1);
    expect(await row.locator('.subject').textContent()).toContain(subject);
    expect(await row.getAttribute('data-case-id')).toBe(id);

    // The raw message downloads as .eml, addressed to the customer.
    const href = await row.locator('[data-testid="outbox-raw"]').getAttribute('href');
    expect(href).toMatch(/^\/api\/dev\/outbox\/[^/]+\/raw$/);
    const raw = await fetch(`${url()}${href}`);
    expect(raw.status).toBe(200);
    expect(raw.headers.get('content-type')).toContain('message/rfc822');
    expect(await raw.text()).toContain(customer);

    // And back to the case.
    await row.locator('[data-testid="outbox-case-link"]').click();
    await page.locator('[data-testid="composer"]').waitFor();
    expect(page.url()).toContain(`#/cases/${encodeURIComponent(id)}`);
    expect(await page.evaluate(() => window.__marker)).toBe(1);
  });

  test('a reply is sent from the case view and its delivery to the requester turns sent live', async () => {
    const { id, customer } = await newCase('reply');
    const page = await openCase(await newAgent('agent'), id);
    expect(await page.locator('[data-testid="case-status"]').textContent()).toBe('New');
    expect(await page.locator('[data-testid="composer-tab-reply"]').getAttribute('aria-selected')).toBe('true');
    expect(await page.locator('[data-testid="composer-to"]').inputValue()).toBe(customer);
    expect(await page.locator('[data-testid="composer-cc"]').inputValue()).toBe('');
    await recordStatuses(page);

    const text = `Thanks for writing, we are on it. ${suffix()}`;
    await page.locator('[data-testid="composer-text"]').fill(text);
    await page.locator('[data-testid="composer-send"]').click();

    const reply = threadMessages(page).filter({ hasText: text });
    await reply.waitFor({ timeout: LIVE_BOUND_MS });
    expect(await reply.getAttribute('data-direction')).toBe('outbound');
    // Local mode: the author is the agent this browser is, as the header says.
    expect(await reply.locator('[data-testid="author"]').textContent()).toBe(await page.locator('[data-testid="session-name"]').textContent());
    const delivery = reply.locator(`[data-testid="delivery"][data-recipient="${customer}"]`);
    await reply.locator(`[data-testid="delivery"][data-recipient="${customer}"][data-status="sent"]`).waitFor({ timeout: LIVE_BOUND_MS });
    expect(await delivery.count()).toBe(1);
    // Before "sent" it said only queued or sending: never anything that claims more.
    const shown = await page.evaluate(() => window.__statuses ?? []);
    expect(shown.length).toBeGreaterThan(0);
    for (const entry of shown) expect(entry).toMatch(/^(queued\|queued|sending\|sending…|sent\|sent)$/);
    expect(shown[shown.length - 1]).toBe('sent|sent');

    // The draft is gone, a new case became open, and all of it without a reload.
    expect(await page.locator('[data-testid="composer-text"]').inputValue()).toBe('');
    await page.waitForFunction(() => document.querySelector('[data-testid="case-status"]')?.textContent === 'Open', null, { timeout: LIVE_BOUND_MS });
    expect(await page.evaluate(() => window.__marker)).toBe(1);

    const sent = (await messagesOf(id)).filter((m) => m.direction === 'outbound');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.text).toBe(text);
    expect(sent[0]?.deliveries).toMatchObject([{ recipient: customer, status: 'sent', kind: 'reply' }]);
  });

  test('a customer message that arrives while the agent writes stops the reply until the agent has seen it', async () => {
    const { id, customer, subject, firstMessageId } = await newCase('collide');
    const page = await openCase(await newAgent('agent-a'), id);

    // r starts a reply from anywhere outside a form field.
    await page.locator('.case-title').click();
    await page.keyboard.press('r');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('composer-text');
    const draft = `Have you tried turning it off and on again? ${suffix()}`;
    await page.keyboard.type(draft);

    const news = `Update: it works after a restart ${suffix()}`;
    await send(customer, mail({ from: `Cus Tomer <${customer}>`, subject: `Re: ${subject}`, body: news, headers: { 'In-Reply-To': `<${firstMessageId}>`, References: `<${firstMessageId}>` } }));
    // It shows up in the thread live; the draft was started before it, so sending still asks first.
    await threadMessages(page).filter({ hasText: news }).waitFor({ timeout: LIVE_BOUND_MS });

    await page.locator('[data-testid="composer-send"]').click();
    const notice = page.locator('[data-testid="collision-notice"]');
    await notice.waitFor({ timeout: LIVE_BOUND_MS });
    expect(await notice.textContent()).toContain('New since you started writing');
    expect(await notice.locator('[data-testid="message"]').count()).toBe(1);
    expect(await notice.locator('[data-testid="message"]').textContent()).toContain(news);
    expect(await page.locator('[data-testid="composer-text"]').inputValue()).toBe(draft);
    // Nothing was sent.
    expect((await messagesOf(id)).filter((m) => m.direction === 'outbound')).toHaveLength(0);
    const outbox = await api<{ items: OutboxItem[] }>('/api/dev/outbox');
    expect(outbox.items.filter((o) => o.caseId === id && o.kind === 'reply')).toHaveLength(0);

    await page.locator('[data-testid="composer-send-anyway"]').click();
    const reply = threadMessages(page).filter({ hasText: draft });
    await reply.waitFor({ timeout: LIVE_BOUND_MS });
    await notice.waitFor({ state: 'detached' });
    await reply.locator(`[data-testid="delivery"][data-recipient="${customer}"][data-status="sent"]`).waitFor({ timeout: LIVE_BOUND_MS });
    expect(await page.locator('[data-testid="composer-text"]').inputValue()).toBe('');
    const sent = (await messagesOf(id)).filter((m) => m.direction === 'outbound');
    expect(sent.map((m) => m.text)).toEqual([draft]);
    expect(await page.evaluate(() => window.__marker)).toBe(1);
  });

  test('an internal note shows as a note and mails nobody', async () => {
    const { id } = await newCase('note');
    const before = (await api<{ items: OutboxItem[] }>('/api/dev/outbox')).items.filter((o) => o.caseId === id).length;
    const page = await openCase(await newAgent('agent'), id);

    await page.locator('.case-title').click();
    await page.keyboard.press('n');
    expect(await page.locator('[data-testid="composer"]').getAttribute('data-tab')).toBe('note');
    expect(await page.locator('[data-testid="composer-tab-note"]').getAttribute('aria-selected')).toBe('true');
    expect(await page.locator('[data-testid="composer-to"]').count()).toBe(0);
    const text = `Customer is on the premium plan, be nice ${suffix()}`;
    await page.keyboard.type(text);
    await page.keyboard.press('Control+Enter');

    const note = threadMessages(page).filter({ hasText: text });
    await note.waitFor({ timeout: LIVE_BOUND_MS });
    expect(await note.getAttribute('data-direction')).toBe('note');
    expect(await note.locator('[data-testid="note-label"]').textContent()).toBe('Internal note');
    expect(await note.locator('[data-testid="author"]').textContent()).toBe(await page.locator('[data-testid="session-name"]').textContent());
    expect(await note.locator('[data-testid="delivery"]').count()).toBe(0);
    expect(await page.locator('[data-testid="composer-text"]').inputValue()).toBe('');

    const saved = (await messagesOf(id)).find((m) => m.text === text);
    expect(saved).toMatchObject({ direction: 'note', deliveries: [] });
    // A note does not change the status of a new case.
    expect(await page.locator('[data-testid="case-status"]').textContent()).toBe('New');

    // A sentinel instead of a pause: a reply after the note, which does mail the customer. Once its
    // delivery shows as sent, a would-be mail for the note would be in the outbox too; none is.
    await page.locator('[data-testid="composer-tab-reply"]').click();
    const sentinel = `And a reply after the note ${suffix()}`;
    await page.locator('[data-testid="composer-text"]').fill(sentinel);
    await page.locator('[data-testid="composer-send"]').click();
    await threadMessages(page).filter({ hasText: sentinel }).locator('[data-testid="delivery"][data-status="sent"]').waitFor({ timeout: LIVE_BOUND_MS });
    const reply = (await messagesOf(id)).find((m) => m.text === sentinel);
    const after = (await api<{ items: OutboxItem[] }>('/api/dev/outbox')).items.filter((o) => o.caseId === id);
    expect(after.filter((o) => o.messageId === reply?.id)).toHaveLength(1);
    expect(after).toHaveLength(before + 1);
    expect(after.some((o) => o.messageId === saved?.id)).toBe(false);
  });

  test('forwarding sends the case to an outside address, who then takes part in it', async () => {
    const { id } = await newCase('forward');
    const page = await openCase(await newAgent('agent'), id);
    const partner = `partner-${suffix()}@example.net`;
    await page.locator('[data-testid="forward-button"]').click();
    await page.locator('[data-testid="forward-to"]').fill(partner);
    await page.locator('[data-testid="forward-text"]').fill('Can you check this one?');
    await page.locator('[data-testid="forward-send"]').click();

    const fwd = threadMessages(page).filter({ has: page.locator(`[data-testid="delivery"][data-recipient="${partner}"]`) });
    await fwd.locator('[data-testid="delivery"][data-status="sent"]').waitFor({ timeout: LIVE_BOUND_MS });
    expect(await fwd.locator('.body').textContent()).toContain('Can you check this one?');
    await page.waitForFunction((p) => document.querySelector('[data-testid="participants"]')?.textContent?.includes(p), partner, { timeout: LIVE_BOUND_MS });
    expect(await page.locator('[data-testid="forward-form"]').count()).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// AUTH_MODE=password: its own server, where Ben has a password.

describe('password sign-in in a browser', () => {
  const PASSWORD = `pw-${suffix()}-${suffix()}`;
  const pwServer = useSuiteServer('password-mode', () => startPasswordServer(PASSWORD, ['agt_ben']));

  async function signInAs(page: Page, email: string, password: string): Promise<void> {
    await page.locator('[data-testid="signin-email"]').fill(email);
    await page.locator('[data-testid="signin-password"]').fill(password);
    await page.locator('[data-testid="signin-submit"]').click();
  }

  test('a wrong password is refused, the right one opens the inbox, and signing out returns to the sign-in page', async () => {
    const base = pwServer().url;
    const context = await newAgent('ben');
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.locator('[data-testid="signin-form"]').waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid="case-list"]').count()).toBe(0);

    await signInAs(page, 'ben@acme.test', 'not the password');
    const error = page.locator('[data-testid="signin-error"]');
    await error.waitFor();
    expect(await error.textContent()).toBe('Wrong email or password.');
    expect(await page.locator('[data-testid="signin-password"]').inputValue()).toBe('');

    // A throttled address is told how long to wait (answered here by the test: ten real failures
    // would lock the address for the rest of the run).
    await page.route('**/api/session', (route) =>
      route.request().method() === 'POST'
        ? route.fulfill({ status: 429, contentType: 'application/json', headers: { 'Retry-After': '540' }, body: JSON.stringify({ error: { code: 'rate_limited', message: 'too many' } }) })
        : route.continue(),
    );
    await signInAs(page, 'ben@acme.test', 'whatever');
    await page.waitForFunction(() => document.querySelector('[data-testid="signin-error"]')?.textContent === 'Too many attempts, try again in 9 minutes.', null, { timeout: LIVE_BOUND_MS });
    await page.unroute('**/api/session');

    await signInAs(page, 'ben@acme.test', PASSWORD);
    await page.locator('[data-testid="session-name"]').waitFor({ timeout: LIVE_BOUND_MS });
    expect(await page.locator('[data-testid="session-name"]').textContent()).toBe('Ben Agent');
    await page.locator('[data-testid="case-row"]').first().waitFor();
    await page.locator('[data-testid="connection"][data-state="live"]').waitFor({ timeout: 15_000 });
    // Local-only parts stay hidden.
    expect(await page.locator('[data-testid="session-mode"]').count()).toBe(0);
    expect(await page.locator('[data-testid="outbox-link"]').count()).toBe(0);

    // The session survives a reload (the cookie), and a 401 later brings the sign-in page back.
    await page.reload();
    await page.locator('[data-testid="session-name"]').waitFor({ timeout: 15_000 });
    await context.clearCookies();
    // Any request after this is refused; a fetch already in flight may bring the sign-in page
    // back before the click, so the click is made in the page, on the tab if it is still there.
    await page.evaluate(() => (document.querySelector('[data-testid="tab-all"]') as HTMLElement | null)?.click());
    await page.locator('[data-testid="signin-form"]').waitFor({ timeout: LIVE_BOUND_MS });
    expect(await page.locator('[data-testid="signin-form"]').textContent()).toContain('Your session has ended');
    expect(await page.locator('[data-testid="signin-email"]').inputValue()).toBe('ben@acme.test');
    await page.locator('[data-testid="signin-password"]').fill(PASSWORD);
    await page.locator('[data-testid="signin-submit"]').click();
    await page.locator('[data-testid="session-name"]').waitFor({ timeout: LIVE_BOUND_MS });

    await page.locator('[data-testid="signout"]').click();
    await page.locator('[data-testid="signin-form"]').waitFor({ timeout: LIVE_BOUND_MS });
    expect(await page.locator('[data-testid="session-name"]').count()).toBe(0);
    expect(await page.locator('[data-testid="case-list"]').count()).toBe(0);
    // The server forgot the session too: a reload stays on the sign-in page.
    const status = await page.evaluate(async () => (await fetch('/api/session')).status);
    expect(status).toBe(401);
    await page.reload();
    await page.locator('[data-testid="signin-form"]').waitFor({ timeout: 15_000 });
  });
});
