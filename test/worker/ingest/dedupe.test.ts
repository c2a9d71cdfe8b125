import { describe, expect, it } from 'vitest';
import { idempotencyKey } from '../../../worker/ingest/dedupe.ts';
import { prescan } from '../../../worker/ingest/prescan.ts';
import { fixture, fixtureText } from '../../fixtures/index.ts';

const enc = new TextEncoder();

function key(raw: Uint8Array, envelopeFrom: string): Promise<string> {
  return idempotencyKey(prescan(raw), raw, envelopeFrom);
}

const RELAY = 'Received: from relay2.example.net (relay2.example.net [203.0.113.200])\r\n\tby mx2.acme.test with ESMTPS id Zz99; Tue, 03 Jun 2025 09:15:02 +0000\r\n';
const prepend = (name: string, header = RELAY) => enc.encode(header + fixtureText(name));

describe('dedupe: idempotency key', () => {
  it('gives the same bytes the same key', async () => {
    const a = await key(fixture('plain'), 'alice@example.com');
    const b = await key(fixture('plain').slice(), 'alice@example.com');
    expect(a).toBe(b);
    expect(a).toMatch(/^mid:[0-9a-f]{64}$/);
  });

  it('ignores trace headers a relay adds when there is a Message-ID', async () => {
    const a = await key(fixture('plain'), 'alice@example.com');
    const b = await key(prepend('plain'), 'alice@example.com');
    expect(b).toBe(a);
  });

  it('keys on sender and Message-ID: a different envelope sender does not matter when From is set', async () => {
    expect(await key(fixture('plain'), 'bounces+123@example.com')).toBe(await key(fixture('plain'), 'alice@example.com'));
  });

  it('gives a different sender with the same Message-ID a different key', async () => {
    const forged = enc.encode(fixtureText('plain').replace('From: Alice Example <alice@example.com>', 'From: Mallory Example <mallory@example.org>'));
    expect(await key(forged, 'mallory@example.org')).not.toBe(await key(fixture('plain'), 'alice@example.com'));
  });

  it('hashes authored headers and body when there is no Message-ID', async () => {
    const a = await key(fixture('no-message-id'), 'heidi@example.net');
    expect(a).toMatch(/^body:[0-9a-f]{64}$/);
    expect(await key(prepend('no-message-id'), 'heidi@example.net')).toBe(a);
    expect(await key(prepend('no-message-id', `X-Relay-Scan: clean\r\n${RELAY}`), 'heidi@example.net')).toBe(a);
  });

  it('tells apart two Message-ID-less mails that differ in body or subject', async () => {
    const a = await key(fixture('no-message-id'), 'heidi@example.net');
    const body = enc.encode(fixtureText('no-message-id').replace('Saturday afternoons', 'Sunday afternoons'));
    const subject = enc.encode(fixtureText('no-message-id').replace('Subject: Opening hours on Saturday?', 'Subject: Opening hours on Sunday?'));
    expect(await key(body, 'heidi@example.net')).not.toBe(a);
    expect(await key(subject, 'heidi@example.net')).not.toBe(a);
  });
});
