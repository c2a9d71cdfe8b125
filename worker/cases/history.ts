// history: a case's changes as lines of text, from its events (events_case index). Pure wording
// (historyLines) over rows read in one batch with the names of the agents they name; events that
// the thread already shows (messages, deliveries) or that are no change to the case are left out.
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { agents, events } from '../db/schema.ts';
import type { Db } from '../db/client.ts';
import type { EventBody } from '../protocol/events.ts';
import type { HistoryActorKind, HistoryLine } from '../protocol/history.ts';

/** A long case keeps its first lines: a history has at most this many. */
export const HISTORY_MAX = 500;

export interface EventRow {
  seq: number;
  at: number;
  actor: string;
  payload: string;
}

const TARGETS = { firstResponse: 'first response', nextResponse: 'next response', resolution: 'resolution' } as const;

function actorOf(actor: string, names: ReadonlyMap<string, string>): { kind: HistoryActorKind; name: string } {
  const [kind, id = ''] = actor.includes(':') ? [actor.slice(0, actor.indexOf(':')), actor.slice(actor.indexOf(':') + 1)] : [actor, ''];
  if (kind === 'agent') return { kind: 'agent', name: id === 'local' ? 'Local agent' : (names.get(id) ?? 'A former agent') };
  if (kind === 'contact') return { kind: 'contact', name: id || 'The customer' };
  if (kind === 'rule') return { kind: 'rule', name: `Rule ${names.get(`rule:${id}`) ?? id}` };
  if (id === 'sla') return { kind: 'system', name: 'The SLA clock' };
  if (id === 'snooze') return { kind: 'system', name: 'The snooze' };
  return { kind: 'system', name: 'The system' };
}

/** What a case.updated says, as the predicates of one sentence ("closed this", "tagged it billing"). */
function updatePredicates(body: Extract<EventBody, { type: 'case.updated' }>): string[] {
  const c = body.changes;
  const out: string[] = [];
  if (c.status) out.push(c.status === 'closed' ? 'closed this' : c.status === 'resolved' ? 'resolved this' : c.status === 'open' ? 'opened this' : `set this to ${c.status}`);
  if (c.priority) out.push(`set the priority to ${c.priority}`);
  if (c.assignee !== undefined || c.team !== undefined) {
    const who = c.assignee?.name;
    const team = c.team ? `Team ${c.team.name}` : undefined;
    if (c.assignee === null && c.team === undefined) out.push('unassigned this');
    else if (who && team) out.push(`assigned this to ${who} (${team})`);
    else if (who) out.push(`assigned this to ${who}`);
    else if (team) out.push(`assigned this to ${team}`);
    else out.push('took this out of its team');
  }
  if (c.tags) out.push(c.tags.length ? `tagged it ${c.tags.map((t) => t.name).join(', ')}` : 'took its tags off');
  if (c.snooze !== undefined) {
    if (c.snooze === null) out.push(body.woke === 'customer' ? 'woke this (the customer wrote)' : 'woke this');
    else out.push(c.snooze.until === null ? 'snoozed this until the customer writes' : `snoozed this until ${new Date(c.snooze.until).toISOString().slice(0, 16).replace('T', ' ')} UTC`);
  }
  return out;
}

function sentence(body: EventBody): string | null {
  switch (body.type) {
    case 'case.created':
      return 'opened this by mail';
    case 'case.updated': {
      const p = updatePredicates(body);
      return p.length ? p.join(', ') : null;
    }
    case 'message.added':
      return body.reopened ? 'reopened this by writing again' : null;
    case 'sla.updated':
      return `${body.kind === 'breach' ? 'marked the' : 'warned that the'} ${TARGETS[body.target]} target ${body.kind === 'breach' ? 'breached' : 'is due soon'}${body.actions.length ? ` (${body.actions.join(', ')})` : ''}`;
    case 'case.merged':
      return `merged ${body.absorbed.map((a) => `#${a.number}`).join(', ')} into this`;
    case 'case.split':
      return `split ${body.messageIds.length === 1 ? 'a message' : `${body.messageIds.length} messages`} off into #${body.newNumber}`;
    default:
      return null;
  }
}

/** The lines of some events of one case, in seq order; `names` maps agent ids (and `rule:<id>`, once rules have names) to names. */
export function historyLines(rows: EventRow[], names: ReadonlyMap<string, string>): HistoryLine[] {
  const out: HistoryLine[] = [];
  for (const r of rows) {
    let body: EventBody;
    try {
      body = JSON.parse(r.payload) as EventBody;
    } catch {
      continue;
    }
    const text = sentence(body);
    if (!text) continue;
    const actor = actorOf(r.actor, names);
    out.push({ seq: r.seq, at: r.at, actor, text: `${actor.name} ${text}` });
  }
  return out;
}

/** The case's history (the case must be the workspace's: the caller checked). */
export async function caseHistory(db: Db, workspaceId: string, caseId: string): Promise<{ lines: HistoryLine[]; lastSeq: number }> {
  const mine = and(eq(events.workspaceId, workspaceId), eq(events.caseId, caseId));
  const agentIds = db.selectDistinct({ id: events.actor }).from(events).where(mine);
  const [rows, people] = await db.batch([
    db.select({ seq: events.seq, at: events.at, actor: events.actor, payload: events.payload }).from(events).where(mine).orderBy(asc(events.seq)).limit(HISTORY_MAX),
    // Names by the actors' ids as events record them ('agent:<id>').
    db
      .select({ id: agents.id, name: agents.name })
      .from(agents)
      .where(and(eq(agents.workspaceId, workspaceId), inArray(sql`'agent:' || ${agents.id}`, agentIds))),
  ]);
  const names = new Map(people.map((p) => [p.id, p.name]));
  return { lines: historyLines(rows, names), lastSeq: rows.at(-1)?.seq ?? 0 };
}
