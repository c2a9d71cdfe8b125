// Reading a mailbox's SLA policy and calendar from D1; what they mean for a case is in transition.ts.
import { eq } from 'drizzle-orm';
import { calendars, slaPolicies, type Mailbox } from '../db/schema.ts';
import type { Db } from '../db/client.ts';
import { calendarOf, slaContextFrom, type SlaContext } from './transition.ts';
import type { Calendar } from './calendar.ts';

export async function loadCalendar(db: Db, calendarId: string | null): Promise<Calendar | null> {
  if (!calendarId) return null;
  return calendarOf(await db.select().from(calendars).where(eq(calendars.id, calendarId)).get());
}

/** The policy a case of this mailbox runs under, or null when the mailbox has none. */
export async function slaContextFor(db: Db, mailbox: Mailbox, policyId: string | null = mailbox.slaPolicyId): Promise<SlaContext | null> {
  if (!policyId) return null;
  // The policy and the office hours in one round trip.
  const [policies, cals] = await db.batch([db.select().from(slaPolicies).where(eq(slaPolicies.id, policyId)).limit(1), calendarQuery(db, mailbox.calendarId)]);
  return slaContextFrom(mailbox, policies[0], cals[0]);
}

/** A calendar by id, for a caller's batch ('' is no calendar's id, so null finds nothing). */
export function calendarQuery(db: Db, calendarId: string | null) {
  return db
    .select()
    .from(calendars)
    .where(eq(calendars.id, calendarId ?? ''))
    .limit(1);
}

/** An SLA policy by id, for a caller's batch. */
export function slaPolicyQuery(db: Db, policyId: string | null) {
  return db
    .select()
    .from(slaPolicies)
    .where(eq(slaPolicies.id, policyId ?? ''))
    .limit(1);
}
