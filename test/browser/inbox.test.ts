/// <reference lib="dom" />
// What an agent sees, end to end: a real `wrangler dev` (fresh storage in a temp dir, demo seed
// delivered through the email handler) and the built web inbox in headless Chromium.
import { describe, expect, test, vi } from 'vitest';
import { readDevVar } from '../../scripts/lib/devserver.mjs';
import { threadMarker } from '../../worker/mail/tokens.ts';
import {
  api,
  caseBySubject,
  caseRow,
  deliveryReport,
  LIVE_BOUND_MS,
  MAILBOX,
  mail,
  newAgent,
  openCase,
  openInbox,
  screenshot,
  send,
  settled,
  suffix,
  threadMessages,
  useBrowserHarness,
} from './harness.ts';

declare global {
  interface Window {
    __marker?: number;
    __xss?: unknown;
    __seenAt?: number;
  }
}

const DEMO_SUBJECTS = ['Order #4411 arrived damaged', 'Invoice address change', 'This week in widgets'];

useBrowserHarness();

interface Summary {
  id: string;
  number: number;
  subject: string;
  status: string;
}

// ---------------------------------------------------------------------------------------------

describe('the agent inbox in a browser', () => {
  test('shows the seeded demo cases and goes live', async () => {
    const page = await openInbox(await newAgent('agent'));
    const subjects = await page.locator('[data-testid="case-row"] .subject').allTextContents();
    expect(subjects).toEqual(expect.arrayContaining(DEMO_SUBJECTS));
    // The reply and the auto-reply were threaded into the order case, not listed as cases of their own.
    expect(subjects.filter((s) => /^(Re|Automatic reply):/i.test(s))).toEqual([]);
    expect(await page.locator('[data-testid="connection"]').getAttribute('data-state')).toBe('live');
    expect(await page.locator('[data-testid="tab-active"]').getAttribute('aria-selected')).toBe('true');
  });

  test('a new message appears at the top of the open inbox without a reload', async () => {
    const page = await openInbox(await newAgent('agent'));
    const subject = `Live delivery check ${suffix()}`;
    await page.evaluate((s) => {
      window.__marker = 1;
      const check = () => {
        const first = document.querySelector('[data-testid="case-row"]');
        if (!window.__seenAt && first?.textContent?.includes(s)) window.__seenAt = Date.now();
      };
      new MutationObserver(check).observe(document.body, { subtree: true, childList: true, characterData: true });
    }, subject);

    const sentAt = Date.now();
    await send('newcomer@example.com', mail({ from: 'New Comer <newcomer@example.com>', subject, body: 'Does the inbox update by itself?' }));
    await page.waitForFunction(() => window.__seenAt !== undefined, null, { timeout: LIVE_BOUND_MS - (Date.now() - sentAt) });
    const seenAt = await page.evaluate(() => window.__seenAt ?? 0);
    const elapsed = seenAt - sentAt;
    console.log(`delivery → visible in the open inbox: ${elapsed} ms`);
    expect(elapsed).toBeLessThan(LIVE_BOUND_MS);

    expect(await page.locator('[data-testid="case-row"] .subject').first().textContent()).toBe(subject);
    expect(await page.evaluate(() => window.__marker)).toBe(1);
    // The demo cases are still there below it.
    const subjects = await page.locator('[data-testid="case-row"] .subject').allTextContents();
    expect(subjects).toEqual(expect.arrayContaining(DEMO_SUBJECTS));
  });

  test('opening a case shows its thread, why each message is there, and the participants', async () => {
    const page = await openInbox(await newAgent('agent'));
    const row = caseRow(page, 'Order #4411 arrived damaged');
    const caseId = await row.getAttribute('data-case-id');
    expect(caseId).toBeTruthy();
    await row.locator('a').click();

    await page.locator('[data-testid="participants"]').waitFor();
    expect(page.url()).toContain(`#/cases/${encodeURIComponent(caseId ?? '')}`);
    expect(await page.locator('.case-title .subject').textContent()).toBe('Order #4411 arrived damaged');

    const messages = page.locator('[data-testid="message"]');
    expect(await messages.count()).toBe(3);
    const whys = await page.locator('[data-testid="why-here"]').allTextContents();
    expect(whys).toHaveLength(3);
    expect(whys[0]).toMatch(/why here: new\b/);
    // The reply and the auto-reply both point at the original with In-Reply-To; the auto-reply's
    // reason also says why it left the status alone.
    expect(whys[1]).toMatch(/why here: in-reply-to\b.*demo-1@example\.com/);
    expect(whys[2]).toMatch(/why here: in-reply-to\b.*demo-1@example\.com.*status unchanged/);
    expect(await messages.nth(2).getAttribute('data-kind')).toBe('auto-reply');
    expect(await messages.nth(0).locator('.body').textContent()).toContain('cracked shade');

    const participants = await page.locator('[data-testid="participants"]').textContent();
    expect(participants).toContain('maria@example.com');
    expect(participants).toContain('lars@example.com');

    await page.locator('[data-testid="back-link"]').click();
    await page.locator('[data-testid="case-list"]').waitFor();
  });

  test('hostile subject and HTML body are shown as text, never run', async () => {
    const subject = '<img src=x onerror="window.__xss=1">Hi';
    // The last paragraph is entity-encoded markup: turned into text, it reads as a tag, and must stay text.
    const html = '<p>Hello from the other side</p><script>window.__xss=2</script><b>bold</b><img src=x onerror="window.__xss=3"><p>&lt;img src=x onerror=&quot;window.__xss=4&quot;&gt;</p>';
    await send('mallet@example.net', mail({ from: 'Mallet <mallet@example.net>', subject, body: html, contentType: 'text/html; charset=utf-8' }));

    const page = await openInbox(await newAgent('agent'));
    const row = caseRow(page, '<img src=x');
    await row.waitFor();
    expect(await row.locator('.subject').textContent()).toBe(subject);
    await row.locator('a').click();
    await page.locator('[data-testid="message"]').first().waitFor();

    const title = await page.locator('.case-title .subject').textContent();
    expect(title).toContain('<img');
    expect(title).toBe(subject);
    // Sentinels instead of a pause: an image that fails as the mail's would (src=x), added after the
    // page rendered; once its error has fired, a would-be onerror of the mail's has too. Then a task
    // after anything a script could have queued.
    await page.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const img = new Image();
          img.onload = img.onerror = () => resolve();
          img.src = 'x';
        }),
    );
    await settled(page);
    expect(await page.evaluate(() => window.__xss)).toBeUndefined();
    const found = await page.evaluate(() => ({
      images: document.querySelectorAll('img').length,
      bold: document.querySelectorAll('main b').length,
      scripts: Array.from(document.querySelectorAll('script')).filter((s) => (s.textContent ?? '').includes('__xss')).length,
      iframes: document.querySelectorAll('iframe').length,
    }));
    expect(found).toEqual({ images: 0, bold: 0, scripts: 0, iframes: 0 });
    const body = await page.locator('[data-testid="message"] .body').first().textContent();
    expect(body).toContain('Hello from the other side');
    expect(body).toContain('bold');
    expect(body).toContain('<img src=x onerror="window.__xss=4">');
  });

  test('a status change persists and another agent sees it live', async () => {
    const subject = 'Invoice address change';
    const watcher = await openInbox(await newAgent('agent-b'));
    const watchedRow = caseRow(watcher, subject);
    const caseId = await watchedRow.getAttribute('data-case-id');
    expect(caseId).toBeTruthy();
    expect(await watchedRow.locator('.badge.status').textContent()).toBe('New');
    await watcher.evaluate(() => {
      window.__marker = 1;
    });

    const agent = await openInbox(await newAgent('agent-a'));
    await caseRow(agent, subject).locator('a').click();
    const select = agent.locator('[data-testid="status-select"]');
    await select.waitFor();
    expect(await agent.locator('[data-testid="case-status"]').textContent()).toBe('New');
    await select.selectOption('pending');
    await agent.waitForFunction(() => document.querySelector('[data-testid="case-status"]')?.textContent === 'Pending', null, { timeout: LIVE_BOUND_MS });

    const detail = await api<{ case: Summary }>(`/api/cases/${encodeURIComponent(caseId ?? '')}`);
    expect(detail.case.status).toBe('pending');

    await watcher.waitForFunction((id) => document.querySelector(`[data-testid="case-row"][data-case-id="${CSS.escape(id)}"] .badge.status`)?.textContent === 'Pending', caseId ?? '', {
      timeout: LIVE_BOUND_MS,
    });
    expect(await watcher.evaluate(() => window.__marker)).toBe(1);
  });

  test('mail from a stranger pointing at case #1 is held as not-a-participant', async () => {
    const cases = await api<{ items: Summary[] }>('/api/cases?status=all&limit=200');
    const first = cases.items.find((c) => c.number === 1);
    expect(first?.subject).toBe('Order #4411 arrived damaged');
    const before = await api<{ messages: unknown[] }>(`/api/cases/${encodeURIComponent(first?.id ?? '')}`);

    const page = await openInbox(await newAgent('agent'));
    await page.locator('[data-testid="tab-held"]').click();
    await page.locator('[data-testid="held-list"]').waitFor();
    await page.evaluate(() => {
      window.__marker = 1;
    });

    const stranger = `stranger-${suffix()}@example.org`;
    const subject = '[#1] let me in';
    await send(stranger, mail({ from: `Stranger <${stranger}>`, subject, body: 'I am handling this order now, send the replacement to me.' }));

    // The held list refreshes itself on the inbound.held event.
    const row = page.locator('[data-testid="held-row"]', { hasText: stranger });
    await row.waitFor({ timeout: LIVE_BOUND_MS });
    expect(await row.locator('.subject').textContent()).toBe(subject);
    expect(await row.locator('.reason').textContent()).toContain('not-a-participant');
    expect(await row.locator('.badge.inbound').textContent()).toBe('quarantined');
    expect(await page.evaluate(() => window.__marker)).toBe(1);

    const held = await api<{ items: Array<{ fromEmail: string; subject: string; reason: string | null; caseId: string | null; status: string }> }>('/api/inbound?status=held');
    const item = held.items.find((i) => i.fromEmail === stranger);
    expect(item).toMatchObject({ subject, reason: 'not-a-participant', caseId: first?.id, status: 'quarantined' });
    // Nothing was appended to the case the stranger named.
    const after = await api<{ messages: unknown[] }>(`/api/cases/${encodeURIComponent(first?.id ?? '')}`);
    expect(after.messages).toHaveLength(before.messages.length);
  });
});

// ---------------------------------------------------------------------------------------------

interface Ack {
  outboxId: string;
  kind: string;
  deliveries: Array<{ recipient: string; status: string }>;
}

/** A new case from a new customer, and its acknowledgement once the mail service took it. */
async function acknowledgedCase(label: string): Promise<{ id: string; customer: string; subject: string; messageId: string; ack: Ack }> {
  const customer = `${label}-${suffix()}@example.com`;
  const subject = `${label} ${suffix()}`;
  const messageId = `first-${suffix()}@example.com`;
  await send(customer, mail({ from: `Cus Tomer <${customer}>`, subject, body: 'My parcel has not arrived.', messageId }));
  const kase = await caseBySubject(subject);
  const ack = await vi.waitFor(
    async () => {
      const [a] = (await api<{ acknowledgements: Ack[] }>(`/api/cases/${encodeURIComponent(kase.id)}`)).acknowledgements;
      if (a?.deliveries[0]?.status !== 'sent') throw new Error('the acknowledgement is not sent yet');
      return a;
    },
    { timeout: LIVE_BOUND_MS, interval: 100 },
  );
  return { id: kase.id, customer, subject, messageId, ack };
}

describe('a day of real mail in the case view', () => {
  test('the acknowledgement is a line of the thread, its text shown on demand', async () => {
    const { id, customer, ack } = await acknowledgedCase('ack-line');
    const page = await openCase(await newAgent('agent'), id);
    const line = page.locator(`[data-testid="ack-line"][data-outbox-id="${ack.outboxId}"]`);
    await line.waitFor();
    expect(await line.getAttribute('data-kind')).toBe('ack-create');
    expect(await line.locator('[data-testid="ack-summary"]').textContent()).toBe(`Acknowledgement sent to ${customer}`);
    expect(await line.locator(`[data-testid="delivery"][data-recipient="${customer}"]`).getAttribute('data-status')).toBe('sent');
    // After the customer's message, and no message card of its own.
    expect(await threadMessages(page).count()).toBe(1);
    expect(await page.locator('.thread > *').nth(1).getAttribute('data-testid')).toBe('ack-line');
    // Folded until asked for.
    expect(await line.locator('[data-testid="ack-text"]').count()).toBe(0);
    await line.locator('[data-testid="ack-toggle"]').click();
    const text = await line.locator('[data-testid="ack-text"]').textContent();
    expect(text).toMatch(/#\d+/);
    expect(text).not.toContain('My parcel has not arrived');
    expect(await line.locator('[data-testid="ack-toggle"]').getAttribute('aria-expanded')).toBe('true');
  });

  test('a bounce turns the acknowledgement bounced live with its reason, the composer warns about the address, and a quoted reply is folded', async () => {
    const { id, customer, subject, messageId, ack } = await acknowledgedCase('bounced');
    const page = await openCase(await newAgent('agent'), id);
    const line = page.locator(`[data-testid="ack-line"][data-outbox-id="${ack.outboxId}"]`);
    const delivery = line.locator(`[data-testid="delivery"][data-recipient="${customer}"]`);
    await delivery.and(page.locator('[data-status="sent"]')).waitFor();
    // No warning before anything bounced.
    await page.locator('[data-testid="composer-tab-reply"]').click();
    expect(await page.locator('[data-testid="bounce-warning"]').count()).toBe(0);

    // The report names our acknowledgement by the Message-ID we gave it and carries our marker.
    const marker = await threadMarker(readDevVar('REPLY_TOKEN_KEY') ?? '', id, 'acme.test');
    await send('MAILER-DAEMON@mx.example.com', deliveryReport(customer, [`From: ${MAILBOX}`, `To: ${customer}`, `Message-ID: <${ack.outboxId}@acme.test>`, `References: <${marker}>`]));
    await delivery.and(page.locator('[data-status="bounced"]')).waitFor({ timeout: LIVE_BOUND_MS });
    expect(await delivery.locator('.dstatus').textContent()).toBe('bounced');
    expect(await delivery.locator('.delivery-error').textContent()).toBe('5.1.1 550 5.1.1 user unknown');

    // Writing to that address again: a warning that names it, and sending still works.
    const warning = page.locator(`[data-testid="bounce-warning-address"][data-email="${customer}"]`);
    await warning.waitFor({ timeout: LIVE_BOUND_MS });
    expect(await warning.textContent()).toContain(`Mail to ${customer} bounced before`);
    expect(await warning.textContent()).toContain('5.1.1');

    // The customer writes again, quoting our mail: the quote is folded behind "…".
    await send(
      customer,
      mail({
        from: `Cus Tomer <${customer}>`,
        subject: `Re: ${subject}`,
        headers: { 'In-Reply-To': `<${messageId}>` },
        body: `Sorry, a typo in my address. Is there any news?\n\nOn Mon, Acme Support <${MAILBOX}> wrote:\n> We have received your message.\n>\n> Acme Support\n`,
      }),
    );
    const reply = threadMessages(page).nth(1);
    await reply.waitFor({ timeout: LIVE_BOUND_MS });
    expect(await reply.locator('.body').first().textContent()).toBe('Sorry, a typo in my address. Is there any news?');
    expect(await reply.locator('[data-testid="quoted-text"]').count()).toBe(0);
    const toggle = reply.locator('[data-testid="quote-toggle"]');
    expect(await toggle.textContent()).toBe('…');
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await line.locator('[data-testid="ack-toggle"]').click();
    await screenshot(page, 'thread-ack-bounced-quote.png');

    await toggle.click();
    expect(await reply.locator('[data-testid="quoted-text"]').textContent()).toContain('> We have received your message.');
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');

    await page.locator('[data-testid="composer-text"]').fill('Thanks, we will send it to the corrected address.');
    await page.locator('[data-testid="composer-send"]').click();
    await page.locator('[data-testid="composer-done"]', { hasText: 'Reply queued' }).waitFor({ timeout: LIVE_BOUND_MS });
    await settled(page);
  });
});
