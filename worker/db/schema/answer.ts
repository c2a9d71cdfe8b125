// How a team answers faster: canned replies, what it knows about a customer (organisations,
// notes), mentions and other in-app notifications, shared reply drafts, and rules.
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { agents, workspaces } from './agents.ts';
import { cases } from './cases.ts';
import { createdAt } from './columns.ts';
import { mailboxes } from './mail.ts';

/** A canned reply: personal (owner set) or shared with the workspace. Placeholders are checked when it is saved. */
export const snippets = sqliteTable(
  'snippets',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    /** Null for a snippet shared with the whole workspace. */
    ownerAgentId: text('owner_agent_id').references(() => agents.id),
    name: text('name').notNull(),
    /** Optional short word typed after the shortcut to insert it (`;refund`); lower case. */
    shortcut: text('shortcut'),
    /** The text with {{placeholders}}. */
    body: text('body').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('snippets_workspace_owner').on(t.workspaceId, t.ownerAgentId)],
);

/** An organisation: the customers who write from one email domain. Editable; created when first named. */
export const organisations = sqliteTable(
  'organisations',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    /** Lower case, without a leading @. */
    domain: text('domain').notNull(),
    name: text('name').notNull(),
    note: text('note').notNull().default(''),
    createdAt: createdAt(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('organisations_workspace_domain').on(t.workspaceId, t.domain)],
);

/**
 * What an agent is told in the app (and, by their settings, by mail): a mention in a note, and
 * later other kinds. `sourceId` with `kind` and `agentId` is unique, so one mention notifies once
 * however often the note's change is retried.
 */
export const notifications = sqliteTable(
  'notifications',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    agentId: text('agent_id')
      .notNull()
      .references(() => agents.id),
    kind: text('kind', { enum: ['mention'] }).notNull(),
    caseId: text('case_id').references(() => cases.id),
    /** What caused it: the note's message id for a mention. */
    sourceId: text('source_id').notNull(),
    /** The event actor who caused it (agent:<id>). */
    actor: text('actor').notNull(),
    /** A short plain-text excerpt shown in the list. */
    excerpt: text('excerpt').notNull().default(''),
    at: integer('at').notNull(),
    readAt: integer('read_at'),
  },
  (t) => [uniqueIndex('notifications_once').on(t.agentId, t.kind, t.sourceId), index('notifications_agent_at').on(t.agentId, t.at)],
);

/**
 * An agent's reply draft on a case, saved as they type. `baseMessageId` is the newest customer
 * message the draft was written against: sending it after a newer one arrived asks first.
 */
export const drafts = sqliteTable(
  'drafts',
  {
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id),
    agentId: text('agent_id')
      .notNull()
      .references(() => agents.id),
    workspaceId: text('workspace_id').notNull(),
    /** reply or note. */
    mode: text('mode', { enum: ['reply', 'note'] })
      .notNull()
      .default('reply'),
    body: text('body').notNull().default(''),
    /** JSON array of extra recipients (cc). */
    cc: text('cc').notNull().default('[]'),
    baseMessageId: text('base_message_id'),
    /** Bumped by each save; a save naming an older version is refused (another device wrote since). */
    version: integer('version').notNull().default(1),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.agentId] }), index('drafts_agent').on(t.agentId)],
);

/**
 * An admin's rule: when (a mail opens a case, a reply arrives, or time passes) and conditions hold,
 * do actions. Conditions and actions are JSON checked on save (see the rules module for their shape).
 */
export const rules = sqliteTable(
  'rules',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    /** Null for a rule over every mailbox. */
    mailboxId: text('mailbox_id').references(() => mailboxes.id),
    name: text('name').notNull(),
    trigger: text('trigger', { enum: ['new-case', 'reply', 'time'] }).notNull(),
    /** JSON: all must hold. */
    conditions: text('conditions').notNull().default('[]'),
    /** JSON: done in order. */
    actions: text('actions').notNull().default('[]'),
    /** Rules run in position order; a rule may stop the ones after it. */
    position: integer('position').notNull().default(0),
    stopAfter: integer('stop_after', { mode: 'boolean' }).notNull().default(false),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('rules_workspace_trigger').on(t.workspaceId, t.trigger, t.position)],
);

/** A time rule fired on a case; the primary key keeps a late or duplicated cron run from firing it twice. */
export const ruleRuns = sqliteTable(
  'rule_runs',
  {
    ruleId: text('rule_id')
      .notNull()
      .references(() => rules.id),
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id),
    /** What the rule saw as its start (e.g. the time the case went pending): a new period fires it again. */
    since: integer('since').notNull(),
    firedAt: integer('fired_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.ruleId, t.caseId, t.since] })],
);

export type Snippet = typeof snippets.$inferSelect;
export type Organisation = typeof organisations.$inferSelect;
export type Notification = typeof notifications.$inferSelect;
export type Draft = typeof drafts.$inferSelect;
export type Rule = typeof rules.$inferSelect;
