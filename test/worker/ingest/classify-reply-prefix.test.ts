// A terse vacation answer (Precedence: junk, no out-of-office text, no In-Reply-To) is known by its
// reply prefix, in any language mail/subject.ts knows, not only "Re:".
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../worker/ingest/analyze.ts';
import vacationPrecedenceJunk from '../../fixtures/vacation-precedence-junk.eml?raw';

const OWN = 'support@acme.test';

async function classifyText(text: string) {
  const envelopeFrom = /^Return-Path: <([^>]*)>/m.exec(text)?.[1] ?? '';
  const a = await analyze({ raw: new TextEncoder().encode(text), envelopeFrom, recipient: OWN, ownAddresses: [OWN] });
  if (!a.ok) throw new Error(a.reason);
  return a.classification;
}

/** The fixture answered only by its subject: no In-Reply-To, a short text. */
function terse(subject: string): string {
  return vacationPrecedenceJunk
    .replace(/^In-Reply-To: .*\r\n/m, '')
    .replace(/^Subject: .*$/m, `Subject: ${subject}`)
    .replace(/\r\n\r\nI am away[\s\S]*$/, '\r\n\r\nBack on 16 June.\r\n');
}

describe('reply prefixes in the vacation rule', () => {
  for (const prefix of ['Re:', 'AW:', 'SV:', 'Antw:', 'RE[2]:']) {
    it(`"${prefix}" with Precedence: junk is an auto-reply`, async () => {
      expect(await classifyText(terse(`${prefix} [#1] Order 4471 arrived with a cracked lid`))).toEqual({ kind: 'auto-reply', reasons: ['precedence:junk'] });
    });
  }

  it('without any reply prefix, Precedence: junk alone is not an auto-reply', async () => {
    expect((await classifyText(terse('Order 4471 arrived with a cracked lid'))).kind).not.toBe('auto-reply');
  });
});
