// decide: what to do with a message, from what the earlier stages found. Pure; `now` is passed in.
import type { AuthVerdict, CaseStatus, MessageKind } from '../protocol/api.ts';
import type { Classification } from './classify.ts';
import type { HoldReason, ThreadChoice, ThreadMatch } from './thread.ts';

export interface CaseState {
  id: string;
  status: CaseStatus;
  closedAt: number | null;
}

export interface FollowUpPolicy {
  followUpPolicy: 'reopen' | 'new-linked' | 'reopen-within';
  followUpDays: number;
}

/** The flood breaker's finding: this sender (or this exact text) went over the mailbox's limit. */
export interface Flood {
  by: 'sender' | 'identical';
  count: number;
  limit: number;
  windowMinutes: number;
}

/**
 * Whether the sender may be sent an automatic acknowledgement (RFC 3834 and loop rules). The
 * mailbox's own settings (acknowledge on create/update) are applied by the outbound side.
 */
export interface AckEligibility {
  eligible: boolean;
  reason: string;
}

export type QuarantineReason = HoldReason | 'flood' | 'spam-flagged';

export type Decision =
  | { action: 'new-case'; kind: MessageKind; rule: 'new' | 'follow-up'; linkedCaseId: string | null; reason: string; acknowledge: AckEligibility }
  | { action: 'append'; kind: MessageKind; match: ThreadMatch; newStatus: CaseStatus | null; reason: string; acknowledge: AckEligibility }
  | { action: 'bounce'; caseId: string; reason: string }
  | { action: 'quarantine'; reason: QuarantineReason; caseId: string | null; detail: string }
  | { action: 'ignore'; reason: string; caseId: string | null; detail: string };

const DAY = 86_400_000;
// Addresses that never read what they are sent.
const NO_REPLY = /^(no-?reply|do-?not-?reply|donotreply|noreply-.*|mailer-daemon|postmaster|bounces?)$|-bounces?$/;

export function ackEligibility(input: { kind: MessageKind; sender: string; ownAddresses: string[]; auth: AuthVerdict; undeliverable: boolean }): AckEligibility {
  const local = input.sender.split('@')[0] ?? '';
  if (input.kind !== 'human') return { eligible: false, reason: `${input.kind} mail is never acknowledged` };
  if (!input.sender.includes('@')) return { eligible: false, reason: 'no sender address' };
  if (input.ownAddresses.includes(input.sender)) return { eligible: false, reason: 'our own address' };
  if (NO_REPLY.test(local)) return { eligible: false, reason: `${input.sender} does not read replies` };
  if (input.undeliverable) return { eligible: false, reason: `${input.sender} bounced before` };
  // A forged sender would receive our acknowledgement of mail they never wrote (backscatter).
  if (input.auth === 'failed') return { eligible: false, reason: 'the sender failed authentication' };
  return { eligible: true, reason: 'human mail from a reachable sender' };
}

export function decide(input: {
  classification: Classification;
  thread: ThreadChoice;
  /** State of the matched case (thread.match), when there is one. */
  matchedCase: CaseState | null;
  mailbox: FollowUpPolicy;
  now: number;
  /** The case a delivery report is about, when it could be tied to one by something we signed. */
  bounceCaseId?: string | null;
  flood?: Flood | null;
  acknowledge: AckEligibility;
}): Decision {
  const { classification: cls, thread, matchedCase, mailbox, now } = input;
  const why = cls.reasons.join(', ');
  const caseId = thread.match?.caseId ?? thread.held?.caseId ?? null;
  // Work a machine sent is a case, but nothing answers a machine: RFC 3834 §2 (and a null
  // reverse-path cannot be answered at all).
  const ack: AckEligibility =
    cls.machine && input.acknowledge.eligible
      ? { eligible: false, reason: cls.reasons.includes('null-sender') ? 'no return path (null sender): nothing automatic answers it' : `machine-generated mail is never acknowledged (${why})` }
      : input.acknowledge;

  switch (cls.kind) {
    case 'loop':
      return { action: 'ignore', reason: 'loop', caseId, detail: `our own mail came back (${why})` };
    case 'bounce':
      if (input.bounceCaseId) return { action: 'bounce', caseId: input.bounceCaseId, reason: `delivery report about a message of this case (${why})` };
      return { action: 'ignore', reason: 'bounce', caseId, detail: `delivery report not tied to a case (${why})` };
    case 'spam-flagged':
      return { action: 'quarantine', reason: 'spam-flagged', caseId, detail: `marked as spam upstream (${why})` };
    case 'auto-reply':
    case 'human':
    case 'list':
      break;
  }

  if (input.flood) {
    const f = input.flood;
    const what = f.by === 'sender' ? 'messages from this sender' : 'messages with this subject and text';
    return { action: 'quarantine', reason: 'flood', caseId, detail: `${f.count} ${what} within ${f.windowMinutes} minutes (limit ${f.limit})` };
  }

  if (cls.kind === 'list' && thread.match && matchedCase) {
    // List mail is filed with its thread, but never reopens a case (it is no customer asking again).
    return { action: 'append', kind: 'list', match: thread.match, newStatus: null, reason: `${thread.match.reason}; list mail (${why}), status unchanged`, acknowledge: ack };
  }

  if (cls.kind === 'auto-reply') {
    // Attached to its case so agents see it, but it never reopens the case or starts one.
    if (thread.match && matchedCase) {
      return { action: 'append', kind: 'auto-reply', match: thread.match, newStatus: null, reason: `${thread.match.reason}; auto-reply (${why}), status unchanged`, acknowledge: ack };
    }
    return { action: 'ignore', reason: 'auto-reply', caseId, detail: `automatic reply (${why})` };
  }

  if (thread.match && matchedCase) {
    const s = matchedCase.status;
    if (s === 'closed') {
      const within = matchedCase.closedAt !== null && now - matchedCase.closedAt <= mailbox.followUpDays * DAY;
      const reopen = mailbox.followUpPolicy === 'reopen' || (mailbox.followUpPolicy === 'reopen-within' && within);
      if (!reopen) {
        return {
          action: 'new-case',
          kind: cls.kind,
          rule: 'follow-up',
          linkedCaseId: matchedCase.id,
          reason: `reply to closed case ${matchedCase.id}; mailbox opens a new linked case`,
          acknowledge: ack,
        };
      }
      return { action: 'append', kind: cls.kind, match: thread.match, newStatus: 'open', reason: `${thread.match.reason}; reopened a closed case`, acknowledge: ack };
    }
    const newStatus: CaseStatus | null = s === 'pending' || s === 'resolved' ? 'open' : null;
    return { action: 'append', kind: cls.kind, match: thread.match, newStatus, reason: thread.match.reason + (newStatus ? `; ${s} → open` : ''), acknowledge: ack };
  }
  if (thread.held) {
    const detail: Record<HoldReason, string> = {
      'not-a-participant': 'points at a case the sender does not take part in',
      'unverified-sender': 'points at a case, but the sender could not be verified and did not use the signed reply address',
      'auth-failed': 'points at a case, but the sender failed authentication (DMARC)',
    };
    return { action: 'quarantine', reason: thread.held.why, caseId: thread.held.caseId, detail: `${thread.held.reason} ${detail[thread.held.why]}` };
  }
  return {
    action: 'new-case',
    kind: cls.kind,
    rule: 'new',
    linkedCaseId: null,
    reason: thread.considered.length ? `no case matched (${thread.considered.join('; ')})` : 'no threading headers, token or tag',
    acknowledge: ack,
  };
}
