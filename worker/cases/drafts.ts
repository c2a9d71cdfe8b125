// Drafts on a case: the signed-in agent's own (read, saved with compare-and-set, cleared) and who
// else is drafting there. Saves and clears go through commit() like every other write.
import { and, desc, eq, ne } from 'drizzle-orm';
import { agents, cases, drafts, type Draft } from '../db/schema.ts';
import type { Db } from '../db/client.ts';
import type { Deps } from '../deps.ts';
import { commit } from '../changes/commit.ts';
import type { DrafterView, DraftView, SaveDraftBody } from '../protocol/drafts.ts';
import { draftView, planClearDraft, planSaveDraft, type DraftWho } from './draft-plan.ts';
import { CaseActionError } from './errors.ts';

/** A refused save: the draft stored now (null when there is none), for the device to show or merge. */
export class DraftConflict extends Error {
  readonly stored: DraftView | null;
  constructor(message: string, stored: DraftView | null) {
    super(message);
    this.name = 'DraftConflict';
    this.stored = stored;
  }
}

async function checkCase(db: Db, workspaceId: string, caseId: string): Promise<void> {
  const row = await db
    .select({ id: cases.id })
    .from(cases)
    .where(and(eq(cases.id, caseId), eq(cases.workspaceId, workspaceId)))
    .get();
  if (!row) throw new CaseActionError('not_found', 'case not found');
}

async function stored(db: Db, who: DraftWho): Promise<Draft | null> {
  return (
    (await db
      .select()
      .from(drafts)
      .where(and(eq(drafts.caseId, who.caseId), eq(drafts.agentId, who.agentId), eq(drafts.workspaceId, who.workspaceId)))
      .get()) ?? null
  );
}

export async function readDraft(db: Db, who: DraftWho): Promise<DraftView | null> {
  await checkCase(db, who.workspaceId, who.caseId);
  const d = await stored(db, who);
  return d ? draftView(d) : null;
}

export async function saveDraft(deps: Deps, who: DraftWho, body: SaveDraftBody): Promise<DraftView> {
  await checkCase(deps.db, who.workspaceId, who.caseId);
  const plan = planSaveDraft(who, await stored(deps.db, who), body, deps.now());
  if (!plan.ok) throw new DraftConflict(plan.message, plan.stored);
  await commit(deps, plan.change);
  return plan.draft;
}

export async function clearDraft(deps: Deps, who: DraftWho): Promise<void> {
  await checkCase(deps.db, who.workspaceId, who.caseId);
  const change = planClearDraft(who, await stored(deps.db, who));
  if (change) await commit(deps, change);
}

/** The other agents with a draft on the case, newest first: names and modes, not their text. */
export async function drafters(db: Db, workspaceId: string, caseId: string, exceptAgentId: string | null): Promise<DrafterView[]> {
  await checkCase(db, workspaceId, caseId);
  const mine = and(eq(drafts.caseId, caseId), eq(drafts.workspaceId, workspaceId));
  return db
    .select({ agentId: drafts.agentId, name: agents.name, mode: drafts.mode, updatedAt: drafts.updatedAt })
    .from(drafts)
    .innerJoin(agents, eq(agents.id, drafts.agentId))
    .where(exceptAgentId ? and(mine, ne(drafts.agentId, exceptAgentId)) : mine)
    .orderBy(desc(drafts.updatedAt));
}
