// match: a parsed query as one statement over the search index. Pure.
//
// Words and phrases of three or more characters go to FTS5 (the trigram index finds any substring
// that long); shorter ones (a two-character Japanese or Chinese word, "TV") are matched with LIKE over
// the case's text, which FTS5 cannot index below three characters. Filters are conditions on
// search_cases. Ranking: bm25 with the subject weighing most, then the most recently active case.
import type { Filter, Query, Term } from './query.ts';
import type { SearchStmt } from './writes.ts';
import { fold } from './highlight.ts';

/** What the filters name that only the main database knows (agents, teams, mailboxes by name). */
export interface Names {
  /** The signed-in agent (assignee:me); null in open mode with nobody signed in. */
  me: string | null;
  /** By the value as typed (lower case): the ids it names. */
  agents: Record<string, string[]>;
  teams: Record<string, string[]>;
  mailboxes: Record<string, string[]>;
}

export interface MatchContext {
  workspaceId: string;
  now: number;
  names: Names;
}

/** Text columns and their bm25 weights: a subject match ranks first. */
export const TEXT_COLUMNS = ['subject', 'people', 'files', 'notes', 'body'] as const;
const WEIGHTS = [10, 4, 4, 1, 1];

const DAY = 86_400_000;

/** Whether the index can answer a term with MATCH (three characters after folding, as the trigram tokenizer counts). */
export function indexable(text: string): boolean {
  return [...fold(text)].length >= 3;
}

/** An FTS5 string: one token sequence, quotes doubled, so no query syntax of the user's reaches FTS5. */
const ftsString = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** The term as FTS5 query text; ß and ss are one letter to a German reader, so both spellings match. */
export function ftsTerm(text: string): string {
  const variants = new Set([text, text.replace(/ß/g, 'ss'), text.replace(/ss/gi, 'ß')]);
  const parts = [...variants].filter(indexable).map(ftsString);
  return parts.length === 1 ? parts[0]! : `(${parts.join(' OR ')})`;
}

const likeEscape = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** A short term anywhere in the case's text. */
function likeCondition(t: Term, params: Param[]): string {
  params.push(likeEscape(t.text));
  const n = params.length;
  return `(${TEXT_COLUMNS.map((c) => `search_text.${c} LIKE ?${n} ESCAPE '\\'`).join(' OR ')})`;
}

type Param = string | number | null;

/** The first millisecond of a day a date filter names (UTC). */
export function dayStart(v: { day: string } | { daysAgo: number }, now: number): number {
  if ('day' in v) return Date.parse(`${v.day}T00:00:00Z`);
  return Math.floor(now / DAY) * DAY - v.daysAgo * DAY;
}

function ids(list: string[] | undefined, params: Param[]): string {
  params.push(JSON.stringify(list ?? []));
  return `(SELECT value FROM json_each(?${params.length}))`;
}

function filterCondition(f: Filter, ctx: MatchContext, params: Param[]): string {
  const p = (v: Param) => (params.push(v), `?${params.length}`);
  const key = (v: string) => v.trim().toLowerCase();
  switch (f.key) {
    case 'status':
      return f.value === 'active' ? "c.status IN ('new', 'open', 'pending')" : `c.status = ${p(f.value)}`;
    case 'priority':
      return `c.priority = ${p(f.value)}`;
    case 'kind':
      return `instr(c.kinds, ' ' || ${p(f.value)} || ' ') > 0`;
    case 'has':
      return f.value === 'attachment' ? 'c.has_attachment = 1' : 'c.has_note = 1';
    case 'is':
      switch (f.value) {
        case 'snoozed':
          return 'c.snoozed = 1';
        case 'breached':
          return "c.sla_state = 'breached'";
        case 'breaching':
          return "c.sla_state IN ('warning', 'breached')";
        case 'unassigned':
          return 'c.assignee_id IS NULL';
        case 'assigned':
          return 'c.assignee_id IS NOT NULL';
      }
      break;
    case 'from':
      return `instr(c.senders, ${p(key(f.value))}) > 0`;
    case 'to':
      return `instr(c.recipients, ${p(key(f.value))}) > 0`;
    case 'tag':
      return `EXISTS (SELECT 1 FROM search_case_tags ct JOIN search_tags st ON st.tag_id = ct.tag_id WHERE ct.case_id = c.case_id AND st.workspace_id = ${p(ctx.workspaceId)} AND st.key = ${p(key(f.value))})`;
    case 'assignee': {
      const v = key(f.value);
      if (v === 'none') return 'c.assignee_id IS NULL';
      if (v === 'me') return ctx.names.me ? `c.assignee_id = ${p(ctx.names.me)}` : '0';
      return `c.assignee_id IN ${ids(ctx.names.agents[v], params)}`;
    }
    case 'team':
      return key(f.value) === 'none' ? 'c.team_id IS NULL' : `c.team_id IN ${ids(ctx.names.teams[key(f.value)], params)}`;
    case 'mailbox':
      return `c.mailbox_id IN ${ids(ctx.names.mailboxes[key(f.value)], params)}`;
    case 'before':
      return `c.created_at < ${p(dayStart(f.value, ctx.now))}`;
    case 'after':
      return `c.created_at >= ${p(dayStart(f.value, ctx.now))}`;
  }
  return '1';
}

export interface MatchRow {
  caseId: string;
  doc: number;
}

export interface TextRow {
  doc: number;
  subject: string;
  people: string;
  files: string;
  notes: string;
  body: string;
}

/** One page of matching cases, best first; `limit + 1` rows are asked for, so the caller knows whether more follow. */
export function matchStatement(q: Query, ctx: MatchContext, page: { limit: number; offset: number }): SearchStmt {
  const params: Param[] = [];
  const where: string[] = [];
  // FTS5 reads its query as a C string: a NUL ends it inside our quotes ("unterminated string").
  const terms = q.terms.map((t) => ({ ...t, text: t.text.replace(/\0/g, '') })).filter((t) => t.text);
  const long = terms.filter((t) => indexable(t.text));
  const short = terms.filter((t) => !indexable(t.text));
  const positive = long.filter((t) => !t.negated);
  const negative = long.filter((t) => t.negated);
  let fts: string | null = null;
  if (positive.length) {
    fts = positive.map((t) => ftsTerm(t.text)).join(' AND ');
    // FTS5's NOT is binary: it needs a positive side, which there is here.
    if (negative.length) fts = `(${fts}) NOT (${negative.map((t) => ftsTerm(t.text)).join(' OR ')})`;
    params.push(fts);
    where.push(`search_text MATCH ?${params.length}`);
  } else if (negative.length) {
    params.push(negative.map((t) => ftsTerm(t.text)).join(' OR '));
    where.push(`c.doc NOT IN (SELECT rowid FROM search_text WHERE search_text MATCH ?${params.length})`);
  }
  for (const t of short) where.push(t.negated ? `NOT ${likeCondition(t, params)}` : likeCondition(t, params));
  params.push(ctx.workspaceId);
  where.push(`c.workspace_id = ?${params.length}`);
  for (const f of q.filters) {
    const cond = filterCondition(f, ctx, params);
    where.push(f.negated ? `NOT (${cond})` : cond);
  }
  const order = fts ? `bm25(search_text, ${WEIGHTS.map((w) => w.toFixed(1)).join(', ')}), c.active_at DESC, c.doc DESC` : 'c.active_at DESC, c.doc DESC';
  params.push(page.limit + 1, page.offset);
  const n = params.length;
  return {
    // Only ids: the text of every matching case would otherwise travel through the sort.
    // The text table is joined only when a term reads it: filters alone walk search_cases in
    // active_at order (its index) and stop at the page.
    sql: `SELECT c.case_id AS caseId, c.doc AS doc FROM search_cases c${fts || short.length ? ' JOIN search_text ON search_text.rowid = c.doc' : ''} WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ?${n - 1} OFFSET ?${n}`,
    params,
  };
}

/** The text of a page of cases, for their excerpts. */
export function textStatement(docs: number[]): SearchStmt {
  return { sql: `SELECT rowid AS doc, ${TEXT_COLUMNS.join(', ')} FROM search_text WHERE rowid IN (SELECT value FROM json_each(?1))`, params: [JSON.stringify(docs)] };
}

/** The words and phrases to mark in results: those that must match. */
export function needlesOf(q: Query): string[] {
  return q.terms.filter((t) => !t.negated).map((t) => t.text);
}
