// commit: the one write path. A Change goes to R2 (its blobs), then to D1 as one batch (D1 has no
// interactive transactions; a batch is atomic) with an events row per event, each given the next
// per-workspace seq inside the batch, then to the agents' sockets, then to the outbox. Nothing else
// appends to the events table or publishes.
import { sql } from 'drizzle-orm';
import { events } from '../db/schema.ts';
import type { Db } from '../db/client.ts';
import type { ServerEvent } from '../protocol/events.ts';
import type { Publisher } from '../realtime/publish.ts';
import { indexChange, type SearchIndex } from '../search/sync.ts';
import type { Change, PlannedEvent, Staged } from './change.ts';
import { statement, type Stmt } from './rows.ts';

/** What committing needs: the narrow bindings, not the whole environment. */
export interface CommitDeps {
  db: Db;
  raw: R2Bucket;
  hub: Publisher;
  now: () => number;
  /** Work that may finish after the response (ctx.waitUntil in the Worker). */
  background(task: Promise<unknown>): void;
  /** Sends mail staged by a committed change (the outbox's first attempt). */
  send(mail: Staged): Promise<unknown>;
  /** The full-text index, written right after the batch (its own database; see search/sync.ts). */
  search?: SearchIndex | null;
}

export interface Committed {
  events: ServerEvent[];
  /** The results of the change's writes, in order (rows for writes that return any). */
  results: unknown[];
}

function eventInsert(db: Db, workspaceId: string, e: PlannedEvent, at: number): Stmt {
  return db
    .insert(events)
    .values({
      workspaceId,
      seq: sql`(SELECT COALESCE(MAX(${events.seq}), 0) + 1 FROM ${events} WHERE ${events.workspaceId} = ${workspaceId})`,
      caseId: e.caseId,
      type: e.body.type,
      actor: e.actor,
      payload: JSON.stringify(e.body),
      at,
    })
    .returning({ seq: events.seq });
}

/**
 * Writes the change; on any D1 error nothing of it is in D1 (R2 blobs are keyed so a retry overwrites
 * them). Then the search index, awaited so that what was written is findable when this returns; its
 * failure never fails the change.
 */
export async function write(deps: Pick<CommitDeps, 'db' | 'now' | 'search'> & { raw?: R2Bucket }, change: Change, at = deps.now()): Promise<Committed> {
  if (change.blobs.length) {
    const raw = deps.raw;
    if (!raw) throw new Error('a change with blobs needs the R2 bucket');
    await Promise.all(change.blobs.map((b) => raw.put(b.key, b.body, { httpMetadata: { contentType: b.contentType }, ...(b.meta ? { customMetadata: b.meta } : {}) })));
  }
  const stmts = change.writes.map((w) => statement(deps.db, w));
  const all = [...stmts, ...change.events.map((e) => eventInsert(deps.db, change.workspaceId, e, at))];
  if (all.length === 0) return { events: [], results: [] };
  // A lone row without events (a failure recorded on an inbound row) needs no batch.
  if (all.length === 1 && change.events.length === 0) {
    const result = await all[0]!;
    await indexChange(deps, change, at);
    return { events: [], results: [result] };
  }
  const results = (await deps.db.batch(all as [Stmt, ...Stmt[]])) as unknown[];
  await indexChange(deps, change, at);
  const published = change.events.map((e, i) => {
    const rows = results[stmts.length + i] as Array<{ seq: number }>;
    return { ...e.body, seq: rows[0]!.seq, at } as ServerEvent;
  });
  return { events: published, results: results.slice(0, stmts.length) };
}

/** After write(): the committed events to the agents' sockets, the staged mail to the outbox. */
export async function announce(deps: Pick<CommitDeps, 'hub' | 'background' | 'send'>, workspaceId: string, events: ServerEvent[], outgoing: Staged[]): Promise<void> {
  await deps.hub.publish(workspaceId, events);
  for (const mail of outgoing) deps.background(deps.send(mail));
}

/** Writes the change, publishes its events and hands its mail to the outbox. */
export async function commit(deps: CommitDeps, change: Change): Promise<Committed> {
  const done = await write(deps, change);
  await announce(deps, change.workspaceId, done.events, change.outgoing);
  return done;
}
