// The acknowledgement's language, through the real pipeline: the off-hours wording exists in
// several languages, and the customer's own mail (Content-Language, then Accept-Language) picks one.
import { env } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { calendars, mailboxes, outbox, outboxRecipients } from '../../../worker/db/schema.ts';
import type { Deps } from '../../../worker/deps.ts';
import { receiveEmail } from '../../../worker/ingest/receive.ts';
import { outgoingMime } from '../../../worker/mail/outbox.ts';
import { DEMO, incoming, mail, seeded } from '../helpers.ts';

const ALL_DAY = { start: '00:00', end: '24:00' };

/** A mailbox whose office is closed today (a holiday), so a new case gets the off-hours wording. */
async function closedToday(): Promise<Deps> {
  const deps = await seeded({ acks: true });
  const now = Date.now();
  await deps.db.insert(calendars).values({
    id: 'cal_holiday',
    workspaceId: DEMO.workspaceId,
    name: 'Closed today',
    timeZone: 'Europe/Berlin',
    weekly: JSON.stringify(Object.fromEntries([0, 1, 2, 3, 4, 5, 6].map((d) => [d, [ALL_DAY]]))),
    // Yesterday to tomorrow in UTC: whatever the hour, today in Berlin is among them.
    holidays: JSON.stringify([-1, 0, 1].map((d) => new Date(deps.now() + d * 86_400_000).toISOString().slice(0, 10))),
    createdAt: now,
    updatedAt: now,
  });
  await deps.db.update(mailboxes).set({ calendarId: 'cal_holiday' }).where(eq(mailboxes.id, DEMO.mailboxId));
  return deps;
}

async function ackText(deps: Deps, headers: Record<string, string>): Promise<string> {
  await receiveEmail(incoming(mail(headers)), deps);
  const [ack] = await deps.db.select().from(outboxRecipients).where(eq(outboxRecipients.kind, 'ack-create'));
  const row = (await deps.db.select().from(outbox).where(eq(outbox.id, ack!.outboxId)).get())!;
  return (await PostalMime.parse(await outgoingMime(env.RAW, row))).text ?? '';
}

describe("the acknowledgement speaks the customer's language", () => {
  it('a mail written in German (Content-Language) gets the German wording and a German reopening time', async () => {
    const text = await ackText(await closedToday(), { 'Content-Language': 'de-DE' });
    expect(text).toContain('Unser Team ist gerade nicht im Dienst');
    expect(text).toMatch(/Wir sind am \S+ um \d\d:\d\d Uhr \(Europe\/Berlin\) wieder da/);
    expect(text).not.toContain('Our team is away');
  });

  it('a reader of French before English (Accept-Language by q-value) gets the French wording', async () => {
    const text = await ackText(await closedToday(), { 'Accept-Language': 'en;q=0.4, fr-CH;q=0.9' });
    expect(text).toContain('Notre équipe est absente');
  });

  it('a language we have no wording for falls back to English', async () => {
    const text = await ackText(await closedToday(), { 'Content-Language': 'ja', 'Accept-Language': 'ko' });
    expect(text).toContain('Our team is away right now');
  });

  it("the mailbox's own off-hours template wins over the built-in languages", async () => {
    const deps = await closedToday();
    const own = { subject: 'Re: {{case.subject}}', text: 'Closed until {{office.reopens}}. Case {{case.number}}.' };
    await deps.db
      .update(mailboxes)
      .set({ ackOffHoursTemplate: JSON.stringify(own) })
      .where(eq(mailboxes.id, DEMO.mailboxId));
    const text = await ackText(deps, { 'Content-Language': 'de' });
    expect(text).toMatch(/^Closed until \S+ .*\(Europe\/Berlin\)\. Case 1\./);
  });
});
