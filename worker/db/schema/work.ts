// How a team works the queue: teams and who is in them, tags on cases, saved views.
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { agents, workspaces } from './agents.ts';
import { cases } from './cases.ts';
import { createdAt } from './columns.ts';

/** A group of agents an admin manages. A mailbox may hand its new cases to one (see assignMode). */
export const teams = sqliteTable(
  'teams',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    name: text('name').notNull(),
    /** How a new case given to the team finds its agent: nobody (the team's queue), round-robin, or the present agent with the fewest open cases. */
    assignMode: text('assign_mode', { enum: ['off', 'round-robin', 'least-open'] })
      .notNull()
      .default('round-robin'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('teams_workspace_name').on(t.workspaceId, t.name)],
);

export const teamMembers = sqliteTable(
  'team_members',
  {
    teamId: text('team_id')
      .notNull()
      .references(() => teams.id),
    agentId: text('agent_id')
      .notNull()
      .references(() => agents.id),
    /** When the team's round-robin last gave this member a case; strictly increasing within a team. */
    lastAssignedAt: integer('last_assigned_at'),
    addedAt: integer('added_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.agentId] }), index('team_members_agent').on(t.agentId)],
);

/** A workspace's tags. `key` is the name in lower case: two tags never differ by case alone. */
export const tags = sqliteTable(
  'tags',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    name: text('name').notNull(),
    key: text('key').notNull(),
    /** A CSS colour, #rrggbb. */
    color: text('color').notNull().default('#6b7280'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('tags_workspace_key').on(t.workspaceId, t.key)],
);

export const caseTags = sqliteTable(
  'case_tags',
  {
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id),
    tagId: text('tag_id')
      .notNull()
      .references(() => tags.id),
    workspaceId: text('workspace_id').notNull(),
    addedAt: integer('added_at').notNull(),
    /** The agent's id, 'local' in open mode, or 'rule:<id>'. */
    addedBy: text('added_by').notNull(),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.tagId] }), index('case_tags_tag').on(t.workspaceId, t.tagId)],
);

/** A saved view: a query in the search language, personal (owner set) or shared with the workspace. */
export const views = sqliteTable(
  'views',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    /** Null for a view shared with the whole workspace. */
    ownerAgentId: text('owner_agent_id').references(() => agents.id),
    name: text('name').notNull(),
    query: text('query').notNull(),
    sort: text('sort', { enum: ['due', 'activity', 'created'] })
      .notNull()
      .default('activity'),
    position: integer('position').notNull().default(0),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('views_workspace_owner').on(t.workspaceId, t.ownerAgentId)],
);

export type Team = typeof teams.$inferSelect;
export type Tag = typeof tags.$inferSelect;
export type SavedView = typeof views.$inferSelect;
