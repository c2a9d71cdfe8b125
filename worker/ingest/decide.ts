// decide: what to do with a message, from what the earlier stages found. Pure; `now` is passed in.
import type { CaseStatus, MessageKind } from '../protocol/api.ts';
import type { Classification } from './classify.ts';
import type { ThreadChoice, ThreadMatch } from './thread.ts';

export interface CaseState {
  id: string;
  status: CaseStatus;
  closedAt: number | null;
}

export interface FollowUpPolicy {
  followUpPolicy: 'reopen' | 'new-linked' | 'reopen-within';
  followUpDays: number;
}

export type Decision =
  | { action: 'new-case'; kind: MessageKind; rule: 'new' | 'follow-up'; linkedCaseId: string | null; reason: string }
  | { action: 'append'; kind: MessageKind; match: ThreadMatch; newStatus: CaseStatus | null; reason: string }
  | { action: 'quarantine'; reason: string; caseId: string | null; detail: string }
  | { action: 'ignore'; reason: string; caseId: string | null; detail: string };

const DAY = 86_400_000;

export function decide(input: {
  classification: Classification;
  thread: ThreadChoice;
  /** State of the matched case (thread.match), when there is one. */
  matchedCase: CaseState | null;
  mailbox: FollowUpPolicy;
  now: number;
}): Decision {
  const { classification: cls, thread, matchedCase, mailbox, now } = input;
  const why = cls.reasons.join(', ');
  const caseId = thread.match?.caseId ?? thread.held?.caseId ?? null;

  switch (cls.kind) {
    case 'loop':
      return { action: 'ignore', reason: 'loop', caseId, detail: `our own mail came back (${why})` };
    case 'bounce':
      return { action: 'ignore', reason: 'bounce', caseId, detail: `delivery report (${why})` };
    case 'spam-flagged':
      return { action: 'quarantine', reason: 'spam-flagged', caseId, detail: `marked as spam upstream (${why})` };
    case 'auto-reply':
      // Attached to its case so agents see it, but it never reopens the case or starts one.
      if (thread.match && matchedCase) {
        return { action: 'append', kind: 'auto-reply', match: thread.match, newStatus: null, reason: `${thread.match.reason}; auto-reply (${why}), status unchanged` };
      }
      return { action: 'ignore', reason: 'auto-reply', caseId, detail: `automatic reply (${why})` };
    case 'human':
    case 'list':
      break;
  }

  if (thread.match && matchedCase) {
    const s = matchedCase.status;
    if (s === 'closed') {
      const within = matchedCase.closedAt !== null && now - matchedCase.closedAt <= mailbox.followUpDays * DAY;
      const reopen = mailbox.followUpPolicy === 'reopen' || (mailbox.followUpPolicy === 'reopen-within' && within);
      if (!reopen) {
        return { action: 'new-case', kind: cls.kind, rule: 'follow-up', linkedCaseId: matchedCase.id, reason: `reply to closed case ${matchedCase.id}; mailbox opens a new linked case` };
      }
      return { action: 'append', kind: cls.kind, match: thread.match, newStatus: 'open', reason: `${thread.match.reason}; reopened a closed case` };
    }
    const newStatus: CaseStatus | null = s === 'pending' || s === 'resolved' ? 'open' : null;
    return { action: 'append', kind: cls.kind, match: thread.match, newStatus, reason: thread.match.reason + (newStatus ? `; ${s} → open` : '') };
  }
  if (thread.held) {
    return { action: 'quarantine', reason: 'not-a-participant', caseId: thread.held.caseId, detail: `${thread.held.reason} points at a case the sender does not take part in` };
  }
  return { action: 'new-case', kind: cls.kind, rule: 'new', linkedCaseId: null, reason: thread.considered.length ? `no case matched (${thread.considered.join('; ')})` : 'no threading headers, token or tag' };
}
