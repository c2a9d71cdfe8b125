// The workspace and the people in it: agents, their sign-ins, and the audit of what they changed.
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { createdAt } from './columns.ts';

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
    notifyMention: integer('notify_mention', { mode: 'boolean' }).notNull().default(true),
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
    entity: text('entity', { enum: ['mailbox', 'agent', 'setup', 'sla-policy', 'calendar', 'tag', 'team', 'snippet', 'rule', 'organisation', 'contact'] }).notNull(),
    entityId: text('entity_id').notNull(),
    /** create, update, deactivate, reactivate, password, test-message. */
    action: text('action').notNull(),
    /** JSON {field: [before, after]}; secrets appear only as "(set)" or null. */
    changes: text('changes').notNull().default('{}'),
    at: integer('at').notNull(),
  },
  (t) => [index('audit_workspace_at').on(t.workspaceId, t.at), index('audit_entity').on(t.workspaceId, t.entity, t.entityId, t.at)],
);

export type Agent = typeof agents.$inferSelect;
export type AuditRow = typeof auditLog.$inferSelect;
