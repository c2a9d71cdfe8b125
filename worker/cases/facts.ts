// facts: what a change to a case needs to know, read in ONE D1 batch: the case with its mailbox, the
// SLA policy it runs under with the mailbox's calendar, and the agents the change names (active ones
// of the same workspace only: any other name is refused by the plan), and the case's tags with the
// workspace's tags the change names.
import { and, eq, inArray, sql } from 'drizzle-orm';
import { agents, calendars, caseTags, cases, mailboxes, slaPolicies, tags } from '../db/schema.ts';
import type { Db } from '../db/client.ts';
import { slaContextFrom } from '../sla/transition.ts';
import { CaseActionError } from './errors.ts';
import type { CaseFacts } from './plan.ts';

export async function gatherCaseFacts(db: Db, workspaceId: string, caseId: string, agentIds: string[] = [], tagKeys: string[] = []): Promise<CaseFacts> {
  const theCase = and(eq(cases.id, caseId), eq(cases.workspaceId, workspaceId));
  // Subqueries keep it one round trip: the policy and calendar ids are the case's and its mailbox's.
  const policyId = db.select({ id: cases.slaPolicyId }).from(cases).where(theCase);
  const mailboxId = db.select({ id: cases.mailboxId }).from(cases).where(theCase);
  const calendarId = db.select({ id: mailboxes.calendarId }).from(mailboxes).where(inArray(mailboxes.id, mailboxId));
  // No joins: in a D1 batch, rows come back as objects, and the joined tables' same-named columns would collide.
  const [found, boxes, policies, cals, named, onCase, namedTags] = await db.batch([
    db.select().from(cases).where(theCase).limit(1),
    db.select().from(mailboxes).where(inArray(mailboxes.id, mailboxId)).limit(1),
    db.select().from(slaPolicies).where(inArray(slaPolicies.id, policyId)).limit(1),
    db.select().from(calendars).where(inArray(calendars.id, calendarId)).limit(1),
    db
      .select()
      .from(agents)
      .where(and(eq(agents.workspaceId, workspaceId), eq(agents.active, true), agentIds.length ? inArray(agents.id, agentIds) : sql`0`)),
    caseTagsOf(db, workspaceId, [caseId]),
    tagsNamed(db, workspaceId, tagKeys),
  ]);
  const [kase, mailbox] = [found[0], boxes[0]];
  if (!kase || !mailbox) throw new CaseActionError('not_found', 'case not found');
  return { kase, mailbox, sla: slaContextFrom(mailbox, policies[0], cals[0]), agents: named, tags: onCase.map((r) => r.tag), namedTags };
}

/** The tags of some cases (at most 90 ids: a statement binds at most 100 values), by key. */
export function caseTagsOf(db: Db, workspaceId: string, caseIds: string[]) {
  return db
    .select({ caseId: caseTags.caseId, tag: tags })
    .from(caseTags)
    .innerJoin(tags, eq(tags.id, caseTags.tagId))
    .where(and(eq(caseTags.workspaceId, workspaceId), inArray(caseTags.caseId, caseIds)))
    .orderBy(tags.key);
}

/** The workspace's tags with these keys (an edit names at most 40). */
export function tagsNamed(db: Db, workspaceId: string, keys: string[]) {
  return db
    .select()
    .from(tags)
    .where(and(eq(tags.workspaceId, workspaceId), keys.length ? inArray(tags.key, keys) : sql`0`));
}
