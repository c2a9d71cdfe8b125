import { describe, expect, it } from 'vitest';
import { signReplyToken, tokenFromAddress, verifyReplyToken } from '../../../worker/mail/tokens.ts';
import { newId } from '../../../worker/protocol/ids.ts';

const KEY = 'test-secret-one';

describe('reply tokens', () => {
  it('round-trips a case id', async () => {
    const caseId = newId('case', Date.UTC(2025, 5, 3));
    const token = await signReplyToken(KEY, caseId);
    expect(token).toMatch(/^[0-9a-z]+-c-[0-9a-z]{16}$/);
    expect(token.startsWith(`${caseId.slice('case_'.length)}-c-`)).toBe(true);
    expect(await verifyReplyToken(KEY, token)).toEqual({ ok: true, caseId, purpose: 'c' });
  });

  it('signs the same case the same way with or without the prefix', async () => {
    expect(await signReplyToken(KEY, 'case_01jabcdefg')).toBe(await signReplyToken(KEY, '01jabcdefg'));
  });

  it('still verifies when a mail system upper-cases the local part', async () => {
    const token = await signReplyToken(KEY, 'case_01jabcdefg');
    expect(await verifyReplyToken(KEY, token.toUpperCase())).toEqual({ ok: true, caseId: 'case_01jabcdefg', purpose: 'c' });
  });

  it('rejects a tampered mac', async () => {
    const token = await signReplyToken(KEY, 'case_01jabcdefg');
    const last = token.at(-1)!;
    const tampered = token.slice(0, -1) + (last === 'a' ? 'b' : 'a');
    expect(await verifyReplyToken(KEY, tampered)).toEqual({ ok: false, reason: 'token-bad-signature' });
  });

  it('rejects a mac moved onto another case', async () => {
    const token = await signReplyToken(KEY, 'case_01jabcdefg');
    const mac = token.split('-')[2]!;
    expect(await verifyReplyToken(KEY, `01jabcdefh-c-${mac}`)).toEqual({ ok: false, reason: 'token-bad-signature' });
  });

  it('rejects a token signed with another key', async () => {
    const token = await signReplyToken('another-secret', 'case_01jabcdefg');
    expect(await verifyReplyToken(KEY, token)).toEqual({ ok: false, reason: 'token-bad-signature' });
  });

  it('calls garbage malformed', async () => {
    expect(await verifyReplyToken(KEY, 'abc')).toEqual({ ok: false, reason: 'token-malformed' });
    expect(await verifyReplyToken(KEY, '')).toEqual({ ok: false, reason: 'token-malformed' });
  });

  it('takes the token from a plus address', () => {
    expect(tokenFromAddress('reply+abc@x.test')).toBe('abc');
    expect(tokenFromAddress('Reply+ABC@X.test')).toBe('abc');
  });

  it('finds no token without a plus part', () => {
    expect(tokenFromAddress('support@acme.test')).toBeNull();
    expect(tokenFromAddress('reply+@acme.test')).toBeNull();
  });
});
