// Where mail comes in: the mailboxes and their settings, and every inbound message as received.
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { agents, workspaces } from './agents.ts';
import { createdAt } from './columns.ts';

export const mailboxes = sqliteTable('mailboxes', {
  id: text('id').primaryKey(),
  workspaceId: text('workspace_id')
    .notNull()
    .references(() => workspaces.id),
  /** The receiving address, lower case. Plus-addressed variants (reply+token@) resolve to it. */
  address: text('address').notNull().unique(),
  displayName: text('display_name').notNull(),
  enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
  defaultAssigneeId: text('default_assignee_id').references(() => agents.id),
  defaultTeam: text('default_team'),
  /** The team new cases go to (teams.id); its assignMode picks the agent. */
  defaultTeamId: text('default_team_id'),
  slaPolicyId: text('sla_policy_id'),
  calendarId: text('calendar_id'),
  slaOfficeHoursOnly: integer('sla_office_hours_only', { mode: 'boolean' }).notNull().default(false),
  ackOnCreate: integer('ack_on_create', { mode: 'boolean' }).notNull().default(true),
  ackOnUpdate: integer('ack_on_update', { mode: 'boolean' }).notNull().default(false),
  /** Custom acknowledgement templates as JSON {subject, text, html?}; null means the default. */
  ackCreateTemplate: text('ack_create_template'),
  ackUpdateTemplate: text('ack_update_template'),
  /** Sent instead of the create template while the mailbox's calendar says the team is off. */
  ackOffHoursTemplate: text('ack_off_hours_template'),
  /** At most this many acknowledgements per case per hour, and per recipient per day. */
  ackMaxPerCaseHour: integer('ack_max_per_case_hour').notNull().default(1),
  ackMaxPerRecipientDay: integer('ack_max_per_recipient_day').notNull().default(10),
  /** Who may post into an existing case: its participants (default), or anyone who finds it. */
  replyPolicy: text('reply_policy', { enum: ['participants', 'verified', 'any'] })
    .notNull()
    .default('participants'),
  /**
   * What a sender whose mail Cloudflare could not authenticate (no aligned DKIM/SPF, no DMARC pass)
   * may do in an existing case: only reply through the signed reply address (`token-only`, the
   * default), or thread like anyone else (`allow`). Mail that fails DMARC is held under `token-only`.
   */
  unverifiedPolicy: text('unverified_policy', { enum: ['token-only', 'allow'] })
    .notNull()
    .default('token-only'),
  /** Flood breaker: more than this many messages from one sender inside the window are held. */
  floodMaxPerSender: integer('flood_max_per_sender').notNull().default(15),
  /** … or more than this many with the same subject and body, from anyone. */
  floodMaxIdentical: integer('flood_max_identical').notNull().default(5),
  floodWindowMinutes: integer('flood_window_minutes').notNull().default(10),
  catchAllAddress: text('catch_all_address'),
  /** What a reply to a closed case does: reopen it, open a new linked case, or reopen only within N days. */
  followUpPolicy: text('follow_up_policy', { enum: ['reopen', 'new-linked', 'reopen-within'] })
    .notNull()
    .default('reopen'),
  followUpDays: integer('follow_up_days').notNull().default(14),
  attachmentMaxCount: integer('attachment_max_count').notNull().default(5),
  attachmentMaxBytes: integer('attachment_max_bytes')
    .notNull()
    .default(10 * 1024 * 1024),
  /** JSON array of allowed MIME types or `type/*` patterns; empty means any type. */
  attachmentAllowedTypes: text('attachment_allowed_types').notNull().default('[]'),
  maxMessageBytes: integer('max_message_bytes')
    .notNull()
    .default(25 * 1024 * 1024),
  createdAt: createdAt(),
  updatedAt: integer('updated_at').notNull(),
});

export const inbound = sqliteTable(
  'inbound',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    mailboxId: text('mailbox_id')
      .notNull()
      .references(() => mailboxes.id),
    envelopeFrom: text('envelope_from').notNull(),
    envelopeTo: text('envelope_to').notNull(),
    rawKey: text('raw_key').notNull(),
    rawSize: integer('raw_size').notNull(),
    /** Idempotency key computed from the headers before parsing; see ingest/dedupe.ts. */
    idemKey: text('idem_key').notNull(),
    status: text('status', { enum: ['received', 'processed', 'ignored', 'quarantined', 'failed', 'discarded'] })
      .notNull()
      .default('received'),
    /** Machine-readable reason for ignored/quarantined/failed rows, e.g. `not-a-participant`. */
    reason: text('reason'),
    subject: text('subject').notNull().default(''),
    /** The author's address (From, else the envelope sender), lower case: what the flood breaker counts. */
    fromEmail: text('from_email').notNull().default(''),
    /** Hash of subject and text, set once parsed: what the flood breaker compares. */
    contentHash: text('content_hash'),
    /** Where a held message was forwarded (the mailbox's catch-all address), or why that failed. */
    forwardedTo: text('forwarded_to'),
    forwardError: text('forward_error'),
    /** Set for historical imports (the import's name): no acknowledgements, cases filed closed. */
    importBatch: text('import_batch'),
    /** Who released or discarded a held message, and when (the audit trail of the exception log). */
    resolvedBy: text('resolved_by'),
    resolvedAt: integer('resolved_at'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at'),
    lastError: text('last_error'),
    caseId: text('case_id'),
    messageId: text('message_id'),
    /** The full decision (kind, threading candidates, rule) as JSON, for the exception log. */
    decision: text('decision'),
    receivedAt: integer('received_at').notNull(),
    processedAt: integer('processed_at'),
  },
  (t) => [
    index('inbound_status_due').on(t.status, t.nextAttemptAt),
    index('inbound_mailbox_key').on(t.mailboxId, t.idemKey),
    index('inbound_mailbox_sender').on(t.mailboxId, t.fromEmail, t.receivedAt),
    index('inbound_mailbox_content').on(t.mailboxId, t.contentHash, t.receivedAt),
    index('inbound_workspace_received').on(t.workspaceId, t.receivedAt),
  ],
);

export type Mailbox = typeof mailboxes.$inferSelect;
export type Inbound = typeof inbound.$inferSelect;
