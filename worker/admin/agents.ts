// Agents as an admin manages them: invite, change, deactivate (handing their cases on), reactivate,
// set a password. Every change is audited in the batch that makes it.
import { and, asc, count, eq, isNull, ne, sql } from 'drizzle-orm';
import { hashPassword } from '../auth/password.ts';
import { agents, cases, mailboxes, sessions, type Agent } from '../db/schema.ts';
import type { Deps, Db } from '../deps.ts';
import { commit } from '../changes/commit.ts';
import { remove, update, type Write } from '../changes/change.ts';
import type { AgentAdminView, DeactivateResult } from '../protocol/admin.ts';
import type { EventBody } from '../protocol/events.ts';
import { newId } from '../protocol/ids.ts';
import type { z } from 'zod';
import type { inviteAgentBody, updateAgentBody } from '../protocol/admin.ts';
import { auditInsert, auditWrite, diff, type Changes } from './audit.ts';
import { AdminRefused, issue } from './errors.ts';
import type { Actor } from './mailboxes.ts';

type InviteBody = z.infer<typeof inviteAgentBody>;
type UpdateBody = z.infer<typeof updateAgentBody>;

/**
 * Cases handed on per D1 batch when an agent is deactivated. Up to this many, the deactivation and
 * the whole hand-over are one batch; beyond it, earlier batches hand over the rest first (each case
 * with its event, atomically), and the last one deactivates: an interruption leaves an agent who is
 * still active with fewer cases, and trying again finishes the job.
 */
export const REASSIGN_BATCH = 200;

function view(a: Agent, openCases: number): AgentAdminView {
  return {
    id: a.id,
    email: a.email,
    name: a.name,
    role: a.role,
    active: a.active,
    team: a.team,
    available: a.available,
    notifyAssignment: a.notifyAssignment,
    notifyCustomerReply: a.notifyCustomerReply,
    notifySla: a.notifySla,
    notifyMention: a.notifyMention,
    hasPassword: a.passwordHash !== null,
    lastAssignedAt: a.lastAssignedAt,
    openCases,
    createdAt: a.createdAt,
  };
}

const notClosed = ne(cases.status, 'closed');

export async function listAgents(db: Db, workspaceId: string): Promise<AgentAdminView[]> {
  const [rows, counts] = await Promise.all([
    db.select().from(agents).where(eq(agents.workspaceId, workspaceId)).orderBy(asc(agents.createdAt), asc(agents.id)),
    db
      .select({ id: cases.assigneeId, n: count() })
      .from(cases)
      .where(and(eq(cases.workspaceId, workspaceId), notClosed, sql`${cases.assigneeId} IS NOT NULL`))
      .groupBy(cases.assigneeId),
  ]);
  const open = new Map(counts.map((r) => [r.id, r.n]));
  return rows.map((a) => view(a, open.get(a.id) ?? 0));
}

async function agentRow(db: Db, workspaceId: string, id: string): Promise<Agent> {
  const row = await db
    .select()
    .from(agents)
    .where(and(eq(agents.id, id), eq(agents.workspaceId, workspaceId)))
    .get();
  if (!row) throw new AdminRefused('not_found', 'agent not found');
  return row;
}

export async function agentView(db: Db, workspaceId: string, id: string): Promise<AgentAdminView> {
  const row = await agentRow(db, workspaceId, id);
  const open = await db
    .select({ n: count() })
    .from(cases)
    .where(and(eq(cases.assigneeId, id), notClosed))
    .get();
  return view(row, open?.n ?? 0);
}

function audit(db: Db, who: Actor, id: string, action: string, changes: Changes, at = who.now) {
  return auditInsert(db, { workspaceId: who.workspaceId, actor: who.actor, entity: 'agent', entityId: id, action, changes, at });
}

/**
 * Creates an agent without a password. With AUTH_MODE=access they sign in through Access with this
 * address; with AUTH_MODE=password an admin then sets one (PUT /api/admin/agents/:id/password).
 */
export async function inviteAgent(db: Db, who: Actor, body: InviteBody): Promise<AgentAdminView> {
  const existing = await db
    .select({ id: agents.id, active: agents.active })
    .from(agents)
    .where(and(eq(agents.workspaceId, who.workspaceId), sql`lower(${agents.email}) = ${body.email}`))
    .get();
  if (existing) {
    throw new AdminRefused('bad_request', 'invalid agent', [
      issue(['email'], existing.active ? `${body.email} is already an agent here` : `${body.email} is a deactivated agent here: reactivate them instead`),
    ]);
  }
  const id = newId('agent', who.now);
  const row = { id, workspaceId: who.workspaceId, email: body.email, name: body.name, role: body.role, team: body.team ?? null, createdAt: who.now };
  await db.batch([db.insert(agents).values(row), audit(db, who, id, 'create', diff<Record<string, unknown>>({}, { email: row.email, name: row.name, role: row.role, team: row.team }))]);
  return agentView(db, who.workspaceId, id);
}

async function activeAdmins(db: Db, workspaceId: string): Promise<number> {
  const r = await db
    .select({ n: count() })
    .from(agents)
    .where(and(eq(agents.workspaceId, workspaceId), eq(agents.role, 'admin'), eq(agents.active, true)))
    .get();
  return r?.n ?? 0;
}

/** Changes what was sent; conditional on the values it changes still being what was read. */
export async function updateAgent(db: Db, who: Actor, id: string, body: UpdateBody): Promise<AgentAdminView> {
  const current = await agentRow(db, who.workspaceId, id);
  const changes = diff<Record<string, unknown>>(current as unknown as Record<string, unknown>, body as Record<string, unknown>);
  if (Object.keys(changes).length === 0) return agentView(db, who.workspaceId, id);
  if (changes.role && current.role === 'admin' && current.active && (await activeAdmins(db, who.workspaceId)) <= 1) {
    throw new AdminRefused('conflict', `${current.name} is the only active admin: make someone else an admin first`);
  }
  const set = Object.fromEntries(Object.keys(changes).map((k) => [k, body[k as keyof UpdateBody]])) as Partial<Agent>;
  const column = (k: string) => agents[k as keyof UpdateBody];
  const sameAsRead = and(
    eq(agents.id, id),
    ...Object.keys(set).map((k) => {
      const before = current[k as keyof UpdateBody];
      return before === null ? isNull(column(k)) : eq(column(k), before);
    }),
  )!;
  const results = (await db.batch([
    auditInsert(
      db,
      { workspaceId: who.workspaceId, actor: who.actor, entity: 'agent', entityId: id, action: 'update', changes, at: who.now },
      sql`EXISTS (SELECT 1 FROM ${agents} WHERE ${sameAsRead})`,
    ),
    db.update(agents).set(set).where(sameAsRead).returning({ id: agents.id }),
  ])) as unknown[];
  if ((results[1] as unknown[]).length === 0) throw new AdminRefused('conflict', 'someone else changed this agent meanwhile; reload and make your change again');
  return agentView(db, who.workspaceId, id);
}

/**
 * Deactivates an agent: they can no longer sign in (sessions end in the same batch), round-robin
 * passes them by, and every case of theirs that is not closed goes to `reassignTo` (an active agent)
 * or to nobody, each with a case.updated event. Mailboxes that named them as default assignee fall
 * back to the same person (or none), audited as mailbox changes.
 */
export async function deactivateAgent(deps: Deps, who: Actor, id: string, reassignTo: string | null): Promise<DeactivateResult> {
  const { db } = deps;
  const current = await agentRow(db, who.workspaceId, id);
  if (!current.active) throw new AdminRefused('conflict', `${current.name} is already deactivated`);
  if (id === who.actor) throw new AdminRefused('bad_request', 'you cannot deactivate yourself; ask another admin');
  if (current.role === 'admin' && (await activeAdmins(db, who.workspaceId)) <= 1) throw new AdminRefused('conflict', `${current.name} is the only active admin: make someone else an admin first`);
  let heir: { id: string; name: string } | null = null;
  if (reassignTo) {
    if (reassignTo === id) throw new AdminRefused('bad_request', 'invalid hand-over', [issue(['reassignTo'], 'cases cannot be handed to the agent being deactivated')]);
    heir =
      (await db
        .select({ id: agents.id, name: agents.name })
        .from(agents)
        .where(and(eq(agents.id, reassignTo), eq(agents.workspaceId, who.workspaceId), eq(agents.active, true)))
        .get()) ?? null;
    if (!heir) throw new AdminRefused('bad_request', 'invalid hand-over', [issue(['reassignTo'], 'cases can only be handed to an active agent of this workspace')]);
  }
  const [open, defaults] = await Promise.all([
    db
      .select({ id: cases.id })
      .from(cases)
      .where(and(eq(cases.workspaceId, who.workspaceId), eq(cases.assigneeId, id), notClosed))
      .orderBy(asc(cases.id)),
    db
      .select({ id: mailboxes.id, updatedAt: mailboxes.updatedAt })
      .from(mailboxes)
      .where(and(eq(mailboxes.workspaceId, who.workspaceId), eq(mailboxes.defaultAssigneeId, id))),
  ]);
  const ws = who.workspaceId;
  const actor = `agent:${who.actor}`;
  const handOver = (caseIds: string[], now: number) => {
    const stmts: Write[] = caseIds.map((caseId) => update('cases', { id: caseId, assigneeId: id }, { assigneeId: heir?.id ?? null, updatedAt: now }));
    const events = caseIds.map((caseId) => ({ caseId, actor, body: { type: 'case.updated', caseId, changes: { assignee: heir } } satisfies EventBody }));
    return { stmts, events };
  };

  const ids = open.map((r) => r.id);
  const last = ids.splice(Math.max(0, ids.length - REASSIGN_BATCH));
  for (let i = 0; i < ids.length; i += REASSIGN_BATCH) {
    const now = deps.now();
    const part = handOver(ids.slice(i, i + REASSIGN_BATCH), now);
    await commit(deps, { workspaceId: ws, writes: part.stmts, events: part.events, outgoing: [], blobs: [] });
  }
  const now = deps.now();
  const part = handOver(last, now);
  const writes: Write[] = [
    update('agents', { id, active: true }, { active: false }),
    remove('sessions', { agentId: id }),
    ...defaults.flatMap((m) => [
      update('mailboxes', { id: m.id }, { defaultAssigneeId: heir?.id ?? null, updatedAt: Math.max(now, m.updatedAt + 1) }),
      auditWrite({ workspaceId: ws, actor: who.actor, entity: 'mailbox', entityId: m.id, action: 'update', changes: { defaultAssigneeId: [id, heir?.id ?? null] }, at: now }),
    ]),
    ...part.stmts,
    auditWrite({
      workspaceId: ws,
      actor: who.actor,
      entity: 'agent',
      entityId: id,
      action: 'deactivate',
      changes: { active: [true, false], openCases: [open.length, 0], reassignedTo: [null, heir?.id ?? null] },
      at: now,
    }),
  ];
  await commit(deps, { workspaceId: ws, writes, events: part.events, outgoing: [], blobs: [] });
  return { agent: await agentView(db, ws, id), reassigned: open.length, reassignedTo: heir };
}

export async function reactivateAgent(db: Db, who: Actor, id: string): Promise<AgentAdminView> {
  const current = await agentRow(db, who.workspaceId, id);
  if (current.active) throw new AdminRefused('conflict', `${current.name} is already active`);
  await db.batch([
    db
      .update(agents)
      .set({ active: true })
      .where(and(eq(agents.id, id), eq(agents.active, false))),
    audit(db, who, id, 'reactivate', { active: [false, true] }),
  ]);
  return agentView(db, who.workspaceId, id);
}

/**
 * Sets an agent's password (AUTH_MODE=password). Their sessions end in the same batch, so a password
 * set because the old one leaked also locks out whoever used it. The audit row never holds the hash.
 */
export async function setAgentPassword(db: Db, who: Actor, id: string, password: string): Promise<AgentAdminView> {
  const current = await agentRow(db, who.workspaceId, id);
  const hash = await hashPassword(password);
  await db.batch([
    db.update(agents).set({ passwordHash: hash }).where(eq(agents.id, id)),
    db.delete(sessions).where(eq(sessions.agentId, id)),
    audit(db, who, id, 'password', { password: [current.passwordHash ? '(set)' : null, '(set)'] }),
  ]);
  return agentView(db, who.workspaceId, id);
}
