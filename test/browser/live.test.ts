/// <reference lib="dom" />
// Agents at once, in a browser: mail arriving in an open inbox, who is looking at a case and who is
// writing in it (presence, on the rows and in the case), presence told again after a reconnect, quick
// actions from the keyboard that show at once and are undone when refused, and the collision guard
// when two agents answer the same case. Open mode (every browser one of the demo agents, its tabs
// the same one) on one server; two real agents (password sign-in) on a second. Same setup as
// inbox.test.ts and outbound.test.ts: real `wrangler dev` on fresh storage, headless Chromium.
// Screenshots go to $EDGECASE_ARTIFACTS (default: <tmp>/edgecase-artifacts); the paths are printed.
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import {
  api,
  caseRow,
  LIVE_BOUND_MS,
  mail,
  newAgent as newHarnessAgent,
  openCase as openCaseView,
  openInbox,
  screenshot,
  send,
  startPasswordServer,
  suffix,
  threadMessages,
  useBrowserHarness,
  useSuiteServer,
  waitLive,
} from './harness.ts';

declare global {
  interface Window {
    __marker?: number;
    __sockets?: WebSocket[];
  }
}

useBrowserHarness();

/** An agent whose pages keep their WebSockets reachable, so a test can drop the connection. */
async function newAgent(name: string): Promise<BrowserContext> {
  const context = await newHarnessAgent(name);
  await context.addInitScript(() => {
    const Native = window.WebSocket;
    window.__sockets = [];
    window.WebSocket = class extends Native {
      constructor(address: string | URL, protocols?: string | string[]) {
        super(address, protocols);
        window.__sockets?.push(this);
      }
    };
  });
  return context;
}

/** Opens a case by its id in a new page and waits for the live connection and the composer. */
async function openCase(context: BrowserContext, caseId: string): Promise<Page> {
  const page = await openCaseView(context, caseId);
  await page.locator('[data-testid="composer"]').waitFor();
  return page;
}

interface Message {
  id: string;
  direction: string;
  text: string;
}

// ---------------------------------------------------------------------------------------------

async function waitForPresenceTitle(page: Page, caseId: string, title: string | null): Promise<void> {
  await page.waitForFunction(
    ([id, want]) => (document.querySelector(`[data-testid="case-row"][data-case-id="${CSS.escape(id ?? '')}"] [data-testid="row-presence"]`)?.getAttribute('title') ?? null) === want,
    [caseId, title] as const,
    { timeout: LIVE_BOUND_MS },
  );
}

/** Who the page's header says this browser is. */
async function whoIs(page: Page): Promise<string> {
  const name = page.locator('[data-testid="session-name"]');
  await name.waitFor();
  return (await name.textContent()) ?? '';
}

async function sessionOf(page: Page): Promise<{ id: string; name: string }> {
  return page.evaluate(async () => (await (await fetch('/api/session')).json()) as { id: string; name: string });
}

describe('open mode: every browser is an agent of its own', () => {
  test('mail shows up in an open inbox; another browser opening the case and writing in it shows on the row and in the case, by name', async () => {
    const a = await openInbox(await newAgent('browser-a'));
    await a.evaluate(() => {
      window.__marker = 1;
    });

    // A new mail appears in A's open list, no reload.
    const customer = `live-${suffix()}@example.com`;
    const subject = `Lamp flickers after update ${suffix()}`;
    await send(customer, mail({ from: `Flick Ering <${customer}>`, subject, body: 'Since the last firmware update my lamp flickers.', messageId: `live-${suffix()}@example.com` }));
    const rowA = caseRow(a, subject);
    await rowA.waitFor({ timeout: LIVE_BOUND_MS });
    expect(await a.evaluate(() => window.__marker)).toBe(1);
    const caseId = (await rowA.getAttribute('data-case-id')) ?? '';
    expect(caseId).toMatch(/\S/);
    expect(await rowA.locator('[data-testid="row-presence"]').count()).toBe(0);

    // B, another browser, is another agent: the header, the presence and the session agree.
    const b = await openCase(await newAgent('browser-b'), caseId);
    const [nameA, nameB] = [await whoIs(a), await whoIs(b)];
    expect(nameA).not.toBe(nameB);
    expect((await sessionOf(a)).name).toBe(nameA);
    expect((await sessionOf(b)).name).toBe(nameB);
    await waitForPresenceTitle(a, caseId, `${nameB} is viewing`);
    const presence = rowA.locator('[data-testid="row-presence"]');
    expect(await presence.getAttribute('data-agents')).toBe(nameB);
    expect(await presence.getAttribute('data-composing')).toBe('false');
    // A tab does not list itself.
    expect(await b.locator('[data-testid="case-presence"]').count()).toBe(0);

    // B starts a reply: A's row says so.
    await b.locator('.case-title').click();
    await b.keyboard.press('r');
    await b.keyboard.type('Let me check the firmware notes');
    await waitForPresenceTitle(a, caseId, `${nameB} is writing a reply…`);
    expect(await presence.getAttribute('data-composing')).toBe('true');

    // A opens the case too: the case says B is writing, and B's case says A is viewing.
    await rowA.locator('a').click();
    const lineA = a.locator('[data-testid="case-presence"]');
    await lineA.waitFor({ timeout: LIVE_BOUND_MS });
    expect(await lineA.locator('[data-testid="presence-entry"]').allTextContents()).toEqual([expect.stringContaining(`${nameB} is writing a reply…`)]);
    await b.locator('[data-testid="case-presence"]', { hasText: `${nameA} is viewing` }).waitFor({ timeout: LIVE_BOUND_MS });
    expect(await a.evaluate(() => window.__marker)).toBe(1);

    // A second tab of browser B is the same agent: "another tab".
    const b2 = await openCase(b.context(), caseId);
    expect(await whoIs(b2)).toBe(nameB);
    await b.locator('[data-testid="case-presence"]', { hasText: `Another tab (${nameB}) is viewing` }).waitFor({ timeout: LIVE_BOUND_MS });
    await b2.close();

    // B empties the reply: no longer writing. B goes back to the inbox: no longer on the case.
    await b.locator('[data-testid="composer-text"]').fill('');
    await lineA.locator('[data-testid="presence-entry"][data-composing="false"]').waitFor({ timeout: LIVE_BOUND_MS });
    expect(await lineA.textContent()).toContain(`${nameB} is viewing`);
    await b.locator('[data-testid="back-link"]').click();
    await lineA.waitFor({ state: 'detached', timeout: LIVE_BOUND_MS });
  });

  test('two browsers answering the same case: the collision guard stops the second until it has seen the first reply, and each reply names its author', async () => {
    const customer = `guard-${suffix()}@example.com`;
    const subject = `Two answers at once ${suffix()}`;
    await send(customer, mail({ from: `Dee Double <${customer}>`, subject, body: 'Is my order on its way?', messageId: `guard-${suffix()}@example.com` }));
    const a = await openInbox(await newAgent('guard-a'));
    const row = caseRow(a, subject);
    await row.waitFor({ timeout: LIVE_BOUND_MS });
    const caseId = (await row.getAttribute('data-case-id')) ?? '';
    await row.locator('a').click();
    await a.locator('[data-testid="composer"]').waitFor();
    const b = await openCase(await newAgent('guard-b'), caseId);
    const [nameA, nameB] = [await whoIs(a), await whoIs(b)];
    expect(nameA).not.toBe(nameB);

    // B starts writing first; A answers.
    const draftB = `It left our warehouse this morning. ${suffix()}`;
    await b.locator('[data-testid="composer-text"]').fill(draftB);
    const replyA = `Yes, it ships today. ${suffix()}`;
    await a.locator('[data-testid="composer-text"]').fill(replyA);
    await a.locator('[data-testid="composer-send"]').click();
    const sentA = threadMessages(a).filter({ hasText: replyA });
    await sentA.waitFor({ timeout: LIVE_BOUND_MS });
    expect(await sentA.locator('[data-testid="author"]').textContent()).toBe(nameA);

    // A's reply reaches B live; B was told a confirmation would be asked for, and it is.
    await threadMessages(b).filter({ hasText: replyA }).waitFor({ timeout: LIVE_BOUND_MS });
    await b.locator('[data-testid="arrived-meanwhile"]').waitFor({ timeout: LIVE_BOUND_MS });
    await b.locator('[data-testid="composer-send"]').click();
    const notice = b.locator('[data-testid="collision-notice"]');
    await notice.waitFor({ timeout: LIVE_BOUND_MS });
    expect(await notice.locator('[data-testid="message"]').textContent()).toContain(replyA);
    expect(await b.locator('[data-testid="composer-text"]').inputValue()).toBe(draftB);
    await screenshot(b, 'open-mode-collision.png');

    await b.locator('[data-testid="composer-send-anyway"]').click();
    const sentB = threadMessages(b).filter({ hasText: draftB });
    await sentB.waitFor({ timeout: LIVE_BOUND_MS });
    expect(await sentB.locator('[data-testid="author"]').textContent()).toBe(nameB);
    const authors = (await api<{ messages: Array<{ text: string; author: { name: string } | null }> }>(`/api/cases/${caseId}`)).messages.filter((m) => m.author).map((m) => m.author?.name);
    expect(authors).toEqual([nameA, nameB]);
  });

  test('after a dropped connection the tab tells the hub again what it shows; a closed tab disappears', async () => {
    const customer = `again-${suffix()}@example.com`;
    const subject = `Reconnect check ${suffix()}`;
    const a = await openInbox(await newAgent('browser-a2'));
    await send(customer, mail({ from: `Re Connect <${customer}>`, subject, body: 'Is anyone there?', messageId: `again-${suffix()}@example.com` }));
    const row = caseRow(a, subject);
    await row.waitFor({ timeout: LIVE_BOUND_MS });
    const id = (await row.getAttribute('data-case-id')) ?? '';
    await row.locator('a').click();
    await a.locator('[data-testid="composer"]').waitFor();

    const b = await openCase(await newAgent('browser-b2'), id);
    const seenB = `${await whoIs(b)} is viewing`;
    const line = a.locator('[data-testid="case-presence"]');
    await line.waitFor({ timeout: LIVE_BOUND_MS });
    expect(await line.locator('[data-testid="presence-entry"]').allTextContents()).toEqual([expect.stringContaining(seenB)]);

    // Drop B's socket: the hub forgets it at once; B reconnects (about a second later) and, its new
    // socket knowing nothing of it, says again which case it shows.
    await b.evaluate(() => window.__sockets?.[window.__sockets.length - 1]?.close());
    await line.waitFor({ state: 'detached', timeout: LIVE_BOUND_MS });
    await waitLive(b);
    await line.waitFor({ timeout: LIVE_BOUND_MS });
    expect(await line.locator('[data-testid="presence-entry"]').allTextContents()).toEqual([expect.stringContaining(seenB)]);

    // B goes: so does its presence.
    await b.close();
    await line.waitFor({ state: 'detached', timeout: LIVE_BOUND_MS });
  });

  test('a and e act on the selected row at once; a change the server refuses is undone and said so', async () => {
    const customer = `keys-${suffix()}@example.com`;
    const subject = `Keyboard actions ${suffix()}`;
    const page = await openInbox(await newAgent('keys'));
    await send(customer, mail({ from: `Kay Board <${customer}>`, subject, body: 'Please assign me to someone.', messageId: `keys-${suffix()}@example.com` }));
    const row = caseRow(page, subject);
    await row.waitFor({ timeout: LIVE_BOUND_MS });
    const id = (await row.getAttribute('data-case-id')) ?? '';
    const number = ((await row.locator('.num').textContent()) ?? '').replace('#', '');

    // j selects the top row, the new case.
    await page.keyboard.press('j');
    expect(await page.locator('[data-testid="case-row"].selected').getAttribute('data-case-id')).toBe(id);

    // a: "assign to me", and in open mode "me" is the agent this browser is.
    const me = (await sessionOf(page)).id;
    expect(me).toMatch(/^agt_/);
    await page.keyboard.press('a');
    await row.locator(`[data-testid="row-assignee"][data-assignee-id="${me}"]`).waitFor({ timeout: LIVE_BOUND_MS });
    await expect.poll(async () => (await api<{ case: { assignee: { id: string } | null } }>(`/api/cases/${id}`)).case.assignee?.id, { timeout: LIVE_BOUND_MS }).toBe(me);

    // e, refused by the server: Closed shows at once, then goes back, with a message.
    await page.route('**/api/cases/*', (route) =>
      route.request().method() === 'PATCH'
        ? route.fulfill({ status: 409, contentType: 'application/json', body: JSON.stringify({ error: { code: 'conflict', message: 'the case changed meanwhile' } }) })
        : route.continue(),
    );
    await page.evaluate((caseId) => {
      const seen: string[] = [];
      (window as unknown as { __badges: string[] }).__badges = seen;
      new MutationObserver(() => {
        const text = document.querySelector(`[data-testid="case-row"][data-case-id="${CSS.escape(caseId)}"] .badge.status`)?.textContent ?? '';
        if (seen[seen.length - 1] !== text) seen.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    }, id);
    await page.keyboard.press('e');
    const failure = page.locator('[data-testid="action-error"]');
    await failure.waitFor({ timeout: LIVE_BOUND_MS });
    expect(await failure.textContent()).toContain(`Could not close #${number}: the case changed meanwhile`);
    expect(await failure.textContent()).toContain('The change was undone.');
    expect(await row.locator('.badge.status').textContent()).toBe('New');
    // It did show Closed before going back.
    expect((await page.evaluate(() => (window as unknown as { __badges: string[] }).__badges)).slice(-2)).toEqual(['Closed', 'New']);
    expect((await api<{ case: { status: string } }>(`/api/cases/${id}`)).case.status).toBe('new');
    await page.unroute('**/api/cases/*');

    // e again, accepted: the case is closed and leaves the Active list; the selection moves on.
    await page.keyboard.press('e');
    await row.waitFor({ state: 'detached', timeout: LIVE_BOUND_MS });
    expect((await api<{ case: { status: string } }>(`/api/cases/${id}`)).case.status).toBe('closed');
    expect(await page.locator('[data-testid="action-error"]').count()).toBe(0);
    expect(await page.locator('[data-testid="case-row"].selected').count()).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------
// Two real agents: password sign-in on a second server (seeded in open mode first, then Ada and Ben
// get passwords, then it starts in password mode).

describe('two agents, signed in', () => {
  const PASSWORD = `pw-${suffix()}-${suffix()}`;
  const pw = useSuiteServer('password-mode', () => startPasswordServer(PASSWORD, ['agt_ada', 'agt_ben']));

  async function signedIn(name: string, email: string, hash = '/'): Promise<Page> {
    const page = await (await newAgent(name)).newPage();
    await page.goto(`${pw().url}/${hash === '/' ? '' : hash}`);
    await page.locator('[data-testid="signin-form"]').waitFor({ timeout: 15_000 });
    await page.locator('[data-testid="signin-email"]').fill(email);
    await page.locator('[data-testid="signin-password"]').fill(PASSWORD);
    await page.locator('[data-testid="signin-submit"]').click();
    await page.locator('[data-testid="session-name"]').waitFor({ timeout: LIVE_BOUND_MS });
    await waitLive(page);
    return page;
  }

  async function messagesSeenBy(page: Page, caseId: string): Promise<Message[]> {
    return page.evaluate(async (id) => ((await (await fetch(`/api/cases/${encodeURIComponent(id)}`)).json()) as { messages: Message[] }).messages, caseId);
  }

  test('Ben opening and writing shows to Ada by name; when both answer, the collision guard stops Ben until he has seen Ada’s reply', async () => {
    const ada = await signedIn('ada', 'ada@acme.test');
    await ada.locator('[data-testid="case-row"]').first().waitFor();
    await ada.evaluate(() => {
      window.__marker = 1;
    });

    const customer = `both-${suffix()}@example.com`;
    const subject = `Wrong colour delivered ${suffix()}`;
    await send(customer, mail({ from: `Col Ourful <${customer}>`, subject, body: 'I ordered the blue lamp and got a green one.', messageId: `both-${suffix()}@example.com` }), pw().url);
    const rowAda = caseRow(ada, subject);
    await rowAda.waitFor({ timeout: LIVE_BOUND_MS });
    expect(await ada.evaluate(() => window.__marker)).toBe(1);
    const caseId = (await rowAda.getAttribute('data-case-id')) ?? '';

    // Ben opens the case: Ada's row shows his initials.
    const ben = await signedIn('ben', 'ben@acme.test', `#/cases/${encodeURIComponent(caseId)}`);
    await ben.locator('[data-testid="composer"]').waitFor();
    await waitForPresenceTitle(ada, caseId, 'Ben Agent is viewing');
    expect(await rowAda.locator('[data-testid="row-presence"]').getAttribute('data-agents')).toBe('Ben Agent');
    expect(await rowAda.locator('[data-testid="row-presence"] .avatar').textContent()).toBe('BA');

    // Ben starts a reply.
    await ben.locator('.case-title').click();
    await ben.keyboard.press('r');
    const draftBen = `We will send the blue one right away. ${suffix()}`;
    await ben.keyboard.type(draftBen);
    await waitForPresenceTitle(ada, caseId, 'Ben Agent is writing a reply…');
    await screenshot(ada, 'inbox-presence.png');

    // Ada opens the case: she reads that Ben is writing; Ben reads that Ada is viewing.
    await rowAda.locator('a').click();
    const lineAda = ada.locator('[data-testid="case-presence"]');
    await lineAda.waitFor({ timeout: LIVE_BOUND_MS });
    expect(await lineAda.locator('[data-testid="presence-entry"]').allTextContents()).toEqual([expect.stringContaining('Ben Agent is writing a reply…')]);
    await ben.locator('[data-testid="case-presence"]', { hasText: 'Ada Admin is viewing' }).waitFor({ timeout: LIVE_BOUND_MS });
    await screenshot(ada, 'case-presence.png');

    // Ada answers anyway, first.
    const replyAda = `Sorry about the mix-up, a blue lamp is on its way. ${suffix()}`;
    await ada.locator('[data-testid="composer-text"]').fill(replyAda);
    await ben.locator('[data-testid="case-presence"] [data-testid="presence-entry"][data-composing="true"]', { hasText: 'Ada Admin is writing a reply…' }).waitFor({ timeout: LIVE_BOUND_MS });
    await ada.locator('[data-testid="composer-send"]').click();
    await threadMessages(ada).filter({ hasText: replyAda }).waitFor({ timeout: LIVE_BOUND_MS });

    // Her reply reaches Ben live; his draft predates it, so sending stops at the collision notice.
    await threadMessages(ben).filter({ hasText: replyAda }).waitFor({ timeout: LIVE_BOUND_MS });
    await ben.locator('[data-testid="arrived-meanwhile"]').waitFor();
    await ben.locator('[data-testid="composer-send"]').click();
    const notice = ben.locator('[data-testid="collision-notice"]');
    await notice.waitFor({ timeout: LIVE_BOUND_MS });
    expect(await notice.locator('[data-testid="message"]').count()).toBe(1);
    expect(await notice.locator('[data-testid="message"]').textContent()).toContain(replyAda);
    expect(await ben.locator('[data-testid="composer-text"]').inputValue()).toBe(draftBen);
    expect((await messagesSeenBy(ben, caseId)).filter((m) => m.direction === 'outbound').map((m) => m.text)).toEqual([replyAda]);

    // Having seen it, Ben sends anyway: both replies are on the case, and Ben is no longer "writing".
    await ben.locator('[data-testid="composer-send-anyway"]').click();
    await threadMessages(ben).filter({ hasText: draftBen }).waitFor({ timeout: LIVE_BOUND_MS });
    expect((await messagesSeenBy(ada, caseId)).filter((m) => m.direction === 'outbound').map((m) => m.text)).toEqual([replyAda, draftBen]);
    await lineAda.locator('[data-testid="presence-entry"][data-composing="false"]', { hasText: 'Ben Agent is viewing' }).waitFor({ timeout: LIVE_BOUND_MS });
    await threadMessages(ada).filter({ hasText: draftBen }).waitFor({ timeout: LIVE_BOUND_MS });
    await screenshot(ada, 'case-after-both-replies.png');
  });
});
