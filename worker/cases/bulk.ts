// Bulk actions: the same edits on up to 500 cases (POST /api/cases/bulk) as gather → plan → commit.
// The facts of every case in one read batch (bulk-facts.ts), each case planned by the same planners
// as a PATCH (plan.ts), the plans combined into one Change per slice of cases, one case.updated per
// case. The answer says, per case, what it was before, and which requests would undo the action.
//
// D1 takes a batch as one transaction, but a batch of 500 cases (an update, an event and tag rows
// each: 1,000–2,000 statements) is more than one invocation should send in one go, so the cases are
// committed in slices of CASES_PER_BATCH. Each case's rows and event are always in one slice: a case
// is changed wholly or not at all. A slice that fails leaves the earlier slices committed; its cases
// are answered as failed, and the undo covers only what was committed.
import type { Deps } from '../deps.ts';
import { combine, type Change, type Write } from '../changes/change.ts';
import { commit } from '../changes/commit.ts';
import { tagKey, type BulkBody, type BulkOutcome, type BulkResult, type CaseBefore, type CaseEditsBody } from '../protocol/api.ts';
import { gatherManyCaseFacts, slices } from './bulk-facts.ts';
import { CaseActionError } from './errors.ts';
import { namedAgents, planCaseChange, type Author, type CaseEdit, type CaseFacts } from './plan.ts';
import { checkSnoozeEnd } from './snooze.ts';
import { namedTagKeys } from './tagging.ts';
import { editsOf } from './update.ts';

export const CASES_PER_BATCH = 100;

/** What the case was, in the fields the edits touch. */
export function beforeOf(f: CaseFacts, edits: CaseEdit[]): CaseBefore {
  const b: CaseBefore = {};
  for (const e of edits) {
    if (e.kind === 'status') b.status = f.kase.status;
    else if (e.kind === 'priority') b.priority = f.kase.priority;
    else if (e.kind === 'assignee') b.assigneeId = f.kase.assigneeId;
    else if (e.kind === 'tags') b.tags = (f.tags ?? []).map((t) => t.name);
    else b.snooze = f.kase.snoozedAt === null ? null : { until: f.kase.snoozedUntil };
  }
  return b;
}

/** The edits that put one case back as `before` says it was, after `edits` changed it; empty when nothing needs undoing. */
export function inverseOf(before: CaseBefore, body: CaseEditsBody): CaseEditsBody {
  const inv: CaseEditsBody = {};
  if (body.status !== undefined && before.status !== undefined && before.status !== body.status) inv.status = before.status;
  if (body.priority !== undefined && before.priority !== undefined && before.priority !== body.priority) inv.priority = before.priority;
  if (body.assigneeId !== undefined && before.assigneeId !== undefined && before.assigneeId !== body.assigneeId) inv.assigneeId = before.assigneeId;
  if (body.tags && before.tags) {
    const had = new Map(before.tags.map((n) => [tagKey(n), n]));
    const add = (body.tags.remove ?? []).flatMap((n) => (had.has(tagKey(n)) ? [had.get(tagKey(n))!] : []));
    const remove = (body.tags.add ?? []).filter((n) => !had.has(tagKey(n)));
    if (add.length + remove.length > 0) inv.tags = { add, remove };
  }
  if (body.snooze !== undefined && before.snooze !== undefined && JSON.stringify(before.snooze) !== JSON.stringify(body.snooze)) inv.snooze = before.snooze;
  return inv;
}

/** The undo requests: the changed cases grouped by their inverse edits. */
export function undoRequests(results: BulkOutcome[], body: CaseEditsBody): BulkBody[] {
  const groups = new Map<string, BulkBody>();
  for (const r of results) {
    if (!r.ok || !r.changed) continue;
    const inv = inverseOf(r.before, body);
    if (Object.keys(inv).length === 0) continue;
    const key = JSON.stringify(inv);
    const g = groups.get(key) ?? { caseIds: [], edits: inv };
    g.caseIds.push(r.caseId);
    groups.set(key, g);
  }
  return [...groups.values()];
}

/** The slice's changes as one, with a tag the action creates inserted once rather than once per case. */
function combined(workspaceId: string, changes: Change[]): Change {
  const all = combine(workspaceId, ...changes);
  const seen = new Set<string>();
  const writes: Write[] = [];
  for (const w of all.writes) {
    if (w.op === 'insert' && w.table === 'tags') {
      const key = JSON.stringify(w.values);
      if (seen.has(key)) continue;
      seen.add(key);
    }
    writes.push(w);
  }
  return { ...all, writes };
}

/**
 * Makes `body.edits` on every case of `body.caseIds` that the workspace has. Throws CaseActionError
 * (bad_request) for edits no case could take (an agent who is not there, a snooze in the past); a
 * refusal that depends on the case (a closed case cannot be snoozed) is that case's answer.
 */
export async function bulkChange(deps: Deps, workspaceId: string, by: Author, body: { caseIds: string[]; edits: CaseEditsBody }): Promise<BulkResult> {
  const edits = editsOf(body.edits);
  const now = deps.now();
  for (const e of edits) if (e.kind === 'snooze') checkSnoozeEnd(e.until, now);
  const facts = await gatherManyCaseFacts(deps.db, workspaceId, body.caseIds, namedAgents(edits), namedTagKeys(edits));
  const wanted = namedAgents(edits);
  const first = facts.values().next().value;
  if (first && wanted.some((id) => !first.agents.some((a) => a.id === id))) throw new CaseActionError('bad_request', 'no such active agent in this workspace');
  const ctx = { by, now, secret: deps.secrets.replyTokenKey, appUrl: deps.config.appUrl };
  const results = new Map<string, BulkOutcome>();
  const planned: Array<{ caseId: string; change: Change }> = [];
  for (const caseId of body.caseIds) {
    const f = facts.get(caseId);
    if (!f) {
      results.set(caseId, { caseId, ok: false, error: { code: 'not_found', message: 'case not found' } });
      continue;
    }
    try {
      const change = await planCaseChange(f, edits, ctx);
      const changed = change.writes.length + change.events.length > 0;
      results.set(caseId, { caseId, ok: true, changed, before: beforeOf(f, edits) });
      if (changed) planned.push({ caseId, change });
    } catch (err) {
      if (!(err instanceof CaseActionError)) throw err;
      results.set(caseId, { caseId, ok: false, error: { code: err.code, message: err.message } });
    }
  }
  for (const slice of slices(planned, CASES_PER_BATCH)) {
    try {
      await commit(
        deps,
        combined(
          workspaceId,
          slice.map((p) => p.change),
        ),
      );
    } catch (err) {
      console.error('a slice of a bulk action failed', err);
      for (const p of slice) results.set(p.caseId, { caseId: p.caseId, ok: false, error: { code: 'failed', message: 'not changed: writing failed, try again' } });
    }
  }
  await deps.settle();
  const ordered = body.caseIds.map((id) => results.get(id)!);
  return { results: ordered, undo: undoRequests(ordered, body.edits) };
}
