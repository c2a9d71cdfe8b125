// Service levels: the policies' targets and the working-hours calendars they count in.
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { workspaces } from './agents.ts';
import { createdAt } from './columns.ts';

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
