// What the SLA report reads: the cases opened in a range under a policy, with their mailbox's name and
// calendar settings and their assignee's name.
import { and, eq, gte, isNotNull, lt } from 'drizzle-orm';
import { agents, cases, mailboxes } from '../schema.ts';
import type { Db } from '../client.ts';

/** Cases of the workspace created in [from, to) that run under an SLA policy. */
export function slaReportCases(db: Db, workspaceId: string, from: number, to: number) {
  return db
    .select({ kase: cases, mailboxName: mailboxes.displayName, officeHours: mailboxes.slaOfficeHoursOnly, calendarId: mailboxes.calendarId, agentName: agents.name })
    .from(cases)
    .innerJoin(mailboxes, eq(mailboxes.id, cases.mailboxId))
    .leftJoin(agents, eq(agents.id, cases.assigneeId))
    .where(and(eq(cases.workspaceId, workspaceId), isNotNull(cases.slaPolicyId), gte(cases.createdAt, from), lt(cases.createdAt, to)));
}
