// The data model. This file is the authority: `npm run db:generate` turns changes into a new
// flat migration under migrations/, which wrangler and the test setup both apply.
// Times are integers (milliseconds since the epoch, UTC); lists are JSON text.

import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

const createdAt = () => integer('created_at').notNull();

export const workspaces = sqliteTable('workspaces', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  slug: text('slug').notNull().unique(),
  /** Last case number handed out. Numbers are taken before the case is written, so a failed write
   * leaves a gap (harmless) and concurrent deliveries never collide. */
  caseCounter: integer('case_counter').notNull().default(0),
  createdAt: createdAt(),
});

export const agents = sqliteTable(
  'agents',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    email: text('email').notNull(),
    name: text('name').notNull(),
    role: text('role', { enum: ['admin', 'agent'] })
      .notNull()
      .default('agent'),
    passwordHash: text('password_hash'),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    /** Short code in the reply tokens of this agent's notifications (`reply+<case>-a<code>-<mac>@`). */
    tokenCode: text('token_code'),
    /** Which notification mails the agent wants. */
    notifyAssignment: integer('notify_assignment', { mode: 'boolean' }).notNull().default(true),
    notifyCustomerReply: integer('notify_customer_reply', { mode: 'boolean' }).notNull().default(true),
    notifySla: integer('notify_sla', { mode: 'boolean' }).notNull().default(true),
    /** The team the agent answers for (a mailbox's default team hands new cases round-robin to it). */
    team: text('team'),
    /** Off while away: round-robin passes the agent by; cases already theirs stay theirs. */
    available: integer('available', { mode: 'boolean' }).notNull().default(true),
    /**
     * When round-robin last gave the agent a case. Strictly increasing within a team (see
     * admin/assign.ts), so two cases in the same millisecond still go to different agents.
     */
    lastAssignedAt: integer('last_assigned_at'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('agents_workspace_email').on(t.workspaceId, t.email), index('agents_workspace_team').on(t.workspaceId, t.team)],
);

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

export const contacts = sqliteTable(
  'contacts',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    email: text('email').notNull(),
    name: text('name').notNull().default(''),
    orgDomain: text('org_domain').notNull().default(''),
    /** Set by a permanent bounce of our mail: no acknowledgements go to this address any more. */
    undeliverable: integer('undeliverable', { mode: 'boolean' }).notNull().default(false),
    undeliverableReason: text('undeliverable_reason'),
    undeliverableAt: integer('undeliverable_at'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('contacts_workspace_email').on(t.workspaceId, t.email)],
);

export const cases = sqliteTable(
  'cases',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    mailboxId: text('mailbox_id')
      .notNull()
      .references(() => mailboxes.id),
    /** Human-facing number, unique per workspace, shown as [#123]. */
    number: integer('number').notNull(),
    subject: text('subject').notNull(),
    status: text('status', { enum: ['new', 'open', 'pending', 'resolved', 'closed'] })
      .notNull()
      .default('new'),
    priority: text('priority', { enum: ['low', 'normal', 'high', 'urgent'] })
      .notNull()
      .default('normal'),
    contactId: text('contact_id').references(() => contacts.id),
    assigneeId: text('assignee_id').references(() => agents.id),
    team: text('team'),
    tags: text('tags').notNull().default('[]'),
    /** The closed case this one follows up, when the mailbox opens a new linked case for late replies. */
    linkedCaseId: text('linked_case_id'),
    messageCount: integer('message_count').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: integer('updated_at').notNull(),
    lastMessageAt: integer('last_message_at').notNull(),
    closedAt: integer('closed_at'),
    firstResponseDueAt: integer('first_response_due_at'),
    nextResponseDueAt: integer('next_response_due_at'),
    resolutionDueAt: integer('resolution_due_at'),
    /** When the SLA sweep must next look at this case (a warning or a breach falls due), so it reads only those. */
    nextDueAt: integer('next_due_at'),
    slaState: text('sla_state', { enum: ['ok', 'warning', 'breached'] })
      .notNull()
      .default('ok'),
    /** The policy the case runs under (copied from its mailbox when it was opened). */
    slaPolicyId: text('sla_policy_id'),
    firstRespondedAt: integer('first_responded_at'),
    /** Set while the SLA clocks are paused (the case waits on the customer). */
    slaPausedAt: integer('sla_paused_at'),
    /** Targets warned about / breached, as bits (1 first response, 2 next response, 4 resolution). */
    slaWarnedMask: integer('sla_warned_mask').notNull().default(0),
    slaBreachedMask: integer('sla_breached_mask').notNull().default(0),
  },
  (t) => [
    uniqueIndex('cases_workspace_number').on(t.workspaceId, t.number),
    index('cases_workspace_status_last').on(t.workspaceId, t.status, t.lastMessageAt),
    index('cases_next_due').on(t.nextDueAt),
  ],
);

export const participants = sqliteTable(
  'participants',
  {
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id),
    email: text('email').notNull(),
    name: text('name').notNull().default(''),
    role: text('role', { enum: ['requester', 'cc', 'agent'] }).notNull(),
    contactId: text('contact_id').references(() => contacts.id),
    addedAt: integer('added_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.email] }), index('participants_email').on(t.email)],
);

export const messages = sqliteTable(
  'messages',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id),
    mailboxId: text('mailbox_id')
      .notNull()
      .references(() => mailboxes.id),
    direction: text('direction', { enum: ['inbound', 'outbound', 'note', 'system'] }).notNull(),
    kind: text('kind', { enum: ['human', 'auto-reply', 'bounce', 'list', 'loop', 'spam-flagged'] })
      .notNull()
      .default('human'),
    /** Idempotency key of an inbound message (see ingest/dedupe.ts); unique per mailbox. */
    messageKey: text('message_key'),
    /** RFC 5322 Message-ID without angle brackets. */
    rfcMessageId: text('rfc_message_id'),
    inReplyTo: text('in_reply_to'),
    references: text('references').notNull().default('[]'),
    fromEmail: text('from_email').notNull().default(''),
    fromName: text('from_name').notNull().default(''),
    to: text('to').notNull().default('[]'),
    cc: text('cc').notNull().default('[]'),
    subject: text('subject').notNull().default(''),
    text: text('text').notNull().default(''),
    html: text('html'),
    rawKey: text('raw_key'),
    inboundId: text('inbound_id'),
    threadRule: text('thread_rule').notNull(),
    threadReason: text('thread_reason').notNull().default(''),
    /** Classification reasons (JSON array), e.g. ["auto-submitted:auto-replied"]. */
    kindReasons: text('kind_reasons').notNull().default('[]'),
    authVerdict: text('auth_verdict', { enum: ['verified', 'unverified', 'failed'] }),
    /** The authentication results the verdict was drawn from (JSON). */
    authResults: text('auth_results'),
    authorAgentId: text('author_agent_id'),
    sentAt: integer('sent_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('messages_mailbox_key').on(t.mailboxId, t.messageKey),
    index('messages_workspace_rfc_id').on(t.workspaceId, t.rfcMessageId),
    index('messages_case_created').on(t.caseId, t.createdAt),
  ],
);

export const attachments = sqliteTable(
  'attachments',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    messageId: text('message_id')
      .notNull()
      .references(() => messages.id),
    filename: text('filename').notNull(),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    contentId: text('content_id'),
    inline: integer('inline', { mode: 'boolean' }).notNull().default(false),
    /** Null when the part was skipped by the mailbox's attachment policy; the raw mail still holds it. */
    r2Key: text('r2_key'),
    sha256: text('sha256').notNull(),
    skippedReason: text('skipped_reason'),
    createdAt: createdAt(),
  },
  (t) => [index('attachments_message').on(t.messageId)],
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

/** Response and resolution targets, per priority, with warnings and escalation actions. */
export const slaPolicies = sqliteTable('sla_policies', {
  id: text('id').primaryKey(),
  workspaceId: text('workspace_id')
    .notNull()
    .references(() => workspaces.id),
  name: text('name').notNull(),
  firstResponseMinutes: integer('first_response_minutes'),
  nextResponseMinutes: integer('next_response_minutes'),
  resolutionMinutes: integer('resolution_minutes'),
  /** JSON: {"urgent": {"firstResponse": 30, "resolution": 240}, …} */
  byPriority: text('by_priority').notNull().default('{}'),
  pauseWhenPending: integer('pause_when_pending', { mode: 'boolean' }).notNull().default(true),
  warnMinutes: integer('warn_minutes').notNull().default(30),
  /**
   * JSON array of escalation actions: {"on": "warning"|"breach", "action": "notify-assignee" |
   * "notify-address" | "reassign" | "raise-priority", "address"?, "agentId"?, "team"?}.
   */
  escalations: text('escalations').notNull().default('[]'),
  createdAt: createdAt(),
  updatedAt: integer('updated_at').notNull(),
});

/** Working hours: a time zone, weekly intervals and holidays (see sla/calendar.ts). 24/7 when absent. */
export const calendars = sqliteTable('calendars', {
  id: text('id').primaryKey(),
  workspaceId: text('workspace_id')
    .notNull()
    .references(() => workspaces.id),
  name: text('name').notNull(),
  timeZone: text('time_zone').notNull(),
  /** JSON: {"1": [{"start": "09:00", "end": "17:00"}], …}, Sunday = 0. */
  weekly: text('weekly').notNull(),
  /** JSON array of 'YYYY-MM-DD' local dates. */
  holidays: text('holidays').notNull().default('[]'),
  createdAt: createdAt(),
  updatedAt: integer('updated_at').notNull(),
});

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

/** Delivery of one outgoing message to one envelope recipient: sent, retried, or failed for good. */
export const outboxRecipients = sqliteTable(
  'outbox_recipients',
  {
    outboxId: text('outbox_id')
      .notNull()
      .references(() => outbox.id),
    recipient: text('recipient').notNull(),
    kind: text('kind').notNull(),
    caseId: text('case_id'),
    status: text('status', { enum: ['queued', 'sending', 'retry', 'sent', 'failed', 'suppressed'] })
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

/**
 * Signed-in agents (AUTH_MODE=password). The id is the SHA-256 of the cookie's random token, so a
 * leaked copy of this table cannot be replayed as cookies.
 */
export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    agentId: text('agent_id')
      .notNull()
      .references(() => agents.id),
    createdAt: createdAt(),
    expiresAt: integer('expires_at').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
  },
  (t) => [index('sessions_agent').on(t.agentId), index('sessions_expires').on(t.expiresAt)],
);

/** Failed password sign-ins per address (known or not), in a fixed window: the sign-in throttle. */
export const signInFailures = sqliteTable('sign_in_failures', {
  /** Lower case, as typed; unknown addresses are counted too, so the throttle reveals nothing. */
  email: text('email').primaryKey(),
  failures: integer('failures').notNull(),
  windowStartedAt: integer('window_started_at').notNull(),
});

/**
 * Who changed which setting, when: mailboxes, agents, setup actions. Written in the same D1 batch
 * as the change it describes, so a change without its row (or a row without its change) cannot exist.
 */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    /** The agent's id, or 'local' in open mode (as on events). */
    actor: text('actor').notNull(),
    entity: text('entity', { enum: ['mailbox', 'agent', 'setup', 'sla-policy', 'calendar'] }).notNull(),
    entityId: text('entity_id').notNull(),
    /** create, update, deactivate, reactivate, password, test-message. */
    action: text('action').notNull(),
    /** JSON {field: [before, after]}; secrets appear only as "(set)" or null. */
    changes: text('changes').notNull().default('{}'),
    at: integer('at').notNull(),
  },
  (t) => [index('audit_workspace_at').on(t.workspaceId, t.at), index('audit_entity').on(t.workspaceId, t.entity, t.entityId, t.at)],
);

export type Mailbox = typeof mailboxes.$inferSelect;
export type Agent = typeof agents.$inferSelect;
export type AuditRow = typeof auditLog.$inferSelect;
export type Case = typeof cases.$inferSelect;
export type Message = typeof messages.$inferSelect;
export type Inbound = typeof inbound.$inferSelect;
export type Participant = typeof participants.$inferSelect;
