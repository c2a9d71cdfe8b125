// `{{sla.first_response}}` in the acknowledgement of a new case, through the real pipeline: the due
// time of the case's SLA clock, in the office's zone, instead of the "as soon as we can" fallback.
import { env } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { calendars, cases, mailboxes, outbox, outboxRecipients } from '../../../worker/db/schema.ts';
import type { Deps } from '../../../worker/deps.ts';
import { receiveEmail } from '../../../worker/ingest/receive.ts';
import { outgoingMime } from '../../../worker/mail/outbox.ts';
import { formatReopening } from '../../../worker/mail/templates.ts';
import { DEMO, incoming, mail, seeded } from '../helpers.ts';

const ALL_DAY = { start: '00:00', end: '24:00' };

/** The demo mailbox with its SLA policy and an office that is always open, so the ordinary wording goes out. */
async function alwaysOpen(): Promise<Deps> {
  const deps = await seeded({ acks: true });
  const now = Date.now();
  await deps.db.insert(calendars).values({
    id: 'cal_open',
    workspaceId: DEMO.workspaceId,
    name: 'Always open',
    timeZone: 'Europe/Berlin',
    weekly: JSON.stringify(Object.fromEntries([0, 1, 2, 3, 4, 5, 6].map((d) => [d, [ALL_DAY]]))),
    holidays: '[]',
    createdAt: now,
    updatedAt: now,
  });
  await deps.db.update(mailboxes).set({ calendarId: 'cal_open' }).where(eq(mailboxes.id, DEMO.mailboxId));
  return deps;
}

async function ackText(deps: Deps): Promise<string> {
  const [ack] = await deps.db.select().from(outboxRecipients).where(eq(outboxRecipients.kind, 'ack-create'));
  const row = (await deps.db.select().from(outbox).where(eq(outbox.id, ack!.outboxId)).get())!;
  return (await PostalMime.parse(await outgoingMime(env.RAW, row))).text ?? '';
}

describe('the acknowledgement names the first response due', () => {
  it("says when, in the office's zone, as the case's SLA clock has it", async () => {
    const deps = await alwaysOpen();
    await receiveEmail(incoming(mail()), deps);
    const kase = (await deps.db.select().from(cases).get())!;
    expect(kase.firstResponseDueAt).not.toBeNull();
    const text = await ackText(deps);
    expect(text).toContain(`Expected first response: ${formatReopening(kase.firstResponseDueAt!, kase.createdAt, 'Europe/Berlin', 'en')}.`);
    expect(text).not.toContain('as soon as we can');
  });

  it('without an SLA policy the fallback wording stays', async () => {
    const deps = await alwaysOpen();
    await deps.db.update(mailboxes).set({ slaPolicyId: null }).where(eq(mailboxes.id, DEMO.mailboxId));
    await receiveEmail(incoming(mail()), deps);
    expect(await ackText(deps)).toContain('Expected first response: as soon as we can.');
  });
});
