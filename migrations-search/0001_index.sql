-- The search index: derived from the main database, rebuilt by `npm run search:rebuild`. It lives in
-- a database of its own because D1 cannot export a database that holds a virtual table.

-- One row per case: the filters a query can name, kept current by every commit that touches the case.
-- `doc` is the rowid of the case's row in search_text. Lists are space-delimited with a space at
-- each end (' a b '), so that instr(list, ' x ') matches whole items.
CREATE TABLE search_cases (
  doc INTEGER PRIMARY KEY,
  case_id TEXT NOT NULL UNIQUE,
  workspace_id TEXT NOT NULL,
  mailbox_id TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'new',
  priority TEXT NOT NULL DEFAULT 'normal',
  assignee_id TEXT,
  team_id TEXT,
  snoozed INTEGER NOT NULL DEFAULT 0,
  sla_state TEXT NOT NULL DEFAULT 'ok',
  senders TEXT NOT NULL DEFAULT ' ',
  recipients TEXT NOT NULL DEFAULT ' ',
  kinds TEXT NOT NULL DEFAULT ' ',
  has_attachment INTEGER NOT NULL DEFAULT 0,
  has_note INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL DEFAULT 0,
  active_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX search_cases_workspace_active ON search_cases (workspace_id, active_at);

-- The workspace's tags (id → key), so a tag link written by id and a filter by name meet.
CREATE TABLE search_tags (
  tag_id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  key TEXT NOT NULL
);
CREATE INDEX search_tags_key ON search_tags (workspace_id, key);

CREATE TABLE search_case_tags (
  case_id TEXT NOT NULL,
  tag_id TEXT NOT NULL,
  PRIMARY KEY (case_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX search_case_tags_tag ON search_case_tags (tag_id);

-- The text of a case, one row per case. trigram with remove_diacritics: every substring of three or
-- more characters is findable, in any script (Japanese and Chinese have no spaces to split words at),
-- case- and accent-insensitive. Shorter terms are matched with LIKE (see worker/search/match.ts).
CREATE VIRTUAL TABLE search_text USING fts5 (
  subject,
  people,
  files,
  notes,
  body,
  tokenize = 'trigram remove_diacritics 1'
);
