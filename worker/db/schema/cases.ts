// Cases and what they hold: the contacts, participants, messages and attachments.
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { agents, workspaces } from './agents.ts';
import { createdAt } from './columns.ts';
import { mailboxes } from './mail.ts';

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
    /** What the team knows about this person, editable in the customer panel. */
    note: text('note').notNull().default(''),
    phone: text('phone').notNull().default(''),
    /** Set when this address was merged into another contact (two addresses, one person): follow it. */
    mergedIntoId: text('merged_into_id'),
    updatedAt: integer('updated_at'),
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
    /** The team the case is given to (its queue), with or without an assignee in it. */
    teamId: text('team_id'),
    /** Set while the case is snoozed: it leaves the open views until snoozedUntil, or until the customer writes. */
    snoozedAt: integer('snoozed_at'),
    /** When a snoozed case wakes; null with snoozedAt set means only the customer's next mail wakes it. */
    snoozedUntil: integer('snoozed_until'),
    snoozedBy: text('snoozed_by'),
    /** The closed case this one follows up, when the mailbox opens a new linked case for late replies. */
    linkedCaseId: text('linked_case_id'),
    /** Set when a merge absorbed this case: its tokens, markers and [#n] tags resolve to that case (follow the chain). */
    mergedIntoId: text('merged_into_id'),
    /** When the status last changed (time rules: "pending for 7 days"). Null on cases from before it was kept: read createdAt. */
    statusChangedAt: integer('status_changed_at'),
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
    index('cases_snoozed_until').on(t.snoozedUntil),
    index('cases_workspace_assignee').on(t.workspaceId, t.assigneeId, t.status),
    // The merge suggestion looks for the sender's other recent cases.
    index('cases_workspace_contact_last').on(t.workspaceId, t.contactId, t.lastMessageAt),
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

export type Case = typeof cases.$inferSelect;
export type Message = typeof messages.$inferSelect;
export type Participant = typeof participants.$inferSelect;
