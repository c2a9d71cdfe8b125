// Small display helpers. Everything here returns plain strings that are rendered as text.
import { createSignal } from 'solid-js';
import type { AddressView, CasePriority, CaseStatus } from '../../../worker/protocol/api.ts';

/** Statuses in workflow order. The Record below makes the compiler insist every status is listed. */
export const STATUS_LABELS: Record<CaseStatus, string> = {
  new: 'New',
  open: 'Open',
  pending: 'Pending',
  resolved: 'Resolved',
  closed: 'Closed',
};
export const STATUS_ORDER = Object.keys(STATUS_LABELS) as CaseStatus[];

export const PRIORITY_LABELS: Record<CasePriority, string> = {
  low: 'Low',
  normal: 'Normal',
  high: 'High',
  urgent: 'Urgent',
};

// One shared clock so relative times move on without a reload.
const [now, setNow] = createSignal(Date.now());
setInterval(() => setNow(Date.now()), 30_000);
export { now };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export function relativeTime(ms: number, current: number): string {
  const diff = current - ms;
  if (diff < 45_000) return 'just now';
  if (diff < HOUR) return `${Math.round(diff / MINUTE)}m ago`;
  if (diff < DAY) return `${Math.round(diff / HOUR)}h ago`;
  if (diff < 7 * DAY) return `${Math.round(diff / DAY)}d ago`;
  const d = new Date(ms);
  const sameYear = d.getFullYear() === new Date(current).getFullYear();
  return d.toLocaleDateString(undefined, sameYear ? { month: 'short', day: 'numeric' } : { year: 'numeric', month: 'short', day: 'numeric' });
}

export function formatDate(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function isoDate(ms: number): string {
  return new Date(ms).toISOString();
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function formatAddress(a: AddressView): string {
  return a.name && a.name !== a.email ? `${a.name} <${a.email}>` : a.email;
}

export function addressList(list: AddressView[]): string {
  return list.map(formatAddress).join(', ');
}

/** Only same-origin API links become hrefs; anything else (javascript:, other hosts) is dropped. */
export function safeApiUrl(url: string | null): string | null {
  return url?.startsWith('/api/') ? url : null;
}

export function caseHref(id: string): string {
  return `#/cases/${encodeURIComponent(id)}`;
}

/** The readable parts of a held message's decision record, which is JSON of no fixed shape. */
export interface DecisionFacts {
  /** Each threading rule that was tried and what it said. */
  considered: string[];
  /** Why it was held, in words. */
  detail: string | null;
  kind: string | null;
  kindReasons: string[];
  auth: string | null;
  authReasons: string[];
  /** The whole record as text, when none of the above could be found in it. */
  fallback: string | null;
}

function record(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function text(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

const FALLBACK_LIMIT = 4000;

export function decisionFacts(decision: unknown): DecisionFacts {
  const facts: DecisionFacts = { considered: [], detail: null, kind: null, kindReasons: [], auth: null, authReasons: [], fallback: null };
  if (decision === null || decision === undefined) return facts;
  const top = record(decision);
  if (!top) {
    facts.fallback = (typeof decision === 'string' ? decision : safeJson(decision)).slice(0, FALLBACK_LIMIT);
    return facts;
  }
  const inner = record(top.decision);
  const auth = record(top.auth);
  facts.considered = strings(top.considered);
  facts.detail = text(inner?.detail) ?? text(top.detail);
  facts.kind = text(top.kind);
  facts.kindReasons = strings(top.reasons);
  facts.auth = text(auth?.verdict);
  facts.authReasons = strings(auth?.reasons);
  if (!facts.detail && facts.considered.length === 0) facts.fallback = safeJson(decision).slice(0, FALLBACK_LIMIT);
  return facts;
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v, null, 2) ?? String(v);
  } catch {
    return String(v);
  }
}
