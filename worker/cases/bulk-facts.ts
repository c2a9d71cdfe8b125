// The facts of a bulk action: what gatherCaseFacts reads for one case, for up to 500 cases, in ONE
// D1 batch. A statement binds at most 100 values, so the cases (and their tags) are read in slices
// of ID_SLICE ids; the mailboxes, policies and calendars of the workspace are few and read whole.
import { and, eq, inArray, sql } from 'drizzle-orm';
import { agents, calendars, cases, mailboxes, slaPolicies } from '../db/schema.ts';
import type { Db } from '../db/client.ts';
import type { Stmt } from '../changes/rows.ts';
import { slaContextFrom } from '../sla/transition.ts';
import { caseTagsOf, tagsNamed } from './facts.ts';
import type { CaseFacts } from './plan.ts';

export const ID_SLICE = 90;

export function slices<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The facts of each case of the workspace among `caseIds`; a case of no (or another) workspace is missing from the map. */
export async function gatherManyCaseFacts(db: Db, workspaceId: string, caseIds: string[], agentIds: string[], tagKeys: string[]): Promise<Map<string, CaseFacts>> {
  const parts = slices(caseIds, ID_SLICE);
  const fixed = [
    db.select().from(mailboxes).where(eq(mailboxes.workspaceId, workspaceId)),
    db.select().from(slaPolicies).where(eq(slaPolicies.workspaceId, workspaceId)),
    db.select().from(calendars).where(eq(calendars.workspaceId, workspaceId)),
    db
      .select()
      .from(agents)
      .where(and(eq(agents.workspaceId, workspaceId), eq(agents.active, true), agentIds.length ? inArray(agents.id, agentIds) : sql`0`)),
    tagsNamed(db, workspaceId, tagKeys),
  ] as const;
  const caseReads = parts.map((ids) =>
    db
      .select()
      .from(cases)
      .where(and(eq(cases.workspaceId, workspaceId), inArray(cases.id, ids))),
  );
  const tagReads = parts.map((ids) => caseTagsOf(db, workspaceId, ids));
  const results = (await db.batch([...fixed, ...caseReads, ...tagReads] as unknown as [Stmt, ...Stmt[]])) as unknown[];
  const [boxes, policies, cals, named, namedTags] = results as [
    Awaited<(typeof fixed)[0]>,
    Awaited<(typeof fixed)[1]>,
    Awaited<(typeof fixed)[2]>,
    Awaited<(typeof fixed)[3]>,
    Awaited<(typeof fixed)[4]>,
  ];
  const found = results.slice(fixed.length, fixed.length + parts.length).flat() as Array<Awaited<(typeof caseReads)[number]>[number]>;
  const tagged = results.slice(fixed.length + parts.length).flat() as Array<Awaited<ReturnType<typeof caseTagsOf>>[number]>;
  const out = new Map<string, CaseFacts>();
  for (const kase of found) {
    const mailbox = boxes.find((m) => m.id === kase.mailboxId);
    if (!mailbox) continue;
    const policy = policies.find((p) => p.id === kase.slaPolicyId);
    const calendar = cals.find((c) => c.id === mailbox.calendarId);
    const tags = tagged.filter((t) => t.caseId === kase.id).map((t) => t.tag);
    out.set(kase.id, { kase, mailbox, sla: slaContextFrom(mailbox, policy, calendar), agents: named, tags, namedTags });
  }
  return out;
}
