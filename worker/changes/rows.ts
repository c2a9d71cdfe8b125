// rows: a Change's writes as drizzle statements for one D1 batch. The only place that turns the
// planners' plain values into SQL.
import { and, eq, inArray, isNull, ne, sql, type SQL } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import * as schema from '../db/schema.ts';
import type { Db } from '../db/client.ts';
import type { Expr, TableName, Write } from './change.ts';

export type Stmt = BatchItem<'sqlite'>;

const TABLES: Record<TableName, SQLiteTable> = {
  workspaces: schema.workspaces,
  agents: schema.agents,
  mailboxes: schema.mailboxes,
  contacts: schema.contacts,
  cases: schema.cases,
  participants: schema.participants,
  messages: schema.messages,
  attachments: schema.attachments,
  inbound: schema.inbound,
  outbox: schema.outbox,
  outboxRecipients: schema.outboxRecipients,
  sessions: schema.sessions,
  auditLog: schema.auditLog,
  tags: schema.tags,
  caseTags: schema.caseTags,
  snippets: schema.snippets,
  organisations: schema.organisations,
  notifications: schema.notifications,
  drafts: schema.drafts,
  rules: schema.rules,
  ruleRuns: schema.ruleRuns,
};

function column(table: SQLiteTable, name: string): SQLiteColumn {
  const col = (table as unknown as Record<string, SQLiteColumn | undefined>)[name];
  if (!col) throw new Error(`no column ${name}`);
  return col;
}

function isExpr(v: unknown): v is Expr {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && Object.keys(v).length === 1 && Object.keys(v)[0]!.startsWith('$');
}

function expr(table: SQLiteTable, name: string, e: Expr): SQL {
  const col = column(table, name);
  if ('$add' in e) return sql`${col} + ${e.$add}`;
  if ('$max' in e) return sql`MAX(${col}, ${e.$max})`;
  if ('$contactId' in e) {
    const c = schema.contacts;
    return sql`(SELECT ${c.id} FROM ${c} WHERE ${c.workspaceId} = ${e.$contactId.workspaceId} AND ${c.email} = ${e.$contactId.email})`;
  }
  if ('$tagId' in e) {
    const t = schema.tags;
    return sql`(SELECT ${t.id} FROM ${t} WHERE ${t.workspaceId} = ${e.$tagId.workspaceId} AND ${t.key} = ${e.$tagId.key})`;
  }
  return sql`CASE WHEN ${col} = '' THEN excluded.${sql.identifier(col.name)} ELSE ${col} END`;
}

function values(table: SQLiteTable, record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) if (v !== undefined) out[k] = isExpr(v) ? expr(table, k, v) : v;
  return out;
}

function where(table: SQLiteTable, record: Record<string, unknown>): SQL {
  const parts: SQL[] = [];
  for (const [k, v] of Object.entries(record)) {
    if (v === undefined) continue;
    const col = column(table, k);
    if (v === null) parts.push(isNull(col));
    else if (typeof v === 'object' && v !== null && '$in' in v) parts.push(inArray(col, (v as { $in: unknown[] }).$in));
    else if (typeof v === 'object' && v !== null && '$ne' in v) parts.push(ne(col, (v as { $ne: unknown }).$ne));
    else parts.push(eq(col, v));
  }
  // An update or delete with no condition would touch every row: never what a planner meant.
  if (parts.length === 0) throw new Error('a write needs a where clause');
  return and(...parts)!;
}

export function statement(db: Db, w: Write): Stmt {
  const table = TABLES[w.table];
  switch (w.op) {
    case 'insert': {
      const q = db.insert(table).values(values(table, w.values as Record<string, unknown>) as never);
      if (!w.conflict) return q;
      if (w.conflict === 'ignore') return q.onConflictDoNothing();
      return q.onConflictDoUpdate({ target: w.conflict.target.map((k) => column(table, k)), set: values(table, w.conflict.set as Record<string, unknown>) as never });
    }
    case 'update':
      return db
        .update(table)
        .set(values(table, w.set as Record<string, unknown>) as never)
        .where(where(table, w.where as Record<string, unknown>));
    case 'delete':
      return db.delete(table).where(where(table, w.where as Record<string, unknown>));
  }
}
