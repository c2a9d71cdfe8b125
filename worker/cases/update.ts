// update: an agent's change to a case itself (status, priority, assignee, tags, snooze) as gather → plan → commit:
// the facts in one read batch, the pure plan (plan.ts), one commit with its event and any mail.
import type { Deps } from '../deps.ts';
import { commit } from '../changes/commit.ts';
import type { CaseSummary, UpdateCaseBody } from '../protocol/api.ts';
import { caseSummaryById } from './detail.ts';
import { gatherCaseFacts } from './facts.ts';
import { teamFacts } from './assign.ts';
import { CaseActionError } from './errors.ts';
import { namedAgents, namedTeam, planCaseChange, type Author, type CaseEdit } from './plan.ts';
import { namedTagKeys } from './tagging.ts';

/** The edits a PATCH body asks for, in a fixed order (the event lists its changes in it). */
export function editsOf(body: Omit<UpdateCaseBody, 'tags'> & { tags?: { add?: string[]; remove?: string[] } }): CaseEdit[] {
  const edits: CaseEdit[] = [];
  if (body.status) edits.push({ kind: 'status', status: body.status });
  if (body.priority) edits.push({ kind: 'priority', priority: body.priority });
  if (body.assignee) edits.push({ kind: 'assignee', agentId: body.assignee.agentId, teamId: body.assignee.teamId });
  else if (body.assigneeId !== undefined) edits.push({ kind: 'assignee', agentId: body.assigneeId });
  if (body.tags) edits.push({ kind: 'tags', add: body.tags.add ?? [], remove: body.tags.remove ?? [] });
  if (body.snooze !== undefined) edits.push(body.snooze === null ? { kind: 'unsnooze' } : { kind: 'snooze', until: body.snooze.until });
  return edits;
}

/** Makes the edits and answers the case as it is after them. Throws CaseActionError (not_found, bad_request). */
export async function changeCase(deps: Deps, workspaceId: string, caseId: string, by: Author, edits: CaseEdit[]): Promise<CaseSummary> {
  const facts = await gatherCaseFacts(deps.db, workspaceId, caseId, namedAgents(edits), namedTagKeys(edits));
  const named = namedTeam(edits);
  if (named) {
    // Read (and for a pick, claimed) only when an edit gives the case to a team.
    facts.team = await teamFacts(deps.db, deps.presence, workspaceId, named.teamId, deps.now(), named.pick);
    if (!facts.team) throw new CaseActionError('bad_request', 'no such team in this workspace');
  }
  const change = await planCaseChange(facts, edits, { by, now: deps.now(), secret: deps.secrets.replyTokenKey, appUrl: deps.config.appUrl });
  await commit(deps, change);
  await deps.settle();
  const summary = await caseSummaryById(deps.db, workspaceId, caseId);
  if (!summary) throw new Error(`case ${caseId} vanished while it was changed`);
  return summary;
}
