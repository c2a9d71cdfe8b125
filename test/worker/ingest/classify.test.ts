import { describe, expect, it } from 'vitest';
import { classify, type ClassifyInput } from '../../../worker/ingest/classify.ts';
import { parseMail, type ParsedMail } from '../../../worker/ingest/parse.ts';
import { fixture, fixtureText } from '../../fixtures/index.ts';

const OWN = ['support@acme.test'];

function input(m: ParsedMail, envelopeFrom: string, ownAddresses = OWN): ClassifyInput {
  return {
    headers: m.headers,
    envelopeFrom,
    fromEmail: m.from?.email ?? null,
    subject: m.subject,
    partTypes: m.attachments.map((a) => a.contentType),
    ownAddresses,
  };
}

async function classifyFixture(name: string, envelopeFrom: string, ownAddresses = OWN) {
  return classify(input(await parseMail(fixture(name)), envelopeFrom, ownAddresses));
}

/** A fixture with its Subject header replaced. */
async function withSubject(name: string, subject: string): Promise<ParsedMail> {
  const text = fixtureText(name).replace(/^Subject: .*$/m, `Subject: ${subject}`);
  return parseMail(new TextEncoder().encode(text));
}

describe('classify', () => {
  it('calls a customer question human', async () => {
    expect(await classifyFixture('plain', 'alice@example.com')).toEqual({ kind: 'human', reasons: [] });
    expect(await classifyFixture('alternative', 'dave@example.net')).toEqual({ kind: 'human', reasons: [] });
    expect(await classifyFixture('iso2022jp', 'yamada@example.org')).toEqual({ kind: 'human', reasons: [] });
  });

  it('spots an Exchange out-of-office reply', async () => {
    const c = await classifyFixture('ooo-exchange', 'bob@example.net');
    expect(c.kind).toBe('auto-reply');
    expect(c.reasons[0]).toBe('auto-submitted:auto-replied');
    expect(c.reasons).toContain('subject:out-of-office');
    expect(c.reasons).not.toContain('null-sender');
  });

  it('spots an out-of-office reply by subject alone', async () => {
    const m = await withSubject('plain', 'Out of Office: back on Monday');
    expect(classify(input(m, 'alice@example.com'))).toEqual({ kind: 'auto-reply', reasons: ['subject:out-of-office'] });
  });

  it('does not count Auto-Submitted: no', async () => {
    const text = fixtureText('plain').replace('MIME-Version: 1.0\r\n', 'MIME-Version: 1.0\r\nAuto-Submitted: no\r\n');
    const m = await parseMail(new TextEncoder().encode(text));
    expect(classify(input(m, 'alice@example.com')).kind).toBe('human');
  });

  it('calls a multipart/report delivery-status a bounce', async () => {
    const c = await classifyFixture('bounce-dsn', '');
    expect(c.kind).toBe('bounce');
    expect(c.reasons[0]).toBe('dsn:multipart-report');
    expect(c.reasons).toContain('mailer-daemon');
  });

  it('calls a bounce a bounce even with a non-null envelope sender', async () => {
    const c = await classifyFixture('bounce-dsn', 'bounces@mx.example.net');
    expect(c.kind).toBe('bounce');
    expect(c.reasons).toContain('dsn:multipart-report');
  });

  it('calls mailing-list mail list', async () => {
    const c = await classifyFixture('list', 'users-bounces+support=acme.test@lists.example.org');
    expect(c.kind).toBe('list');
    expect(c.reasons).toContain('list-id');
    expect(c.reasons).toContain('precedence:list');
    expect(c.reasons).toContain('list-unsubscribe');
  });

  it('calls mail from one of our own addresses a loop, before anything else', async () => {
    const c = await classifyFixture('plain', 'alice@example.com', ['support@acme.test', 'Alice@Example.COM']);
    expect(c).toEqual({ kind: 'loop', reasons: ['own-address'] });
    // An auto-reply from our own address is still a loop: answering it is how loops start.
    const ooo = await classifyFixture('ooo-exchange', 'bob@example.net', ['support@acme.test', 'bob@example.net']);
    expect(ooo.kind).toBe('loop');
  });

  it('calls mail carrying our X-Loop header a loop', async () => {
    const text = fixtureText('plain').replace('MIME-Version: 1.0\r\n', 'MIME-Version: 1.0\r\nX-Loop: support@acme.test\r\n');
    const c = classify(input(await parseMail(new TextEncoder().encode(text)), 'alice@example.com'));
    expect(c).toEqual({ kind: 'loop', reasons: ['x-loop'] });
  });

  it('calls mail with only a null envelope sender work nobody answers, not a bounce', async () => {
    expect(await classifyFixture('plain', '')).toEqual({ kind: 'human', reasons: ['null-sender'], machine: true });
    expect(await classifyFixture('plain', '<>')).toEqual({ kind: 'human', reasons: ['null-sender'], machine: true });
  });

  it('keeps a customer whose subject sounds like a bounce human', async () => {
    const m = await withSubject('plain', 'Undeliverable email from your shop');
    expect(m.subject).toBe('Undeliverable email from your shop');
    expect(classify(input(m, 'alice@example.com'))).toEqual({ kind: 'human', reasons: [] });
    // The same subject from the null sender is a bounce.
    const c = classify(input(m, ''));
    expect(c.kind).toBe('bounce');
    expect(c.reasons).toEqual(['null-sender', 'subject:bounce']);
  });

  it('flags spam marked upstream', async () => {
    const text = fixtureText('plain').replace('MIME-Version: 1.0\r\n', 'MIME-Version: 1.0\r\nX-Spam-Flag: YES\r\n');
    const c = classify(input(await parseMail(new TextEncoder().encode(text)), 'alice@example.com'));
    expect(c).toEqual({ kind: 'spam-flagged', reasons: ['x-spam-flag'] });
  });
});
