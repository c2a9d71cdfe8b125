// GET /api/attachments/:id: always a download of the stored bytes, never rendered, never another team's.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { attachments, inbound, mailboxes } from '../../../worker/db/schema.ts';
import type { Deps } from '../../../worker/deps.ts';
import type { CaseDetail } from '../../../worker/protocol/api.ts';
import { seeded } from '../helpers.ts';
import { call, DEMO, deliver, expectError, getJson, OTHER, otherWorkspace, withAttachments, type Part } from './client.ts';

const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) % 256);

/** Delivers one message with the given parts and returns the case view of its case. */
async function caseWith(deps: Deps, parts: Part[], to: string = DEMO.mailbox): Promise<CaseDetail> {
  const inboundId = await deliver(deps, withAttachments({ To: to, Subject: `parts ${crypto.randomUUID()}` }, 'see attached', parts), { to });
  const row = await deps.db.select().from(inbound).where(eq(inbound.id, inboundId)).get();
  expect(row!.status).toBe('processed');
  const { body } = await getJson<CaseDetail>(`/api/cases/${row!.caseId}`);
  return body;
}

describe('GET /api/attachments/:id', () => {
  it('returns the exact bytes as a download that the browser will not sniff or render', async () => {
    const deps = await seeded();
    const content = bytes(3000);
    const detail = await caseWith(deps, [{ disposition: 'attachment; filename="report.bin"', contentType: 'application/x-thing', content }]);
    const att = detail.messages[0]!.attachments[0]!;
    const res = await call(`/api/attachments/${att.id}`);
    expect(res.status).toBe(200);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(content);
    expect(res.headers.get('Content-Type')).toBe('application/octet-stream');
    expect(res.headers.get('Content-Disposition')).toBe(`attachment; filename="report.bin"; filename*=UTF-8''report.bin`);
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(res.headers.get('Content-Security-Policy')).toContain('sandbox');
    expect(res.headers.get('Content-Length')).toBe('3000');
    // The route's own caching survives the API's default of no-store.
    expect(res.headers.get('Cache-Control')).toBe('private, max-age=3600');
  });

  it("encodes the characters RFC 8187 does not allow in filename* (' ( ) * !)", async () => {
    const deps = await seeded();
    const detail = await caseWith(deps, [{ disposition: `attachment; filename="it's (1)*!.txt"`, contentType: 'text/plain', content: bytes(5) }]);
    const res = await call(`/api/attachments/${detail.messages[0]!.attachments[0]!.id}`);
    expect(res.headers.get('Content-Disposition')).toBe(`attachment; filename="it's (1)*!.txt"; filename*=UTF-8''it%27s%20%281%29%2A%21.txt`);
  });

  it('serves an HTML or SVG attachment as octet-stream, not as a page', async () => {
    const deps = await seeded();
    const html = new TextEncoder().encode('<script>alert(document.cookie)</script>');
    const detail = await caseWith(deps, [
      { disposition: 'attachment; filename="page.html"', contentType: 'text/html', content: html },
      { disposition: 'attachment; filename="image.svg"', contentType: 'image/svg+xml', content: html },
    ]);
    for (const att of detail.messages[0]!.attachments) {
      const res = await call(att.url!);
      expect(res.status).toBe(200);
      expect(res.headers.get('Content-Type')).toBe('application/octet-stream');
      expect(res.headers.get('Content-Disposition')).toMatch(/^attachment;/);
      expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
      await res.arrayBuffer();
    }
  });

  it('gives a non-ASCII name an ASCII fallback plus a UTF-8 filename*', async () => {
    const deps = await seeded();
    const detail = await caseWith(deps, [{ disposition: `attachment; filename*=UTF-8''r%C3%A9sum%C3%A9%20%E2%82%AC.pdf`, contentType: 'application/pdf', content: bytes(10) }]);
    const att = detail.messages[0]!.attachments[0]!;
    expect(att.filename).toBe('résumé €.pdf');
    const res = await call(att.url!);
    await res.arrayBuffer();
    expect(res.headers.get('Content-Disposition')).toBe(`attachment; filename="r_sum_ _.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%E2%82%AC.pdf`);
  });

  it('cannot be made to break out of the quoted filename', async () => {
    const deps = await seeded();
    const detail = await caseWith(deps, [{ disposition: `attachment; filename="a\\"b\\\\c; x=.exe"`, contentType: 'application/octet-stream', content: bytes(4) }]);
    const att = detail.messages[0]!.attachments[0]!;
    const res = await call(att.url!);
    await res.arrayBuffer();
    const header = res.headers.get('Content-Disposition')!;
    const quoted = /^attachment; filename="([^"\\]*)"; filename\*=UTF-8''(\S+)$/.exec(header);
    expect(quoted, header).not.toBeNull();
    expect(decodeURIComponent(quoted![2]!)).toBe(att.filename);
  });

  it('an unknown id is a 404 not_found', async () => {
    await seeded();
    const body = await expectError(await call('/api/attachments/att_nope-0'), 404, 'not_found');
    expect(body.error.message).toBe('attachment not found');
  });

  it('an attachment skipped by the mailbox policy has no url and its id is a 404', async () => {
    const deps = await seeded();
    await deps.db.update(mailboxes).set({ attachmentMaxBytes: 16 }).where(eq(mailboxes.id, DEMO.mailboxId));
    const detail = await caseWith(deps, [
      { disposition: 'attachment; filename="big.bin"', contentType: 'application/octet-stream', content: bytes(100) },
      { disposition: 'attachment; filename="small.txt"', contentType: 'text/plain', content: bytes(8) },
    ]);
    const [big, small] = detail.messages[0]!.attachments;
    expect(big).toMatchObject({ filename: 'big.bin', stored: false, url: null, size: 100 });
    expect(big!.skippedReason).toMatch(/^too-large/);
    expect(small).toMatchObject({ filename: 'small.txt', stored: true, skippedReason: null });
    await expectError(await call(`/api/attachments/${big!.id}`), 404, 'not_found');
    const ok = await call(small!.url!);
    expect(new Uint8Array(await ok.arrayBuffer())).toEqual(bytes(8));
  });

  it('a row whose bytes are missing from R2 is a 404, not a 500', async () => {
    const deps = await seeded();
    const detail = await caseWith(deps, [{ disposition: 'attachment; filename="gone.bin"', contentType: 'application/octet-stream', content: bytes(5) }]);
    const att = detail.messages[0]!.attachments[0]!;
    const row = await deps.db.select().from(attachments).where(eq(attachments.id, att.id)).get();
    await deps.raw.delete(row!.r2Key!);
    const body = await expectError(await call(att.url!), 404, 'not_found');
    expect(body.error.message).toBe('attachment content not found');
  });

  it("another workspace's attachment is a 404", async () => {
    const deps = await seeded();
    await otherWorkspace(deps);
    await deliver(
      deps,
      withAttachments({ To: OTHER.mailbox, Subject: 'theirs' }, 'secret', [{ disposition: 'attachment; filename="secret.pdf"', contentType: 'application/pdf', content: bytes(20) }]),
      {
        to: OTHER.mailbox,
      },
    );
    const [theirs] = await deps.db.select().from(attachments).where(eq(attachments.workspaceId, OTHER.workspaceId));
    expect(theirs!.r2Key).not.toBeNull();
    await expectError(await call(`/api/attachments/${theirs!.id}`), 404, 'not_found');
  });
});
