// GET /api/inbound/:id/body: what a held message says, read again from the raw mail (held mail has
// no case message), for the exception log to show; unreadable mail says why instead.
import { describe, expect, it } from 'vitest';
import { fixture } from '../../fixtures/index.ts';
import type { InboundBodyView } from '../../../worker/protocol/api.ts';
import { seeded } from '../helpers.ts';
import { call, deliver, expectError, getJson, mail, OTHER, otherWorkspace } from './client.ts';

const T0 = Date.UTC(2026, 10, 23, 9, 0);

const HTML_REPLY = mail(
  { From: 'Mallory <mallory@example.org>', Subject: '[#1] New address', 'Content-Type': 'multipart/alternative; boundary="alt"' },
  [
    '--alt',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Ship it to 12 Side Street.',
    '',
    'On Mon, Acme Support <support@acme.test> wrote:',
    '> Where shall we send it?',
    '--alt',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<p>Ship it to <b>12 Side Street</b>.</p><script>alert(1)</script>',
    '--alt--',
  ].join('\r\n'),
);

describe('GET /api/inbound/:id/body', () => {
  it('answers the text, the HTML (for the sandboxed view) and where the quote starts, of held mail', async () => {
    const deps = await seeded();
    await deliver(deps, fixture('plain'), { at: T0, from: 'alice@example.com' });
    const held = await deliver(deps, HTML_REPLY, { at: T0 + 1000, from: 'mallory@example.org' });
    const res = await call(`/api/inbound/${held}/body`);
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    const body = (await res.json()) as InboundBodyView;
    expect(body.unreadable).toBeNull();
    expect(body.text).toContain('Ship it to 12 Side Street.');
    expect(body.text.slice(0, body.quotedFrom!).trim()).toBe('Ship it to 12 Side Street.');
    // The HTML as it came: the web app sanitizes it and shows it in a frame without scripts.
    expect(body.html).toContain('<b>12 Side Street</b>');
    expect(body.attachments).toEqual([]);
  });

  it('says why when the message cannot be read, instead of failing', async () => {
    const deps = await seeded();
    const parts = Array.from({ length: 1001 }, (_, i) => `--b\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`).join('');
    const id = await deliver(deps, mail({ 'Content-Type': 'multipart/mixed; boundary="b"' }, `${parts}--b--`));
    const { res, body } = await getJson<InboundBodyView>(`/api/inbound/${id}/body`);
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ text: '', html: null, attachments: [] });
    expect(body.unreadable).toContain('too-many-parts');
  });

  it('names the attachments the raw message carries', async () => {
    const deps = await seeded();
    const id = await deliver(deps, fixture('attachments-inline'), { at: T0 });
    const { body } = await getJson<InboundBodyView>(`/api/inbound/${id}/body`);
    expect(body.attachments.length).toBeGreaterThan(0);
    for (const a of body.attachments) expect(a).toEqual({ filename: expect.any(String), contentType: expect.any(String), size: expect.any(Number) });
  });

  it('is a 404 for an unknown id and for mail of another workspace', async () => {
    const deps = await seeded();
    await otherWorkspace(deps);
    const theirs = await deliver(deps, mail({ To: OTHER.mailbox, Subject: 'Other team' }), { to: OTHER.mailbox });
    await expectError(await call('/api/inbound/in_doesnotexist/body'), 404, 'not_found');
    await expectError(await call(`/api/inbound/${theirs}/body`), 404, 'not_found');
  });
});
