// What goes out: the mail we send and its delivery per recipient, and the events agents' browsers get.
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { workspaces } from './agents.ts';
import { createdAt } from './columns.ts';

/**
 * Everything we send: one row per outgoing message. Its raw MIME is in `mime` when small (the
 * acknowledgements and notifications, most replies), otherwise in R2 under `raw_key`.
 */
export const outbox = sqliteTable(
  'outbox',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    caseId: text('case_id'),
    /** The case message this mail is (agent replies); null for acknowledgements and notifications. */
    messageId: text('message_id'),
    kind: text('kind', { enum: ['ack-create', 'ack-update', 'reply', 'forward', 'notification'] }).notNull(),
    fromAddress: text('from_address').notNull(),
    subject: text('subject').notNull().default(''),
    rawKey: text('raw_key').notNull(),
    /** The raw MIME, when it is at most OUTBOX_INLINE_MAX bytes; then nothing is in R2. */
    mime: text('mime'),
    /** The inbound message that caused it (acknowledgements): one acknowledgement per inbound, ever. */
    causeInboundId: text('cause_inbound_id'),
    createdAt: createdAt(),
  },
  (t) => [index('outbox_case').on(t.caseId), uniqueIndex('outbox_cause').on(t.causeInboundId, t.kind)],
);

/**
 * Delivery of one outgoing message to one envelope recipient: sent, retried, or failed for good;
 * `bounced` when a delivery report about it came back after it was sent (a TS enum only: SQLite
 * keeps text, so a new status needs no migration).
 */
export const outboxRecipients = sqliteTable(
  'outbox_recipients',
  {
    outboxId: text('outbox_id')
      .notNull()
      .references(() => outbox.id),
    recipient: text('recipient').notNull(),
    kind: text('kind').notNull(),
    caseId: text('case_id'),
    status: text('status', { enum: ['queued', 'sending', 'retry', 'sent', 'failed', 'suppressed', 'bounced'] })
      .notNull()
      .default('queued'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at'),
    providerMessageId: text('provider_message_id'),
    errorCode: text('error_code'),
    error: text('error'),
    createdAt: createdAt(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.outboxId, t.recipient] }), index('outbox_recipients_due').on(t.status, t.nextAttemptAt), index('outbox_recipients_rate').on(t.recipient, t.kind, t.createdAt)],
);

export const events = sqliteTable(
  'events',
  {
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    /** Per-workspace, gap-free, assigned inside the batch that made the change. */
    seq: integer('seq').notNull(),
    caseId: text('case_id'),
    type: text('type').notNull(),
    actor: text('actor').notNull(),
    payload: text('payload').notNull().default('{}'),
    at: integer('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.seq] }), index('events_case').on(t.caseId)],
);
