/// <reference lib="dom" />
// The admin pages in a browser, end to end: a real `wrangler dev` (fresh storage in a temp dir, demo
// seed) and the built web app in headless Chromium. An admin renames a mailbox, is told on the field
// when a catch-all address is not an address, previews an acknowledgement, and on "Connect your
// domain" sees the checks and sends a test message that opens a case.
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { api, newAgent, url, useBrowserHarness } from './harness.ts';

const MAILBOX_ID = 'mbx_support';

useBrowserHarness();

async function newPage(name: string): Promise<Page> {
  return (await newAgent(name)).newPage();
}

interface MailboxSettings {
  id: string;
  displayName: string;
  catchAllAddress: string | null;
}

// ---------------------------------------------------------------------------------------------

describe('the admin pages in a browser', () => {
  test('an admin renames a mailbox; a bad catch-all address is refused on its field', async () => {
    const page = await newPage('admin');
    await page.goto(`${url()}/`);
    // The header leads there (open mode counts as admin).
    await page.locator('[data-testid="admin-link"]').click();
    await page.locator('[data-testid="mailbox-form"]').waitFor();
    expect(await page.locator('[data-testid="mailbox-row"]').count()).toBe(1);

    const name = page.locator('[data-testid="field-displayName"]');
    expect(await name.inputValue()).toBe('Acme Support');
    await name.fill('Acme Helpdesk');
    await page.locator('[data-testid="mailbox-save"]').click();
    await page.locator('[data-testid="mailbox-saved"]').waitFor();
    await expect.poll(() => page.locator(`[data-testid="mailbox-row"][data-id="${MAILBOX_ID}"]`).textContent()).toContain('Acme Helpdesk');
    const afterRename = await api<{ items: MailboxSettings[] }>('/api/admin/mailboxes');
    expect(afterRename.items[0]!.displayName).toBe('Acme Helpdesk');

    await page.locator('[data-testid="field-catchAllAddress"]').fill('not an address');
    await page.locator('[data-testid="mailbox-save"]').click();
    const error = page.locator('[data-testid="error-catchAllAddress"]');
    await error.waitFor();
    expect(await error.textContent()).toContain('the catch-all address is not a valid email address');
    expect(await page.locator('[data-testid="mailbox-saved"]').count()).toBe(0);
    expect(await page.locator('[data-testid="mailbox-error"]').textContent()).toContain('fix the fields');
    // Nothing was saved: not the bad address, and the rename stays as it was.
    const afterError = await api<{ items: MailboxSettings[] }>('/api/admin/mailboxes');
    expect(afterError.items[0]).toMatchObject({ displayName: 'Acme Helpdesk', catchAllAddress: null });

    // Corrected, it saves and the message goes away.
    await page.locator('[data-testid="field-catchAllAddress"]').fill('held@example.com');
    await page.locator('[data-testid="mailbox-save"]').click();
    await page.locator('[data-testid="mailbox-saved"]').waitFor();
    expect(await error.count()).toBe(0);
    expect((await api<MailboxSettings>(`/api/admin/mailboxes/${MAILBOX_ID}`)).catchAllAddress).toBe('held@example.com');
  });

  test('the acknowledgement preview shows the template filled with sample values, HTML as text', async () => {
    const page = await newPage('admin');
    await page.goto(`${url()}/#/admin/mailboxes`);
    await page.locator('[data-testid="mailbox-form"]').waitFor();
    await page.locator('[data-testid="template-create-custom"]').check();
    await page.locator('[data-testid="template-create-subject"]').fill('Got it: {{case.subject}}');
    await page.locator('[data-testid="template-create-text"]').fill('Hello {{customer.name}}, this is {{mailbox.name}}.');
    await page.locator('[data-testid="template-create-preview"]').click();
    const preview = page.locator('[data-testid="preview-create"]');
    await preview.waitFor();
    const text = (await preview.textContent()) ?? '';
    expect(text).toContain('Got it: Order #4411 arrived damaged [#1042]');
    expect(text).toContain('Hello Jane Doe, this is');
    expect(text).not.toContain('<p>');
  });

  test('"Connect your domain" shows the checks and a test message opens a case', async () => {
    const page = await newPage('admin');
    await page.goto(`${url()}/#/admin/setup`);
    const checks = page.locator('[data-testid="setup-check"]');
    await checks.first().waitFor();
    expect(await checks.count()).toBe(9);
    const status = async (id: string) => page.locator(`[data-testid="setup-check"][data-id="${id}"]`).getAttribute('data-status');
    expect(await status('d1')).toBe('ok');
    expect(await status('r2')).toBe('ok');
    expect(await status('mailbox')).toBe('ok');
    // Local mode: works, flagged.
    expect(await status('auth-mode')).toBe('warn');
    expect(await status('test-message')).toBe('warn');
    expect(await page.locator('[data-testid="setup-steps"]').textContent()).toContain('wrangler secret put REPLY_TOKEN_KEY');

    await page.locator('[data-testid="test-send"]').click();
    const result = page.locator('[data-testid="test-result"]');
    await result.waitFor();
    expect(await result.getAttribute('data-status')).toBe('processed');
    await expect.poll(() => status('test-message')).toBe('ok');
    const cases = await api<{ items: Array<{ subject: string }> }>('/api/cases?status=all');
    expect(cases.items.map((c) => c.subject)).toContain('edgecase setup test');
  });
});
