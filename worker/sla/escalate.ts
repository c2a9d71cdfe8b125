// escalate: what the SLA sweep does when a case's warning or breach falls due: the sla.updated event
// agents see, and the policy's escalation actions (notify the assignee or an address, reassign, raise
// the priority). Pure apart from the ids and MIME it builds: the sweep reads the agents it may name
// beforehand, and commits what this returns together with every other case of its page.
import type { Agent, Case, Mailbox, Team } from '../db/schema.ts';
import type { PlannedEvent } from '../changes/change.ts';
import { combine, update, type Change, type Patch } from '../changes/change.ts';
import { buildCaseHeaders, composeMail, subjectWithTag } from '../mail/compose.ts';
import { validateAddress } from '../mail/headers.ts';
import { planNotification } from '../mail/notify.ts';
import { stageMail } from '../mail/stage.ts';
import { newId } from '../protocol/ids.ts';
import type { SlaTarget } from './policy.ts';
import { PRIORITY_UP, slaColumns, type Escalation, type SlaContext, type stateOf } from './transition.ts';

const TARGET_NAME: Record<SlaTarget, string> = { firstResponse: 'first response', nextResponse: 'next response', resolution: 'resolution' };

export interface Finding {
  target: SlaTarget;
  kind: 'warning' | 'breach';
  dueAt: number;
}

export interface EscalationContext {
  mailbox: Mailbox;
  sla: SlaContext;
  /** The workspace's active agents, by id. */
  agents: Map<string, Agent>;
  /** The workspace's teams by name in lower case (an escalation names its team by name). */
  teams?: Map<string, Team>;
  secret: string;
  appUrl: string | null;
  now: number;
}

/** What raising one finding did: its part of the change, and the case as the next finding sees it. */
export interface Raised {
  change: Omit<Change, 'workspaceId'>;
  kase: Case;
}

async function notifyAddress(kase: Case, mailbox: Mailbox, address: string, what: string, kind: Finding['kind'], ctx: EscalationContext) {
  const check = validateAddress(address);
  if (!check.ok) return null;
  const outboxId = newId('outbox', ctx.now);
  const h = await buildCaseHeaders({ secret: ctx.secret, caseId: kase.id, mailboxAddress: mailbox.address, mailboxName: mailbox.displayName });
  const composed = composeMail({
    from: { email: mailbox.address, name: `${mailbox.displayName} (edgecase)` },
    to: [{ email: check.address, name: '' }],
    subject: subjectWithTag(`SLA ${kind === 'breach' ? 'breached' : 'due soon'}: ${kase.subject}`, kase.number),
    text: `Case #${kase.number}, "${kase.subject}": the ${what}.${ctx.appUrl ? `\n\nOpen it: ${ctx.appUrl}/#/cases/${kase.id}` : ''}`,
    references: h.references,
    extraHeaders: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All', 'X-Loop': mailbox.address },
    date: new Date(ctx.now),
    messageId: `${outboxId}@${mailbox.address.split('@')[1]}`,
  });
  return {
    address: check.address,
    mail: stageMail({ id: outboxId, kind: 'notification', workspaceId: kase.workspaceId, caseId: kase.id, messageId: null, causeInboundId: null, composed, now: ctx.now }),
  };
}

/** Raises one finding on `kase` (as earlier findings of the same run left it). */
export async function raiseFinding(kase: Case, f: Finding, state: ReturnType<typeof stateOf>, ctx: EscalationContext): Promise<Raised> {
  const { mailbox } = ctx;
  const parts: Array<Partial<Omit<Change, 'workspaceId'>>> = [];
  const set: Patch<'cases'> = {};
  const actions: string[] = [];
  const what = `${TARGET_NAME[f.target]} ${f.kind === 'breach' ? 'was due' : 'is due'} ${new Date(f.dueAt).toISOString().replace('T', ' ').slice(0, 16)} UTC`;
  const caseRef = { id: kase.id, number: kase.number, subject: kase.subject };
  const note = { mailbox, kase: caseRef, secret: ctx.secret, appUrl: ctx.appUrl, now: ctx.now };
  let assigneeId = kase.assigneeId;
  let priority = kase.priority;
  let teamChange: { id: string; name: string } | undefined;
  for (const e of ctx.sla.escalations.filter((x: Escalation) => x.on === f.kind)) {
    if (e.action === 'notify-assignee' && assigneeId) {
      const plan = await planNotification(ctx.agents.get(assigneeId), { ...note, kind: f.kind === 'breach' ? 'sla-breach' : 'sla-warning', agentId: assigneeId, summary: `The ${what}.` });
      if ('skipped' in plan) continue;
      parts.push(plan);
      actions.push('notified the assignee');
    } else if (e.action === 'notify-address' && e.address) {
      const sent = await notifyAddress(kase, mailbox, e.address, what, f.kind, ctx);
      if (!sent) continue;
      parts.push(sent.mail);
      actions.push(`notified ${sent.address}`);
    } else if (e.action === 'reassign' && e.agentId) {
      const agent = ctx.agents.get(e.agentId);
      if (!agent || agent.id === assigneeId) continue;
      assigneeId = agent.id;
      set.assigneeId = agent.id;
      const plan = await planNotification(agent, { ...note, kind: 'assignment', agentId: agent.id, summary: `Reassigned to you because the ${what}.` });
      if (!('skipped' in plan)) parts.push(plan);
      actions.push(`reassigned to ${agent.name}`);
    } else if (e.action === 'reassign' && e.team) {
      set.team = e.team;
      // The case joins the team's queue (cases.team_id) when a team of that name exists.
      const team = ctx.teams?.get(e.team.toLowerCase());
      if (team && team.id !== kase.teamId) {
        set.teamId = team.id;
        teamChange = { id: team.id, name: team.name };
      }
      actions.push(`moved to team ${e.team}`);
    } else if (e.action === 'raise-priority' && PRIORITY_UP[priority] !== priority) {
      priority = PRIORITY_UP[priority];
      set.priority = priority;
      actions.push(`priority raised to ${priority}`);
    }
  }
  const cols = slaColumns(state, ctx.sla, kase.createdAt);
  const events: PlannedEvent[] = [
    { caseId: kase.id, actor: 'system:sla', body: { type: 'sla.updated', caseId: kase.id, target: f.target, kind: f.kind, dueAt: f.dueAt, state: cols.slaState, actions } },
  ];
  if (assigneeId !== kase.assigneeId || priority !== kase.priority || teamChange) {
    const assignee = assigneeId ? ctx.agents.get(assigneeId) : undefined;
    const changes = {
      ...(priority !== kase.priority ? { priority } : {}),
      ...(assigneeId !== kase.assigneeId ? { assignee: assignee ? { id: assignee.id, name: assignee.name } : null } : {}),
      ...(teamChange ? { team: teamChange } : {}),
    };
    events.push({ caseId: kase.id, actor: 'system:sla', body: { type: 'case.updated', caseId: kase.id, changes } });
  }
  const writes = Object.keys(set).length ? [update('cases', { id: kase.id }, set)] : [];
  return { change: combine(kase.workspaceId, { writes }, ...parts, { events }), kase: { ...kase, ...(set as Partial<Case>) } };
}
