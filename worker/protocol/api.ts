// Request schemas and response shapes of the HTTP API, defined once for the Worker and the web app.
import { z } from 'zod';

import {
  CASE_PRIORITIES,
  CASE_STATUSES,
  INBOUND_LIST_STATUSES,
  INBOUND_REASONS,
  type AuthVerdict,
  type DeliveryStatus,
  type OutboxKind,
  type CasePriority,
  type CaseStatus,
  type InboundStatus,
  type MessageKind,
  type ThreadRule,
} from './constants.ts';
import type { MergeInfo } from './merge.ts';
import { snoozeEdit, tagEdit, tagName, type SnoozeView, type TagView } from './work.ts';

export * from './constants.ts';
export * from './work.ts';

export const assigneeEdit = z
  .object({
    agentId: z.string().min(1).max(100).nullable(),
    teamId: z.string().min(1).max(100).nullable(),
  })
  .strict()
  .refine((a) => a.agentId !== 'auto' || a.teamId !== null, { message: "'auto' needs a team to pick from" });

export const listCasesQuery = z.object({
  /** `breaching` lists active cases with an SLA warning or breach, the soonest due first. */
  /** `snoozed` lists the snoozed cases; the active views leave them out until they wake. */
  status: z.enum([...CASE_STATUSES, 'active', 'all', 'breaching', 'snoozed']).default('active'),
  mailbox: z.string().max(100).optional(),
  /** A tag's name (any case). */
  tag: tagName.optional(),
  assignee: z.string().max(100).optional(),
  /** A view's id (GET /api/views): its query and sort replace the filters above. */
  view: z.string().min(1).max(100).optional(),
  /** A filter query in the search language (worker/search/query.ts), instead of a view. */
  q: z.string().max(500).optional(),
  /** The order of a view or a query: SLA due (breached first), last activity, created. */
  sort: z.enum(['due', 'activity', 'created']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor: z.string().max(200).optional(),
});
export type ListCasesQuery = z.infer<typeof listCasesQuery>;

export const updateCaseBody = z
  .object({
    status: z.enum(CASE_STATUSES).optional(),
    priority: z.enum(CASE_PRIORITIES).optional(),
    assigneeId: z.string().max(100).nullable().optional(),
    /** Assignee and team at once: a team with agentId 'auto' lets the team's mode pick; null agentId leaves it in the team's queue. */
    assignee: assigneeEdit.optional(),
    tags: tagEdit.optional(),
    snooze: snoozeEdit.optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' });
export type UpdateCaseBody = z.infer<typeof updateCaseBody>;

/** A UTC calendar day, YYYY-MM-DD, that exists (no 2026-02-30). */
const calendarDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'use a date as YYYY-MM-DD')
  .refine((v) => {
    const t = Date.parse(`${v}T00:00:00Z`);
    return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === v;
  }, 'not a date in the calendar');

/** The exception log's filters. Unknown parameters are refused, so a misspelt filter is not silently ignored. */
export const listInboundQuery = z
  .object({
    /** See INBOUND_LIST_STATUSES: one status, `held`, `exceptions`, `released` or `all`. */
    status: z.enum(INBOUND_LIST_STATUSES).default('all'),
    /** One or more reason codes, comma-separated (`bounce,auto-reply`). */
    reason: z
      .string()
      .max(500)
      .transform((v) => [
        ...new Set(
          v
            .split(',')
            .map((r) => r.trim())
            .filter(Boolean),
        ),
      ])
      .pipe(z.array(z.enum(INBOUND_REASONS)).min(1, 'name at least one reason').max(INBOUND_REASONS.length))
      .optional(),
    /** A mailbox of the workspace, by id or by address. */
    mailbox: z.string().trim().min(1).max(320).optional(),
    /** Part of the sender's address (the From address or the envelope sender), any case. */
    sender: z.string().trim().min(1, 'write part of an address').max(200).optional(),
    /** Received on or after this UTC day… */
    from: calendarDay.optional(),
    /** …and on or before this one. */
    to: calendarDay.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(200).optional(),
  })
  .strict()
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: '"to" is before "from"', path: ['to'] });
export type ListInboundQuery = z.input<typeof listInboundQuery>;

export const releaseInboundBody = z
  .object({
    /** The case to release into; default: the case the message pointed at, or a new case. */
    caseId: z.string().min(1).max(100).optional(),
  })
  .strict();

const address = z.string().trim().min(3).max(320);

/** An agent's reply to the customer (and whoever else it names). */
export const replyBody = z
  .object({
    text: z.string().trim().min(1, 'write something first').max(100_000),
    /** Default: the case's requester. */
    to: z.array(address).min(1).max(20).optional(),
    cc: z.array(address).max(20).default([]),
    /** The case status after sending; default: a new case becomes open, otherwise unchanged. */
    status: z.enum(CASE_STATUSES).optional(),
    /** The last event seq the agent saw for this case: a newer message answers 409 (the collision guard). */
    seenSeq: z.number().int().min(0).optional(),
    /** Send even though something new arrived (after the agent has seen it). */
    force: z.boolean().default(false),
  })
  .strict();
export type ReplyBody = z.infer<typeof replyBody>;
/** What the web app sends for a reply (defaults may be left out). */
export type ReplyRequest = z.input<typeof replyBody>;

export const noteBody = z
  .object({
    text: z.string().trim().min(1, 'write something first').max(100_000),
    seenSeq: z.number().int().min(0).optional(),
    force: z.boolean().default(false),
  })
  .strict();
export type NoteRequest = z.input<typeof noteBody>;

export const forwardBody = z
  .object({
    to: address,
    text: z.string().max(100_000).default(''),
  })
  .strict();

export interface DeliveryView {
  outboxId: string;
  kind: OutboxKind;
  recipient: string;
  status: DeliveryStatus;
  attempts: number;
  error: string | null;
  updatedAt: number;
}

export interface AddressView {
  email: string;
  name: string;
}

export interface SlaView {
  state: 'ok' | 'warning' | 'breached';
  /** The earliest due time not yet met, and which target it is; null when none is running. */
  dueAt: number | null;
  target: 'firstResponse' | 'nextResponse' | 'resolution' | null;
  /** Clocks stopped while the case waits on the customer. */
  paused: boolean;
}

export interface CaseSummary {
  id: string;
  number: number;
  subject: string;
  status: CaseStatus;
  priority: CasePriority;
  mailboxId: string;
  contact: AddressView | null;
  assignee: { id: string; name: string } | null;
  /** The team the case is given to (its queue), with or without an assignee. */
  team: { id: string; name: string } | null;
  messageCount: number;
  linkedCaseId: string | null;
  createdAt: number;
  updatedAt: number;
  lastMessageAt: number;
  /** Null when the case runs under no SLA policy. */
  sla: SlaView | null;
  /** By name (any case), as the tags table orders them. */
  tags: TagView[];
  /** Null unless the case is snoozed. */
  snooze: SnoozeView | null;
}

export interface AttachmentView {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  inline: boolean;
  contentId: string | null;
  /** False when the mailbox's attachment policy skipped it; `skippedReason` says why. */
  stored: boolean;
  skippedReason: string | null;
  url: string | null;
}

export interface MessageView {
  id: string;
  direction: 'inbound' | 'outbound' | 'note' | 'system';
  kind: MessageKind;
  from: AddressView;
  to: AddressView[];
  cc: AddressView[];
  subject: string;
  text: string;
  html: string | null;
  rfcMessageId: string | null;
  threadRule: ThreadRule;
  threadReason: string;
  /** Why the message is of its kind, e.g. ["auto-submitted:auto-replied"]; empty for plain human mail. */
  kindReasons: string[];
  /** What Cloudflare's mail servers found about the sender; null for mail we wrote ourselves. */
  authVerdict: AuthVerdict | null;
  authReasons: string[];
  sentAt: number | null;
  createdAt: number;
  attachments: AttachmentView[];
  /** The agent who wrote it (replies, notes). */
  author: { id: string; name: string } | null;
  /** For mail we sent: its delivery, per recipient. */
  deliveries: DeliveryView[];
  /**
   * Where the quoted history (earlier mail the sender's client appended) starts in `text`, for the
   * thread to fold; null when none was found. `text` itself is always the whole message.
   */
  quotedFrom: number | null;
}

/**
 * An acknowledgement we sent on a case. It is outgoing mail, not a message of the thread (nothing
 * threads on it, it counts as no reply), so the case view lays it into the thread by time.
 */
export interface AckView {
  outboxId: string;
  kind: 'ack-create' | 'ack-update';
  subject: string;
  /** Its plain text as it was sent. */
  text: string;
  createdAt: number;
  /** Who it went to, and how far it got. */
  deliveries: DeliveryView[];
}

/** An address of a case that mail could not be delivered to before: a warning for whoever writes to it. */
export interface UndeliverableView {
  email: string;
  /** Why, as the delivery report or the mail service put it. */
  reason: string;
  at: number | null;
}

/** The collision guard's answer: what arrived since the agent last looked. */
export interface CollisionView {
  error: { code: 'conflict'; message: string };
  newMessages: MessageView[];
  lastSeq: number;
}

export interface ParticipantView {
  email: string;
  name: string;
  role: 'requester' | 'cc' | 'agent';
}

export interface CaseDetail {
  case: CaseSummary;
  /** The newest event seq of this case when it was read: what a reply's `seenSeq` refers to. */
  seq: number;
  participants: ParticipantView[];
  messages: MessageView[];
  /** The acknowledgements sent on the case, oldest first. */
  acknowledgements: AckView[];
  /** Addresses of the case (participants, recipients of its mail) that bounced before. */
  undeliverable: UndeliverableView[];
  /** Where a merged case went, and the cases that look like this one (merge suggestions). */
  merge: MergeInfo;
}

export interface InboundView {
  id: string;
  mailboxId: string;
  envelopeFrom: string;
  envelopeTo: string;
  fromEmail: string;
  subject: string;
  rawSize: number;
  status: InboundStatus;
  reason: string | null;
  attempts: number;
  lastError: string | null;
  caseId: string | null;
  messageId: string | null;
  forwardedTo: string | null;
  forwardError: string | null;
  /** Who released or discarded it, and when. */
  resolvedBy: string | null;
  resolvedAt: number | null;
  /** Why the pipeline did what it did: a DecisionRecord (rows written by older versions may lack fields). */
  decision: unknown;
  receivedAt: number;
  processedAt: number | null;
}

/**
 * What an inbound message says (GET /api/inbound/:id/body), read again from the raw mail: held
 * mail has no case message to show. Nothing of it is stored apart from the raw mail.
 */
export interface InboundBodyView {
  text: string;
  html: string | null;
  /** As MessageView.quotedFrom. */
  quotedFrom: number | null;
  /** What it carries, by name only: held mail keeps no attachments (the raw download has them). */
  attachments: Array<{ filename: string; contentType: string; size: number }>;
  /** Why the message cannot be shown (it could not be parsed); null when it can. */
  unreadable: string | null;
}

/**
 * The decision record kept on every inbound row: what the stages found and what was decided, as
 * `npm run explain` prints it. Written once by the ingest plan (or a release), read by the held-mail view.
 */
export interface DecisionRecord {
  /** The outcome: new-case, append, bounce, note, quarantine, ignore, or release. */
  action: string;
  reason?: string;
  detail?: string;
  kind?: string;
  reasons?: string[];
  auth?: { verdict: string; reasons: string[] };
  candidates?: { token: string | null; inReplyTo: string[]; references: string[]; subjectTag: number | null; replySubject?: string | null };
  /** Every threading rule tried and what it said. */
  considered?: string[];
  /** The decision stage's full answer (its fields depend on the action). */
  decision?: { action: string; reason?: string; detail?: string; [field: string]: unknown };
  /** For a duplicate: the earlier delivery. */
  of?: { caseId: string | null; messageId: string | null } | null;
  /** For a delivery report: the parsed report. */
  bounce?: unknown;
  /** What went out because of it: acknowledgement and notification, "queued" or "not sent: why". */
  outgoing?: Record<string, string>;
  /** For a release: who, into what, and what the record said before. */
  by?: string;
  target?: { caseId?: string };
  previously?: { status: string; reason: string | null; decision: unknown };
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ApiError {
  error: { code: string; message: string; requestId?: string; issues?: unknown };
}

// The SLA report's shapes live in reports.ts; importers of api.ts keep finding them here.
export type { SlaReport, SlaReportRow } from './reports.ts';

/** A mailbox as every agent may see it (GET /api/mailboxes): enough to name it and filter by it. */
export interface MailboxRef {
  id: string;
  address: string;
  displayName: string;
  enabled: boolean;
}
