/// <reference lib="dom" />
// HTML mail in a browser: a hostile message (scripts, handlers, SVG, javascript: links, a form, a
// refresh, CSS that fetches, a tracking pixel) shown in its sandboxed frame runs nothing and loads
// nothing, until the agent asks for remote images, which loads the pixel and still runs nothing.
// Inline (cid:) images show without any remote loading, auto-replies are folded. Then 10,000 cases:
// the list keeps only the rows in sight in the DOM and scrolls, by keyboard, to the oldest.
// Same setup as inbox.test.ts: a real `wrangler dev` on fresh storage, headless Chromium.
import { writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import {
  api,
  caseBySubject,
  type CaseSummary as Summary,
  executeSql,
  freshStorage,
  LIVE_BOUND_MS,
  mailHeaders as headers,
  newAgent,
  onCleanup,
  openCase,
  screenshot,
  send,
  settled,
  startServer,
  suffix,
  useBrowserHarness,
  useSuiteServer,
} from './harness.ts';
import { bigInboxSql, markFirstRow } from '../../scripts/lib/big-inbox.mjs';

declare global {
  interface Window {
    __pwned?: unknown;
    __firstRowAt?: number;
  }
}

const BIG = 10_000;
/** First rows of a 10,000-case inbox on screen within this long of navigation (a generous bound). */
const FIRST_PAINT_BOUND_MS = 5_000;
/** The next page of 200 cases, asked for at the end of the list, arrives within this long. */
const PAGE_BOUND_MS = 15_000;

// ---------------------------------------------------------------------------------------------
// The tracker: a local HTTP listener that counts every request the mail makes it receive.

let trackerUrl = '';
const hits: string[] = [];

// A 1×1 transparent GIF.
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

function startTracker(): Promise<void> {
  return new Promise((resolve, reject) => {
    const tracker = createHttpServer((req, res) => {
      hits.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'Content-Type': 'image/gif', 'Cache-Control': 'no-store', 'Access-Control-Allow-Origin': '*' });
      res.end(GIF);
    });
    tracker.on('error', reject);
    tracker.listen(0, '127.0.0.1', () => {
      const addr = tracker.address();
      trackerUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
      onCleanup(() => new Promise<void>((done) => tracker.close(() => done())));
      resolve();
    });
  });
}

useBrowserHarness({ alsoStart: startTracker });

/** The message's sandboxed frame, once its document has loaded. */
async function messageFrame(page: Page, index = 0): Promise<Frame> {
  const el = page.locator('[data-testid="html-frame"]').nth(index);
  await el.waitFor();
  const handle = await el.elementHandle();
  const frame = await handle?.contentFrame();
  if (!frame) throw new Error('the HTML frame has no document');
  await frame.waitForLoadState('load');
  return frame;
}

/**
 * Whether a script put into the frame now runs. An inserted inline script runs as it is inserted or
 * never, so a "no" needs no waiting: nothing the mail or a click set off can run here later, short of
 * navigating the frame (which the tests check it does not). No sentinel could be waited for instead:
 * a frame that runs no script runs no callback of ours either, not even a timer.
 */
function runsScripts(frame: Frame): Promise<boolean> {
  return frame.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'document.documentElement.dataset.ran = "yes"';
    document.body.append(script);
    script.remove();
    return document.documentElement.dataset.ran === 'yes';
  });
}

/**
 * A sentinel on the network, for "nothing else loaded" checks: an image the frame asks the tracker
 * for now, after anything its document asked for; once the tracker has it, it has what came before.
 */
async function probe(frame: Frame, name: string): Promise<void> {
  await frame.evaluate((src) => {
    const img = document.createElement('img');
    img.src = src;
    document.body.append(img);
  }, `${trackerUrl}/${name}`);
  await expect.poll(() => hits, { timeout: LIVE_BOUND_MS }).toContain(`GET /${name}`);
}

// ---------------------------------------------------------------------------------------------

describe('HTML mail in a browser', () => {
  test('a hostile HTML mail runs nothing and loads nothing; remote images load only when asked, and still nothing runs', async () => {
    const t = trackerUrl;
    const subject = `Quarterly widget report ${suffix()}`;
    const html = [
      '<html><head>',
      `<meta http-equiv="refresh" content="0;url=${t}/refresh">`,
      `<base href="${t}/base/">`,
      `<link rel="stylesheet" href="${t}/link.css">`,
      `<style>body { background-image: url('${t}/style-bg.png'); } @import url("${t}/import.css"); .esc { background: u\\72l(${t}/escaped.png); } .fine { color: #345; }</style>`,
      '</head><body>',
      '<p class="fine">Widget sales went up this quarter.</p>',
      `<script>window.__pwned = 'script'; fetch('${t}/pwned-script');</script>`,
      `<img src="x" onerror="window.__pwned = 'onerror'; fetch('${t}/pwned-onerror')">`,
      `<svg xmlns="http://www.w3.org/2000/svg" onload="window.__pwned = 'svg'; fetch('${t}/pwned-svg')"><image href="${t}/svg-image.png" width="10" height="10"/></svg>`,
      `<a id="js-link" href="javascript:window.__pwned = 'link'; fetch('${t}/pwned-link')">See the figures</a>`,
      `<form action="${t}/form" method="post"><input name="q" value="secret"><button type="submit">Confirm</button></form>`,
      `<div class="esc" style="background: url(${t}/inline-style.png); width: 10px; height: 10px">styled</div>`,
      `<iframe src="${t}/frame"></iframe>`,
      `<object data="${t}/object"></object>`,
      `<img src="${t}/pixel.gif" width="1" height="1" alt="">`,
      '</body></html>',
    ].join('\n');
    const raw = [
      ...headers({ from: 'Mallory Report <mallory@example.net>', subject, contentType: 'multipart/alternative; boundary="b1"' }),
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Widget sales went up this quarter.',
      '--b1',
      'Content-Type: text/html; charset=utf-8',
      '',
      html,
      '--b1--',
      '',
    ].join('\r\n');
    await send('mallory@example.net', raw);
    const kase = await caseBySubject(subject);
    hits.length = 0;

    const page = await openCase(await newAgent('agent'), kase.id);
    const message = page.locator('.thread [data-testid="message"]').first();
    // Plain text first; the switch shows the HTML.
    expect(await message.locator('.body').textContent()).toContain('Widget sales went up this quarter.');
    expect(await page.locator('[data-testid="html-frame"]').count()).toBe(0);
    await message.locator('[data-testid="view-html"]').click();
    const frame = await messageFrame(page);

    const iframe = page.locator('[data-testid="html-frame"]');
    expect(await iframe.getAttribute('sandbox')).toBe('');
    const doc = (await iframe.getAttribute('srcdoc')) ?? '';
    expect(doc).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data: cid:;`);
    for (const bad of ['<script', 'onerror', 'onload', 'javascript:', '<form', '<input', 'http-equiv="refresh"', '<base', '<link', '<svg', '<iframe', '<object', 'url(', '@import', `${t}/pixel.gif`]) {
      expect(doc.toLowerCase(), `the frame's document should not contain ${bad}`).not.toContain(bad.toLowerCase());
    }
    // What is harmless stays: the text, and the style that loads nothing.
    expect(await frame.locator('p.fine').textContent()).toBe('Widget sales went up this quarter.');
    expect(doc).toContain('.fine { color: #345; }');

    // Try the link, then look: the frame runs no script, so none can still be on its way.
    await frame
      .locator('#js-link')
      .click({ timeout: 2_000 })
      .catch(() => {});
    expect(await runsScripts(frame), 'a script runs in the frame').toBe(false);
    expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
    expect(await frame.evaluate(() => window.__pwned)).toBeUndefined();
    expect(hits).toEqual([]);
    expect(page.frames()).toHaveLength(2);

    // Remote images, on request: the pixel loads, once, and nothing else does or runs.
    const bar = page.locator('[data-testid="remote-images"]');
    expect(await bar.getAttribute('data-state')).toBe('blocked');
    await page.locator('[data-testid="load-remote"]').click();
    await bar.and(page.locator('[data-state="loaded"]')).waitFor();
    await expect.poll(() => hits, { timeout: LIVE_BOUND_MS }).toContain('GET /pixel.gif');
    // Once the page has rendered what it meant to and the new document has loaded, a probe from it
    // is the sentinel: before it came the pixel, once, and nothing else.
    await settled(page);
    const after = await messageFrame(page);
    expect(await runsScripts(after), 'a script runs in the frame').toBe(false);
    await probe(after, 'probe-1.gif');
    expect(hits).toEqual(['GET /pixel.gif', 'GET /probe-1.gif']);
    expect(await iframe.getAttribute('sandbox')).toBe('');
    expect(await iframe.getAttribute('srcdoc')).toContain('img-src data: cid: https: http:;');
    await after
      .locator('#js-link')
      .click({ timeout: 2_000 })
      .catch(() => {});
    expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
    expect(await after.evaluate(() => window.__pwned)).toBeUndefined();
    await probe(after, 'probe-2.gif');
    expect(hits).toEqual(['GET /pixel.gif', 'GET /probe-1.gif', 'GET /probe-2.gif']);
    // The frame is still ours: the link did not take it anywhere.
    expect(after.url()).toBe('about:srcdoc');
    await screenshot(page, 'html-message.png');

    // And back to text.
    await message.locator('[data-testid="view-text"]').click();
    expect(await page.locator('[data-testid="html-frame"]').count()).toBe(0);
    expect(await message.locator('.body').textContent()).toContain('Widget sales went up this quarter.');
  });

  test('an inline (cid:) image shows from the mail itself, with no remote request', async () => {
    const subject = `Photo of the damage ${suffix()}`;
    // A 2×2 red PNG.
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFklEQVR4nGP8z8DwnwEJMDIwMDAwAAAcHQIB0sVHWAAAAABJRU5ErkJggg==';
    const raw = [
      ...headers({ from: 'Pat Photo <pat@example.com>', subject, contentType: 'multipart/related; boundary="r1"' }),
      '',
      '--r1',
      'Content-Type: text/html; charset=utf-8',
      '',
      `<p>See the crack:</p><img src="cid:crack@example.com" alt="crack" width="2" height="2"><img src="cid:missing@example.com" alt="gone">`,
      '--r1',
      'Content-Type: image/png; name="crack.png"',
      'Content-Transfer-Encoding: base64',
      'Content-ID: <crack@example.com>',
      'Content-Disposition: inline; filename="crack.png"',
      '',
      png,
      '--r1--',
      '',
    ].join('\r\n');
    await send('pat@example.com', raw);
    const kase = await caseBySubject(subject);
    hits.length = 0;

    const page = await openCase(await newAgent('agent'), kase.id);
    await page.locator('[data-testid="view-html"]').click();
    const frame = await messageFrame(page);
    const img = frame.locator('img[alt="crack"]');
    expect(await img.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    await frame.waitForFunction(() => {
      const el = document.querySelector<HTMLImageElement>('img[alt="crack"]');
      return el?.complete && el.naturalWidth === 2;
    });
    // The one the mail does not carry is a placeholder, not a request anywhere.
    expect(await frame.locator('img[alt="gone"]').getAttribute('src')).toBeNull();
    expect(await page.locator('[data-testid="load-remote"]').count()).toBe(0);
    expect(hits).toEqual([]);
  });

  test('auto-replies are folded until asked for', async () => {
    const cases = await api<{ items: Summary[] }>('/api/cases?status=all&limit=200');
    const first = cases.items.find((c) => c.number === 1);
    expect(first).toBeTruthy();
    const page = await openCase(await newAgent('agent'), first?.id ?? '');
    const auto = page.locator('[data-testid="message"][data-kind="auto-reply"]');
    await auto.waitFor();
    // Header and "why here" stay; the body waits behind the toggle.
    expect(await auto.locator('[data-testid="kind-badge"]').textContent()).toBe('auto-reply');
    expect(await auto.locator('[data-testid="why-here"]').count()).toBe(1);
    expect(await auto.locator('.body').count()).toBe(0);
    const toggle = auto.locator('[data-testid="toggle-auto-reply"]');
    expect(await toggle.textContent()).toBe('Show auto-reply');
    await toggle.click();
    expect(await auto.locator('.body').count()).toBe(1);
    expect(await toggle.textContent()).toBe('Hide auto-reply');
    // Human messages are never folded.
    expect(await page.locator('[data-testid="message"][data-kind="human"] .body').count()).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------
// 10,000 cases, inserted with SQL before the server starts (its own storage).

describe('10,000 cases in the inbox', () => {
  const big = useSuiteServer('big-inbox', async () => {
    const persistTo = await freshStorage();
    const file = path.join(persistTo, 'big.sql');
    await writeFile(file, bigInboxSql(BIG));
    await executeSql(persistTo, { file });
    return startServer({ persistTo, vars: { AUTH_MODE: 'open' } });
  });

  test('only the rows in sight are in the DOM, the first rows paint quickly, and End reaches the oldest case', async () => {
    const context = await newAgent('agent-big');
    const page = await context.newPage();
    // When the first row appears, in the page's own clock (0 = navigation start).
    await page.addInitScript(markFirstRow);
    await page.goto(`${big().url}/`);
    await page.locator('[data-testid="case-row"]').first().waitFor({ timeout: 15_000 });
    const firstPaint = Math.round((await page.evaluate(() => window.__firstRowAt)) ?? Infinity);
    console.log(`10,000 cases: first rows painted ${firstPaint} ms after navigation start`);
    expect(firstPaint).toBeLessThan(FIRST_PAINT_BOUND_MS);
    await page.locator('[data-testid="connection"][data-state="live"]').waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid="case-row"] .num').first().textContent()).toBe(`#${BIG}`);

    const rowsInDom = () => page.locator('[data-testid="case-row"]').count();
    expect(await rowsInDom()).toBeLessThan(200);

    // j selects the first row; End jumps to the last loaded one, which pulls in the next page, and so on.
    await page.keyboard.press('j');
    const started = Date.now();
    const oldest = page.locator('[data-testid="case-row"][aria-posinset="10000"]');
    /** The position of the selected row (0 while none is in the DOM). */
    const selectedAt = () => page.evaluate(() => Number(document.querySelector('[data-testid="case-row"].selected')?.getAttribute('aria-posinset') ?? 0));
    /** How many cases are loaded, as the count says ("250+ cases"). */
    const loaded = async () => Number.parseInt((await page.locator('[data-testid="case-count"]').textContent()) ?? '', 10);
    let presses = 0;
    let most = 0;
    for (let at = 0; at < BIG; ) {
      if (Date.now() - started > 120_000) throw new Error(`the oldest case was not reached after ${presses} presses of End`);
      const before = await loaded();
      await page.keyboard.press('End');
      presses++;
      // End selects the last row loaded when it was pressed (or a later one)...
      await expect.poll(selectedAt, { timeout: LIVE_BOUND_MS }).toBeGreaterThanOrEqual(before);
      at = await selectedAt();
      most = Math.max(most, await rowsInDom());
      // ...and being there pulls in the next page, until there is none.
      if (at < BIG) await expect.poll(loaded, { timeout: PAGE_BOUND_MS }).toBeGreaterThan(at);
      most = Math.max(most, await rowsInDom());
    }
    console.log(`10,000 cases: End reached the oldest after ${presses} presses in ${Date.now() - started} ms; at most ${most} rows in the DOM`);
    expect(most).toBeLessThan(200);
    await page.waitForFunction(() => document.querySelector('[data-testid="load-more"]') === null && !document.querySelector('[data-testid="list-more"]')?.textContent?.includes('Loading'));
    expect(await oldest.locator('.num').textContent()).toBe('#1');
    expect(await oldest.getAttribute('class')).toContain('selected');
    await expect.poll(() => oldest.isVisible()).toBe(true);
    // Really in sight within the scroll box, not just in the DOM.
    const inView = await oldest.evaluate((row) => {
      const box = row.closest('[data-testid="case-list"]')?.getBoundingClientRect();
      const r = row.getBoundingClientRect();
      return !!box && r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
    });
    expect(inView).toBe(true);
    expect(await page.locator('[data-testid="case-count"]').textContent()).toBe(`${BIG} cases`);
    expect(await rowsInDom()).toBeLessThan(200);

    // k walks back up, one row at a time, keeping the selection in sight.
    await page.keyboard.press('k');
    const second = page.locator('[data-testid="case-row"].selected');
    expect(await second.locator('.num').textContent()).toBe('#2');

    // The filter box (f) narrows the loaded rows by subject.
    await page.keyboard.press('f');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('case-filter');
    await page.keyboard.type('number 4242');
    await page.locator('[data-testid="case-row"]').first().waitFor();
    expect(await page.locator('[data-testid="case-row"] .subject').allTextContents()).toEqual(['Bulk question number 4242']);
    await page.keyboard.press('Escape');
    await expect.poll(() => rowsInDom()).toBeGreaterThan(1);
  });
});
