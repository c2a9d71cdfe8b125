// The SLA sweep, run by the cron trigger every minute with the controller's scheduledTime as now.
// It reads only cases whose next look is due (cases.next_due_at, indexed), raises each warning and
// breach exactly once — claimed with a conditional update, so a late or duplicated run is a no-op —
// writes the event agents see live, and runs the policy's escalation actions.
import { and, asc, eq, isNotNull, lte, sql } from 'drizzle-orm';
import { agents, cases, mailboxes, type Case, type Mailbox } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import type { EventBody } from '../protocol/events.ts';
import { newId } from '../protocol/ids.ts';
import { commit } from '../changes/commit.ts';
import { update, type Blob, type Staged, type Write } from '../changes/change.ts';
import { buildCaseHeaders, composeMail, subjectWithTag } from '../mail/compose.ts';
import { validateAddress } from '../mail/headers.ts';
import { planNotification } from '../mail/notify.ts';
import { stageMail } from '../mail/stage.ts';
import { slaContextFor } from './apply.ts';
import { PRIORITY_UP, slaColumns, stateOf, type Escalation, type SlaContext } from './transition.ts';
import { dueFindings, TARGET_BIT, type SlaTarget } from './policy.ts';

const TARGET_NAME: Record<SlaTarget, string> = { firstResponse: 'first response', nextResponse: 'next response', resolution: 'resolution' };

export interface SweepResult {
  checked: number;
  warnings: number;
  breaches: number;
}

export async function sweepSla(deps: Deps, now: number, options: { pageSize?: number; maxCases?: number } = {}): Promise<SweepResult> {
  const pageSize = options.pageSize ?? 200;
  const maxCases = options.maxCases ?? 10_000;
  const result: SweepResult = { checked: 0, warnings: 0, breaches: 0 };
  const contexts = new Map<string, SlaContext | null>();
  const seen = new Set<string>();
  while (result.checked < maxCases) {
    const rows = await deps.db
      .select({ kase: cases, mailbox: mailboxes })
      .from(cases)
      .innerJoin(mailboxes, eq(mailboxes.id, cases.mailboxId))
      .where(and(isNotNull(cases.nextDueAt), lte(cases.nextDueAt, now)))
      .orderBy(asc(cases.nextDueAt))
      .limit(pageSize);
    const fresh = rows.filter((r) => !seen.has(r.kase.id));
    if (fresh.length === 0) break;
    for (const { kase, mailbox } of fresh) {
      seen.add(kase.id);
      result.checked++;
      const key = `${mailbox.id}:${kase.slaPolicyId}`;
      if (!contexts.has(key)) contexts.set(key, kase.slaPolicyId ? await slaContextFor(deps.db, mailbox, kase.slaPolicyId) : null);
      const r = await checkCase(deps, kase, mailbox, contexts.get(key) ?? null, now);
      result.warnings += r.warnings;
      result.breaches += r.breaches;
    }
    if (rows.length < pageSize) break;
  }
  await deps.settle();
  return result;
}

async function checkCase(deps: Deps, kase: Case, mailbox: Mailbox, ctx: SlaContext | null, now: number): Promise<{ warnings: number; breaches: number }> {
  if (!ctx) {
    // The policy is gone: nothing to watch any more.
    await deps.db.update(cases).set({ nextDueAt: null }).where(eq(cases.id, kase.id));
    return { warnings: 0, breaches: 0 };
  }
  let state = stateOf(kase);
  // Escalations of one run build on each other (two breaches raise the priority twice).
  let current = kase;
  const findings = dueFindings(state, ctx.policy, ctx.calendar, kase.createdAt, now);
  let warnings = 0;
  let breaches = 0;
  for (const f of findings) {
    const bit = TARGET_BIT[f.target];
    const column = f.kind === 'breach' ? cases.slaBreachedMask : cases.slaWarnedMask;
    // The claim: only one run ever flips this bit, so only one run notifies.
    const claimed = await deps.db
      .update(cases)
      .set(f.kind === 'breach' ? { slaBreachedMask: sql`${cases.slaBreachedMask} | ${bit}` } : { slaWarnedMask: sql`${cases.slaWarnedMask} | ${bit}` })
      .where(and(eq(cases.id, kase.id), sql`(${column} & ${bit}) = 0`))
      .returning({ warned: cases.slaWarnedMask, breached: cases.slaBreachedMask })
      .get();
    if (!claimed) continue;
    state = { ...state, warnedMask: claimed.warned, breachedMask: claimed.breached };
    if (f.kind === 'breach') breaches++;
    else warnings++;
    current = { ...current, ...(await raise(deps, current, mailbox, ctx, f, state, now)) };
  }
  const cols = slaColumns(state, ctx, kase.createdAt);
  // Never leave a case due at or before now: the next run would read it again for nothing.
  const nextDueAt = cols.nextDueAt !== null && cols.nextDueAt <= now ? null : cols.nextDueAt;
  await deps.db.update(cases).set({ nextDueAt, slaState: cols.slaState }).where(eq(cases.id, kase.id));
  return { warnings, breaches };
}

async function raise(
  deps: Deps,
  kase: Case,
  mailbox: Mailbox,
  ctx: SlaContext,
  f: { target: SlaTarget; kind: 'warning' | 'breach'; dueAt: number },
  state: ReturnType<typeof stateOf>,
  now: number,
): Promise<Pick<Case, 'assigneeId' | 'priority'>> {
  const stmts: Write[] = [];
  const writes: Write[] = [];
  const blobs: Blob[] = [];
  const outgoing: Staged[] = [];
  const add = (p: { writes: Write[]; blobs: Blob[]; outgoing: Staged[] }) => (writes.push(...p.writes), blobs.push(...p.blobs), outgoing.push(...p.outgoing));
  const agentRow = (id: string) => deps.db.select().from(agents).where(eq(agents.id, id)).get();
  const actions: string[] = [];
  const what = `${TARGET_NAME[f.target]} ${f.kind === 'breach' ? 'was due' : 'is due'} ${new Date(f.dueAt).toISOString().replace('T', ' ').slice(0, 16)} UTC`;
  const caseRef = { id: kase.id, number: kase.number, subject: kase.subject };
  let assigneeId = kase.assigneeId;
  let priority = kase.priority;
  for (const e of ctx.escalations.filter((x: Escalation) => x.on === f.kind)) {
    if (e.action === 'notify-assignee' && assigneeId) {
      const plan = await planNotification(await agentRow(assigneeId), {
        kind: f.kind === 'breach' ? 'sla-breach' : 'sla-warning',
        agentId: assigneeId,
        mailbox,
        kase: caseRef,
        summary: `The ${what}.`,
        secret: deps.secrets.replyTokenKey,
        appUrl: deps.config.appUrl,
        now,
      });
      if (!('skipped' in plan)) {
        add(plan);
        actions.push('notified the assignee');
      }
    } else if (e.action === 'notify-address' && e.address) {
      const check = validateAddress(e.address);
      if (!check.ok) continue;
      const outboxId = newId('outbox', now);
      const h = await buildCaseHeaders({ secret: deps.secrets.replyTokenKey, caseId: kase.id, mailboxAddress: mailbox.address, mailboxName: mailbox.displayName });
      const composed = composeMail({
        from: { email: mailbox.address, name: `${mailbox.displayName} (edgecase)` },
        to: [{ email: check.address, name: '' }],
        subject: subjectWithTag(`SLA ${f.kind === 'breach' ? 'breached' : 'due soon'}: ${kase.subject}`, kase.number),
        text: `Case #${kase.number}, "${kase.subject}": the ${what}.${deps.config.appUrl ? `\n\nOpen it: ${deps.config.appUrl}/#/cases/${kase.id}` : ''}`,
        references: h.references,
        extraHeaders: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All', 'X-Loop': mailbox.address },
        date: new Date(now),
        messageId: `${outboxId}@${mailbox.address.split('@')[1]}`,
      });
      add(stageMail({ id: outboxId, kind: 'notification', workspaceId: kase.workspaceId, caseId: kase.id, messageId: null, causeInboundId: null, composed, now }));
      actions.push(`notified ${check.address}`);
    } else if (e.action === 'reassign' && (e.agentId || e.team)) {
      if (e.agentId) {
        const agent = await deps.db
          .select()
          .from(agents)
          .where(and(eq(agents.id, e.agentId), eq(agents.workspaceId, kase.workspaceId), eq(agents.active, true)))
          .get();
        if (!agent || agent.id === assigneeId) continue;
        assigneeId = agent.id;
        stmts.push(update('cases', { id: kase.id }, { assigneeId: agent.id }));
        const plan = await planNotification(agent, {
          kind: 'assignment',
          agentId: agent.id,
          mailbox,
          kase: caseRef,
          summary: `Reassigned to you because the ${what}.`,
          secret: deps.secrets.replyTokenKey,
          appUrl: deps.config.appUrl,
          now,
        });
        if (!('skipped' in plan)) add(plan);
        actions.push(`reassigned to ${agent.name}`);
      } else {
        stmts.push(update('cases', { id: kase.id }, { team: e.team! }));
        actions.push(`moved to team ${e.team}`);
      }
    } else if (e.action === 'raise-priority' && PRIORITY_UP[priority] !== priority) {
      priority = PRIORITY_UP[priority];
      stmts.push(update('cases', { id: kase.id }, { priority }));
      actions.push(`priority raised to ${priority}`);
    }
  }
  const cols = slaColumns(state, ctx, kase.createdAt);
  const bodies: EventBody[] = [{ type: 'sla.updated', caseId: kase.id, target: f.target, kind: f.kind, dueAt: f.dueAt, state: cols.slaState, actions }];
  if (assigneeId !== kase.assigneeId || priority !== kase.priority) {
    const assignee = assigneeId ? await deps.db.select({ id: agents.id, name: agents.name }).from(agents).where(eq(agents.id, assigneeId)).get() : null;
    bodies.push({ type: 'case.updated', caseId: kase.id, changes: { ...(priority !== kase.priority ? { priority } : {}), ...(assigneeId !== kase.assigneeId ? { assignee: assignee ?? null } : {}) } });
  }
  stmts.push(update('cases', { id: kase.id }, { slaState: cols.slaState, updatedAt: now }));
  await commit(deps, {
    workspaceId: kase.workspaceId,
    writes: [...stmts, ...writes],
    events: bodies.map((body) => ({ caseId: kase.id, actor: 'system:sla', body })),
    outgoing,
    blobs,
  });
  return { assigneeId, priority };
}
