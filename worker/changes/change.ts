// The Change: everything one action does to the world, as a plain value. Planners build it from facts
// (pure: no database, no clock), `commit()` carries it out: blobs to R2, then one D1 batch with the
// rows and their seq-numbered events, then the publish, then the outgoing mail. A Change can be
// printed, compared in a test and shown by `npm run explain` before anything is written.
import type * as schema from '../db/schema.ts';
import type { OutboxKind } from '../protocol/api.ts';
import type { EventBody } from '../protocol/events.ts';

/** The tables a change may write. The events table is not among them: commit() alone appends events. */
export interface Tables {
  workspaces: typeof schema.workspaces;
  agents: typeof schema.agents;
  mailboxes: typeof schema.mailboxes;
  contacts: typeof schema.contacts;
  cases: typeof schema.cases;
  participants: typeof schema.participants;
  messages: typeof schema.messages;
  attachments: typeof schema.attachments;
  inbound: typeof schema.inbound;
  outbox: typeof schema.outbox;
  outboxRecipients: typeof schema.outboxRecipients;
  sessions: typeof schema.sessions;
  auditLog: typeof schema.auditLog;
  tags: typeof schema.tags;
  caseTags: typeof schema.caseTags;
  snippets: typeof schema.snippets;
  organisations: typeof schema.organisations;
  notifications: typeof schema.notifications;
  drafts: typeof schema.drafts;
  rules: typeof schema.rules;
  ruleRuns: typeof schema.ruleRuns;
}
export type TableName = keyof Tables;
export type Insert<T extends TableName> = Tables[T]['$inferInsert'];
export type Select<T extends TableName> = Tables[T]['$inferSelect'];

/**
 * Values computed by the database when the batch runs, for what a planner cannot know from its facts
 * without a race: a counter bumped by concurrent changes, a contact row another change may create.
 */
export type Expr =
  /** column + n */
  | { $add: number }
  /** MAX(column, n) */
  | { $max: number }
  /** The id of the workspace's contact with this address (created earlier in the same batch). */
  | { $contactId: { workspaceId: string; email: string } }
  /** In an upsert: keep the stored value unless it is empty, then take the new one. */
  | { $fillEmpty: true }
  /** The id of the workspace's tag with this key (created earlier in the same batch, or by a change that raced it). */
  | { $tagId: { workspaceId: string; key: string } };

type Values<T extends TableName> = { [K in keyof Insert<T>]: Insert<T>[K] | Expr };
export type Patch<T extends TableName> = { [K in keyof Insert<T>]?: Insert<T>[K] | Expr };
/** Equality on every named column; `{ $in }` for one of several values, null for IS NULL. */
export type Where<T extends TableName> = { [K in keyof Select<T>]?: Select<T>[K] | { $in: Array<NonNullable<Select<T>[K]>> } | { $ne: NonNullable<Select<T>[K]> } };

export type Write = {
  [T in TableName]:
    | { op: 'insert'; table: T; values: Values<T>; conflict?: 'ignore' | { target: Array<keyof Select<T> & string>; set: Patch<T> } }
    | { op: 'update'; table: T; where: Where<T>; set: Patch<T> }
    | { op: 'delete'; table: T; where: Where<T> };
}[TableName];

export function insert<T extends TableName>(table: T, values: Values<T>, conflict?: 'ignore' | { target: Array<keyof Select<T> & string>; set: Patch<T> }): Write {
  return { op: 'insert', table, values, ...(conflict ? { conflict } : {}) } as Write;
}

export function update<T extends TableName>(table: T, where: Where<T>, set: Patch<T>): Write {
  return { op: 'update', table, where, set } as Write;
}

export function remove<T extends TableName>(table: T, where: Where<T>): Write {
  return { op: 'delete', table, where } as Write;
}

/** Bytes that go to R2 before the batch (attachments, large outgoing MIME), under keys that a retry overwrites. */
export interface Blob {
  key: string;
  body: Uint8Array | string;
  contentType: string;
  meta?: Record<string, string>;
}

/** An event as a planner states it; commit() gives it its seq and time. */
export interface PlannedEvent {
  caseId: string | null;
  actor: string;
  body: EventBody;
}

/**
 * Outgoing mail recorded in the change's batch, to send once the batch has committed. Its deliveries
 * are written already claimed (`sending`, attempt 1), so sending it takes no read and no claim; if
 * the isolate dies first, the outbox sweep takes them over once they are stale.
 */
export interface Staged {
  id: string;
  workspaceId: string;
  caseId: string | null;
  messageId: string | null;
  kind: OutboxKind;
  from: string;
  recipients: string[];
  /** The MIME just staged, so that sending does not read it back. */
  raw: string;
}

export interface Change {
  workspaceId: string;
  writes: Write[];
  events: PlannedEvent[];
  outgoing: Staged[];
  blobs: Blob[];
}

export function emptyChange(workspaceId: string): Change {
  return { workspaceId, writes: [], events: [], outgoing: [], blobs: [] };
}

/** One change doing what all of `parts` do, in their order. */
export function combine(workspaceId: string, ...parts: Array<Partial<Omit<Change, 'workspaceId'>> | null | undefined>): Change {
  const out = emptyChange(workspaceId);
  for (const p of parts) {
    if (!p) continue;
    out.writes.push(...(p.writes ?? []));
    out.events.push(...(p.events ?? []));
    out.outgoing.push(...(p.outgoing ?? []));
    out.blobs.push(...(p.blobs ?? []));
  }
  return out;
}

/** The actor recorded on events an agent causes; open mode has nobody signed in. */
export function agentActor(agentId: string | null): string {
  return agentId ? `agent:${agentId}` : 'agent:local';
}
