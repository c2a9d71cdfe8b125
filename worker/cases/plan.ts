// plan: what a change to a case does, as a Change, from facts read before it (the case, its mailbox,
// the SLA context it runs under, the agents the change names). Pure: no database, no clock.
//
// Each kind of change is one planner function (see PLANNERS). It states its part of the change as a
// CaseStep: the case's columns it sets, what the case.updated event says changed, what the SLA clocks
// hear, and anything else to write, announce or mail. planCaseChange puts the steps together into ONE
// update of the case row, ONE SLA transition and ONE case.updated event. A step that changes nothing
// is empty, and a change whose steps are all empty writes nothing and announces nothing.
import type { Agent, Case, Mailbox, Tag } from '../db/schema.ts';
import type { CasePriority, CaseStatus } from '../protocol/api.ts';
import type { EventBody } from '../protocol/events.ts';
import { agentActor, combine, emptyChange, update, type Change, type Patch } from '../changes/change.ts';
import { slaTransition, type SlaContext, type SlaEvent } from '../sla/transition.ts';
import { planAssignee, type TeamFacts } from './assign-plan.ts';
import { planSnooze, planUnsnooze } from './snooze.ts';
import { planTags } from './tagging.ts';
import { CaseActionError } from './errors.ts';

/** Who makes the change. */
export interface Author {
  /** Null in open mode, where nobody signed in. */
  id: string | null;
  name: string;
}

/** The kinds of change an agent makes to a case itself. */
export type CaseEdit =
  | { kind: 'status'; status: CaseStatus }
  | { kind: 'priority'; priority: CasePriority }
  | { kind: 'assignee'; agentId: string | null | 'auto'; teamId?: string | null }
  /** By name; a name without a tag yet creates it. */
  | { kind: 'tags'; add: string[]; remove: string[] }
  /** Until a time, or null: until the customer writes. */
  | { kind: 'snooze'; until: number | null }
  | { kind: 'unsnooze' };
export type CaseEditKind = CaseEdit['kind'];

export interface CaseFacts {
  kase: Case;
  mailbox: Mailbox;
  /** The policy and calendar the case runs under; null without one. */
  sla: SlaContext | null;
  /** The agents the edits name, as read (gatherCaseFacts reads only active agents of the workspace). */
  agents: Agent[];
  /** The team an assignee edit names, with its members and the pick its mode made (assign.ts teamFacts). */
  team?: TeamFacts | null;
  /** The case's tags, by key (read when the edits touch tags). */
  tags?: Tag[];
  /** The workspace's tags the edits name by key (those that exist). */
  namedTags?: Tag[];
}

export interface PlanContext {
  by: Author;
  now: number;
  /** For the reply tokens of the mail a change sends (notifications). */
  secret: string;
  appUrl: string | null;
}

export type CaseChanges = Extract<EventBody, { type: 'case.updated' }>['changes'];

/** One kind's part of a change. Empty (`{}`) when it changes nothing. */
export interface CaseStep {
  /** Columns of the case row. */
  set?: Patch<'cases'>;
  /** What the case.updated event reports. */
  changes?: CaseChanges;
  /** What the SLA clocks hear; every step's are heard in one transition. */
  sla?: SlaEvent;
  /** Other rows, events (announced before case.updated), mail and blobs. */
  more?: Partial<Omit<Change, 'workspaceId'>>;
}

type Planner<E extends CaseEdit> = (facts: CaseFacts, edit: E, ctx: PlanContext) => CaseStep | Promise<CaseStep>;

/** Status: closing stamps closedAt, reopening clears it; pending pauses the clocks, resolving ends them. */
export function planStatus(facts: CaseFacts, edit: { status: CaseStatus }, ctx: PlanContext): CaseStep {
  const from = facts.kase.status;
  const to = edit.status;
  if (from === to) return {};
  const closedAt = to === 'closed' ? { closedAt: ctx.now } : from === 'closed' ? { closedAt: null } : {};
  return { set: { status: to, ...closedAt }, changes: { status: to }, sla: { status: to } };
}

/** Priority: a new one re-plans the due times. */
export function planPriority(facts: CaseFacts, edit: { priority: CasePriority }): CaseStep {
  if (facts.kase.priority === edit.priority) return {};
  return { set: { priority: edit.priority }, changes: { priority: edit.priority }, sla: { priority: edit.priority } };
}

/** The planner of each kind of edit. A new kind: a member of CaseEdit and its planner here. */
const PLANNERS: { [K in CaseEditKind]: Planner<Extract<CaseEdit, { kind: K }>> } = {
  status: planStatus,
  priority: planPriority,
  assignee: planAssignee,
  tags: planTags,
  snooze: planSnooze,
  unsnooze: planUnsnooze,
};

function stepOf<E extends CaseEdit>(facts: CaseFacts, edit: E, ctx: PlanContext): CaseStep | Promise<CaseStep> {
  return (PLANNERS[edit.kind] as Planner<E>)(facts, edit, ctx);
}

/** The agents a list of edits names, for the facts to read. */
export function namedAgents(edits: CaseEdit[]): string[] {
  return [...new Set(edits.flatMap((e) => (e.kind === 'assignee' && e.agentId && e.agentId !== 'auto' ? [e.agentId] : [])))];
}

/** The team an assignee edit names, if any (planned with assign.ts; an edit names at most one). */
export function namedTeam(edits: CaseEdit[]): { teamId: string; pick: boolean } | null {
  for (const e of edits) if (e.kind === 'assignee' && e.teamId) return { teamId: e.teamId, pick: e.agentId === 'auto' };
  return null;
}

function isEmpty(o: object | undefined): boolean {
  return !o || Object.keys(o).length === 0;
}

/**
 * The steps as one Change: their other writes, then the one update of the case (its columns, the SLA
 * columns after one transition, updatedAt); their events, then one case.updated with every change.
 * Nothing at all when no step changes anything.
 */
export function assemble(facts: CaseFacts, steps: CaseStep[], ctx: PlanContext): Change {
  const kase = facts.kase;
  const set: Patch<'cases'> = {};
  const changes: CaseChanges = {};
  const sla: SlaEvent = {};
  for (const s of steps) {
    Object.assign(set, s.set);
    Object.assign(changes, s.changes);
    Object.assign(sla, s.sla);
  }
  const more = combine(kase.workspaceId, ...steps.map((s) => s.more));
  if (isEmpty(set) && isEmpty(changes) && isEmpty(sla) && more.writes.length + more.events.length + more.outgoing.length + more.blobs.length === 0) return emptyChange(kase.workspaceId);
  const clocks = isEmpty(sla) ? null : slaTransition(kase, facts.sla, sla, ctx.now);
  return combine(kase.workspaceId, more, {
    writes: [update('cases', { id: kase.id, workspaceId: kase.workspaceId }, { ...set, ...clocks, updatedAt: ctx.now })],
    events: isEmpty(changes) ? [] : [{ caseId: kase.id, actor: agentActor(ctx.by.id), body: { type: 'case.updated', caseId: kase.id, changes } }],
  });
}

/**
 * The change `edits` make to the case, in their order, after `base` (what an action around them does
 * itself: a reply's message, say). Throws CaseActionError for an edit that cannot be made; then
 * nothing is planned.
 */
export async function planCaseChange(facts: CaseFacts, edits: CaseEdit[], ctx: PlanContext, base: CaseStep = {}): Promise<Change> {
  // An absorbed case is a closed pointer (cases/merge.ts): reopened or written on, it would be back in
  // the queues while its mail goes to the survivor.
  if (facts.kase.mergedIntoId) throw new CaseActionError('bad_request', 'this case was merged into another; work on that one');
  const steps = [base];
  for (const edit of edits) steps.push(await stepOf(facts, edit, ctx));
  return assemble(facts, steps, ctx);
}
