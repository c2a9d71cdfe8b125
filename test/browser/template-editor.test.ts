// The acknowledgement template editor lists every placeholder (office.reopens included), and the
// off-hours preview fills it with a sample instead of a fallback.
import { describe, expect, test } from 'vitest';
import { ACK_PLACEHOLDERS } from '../../worker/protocol/admin.ts';
import { newAgent, screenshot, url, useBrowserHarness } from './harness.ts';

useBrowserHarness();

describe('the template editor', () => {
  test('lists every placeholder and previews {{office.reopens}} with a sample', async () => {
    const page = await (await newAgent('admin')).newPage();
    await page.goto(`${url()}/#/admin/mailboxes`);
    await page.locator('[data-testid="mailbox-form"]').waitFor();
    const editor = page.locator('[data-testid="template-off-hours"]');
    await editor.locator('[data-testid="template-off-hours-custom"]').check();
    const listed = await editor.locator('[data-testid="template-placeholder"]').allTextContents();
    expect(listed).toEqual(ACK_PLACEHOLDERS.map((p) => `{{${p}}}`));
    expect(listed).toContain('{{office.reopens}}');

    await editor.locator('[data-testid="template-off-hours-subject"]').fill('Away: {{case.subject}}');
    await editor.locator('[data-testid="template-off-hours-text"]').fill('We are back {{office.reopens}}.');
    await editor.locator('[data-testid="template-off-hours-preview"]').click();
    const preview = page.locator('[data-testid="preview-off-hours"]');
    await preview.waitFor();
    const text = (await preview.textContent()) ?? '';
    expect(text).toContain('We are back Monday 09:00 (Europe/Berlin).');
    expect(text).toContain('office.reopens = Monday 09:00 (Europe/Berlin)');
    await screenshot(page, 'template-editor-off-hours.png');
  });
});
