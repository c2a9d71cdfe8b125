// query: the one query language of search and saved views. Pure.
//
//   refund "credit card" -spam from:ana@example.com status:open assignee:me tag:billing
//   has:attachment kind:bounce before:2026-12-01 after:7d -tag:vip
//
// Words and quoted phrases are matched in the text (search only); `key:value` pairs are filters; a
// leading `-` negates either. A `key:` that is not a filter key is an ordinary word ("re:" stays a
// word), so nothing a user types is an error except a filter value that cannot mean anything
// (`status:bogus`), which is reported with what the key accepts.
import type { CasePriority, CaseStatus, MessageKind } from '../protocol/api.ts';
import { MAX_QUERY_LENGTH } from '../protocol/constants.ts';

export { MAX_QUERY_LENGTH };

export const FILTER_KEYS = ['from', 'to', 'status', 'mailbox', 'assignee', 'team', 'tag', 'has', 'kind', 'before', 'after', 'is', 'priority'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

/** Case statuses, plus `active` (new, open or pending). */
export type StatusValue = CaseStatus | 'active';
export const STATUS_VALUES: readonly StatusValue[] = ['new', 'open', 'pending', 'resolved', 'closed', 'active'];
export const PRIORITY_VALUES: readonly CasePriority[] = ['low', 'normal', 'high', 'urgent'];
export const KIND_VALUES: readonly MessageKind[] = ['human', 'auto-reply', 'bounce', 'list', 'loop', 'spam-flagged'];
export const HAS_VALUES = ['attachment', 'note'] as const;
export const IS_VALUES = ['snoozed', 'breached', 'breaching', 'unassigned', 'assigned'] as const;

/** A date as typed: an ISO day, or a number of days / weeks back from today, or today / yesterday. */
export type DateValue = { day: string } | { daysAgo: number };

export type Filter =
  | { key: 'from' | 'to' | 'mailbox' | 'team' | 'tag'; value: string; negated: boolean }
  /** `me`, `none`, or an agent's name or address as typed. */
  | { key: 'assignee'; value: string; negated: boolean }
  | { key: 'status'; value: StatusValue; negated: boolean }
  | { key: 'priority'; value: CasePriority; negated: boolean }
  | { key: 'kind'; value: MessageKind; negated: boolean }
  | { key: 'has'; value: (typeof HAS_VALUES)[number]; negated: boolean }
  | { key: 'is'; value: (typeof IS_VALUES)[number]; negated: boolean }
  | { key: 'before' | 'after'; value: DateValue; negated: boolean };

export interface Term {
  /** The text as typed, without quotes; a phrase keeps its inner spaces. */
  text: string;
  phrase: boolean;
  negated: boolean;
}

export interface Query {
  terms: Term[];
  filters: Filter[];
}

export interface QueryProblem {
  /** The token as typed. */
  token: string;
  message: string;
}

export type Parsed = { ok: true; query: Query } | { ok: false; problems: QueryProblem[] };

/** At most this many words, phrases and filters. */
export const MAX_QUERY_PARTS = 32;

interface Token {
  raw: string;
  negated: boolean;
  key: string | null;
  value: string;
  quoted: boolean;
}

/** Splits on spaces outside quotes. `key:"two words"` keeps its value whole; an unclosed quote runs to the end. */
function tokens(input: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = input.length;
  while (i < n) {
    while (i < n && /\s/.test(input[i]!)) i++;
    if (i >= n) break;
    const start = i;
    let negated = false;
    if (input[i] === '-' && i + 1 < n && !/\s/.test(input[i + 1]!)) {
      negated = true;
      i++;
    }
    let key: string | null = null;
    const keyMatch = /^([a-z]+):/i.exec(input.slice(i));
    if (keyMatch && (FILTER_KEYS as readonly string[]).includes(keyMatch[1]!.toLowerCase())) {
      key = keyMatch[1]!.toLowerCase();
      i += keyMatch[0].length;
    }
    let value = '';
    let quoted = false;
    if (input[i] === '"') {
      quoted = true;
      const close = input.indexOf('"', i + 1);
      const end = close === -1 ? n : close;
      value = input.slice(i + 1, end);
      i = close === -1 ? n : close + 1;
    } else {
      while (i < n && !/\s/.test(input[i]!)) i++;
      value = input.slice(start + (negated ? 1 : 0) + (key ? key.length + 1 : 0), i);
    }
    out.push({ raw: input.slice(start, i), negated, key, value, quoted });
  }
  return out;
}

function oneOf<T extends string>(values: readonly T[], v: string): T | null {
  const lower = v.toLowerCase();
  return (values as readonly string[]).includes(lower) ? (lower as T) : null;
}

function dateValue(v: string): DateValue | null {
  const lower = v.toLowerCase();
  if (lower === 'today') return { daysAgo: 0 };
  if (lower === 'yesterday') return { daysAgo: 1 };
  const rel = /^(\d{1,4})([dw])$/.exec(lower);
  if (rel) return { daysAgo: Number(rel[1]) * (rel[2] === 'w' ? 7 : 1) };
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!day) return null;
  const [y, m, d] = [Number(day[1]), Number(day[2]), Number(day[3])];
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d ? { day: v } : null;
}

function filterOf(t: Token): Filter | QueryProblem {
  const key = t.key as FilterKey;
  const negated = t.negated;
  const bad = (accepts: string): QueryProblem => ({ token: t.raw, message: `${key}: takes ${accepts}` });
  const value = t.value.trim();
  if (!value) return { token: t.raw, message: `${key}: needs a value` };
  switch (key) {
    case 'from':
    case 'to':
    case 'mailbox':
    case 'team':
    case 'tag':
    case 'assignee':
      return { key, value, negated };
    case 'status': {
      const v = oneOf(STATUS_VALUES, value);
      return v ? { key, value: v, negated } : bad(STATUS_VALUES.join(', '));
    }
    case 'priority': {
      const v = oneOf(PRIORITY_VALUES, value);
      return v ? { key, value: v, negated } : bad(PRIORITY_VALUES.join(', '));
    }
    case 'kind': {
      const v = oneOf(KIND_VALUES, value);
      return v ? { key, value: v, negated } : bad(KIND_VALUES.join(', '));
    }
    case 'has': {
      const v = oneOf(HAS_VALUES, value);
      return v ? { key, value: v, negated } : bad(HAS_VALUES.join(', '));
    }
    case 'is': {
      const v = oneOf(IS_VALUES, value);
      return v ? { key, value: v, negated } : bad(IS_VALUES.join(', '));
    }
    case 'before':
    case 'after': {
      const v = dateValue(value);
      return v ? { key, value: v, negated } : bad('a day (2026-12-01), today, yesterday, or a number of days or weeks back (7d, 2w)');
    }
  }
}

/** Parses a query. The empty query is valid and matches everything. */
export function parseQuery(input: string): Parsed {
  if (input.length > MAX_QUERY_LENGTH) return { ok: false, problems: [{ token: input.slice(0, 40), message: `a query may have at most ${MAX_QUERY_LENGTH} characters` }] };
  const query: Query = { terms: [], filters: [] };
  const problems: QueryProblem[] = [];
  const toks = tokens(input.normalize('NFC'));
  if (toks.length > MAX_QUERY_PARTS) return { ok: false, problems: [{ token: toks[MAX_QUERY_PARTS]!.raw, message: `a query may have at most ${MAX_QUERY_PARTS} words, phrases and filters` }] };
  for (const t of toks) {
    if (t.key) {
      const f = filterOf(t);
      if ('message' in f) problems.push(f);
      else query.filters.push(f);
      continue;
    }
    const text = t.quoted ? t.value.trim().replace(/\s+/g, ' ') : t.value;
    if (!text) continue;
    query.terms.push({ text, phrase: t.quoted, negated: t.negated });
  }
  return problems.length ? { ok: false, problems } : { ok: true, query };
}

/** A query back as text, in a normal form (filters after terms); parseQuery(formatQuery(q)) equals q. */
export function formatQuery(q: Query): string {
  const quote = (s: string) => (/[\s"]/.test(s) || s === '' ? `"${s.replace(/"/g, '')}"` : s);
  const parts = q.terms.map((t) => `${t.negated ? '-' : ''}${t.phrase ? `"${t.text.replace(/"/g, '')}"` : t.text}`);
  for (const f of q.filters) {
    const v = typeof f.value === 'string' ? quote(f.value) : 'day' in f.value ? f.value.day : `${f.value.daysAgo}d`;
    parts.push(`${f.negated ? '-' : ''}${f.key}:${v}`);
  }
  return parts.join(' ');
}

/** True when the query has words or phrases, which only the search index can answer. */
export function hasText(q: Query): boolean {
  return q.terms.length > 0;
}
