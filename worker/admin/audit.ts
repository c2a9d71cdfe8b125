// The audit trail: one row per administrative change, staged into the same D1 batch as the change.
// `changes` holds {field: [before, after]} for the fields that really changed.
import { and, desc, eq, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import { agents, auditLog, type AuditRow } from '../db/schema.ts';
import type { Db } from '../deps.ts';
import type { AuditEntity, AuditEntry } from '../protocol/admin.ts';
import { newId } from '../protocol/ids.ts';
import { insert, type Write } from '../changes/change.ts';

export type Changes = Record<string, [unknown, unknown]>;

export interface AuditInput {
  workspaceId: string;
  actor: string;
  entity: AuditEntity;
  entityId: string;
  action: string;
  changes: Changes;
  at: number;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The fields of `after` whose value differs from `before`, as [before, after] pairs. */
export function diff<T extends object>(before: Partial<T>, after: Partial<T>): Changes {
  const out: Changes = {};
  for (const key of Object.keys(after) as Array<keyof T & string>) {
    if (after[key] === undefined) continue;
    if (!same(before[key], after[key])) out[key] = [before[key] ?? null, after[key] ?? null];
  }
  return out;
}

/**
 * The audit row as a batch statement. With `guard`, the row is written only when the guard holds
 * when the statement runs: a change made conditional on the state it was computed from (optimistic
 * concurrency) then leaves no row for a change that did not happen.
 */
export function auditInsert(db: Db, entry: AuditInput, guard?: SQL) {
  const row = { id: newId('audit', entry.at), ...entry, changes: JSON.stringify(entry.changes) };
  if (!guard) return db.insert(auditLog).values(row);
  // INSERT … SELECT takes the table's columns in their declared order: id, workspace_id, actor,
  // entity, entity_id, action, changes, at.
  return db.insert(auditLog).select(sql`SELECT ${row.id}, ${row.workspaceId}, ${row.actor}, ${row.entity}, ${row.entityId}, ${row.action}, ${row.changes}, ${row.at} WHERE ${guard}`);
}

/** The audit row as a write of a change (see changes/change.ts). */
export function auditWrite(entry: AuditInput): Write {
  return insert('auditLog', { id: newId('audit', entry.at), ...entry, changes: JSON.stringify(entry.changes) });
}

function parseChanges(json: string): Changes {
  try {
    const v = JSON.parse(json) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Changes) : {};
  } catch {
    return {};
  }
}

export interface AuditPage {
  items: AuditEntry[];
  /** [at, id] of the last row, when there may be more. */
  next: [number, string] | null;
}

export async function listAudit(db: Db, workspaceId: string, q: { entity?: AuditEntity; entityId?: string; limit: number; before?: [number, string] | null }): Promise<AuditPage> {
  const rows: AuditRow[] = await db
    .select()
    .from(auditLog)
    .where(
      and(
        eq(auditLog.workspaceId, workspaceId),
        q.entity ? eq(auditLog.entity, q.entity) : undefined,
        q.entityId ? eq(auditLog.entityId, q.entityId) : undefined,
        q.before ? or(lt(auditLog.at, q.before[0]), and(eq(auditLog.at, q.before[0]), lt(auditLog.id, q.before[1]))) : undefined,
      ),
    )
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(q.limit + 1);
  const more = rows.length > q.limit;
  if (more) rows.pop();
  const actorIds = [...new Set(rows.map((r) => r.actor).filter((a) => a.startsWith('agt_')))];
  const names = new Map<string, string>();
  if (actorIds.length) {
    for (const a of await db
      .select({ id: agents.id, name: agents.name })
      .from(agents)
      .where(and(eq(agents.workspaceId, workspaceId), inArray(agents.id, actorIds.slice(0, 90)))))
      names.set(a.id, a.name);
  }
  const last = rows[rows.length - 1];
  return {
    items: rows.map((r) => ({ id: r.id, actor: r.actor, actorName: names.get(r.actor) ?? null, entity: r.entity, entityId: r.entityId, action: r.action, changes: parseChanges(r.changes), at: r.at })),
    next: more && last ? [last.at, last.id] : null,
  };
}
