// A plus-addressed mailbox alias (support+billing@) is the sender's own sorting, not one of our reply
// tokens: through the real pipeline it opens a case in the mailbox, with no "malformed token" in
// its record; our reply address with a mangled token still says so.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { cases, inbound } from '../../../worker/db/schema.ts';
import type { Deps } from '../../../worker/deps.ts';
import { receiveEmail } from '../../../worker/ingest/receive.ts';
import { tokenFromAddress } from '../../../worker/mail/tokens.ts';
import { DEMO, incoming, mail, seeded } from '../helpers.ts';

const [LOCAL, DOMAIN] = DEMO.mailbox.split('@') as [string, string];

async function deliverTo(deps: Deps, to: string) {
  const result = await receiveEmail(incoming(mail({ To: to }), { to }), deps);
  const row = (await deps.db.select().from(inbound).get())!;
  return { result, row, decision: JSON.parse(row.decision ?? '{}') as unknown };
}

describe('a plus-addressed mailbox alias', () => {
  it(`${LOCAL}+billing@ opens a case in the mailbox, with no token in its record`, async () => {
    const deps = await seeded();
    const { row, decision } = await deliverTo(deps, `${LOCAL}+billing@${DOMAIN}`);
    expect(row.status).toBe('processed');
    const kase = (await deps.db.select().from(cases).get())!;
    expect(kase.mailboxId).toBe(DEMO.mailboxId);
    expect(decision).toMatchObject({ action: 'new-case', candidates: { token: null }, considered: [] });
  });

  it('a mangled reply token is still checked and its rejection recorded', async () => {
    const deps = await seeded();
    const { row, decision } = await deliverTo(deps, `reply+not-a-token@${DOMAIN}`);
    expect(row.status).toBe('processed');
    expect(await deps.db.select().from(cases).where(eq(cases.mailboxId, DEMO.mailboxId)).all()).toHaveLength(1);
    expect(decision).toMatchObject({ candidates: { token: 'not-a-token' }, considered: ['token: token-malformed'] });
  });

  it('which tags count as tokens', () => {
    expect(tokenFromAddress(`${LOCAL}+billing@${DOMAIN}`)).toBeNull();
    expect(tokenFromAddress(`${LOCAL}+order-4411@${DOMAIN}`)).toBeNull();
    expect(tokenFromAddress(`reply+anything@${DOMAIN}`)).toBe('anything');
    // Shaped like ours under another local part (a forwarder rewrote it): checked as a token.
    expect(tokenFromAddress(`${LOCAL}+0123456789-c-0123456789abcdef@${DOMAIN}`)).toBe('0123456789-c-0123456789abcdef');
    expect(tokenFromAddress(`${LOCAL}+@${DOMAIN}`)).toBeNull();
  });
});
