// Events the Worker pushes to agents. Every one is first written to the `events` table with its
// per-workspace `seq`, then published; a client that missed some can refetch by seq.
import type { CaseStatus, InboundStatus, MessageKind, CaseSummary, OutboxKind, TagView, WakeReason } from './api.ts';
import { assertNever } from './assert.ts';

interface Base {
  seq: number;
  at: number;
}

export type ServerEvent =
  | (Base & { type: 'case.created'; caseId: string; case: CaseSummary })
  /** `tags` is the case's whole list after the change; `snooze: null` with `woke` is a snoozed case waking by itself. */
  | (Base & { type: 'case.updated'; caseId: string; changes: Partial<Pick<CaseSummary, 'status' | 'priority' | 'assignee' | 'team' | 'tags' | 'snooze'>>; woke?: WakeReason })
  /**
   * An admin renamed or recoloured a tag (`tag` as it is now), merged it into another (`mergedInto`,
   * `tag` null) or deleted it (both null). One event for the workspace, not one per case that carries
   * it: a tag may be on thousands of cases, and every list applies it to its rows by the tag's id.
   */
  | (Base & { type: 'tag.updated'; caseId: null; tagId: string; tag: TagView | null; mergedInto: TagView | null })
  /**
   * What the team knows about a customer changed: the contacts named (every address of the person;
   * a merge names both people's) or the organisation of `domain`. Open customer panels refetch.
   */
  | (Base & { type: 'contact.updated'; caseId: null; contactIds: string[]; domain: string | null })
  | (Base & { type: 'message.added'; caseId: string; messageId: string; direction: 'inbound' | 'outbound' | 'note' | 'system'; kind: MessageKind; reopened: boolean; status: CaseStatus })
  | (Base & { type: 'inbound.held'; caseId: string | null; inboundId: string; status: InboundStatus; reason: string })
  /** A held message was released into a case or discarded by an agent. */
  | (Base & { type: 'inbound.resolved'; caseId: string | null; inboundId: string; status: 'processed' | 'discarded'; by: string })
  /** An agent ran a failed or unreadable message through the pipeline again; `status` is how it came out. */
  | (Base & { type: 'inbound.reprocessed'; caseId: string | null; inboundId: string; status: InboundStatus; reason: string | null; by: string })
  /** Delivery of an outgoing mail to one recipient changed: sent, retrying, failed, suppressed, or bounced (a delivery report refused it; `error` says why). */
  | (Base & {
      type: 'delivery.updated';
      caseId: string | null;
      outboxId: string;
      messageId: string | null;
      kind: OutboxKind;
      recipient: string;
      status: 'sent' | 'retry' | 'failed' | 'suppressed' | 'bounced';
      error: string | null;
    })
  /** The SLA sweep raised a warning or a breach on a case (once per target). */
  | (Base & {
      type: 'sla.updated';
      caseId: string;
      target: 'firstResponse' | 'nextResponse' | 'resolution';
      kind: 'warning' | 'breach';
      dueAt: number;
      state: 'ok' | 'warning' | 'breached';
      actions: string[];
    })
  /**
   * Cases were merged into `caseId` (the survivor); the absorbed cases are closed and their mail
   * threads into the survivor from now on. Lists drop them; a view open on one goes to the survivor.
   */
  | (Base & { type: 'case.merged'; caseId: string; absorbed: Array<{ id: string; number: number }>; by: string })
  /** Messages of `caseId` (`messageIds`, oldest first) became the new case `newCaseId`, linked to it. */
  | (Base & { type: 'case.split'; caseId: string; newCaseId: string; newNumber: number; messageIds: string[]; by: string })
  /**
   * Something for one agent (`agentId`), e.g. a mention of them in a note. Every app receives it;
   * only that agent's shows it.
   */
  | (Base & { type: 'notification.added'; caseId: string; agentId: string; notificationId: string; kind: 'mention'; by: string; caseNumber: number; excerpt: string })
  /** The flood breaker tripped for a sender (or a text): raised once per window, for admins. */
  | (Base & { type: 'flood.detected'; caseId: null; inboundId: string; by: 'sender' | 'identical'; sender: string; count: number; windowMinutes: number })
  /** An agent saved (active) or cleared their draft on the case; never its text. */
  | (Base & { type: 'draft.updated'; caseId: string; agentId: string; agentName: string; mode: 'reply' | 'note'; active: boolean });

export type ServerEventType = ServerEvent['type'];
export type EventBody = ServerEvent extends infer E ? (E extends ServerEvent ? Omit<E, 'seq' | 'at'> : never) : never;

/** Who is online: one entry per connected tab. */
export interface PresenceEntry {
  socketId: string;
  agentId: string;
  name: string;
  /** The case the agent has open, if any. */
  viewing: string | null;
  /** The case the agent is writing a reply or note in, if any. */
  composing: string | null;
  since: number;
}

/** Frames on the agent WebSocket: events, plus the hub's own greeting and presence. */
export type ServerFrame =
  | { type: 'hello'; lastSeq: number; socketId?: string }
  /** Everyone connected, sent once to a socket when it connects. */
  | { type: 'presence'; agents: PresenceEntry[] }
  /** One socket connected or changed what it views or writes. */
  | { type: 'presence.set'; entry: PresenceEntry }
  /** One socket went away. */
  | { type: 'presence.gone'; socketId: string }
  | { type: 'event'; event: ServerEvent }
  /** The client is too far behind to replay: refetch lists, then continue from `lastSeq`. */
  | { type: 'resync'; lastSeq: number };

/** Frames an agent's browser sends: what it shows and writes, and a resume after a gap. */
export type ClientFrame = { type: 'presence'; viewing: string | null; composing: string | null } | { type: 'resume'; since: number };

/**
 * A presence list after one presence frame. The hub sends the whole list once, then only changes, so
 * that a thousand agents connecting cost a thousand small frames each, not a thousand whole lists.
 */
export function applyPresence(list: PresenceEntry[], frame: ServerFrame): PresenceEntry[] {
  switch (frame.type) {
    case 'presence':
      return frame.agents;
    case 'presence.set': {
      const at = list.findIndex((p) => p.socketId === frame.entry.socketId);
      return at === -1 ? [...list, frame.entry] : list.map((p, i) => (i === at ? frame.entry : p));
    }
    case 'presence.gone':
      return list.filter((p) => p.socketId !== frame.socketId);
    case 'hello':
    case 'event':
    case 'resync':
      return list;
    default:
      return assertNever(frame, 'server frame');
  }
}
