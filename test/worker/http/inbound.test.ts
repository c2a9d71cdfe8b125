// GET /api/inbound (the exception log), /api/inbound/:id and /api/inbound/:id/raw.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { fixture } from '../../fixtures/index.ts';
import { inbound } from '../../../worker/db/schema.ts';
import type { Deps } from '../../../worker/deps.ts';
import type { InboundView, Page } from '../../../worker/protocol/api.ts';
import { seeded } from '../helpers.ts';
import { call, DEMO, deliver, expectError, getJson, mail, OTHER, otherWorkspace } from './client.ts';

const T0 = Date.UTC(2026, 10, 23, 9, 0);

/** A new case, a bounce (ignored) and a stranger writing into case #1 (quarantined). */
async function threeKinds(deps: Deps): Promise<{ plain: string; bounce: string; stranger: string }> {
  const plain = await deliver(deps, fixture('plain'), { at: T0, from: 'alice@example.com' });
  const bounce = await deliver(deps, fixture('bounce-dsn'), { at: T0 + 1000, from: 'MAILER-DAEMON@mx.example.net' });
  const stranger = await deliver(deps, fixture('stranger-subject-tag'), { at: T0 + 2000, from: 'mallory@example.org' });
  return { plain, bounce, stranger };
}

const ids = async (query: string) => (await getJson<Page<InboundView>>(`/api/inbound${query}`)).body.items.map((i) => i.id);

describe('GET /api/inbound', () => {
  it('is empty before any mail', async () => {
    await seeded();
    const { res, body } = await getJson<Page<InboundView>>('/api/inbound');
    expect(res.status).toBe(200);
    expect(body).toEqual({ items: [], nextCursor: null });
  });

  it('lists every inbound message, newest first, with its outcome', async () => {
    const deps = await seeded();
    const { plain, bounce, stranger } = await threeKinds(deps);
    const { body } = await getJson<Page<InboundView>>('/api/inbound');
    expect(body.items.map((i) => i.id)).toEqual([stranger, bounce, plain]);
    expect(body.nextCursor).toBeNull();
    const [s, b, p] = body.items;
    expect(p).toMatchObject({
      mailboxId: DEMO.mailboxId,
      envelopeFrom: 'alice@example.com',
      envelopeTo: DEMO.mailbox,
      fromEmail: 'alice@example.com',
      subject: 'Order 4471 arrived with a cracked lid',
      rawSize: fixture('plain').byteLength,
      status: 'processed',
      reason: null,
      attempts: 0,
      lastError: null,
      receivedAt: T0,
      processedAt: T0,
    });
    expect(p!.caseId).toMatch(/^case_/);
    expect(p!.messageId).toMatch(/^msg_/);
    expect(b).toMatchObject({ status: 'ignored', reason: 'bounce', caseId: null, messageId: null });
    expect(s).toMatchObject({ status: 'quarantined', reason: 'not-a-participant', caseId: p!.caseId, fromEmail: 'mallory@example.org' });
    // The decision is served as JSON, not as a string of JSON.
    expect(typeof s!.decision).toBe('object');
    expect(s!.decision).toMatchObject({ decision: { action: 'quarantine', reason: 'not-a-participant' } });
  });

  it('filters by status, with held meaning quarantined and ignored together', async () => {
    const deps = await seeded();
    const { plain, bounce, stranger } = await threeKinds(deps);
    expect(await ids('?status=all')).toEqual([stranger, bounce, plain]);
    expect(await ids('?status=held')).toEqual([stranger, bounce]);
    expect(await ids('?status=processed')).toEqual([plain]);
    expect(await ids('?status=ignored')).toEqual([bounce]);
    expect(await ids('?status=quarantined')).toEqual([stranger]);
    expect(await ids('?status=failed')).toEqual([]);
    expect(await ids('?status=received')).toEqual([]);
  });

  it('pages with limit and cursor', async () => {
    const deps = await seeded();
    const { plain, bounce, stranger } = await threeKinds(deps);
    const first = await getJson<Page<InboundView>>('/api/inbound?limit=2');
    expect(first.body.items.map((i) => i.id)).toEqual([stranger, bounce]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect(await ids(`?limit=2&cursor=${encodeURIComponent(first.body.nextCursor!)}`)).toEqual([plain]);
    const held = await getJson<Page<InboundView>>('/api/inbound?status=held&limit=1');
    expect(held.body.items.map((i) => i.id)).toEqual([stranger]);
    expect(await ids(`?status=held&limit=1&cursor=${encodeURIComponent(held.body.nextCursor!)}`)).toEqual([bounce]);
  });

  it.each(['?status=deleted', '?status=active', '?limit=0', '?limit=500', '?limit=abc', '?cursor=%25%25', `?cursor=${btoa('[1]')}`])('%s is a 400 bad_request', async (query) => {
    await seeded();
    await expectError(await call(`/api/inbound${query}`), 400, 'bad_request');
  });

  it("does not list another workspace's mail", async () => {
    const deps = await seeded();
    await otherWorkspace(deps);
    await deliver(deps, mail({ To: OTHER.mailbox }), { to: OTHER.mailbox });
    expect(await deps.db.select().from(inbound)).toHaveLength(1);
    expect(await ids('')).toEqual([]);
  });
});

describe('GET /api/inbound/:id', () => {
  it('returns one row', async () => {
    const deps = await seeded();
    const { bounce } = await threeKinds(deps);
    const { res, body } = await getJson<InboundView>(`/api/inbound/${bounce}`);
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ id: bounce, status: 'ignored', reason: 'bounce', subject: 'Undelivered Mail Returned to Sender' });
  });

  it('an unknown or foreign id is a 404', async () => {
    const deps = await seeded();
    await otherWorkspace(deps);
    const theirs = await deliver(deps, mail({ To: OTHER.mailbox }), { to: OTHER.mailbox });
    await expectError(await call('/api/inbound/in_nothing'), 404, 'not_found');
    await expectError(await call(`/api/inbound/${theirs}`), 404, 'not_found');
  });
});

describe('GET /api/inbound/:id/raw', () => {
  it('returns the exact bytes as message/rfc822, including 8-bit and bare line endings', async () => {
    const deps = await seeded();
    const head = new TextEncoder().encode(mail({ Subject: 'raw bytes', 'Content-Type': 'text/plain; charset=iso-8859-1', 'Content-Transfer-Encoding': '8bit' }, ''));
    const body = Uint8Array.from([0x43, 0x61, 0x66, 0xe9, 0x0a, 0x6e, 0x61, 0xef, 0x76, 0x65, 0x0d, 0x0a, 0x00, 0xff, 0x0d, 0x0a]);
    const raw = new Uint8Array(head.byteLength + body.byteLength);
    raw.set(head);
    raw.set(body, head.byteLength);
    const id = await deliver(deps, raw);
    const res = await call(`/api/inbound/${id}/raw`);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('message/rfc822');
    expect(res.headers.get('Content-Disposition')).toBe(`attachment; filename="${id}.eml"`);
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(raw);
  });

  it('serves held mail too (a quarantined message is what an admin wants to read)', async () => {
    const deps = await seeded();
    const { stranger, bounce } = await threeKinds(deps);
    for (const [id, name] of [
      [stranger, 'stranger-subject-tag'],
      [bounce, 'bounce-dsn'],
    ] as const) {
      const res = await call(`/api/inbound/${id}/raw`);
      expect(res.status).toBe(200);
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(fixture(name));
    }
  });

  it('an unknown or foreign id is a 404; a row whose raw is gone is a 404', async () => {
    const deps = await seeded();
    await otherWorkspace(deps);
    const theirs = await deliver(deps, mail({ To: OTHER.mailbox }), { to: OTHER.mailbox });
    await expectError(await call('/api/inbound/in_nothing/raw'), 404, 'not_found');
    await expectError(await call(`/api/inbound/${theirs}/raw`), 404, 'not_found');
    const mine = await deliver(deps, mail());
    const row = await deps.db.select().from(inbound).where(eq(inbound.id, mine)).get();
    await deps.raw.delete(row!.rawKey);
    const body = await expectError(await call(`/api/inbound/${mine}/raw`), 404, 'not_found');
    expect(body.error.message).toBe('raw message not found');
  });
});
