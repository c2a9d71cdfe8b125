// The demo workspace `npm start` creates: two agents and a support mailbox. Idempotent (fixed ids,
// INSERT OR IGNORE), so running it on every start changes nothing the second time. The demo agents
// get the demo password only while they have none, so one an admin set is kept.
import { and, eq, inArray, isNull } from 'drizzle-orm';
import { agents, calendars, mailboxes, slaPolicies, workspaces } from './schema.ts';
import type { Db } from '../deps.ts';

export const DEMO = {
  workspaceId: 'ws_demo',
  mailboxId: 'mbx_support',
  mailbox: 'support@acme.test',
  calendarId: 'cal_office',
  slaPolicyId: 'sla_standard',
  /** The demo case whose first response falls due a few minutes after `npm start` (see dev.ts). */
  nearBreach: { messageId: 'demo-6@example.com', openedMinutesAgo: 236, dueInMinutes: 4 },
  /** The demo case whose acknowledgement bounces: its customer mistyped their own address. */
  bounced: { messageId: 'demo-8@exmaple.com' },
  agents: [
    { id: 'agt_ada', email: 'ada@acme.test', name: 'Ada Admin', role: 'admin' as const, tokenCode: 'ada001' },
    { id: 'agt_ben', email: 'ben@acme.test', name: 'Ben Agent', role: 'agent' as const, tokenCode: 'ben001' },
  ],
} as const;

export async function seedDemo(db: Db, now: number): Promise<void> {
  await db.batch([
    db.insert(workspaces).values({ id: DEMO.workspaceId, name: 'Acme Support', slug: 'acme', createdAt: now }).onConflictDoNothing(),
    ...DEMO.agents.map((a) =>
      db
        .insert(agents)
        .values({ ...a, workspaceId: DEMO.workspaceId, createdAt: now })
        .onConflictDoNothing(),
    ),
    // Office hours in Berlin, Monday to Friday 09:00–17:00.
    db
      .insert(calendars)
      .values({
        id: DEMO.calendarId,
        workspaceId: DEMO.workspaceId,
        name: 'Office hours (Berlin)',
        timeZone: 'Europe/Berlin',
        weekly: JSON.stringify(Object.fromEntries([1, 2, 3, 4, 5].map((d) => [d, [{ start: '09:00', end: '17:00' }]]))),
        holidays: JSON.stringify(['2026-12-24', '2026-12-25', '2026-12-26', '2027-01-01']),
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing(),
    // First response within 4 business hours (30 minutes when urgent), resolution within 2 days.
    db
      .insert(slaPolicies)
      .values({
        id: DEMO.slaPolicyId,
        workspaceId: DEMO.workspaceId,
        name: 'Standard',
        firstResponseMinutes: 240,
        nextResponseMinutes: 480,
        resolutionMinutes: 2 * 8 * 60,
        byPriority: JSON.stringify({ urgent: { firstResponse: 30, nextResponse: 60, resolution: 240 }, high: { firstResponse: 120 } }),
        pauseWhenPending: true,
        warnMinutes: 30,
        escalations: JSON.stringify([
          { on: 'warning', action: 'notify-assignee' },
          { on: 'breach', action: 'notify-assignee' },
          { on: 'breach', action: 'raise-priority' },
        ]),
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing(),
    db
      .insert(mailboxes)
      .values({
        id: DEMO.mailboxId,
        workspaceId: DEMO.workspaceId,
        address: DEMO.mailbox,
        displayName: 'Acme Support',
        defaultAssigneeId: null,
        // Mail delivered through wrangler's local email handler carries no Authentication-Results from
        // Cloudflare, so nothing local could be verified; a production mailbox keeps `token-only`.
        unverifiedPolicy: 'allow',
        slaPolicyId: DEMO.slaPolicyId,
        calendarId: DEMO.calendarId,
        slaOfficeHoursOnly: true,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing(),
  ]);
}

/**
 * Gives the demo agents that have no password yet one (each its own hash of `password`, so AUTH_MODE=
 * password can sign them in), and answers which ones it set. A password set earlier, by a previous
 * start or by an admin, stays.
 */
export async function setDemoPasswords(db: Db, password: string, hash: (password: string) => Promise<string>): Promise<string[]> {
  const ids = DEMO.agents.map((a) => a.id);
  const without = await db
    .select({ id: agents.id })
    .from(agents)
    .where(and(inArray(agents.id, ids), isNull(agents.passwordHash)));
  if (without.length === 0) return [];
  // Hashed first: a query builder is a thenable, so one returned from an async function would run.
  const hashes = await Promise.all(without.map(() => hash(password)));
  const updates = without.map(({ id }, i) =>
    db
      .update(agents)
      .set({ passwordHash: hashes[i]! })
      .where(and(eq(agents.id, id), isNull(agents.passwordHash))),
  );
  await db.batch(updates as [(typeof updates)[number], ...typeof updates]);
  return without.map((a) => a.id);
}
