import { describe, expect, it } from 'vitest';
import { authenticate, parseAuthResults } from '../../../worker/ingest/authenticate.ts';

const ar = (value: string): [string, string] => ['authentication-results', value];
const CF = 'mx.cloudflare.net';

describe('authenticate: Cloudflare Authentication-Results into a verdict', () => {
  it('DMARC pass is verified', () => {
    const r = authenticate([ar(`${CF}; dkim=pass header.d=example.com header.s=s1; dmarc=pass header.from=example.com; spf=pass smtp.mailfrom=bounce@example.com`)], 'alice@example.com');
    expect(r).toMatchObject({ verdict: 'verified', reasons: ['dmarc:pass'], dmarc: 'pass' });
    expect(r.dkim).toEqual([{ result: 'pass', domain: 'example.com' }]);
    expect(r.spf).toEqual({ result: 'pass', domain: 'example.com' });
  });

  it('DKIM pass aligned with the From domain is verified without DMARC; unaligned is not', () => {
    expect(authenticate([ar(`${CF}; dkim=pass header.d=mail.example.com; dmarc=none`)], 'alice@example.com')).toMatchObject({ verdict: 'verified', reasons: ['dkim:pass:mail.example.com'] });
    expect(authenticate([ar(`${CF}; dkim=pass header.d=mailer.example.net; dmarc=none`)], 'alice@example.com').verdict).toBe('unverified');
  });

  it('aligned SPF pass is verified; SPF for another domain is not', () => {
    expect(authenticate([ar(`${CF}; spf=pass smtp.mailfrom=alice@example.com`)], 'alice@example.com').verdict).toBe('verified');
    expect(authenticate([ar(`${CF}; spf=pass smtp.mailfrom=bounces@sendgrid.example`)], 'alice@example.com').verdict).toBe('unverified');
  });

  it('DMARC fail, or DKIM and SPF both failing, is failed', () => {
    expect(authenticate([ar(`${CF}; dkim=pass header.d=example.com; dmarc=fail header.from=example.com`)], 'alice@example.com')).toMatchObject({ verdict: 'failed', reasons: ['dmarc:fail'] });
    expect(authenticate([ar(`${CF}; dkim=fail header.d=example.com; spf=fail smtp.mailfrom=alice@example.com`)], 'alice@example.com').verdict).toBe('failed');
  });

  it('no results at all is unverified, and says so', () => {
    expect(authenticate([], 'alice@example.com')).toMatchObject({ verdict: 'unverified', reasons: ['ar:missing'] });
    expect(authenticate([ar(`${CF}; none`)], 'alice@example.com')).toMatchObject({ verdict: 'unverified', reasons: ['dmarc:none'] });
  });

  it('reads only the topmost header: a forged pass below Cloudflare’s is never read', () => {
    const headers = [ar(`${CF}; dkim=none; dmarc=none; spf=softfail smtp.mailfrom=alice@example.com`), ar(`${CF}; dkim=pass header.d=example.com; dmarc=pass header.from=example.com`)];
    expect(authenticate(headers, 'alice@example.com').verdict).toBe('unverified');
  });

  it('a sender-supplied header from another authserv-id on top is not trusted (fail closed)', () => {
    expect(authenticate([ar('mx.evil.example; dmarc=pass header.from=example.com')], 'alice@example.com')).toMatchObject({ verdict: 'unverified', reasons: ['ar:untrusted:mx.evil.example'] });
    // A look-alike name is another name.
    expect(authenticate([ar('mx.cloudflare.net.evil.example; dmarc=pass')], 'alice@example.com').verdict).toBe('unverified');
  });

  it('fails closed on what does not parse', () => {
    expect(authenticate([ar(`${CF}; dmarc=pass (unbalanced comment`)], 'alice@example.com')).toMatchObject({ verdict: 'unverified', reasons: ['ar:unparsable'] });
    expect(authenticate([ar(`${CF}; this is not a result`)], 'alice@example.com')).toMatchObject({ verdict: 'unverified', reasons: ['ar:unparsable'] });
    expect(authenticate([ar('')], 'alice@example.com')).toMatchObject({ verdict: 'unverified', reasons: ['ar:unparsable'] });
  });

  it('comments, versions and quoted values are read as RFC 8601 has them', () => {
    const p = parseAuthResults(
      `${CF} 1; spf=pass (${CF}: domain of x@example.com designates 192.0.2.1 as permitted sender) smtp.mailfrom="x@example.com"; dkim/1=pass (good (nested) comment) header.d=example.com`,
    );
    expect(p.authservId).toBe(CF);
    expect(p.results).toEqual([
      { method: 'spf', result: 'pass', props: { 'smtp.mailfrom': 'x@example.com' } },
      { method: 'dkim', result: 'pass', props: { 'header.d': 'example.com' } },
    ]);
  });
});
