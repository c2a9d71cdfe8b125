// What the search index (its own database, binding SEARCH) still lacks. A commit whose index write
// failed names its cases here, so the scheduled handler writes them again from this database.
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const searchStale = sqliteTable('search_stale', {
  caseId: text('case_id').primaryKey(),
  workspaceId: text('workspace_id').notNull(),
  markedAt: integer('marked_at').notNull(),
});
