// Teams as an admin keeps them: create, rename, change the assign mode, set the members (an agent
// may be in several teams), delete. Each change and its audit row are one D1 batch. Deleting a team
// takes it off its cases and mailboxes (they keep their assignees) in the same batch.
import { and, eq, inArray, sql } from 'drizzle-orm';
import { agents, cases, mailboxes, teamMembers, teams, type Team } from '../db/schema.ts';
import type { Db } from '../deps.ts';
import { newId } from '../protocol/ids.ts';
import type { AssignMode, TeamView } from '../protocol/teams.ts';
import { auditInsert, diff } from './audit.ts';
import { AdminRefused, issue } from './errors.ts';
import type { Actor } from './mailboxes.ts';

async function members(db: Db, teamIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (!teamIds.length) return out;
  const rows = await db
    .select({ teamId: teamMembers.teamId, agentId: teamMembers.agentId })
    .from(teamMembers)
    .innerJoin(agents, eq(agents.id, teamMembers.agentId))
    .where(and(inArray(teamMembers.teamId, teamIds.slice(0, 90)), eq(agents.active, true)))
    .orderBy(agents.name);
  for (const r of rows) out.set(r.teamId, [...(out.get(r.teamId) ?? []), r.agentId]);
  return out;
}

function viewOf(t: Team, memberIds: string[]): TeamView {
  return { id: t.id, name: t.name, assignMode: t.assignMode, memberIds };
}

export async function listTeams(db: Db, workspaceId: string): Promise<TeamView[]> {
  const rows = await db.select().from(teams).where(eq(teams.workspaceId, workspaceId)).orderBy(teams.name);
  const m = await members(
    db,
    rows.map((t) => t.id),
  );
  return rows.map((t) => viewOf(t, m.get(t.id) ?? []));
}

async function teamOf(db: Db, workspaceId: string, id: string): Promise<Team> {
  const [t] = await db
    .select()
    .from(teams)
    .where(and(eq(teams.id, id), eq(teams.workspaceId, workspaceId)));
  if (!t) throw new AdminRefused('not_found', 'team not found');
  return t;
}

async function nameFree(db: Db, workspaceId: string, name: string, except?: string): Promise<void> {
  const [taken] = await db
    .select({ id: teams.id })
    .from(teams)
    .where(and(eq(teams.workspaceId, workspaceId), sql`lower(${teams.name}) = ${name.toLowerCase()}`));
  if (taken && taken.id !== except) throw new AdminRefused('conflict', `a team is already called "${name}"`, [issue(['name'], 'another team has this name')]);
}

export async function createTeam(db: Db, who: Actor, body: { name: string; assignMode: AssignMode }): Promise<TeamView> {
  await nameFree(db, who.workspaceId, body.name);
  const row = { id: newId('team', who.now), workspaceId: who.workspaceId, name: body.name, assignMode: body.assignMode, createdAt: who.now };
  await db.batch([
    db.insert(teams).values(row),
    auditInsert(db, {
      workspaceId: who.workspaceId,
      actor: who.actor,
      entity: 'team',
      entityId: row.id,
      action: 'create',
      changes: diff({}, { name: row.name, assignMode: row.assignMode }),
      at: who.now,
    }),
  ]);
  return viewOf(row, []);
}

export async function updateTeam(db: Db, who: Actor, id: string, body: { name?: string; assignMode?: AssignMode }): Promise<TeamView> {
  const before = await teamOf(db, who.workspaceId, id);
  if (body.name !== undefined) await nameFree(db, who.workspaceId, body.name, id);
  const changes = diff<{ name: string; assignMode: AssignMode }>(before, body);
  if (Object.keys(changes).length) {
    await db.batch([
      db.update(teams).set(body).where(eq(teams.id, id)),
      auditInsert(db, { workspaceId: who.workspaceId, actor: who.actor, entity: 'team', entityId: id, action: 'update', changes, at: who.now }),
    ]);
  }
  return viewOf({ ...before, ...body }, (await members(db, [id])).get(id) ?? []);
}

/** Sets who is in the team. Members who stay keep their round-robin turn; only active agents of the workspace can join. */
export async function setMembers(db: Db, who: Actor, id: string, agentIds: string[]): Promise<TeamView> {
  const team = await teamOf(db, who.workspaceId, id);
  const wanted = [...new Set(agentIds)];
  const found = wanted.length
    ? await db
        .select({ id: agents.id })
        .from(agents)
        .where(and(eq(agents.workspaceId, who.workspaceId), eq(agents.active, true), inArray(agents.id, wanted)))
    : [];
  const known = new Set(found.map((a) => a.id));
  const missing = wanted.filter((a) => !known.has(a));
  if (missing.length)
    throw new AdminRefused(
      'bad_request',
      'only active agents of this workspace can be members',
      missing.map((m) => issue(['agentIds'], `no active agent ${m}`)),
    );
  const current = (await db.select({ agentId: teamMembers.agentId }).from(teamMembers).where(eq(teamMembers.teamId, id))).map((r) => r.agentId);
  const add = wanted.filter((a) => !current.includes(a));
  const drop = current.filter((a) => !wanted.includes(a));
  if (add.length || drop.length) {
    await db.batch([
      auditInsert(db, { workspaceId: who.workspaceId, actor: who.actor, entity: 'team', entityId: id, action: 'members', changes: { members: [current, wanted] }, at: who.now }),
      ...(add.length
        ? [
            db
              .insert(teamMembers)
              .values(add.map((agentId) => ({ teamId: id, agentId, addedAt: who.now })))
              .onConflictDoNothing(),
          ]
        : []),
      ...(drop.length ? [db.delete(teamMembers).where(and(eq(teamMembers.teamId, id), inArray(teamMembers.agentId, drop)))] : []),
    ]);
  }
  return viewOf(team, (await members(db, [id])).get(id) ?? []);
}

export async function deleteTeam(db: Db, who: Actor, id: string): Promise<void> {
  const team = await teamOf(db, who.workspaceId, id);
  await db.batch([
    db
      .update(cases)
      .set({ teamId: null })
      .where(and(eq(cases.workspaceId, who.workspaceId), eq(cases.teamId, id))),
    db
      .update(mailboxes)
      .set({ defaultTeamId: null })
      .where(and(eq(mailboxes.workspaceId, who.workspaceId), eq(mailboxes.defaultTeamId, id))),
    db.delete(teamMembers).where(eq(teamMembers.teamId, id)),
    db.delete(teams).where(eq(teams.id, id)),
    auditInsert(db, { workspaceId: who.workspaceId, actor: who.actor, entity: 'team', entityId: id, action: 'delete', changes: { name: [team.name, null] }, at: who.now }),
  ]);
}
