// The acknowledgement preview's sample values: every placeholder has one, so what an admin sees is
// what a real mail says, including the off-hours wording's `{{office.reopens}}`.
import { describe, expect, it } from 'vitest';
import { ACK_PLACEHOLDERS, type AckPreview } from '../../../worker/protocol/admin.ts';
import { DEMO, seeded } from '../helpers.ts';
import { json, send } from './helpers.ts';

const PREVIEW = `/api/admin/mailboxes/${DEMO.mailboxId}/ack-preview`;

describe('ack preview sample values', () => {
  it('has a value for every placeholder', async () => {
    await seeded();
    const p = await json<AckPreview>(await send(PREVIEW, { kind: 'create' }));
    expect(Object.keys(p.values).sort()).toEqual([...ACK_PLACEHOLDERS].sort());
  });

  it('the built-in off-hours wording says when the office reopens, not a fallback', async () => {
    await seeded();
    const p = await json<AckPreview>(await send(PREVIEW, { kind: 'off-hours' }));
    expect(p.text).toContain('We are back Monday 09:00 (Europe/Berlin) and will answer you then.');
    expect(p.htmlAsText).toContain('We are back Monday 09:00 (Europe/Berlin)');
  });

  it("a mailbox's own template using {{office.reopens}} is filled, with no problem reported", async () => {
    await seeded();
    const template = { subject: 'Away', text: 'Back {{office.reopens}}, case {{case.number}}.' };
    const p = await json<AckPreview>(await send(PREVIEW, { kind: 'off-hours', template }));
    expect(p.text).toBe('Back Monday 09:00 (Europe/Berlin), case 1042.');
    expect(p.problems).toEqual([]);
  });
});
