// thread: which case a message belongs to. Layered and explained (ARCHITECTURE rule 4):
//   1. a signed reply token in the recipient address,
//   2. In-Reply-To, then References (newest first), against Message-IDs we stored or issued,
//   3. the subject tag [#123],
//   4. a reply's subject (Re:/AW:/SV:/Antw: … and any tag taken off) equal to a case's subject.
// Every rule also needs the sender to take part in the case: headers and subjects are easy to forge,
// so a match from a stranger is held, never appended. Pure: the lookups arrive as `facts`.
import type { ThreadRule } from '../protocol/api.ts';
import { replySubjectOf } from '../mail/subject.ts';
import { tokenFromAddress } from '../mail/tokens.ts';

export interface ThreadCandidates {
  token: string | null;
  inReplyTo: string[];
  /** References, newest (last in the header) first, without the In-Reply-To ids. */
  references: string[];
  subjectTag: number | null;
  /** The subject without reply prefixes and tags, when the subject says it is a reply; else null. */
  replySubject: string | null;
}

const SUBJECT_TAG = /\[#(\d{1,9})\]/;
export function threadCandidates(recipient: string, mail: { inReplyTo: string[]; references: string[]; subject: string }): ThreadCandidates {
  const tag = SUBJECT_TAG.exec(mail.subject);
  return {
    token: tokenFromAddress(recipient),
    inReplyTo: mail.inReplyTo,
    references: [...mail.references].reverse().filter((id) => !mail.inReplyTo.includes(id)),
    subjectTag: tag ? Number(tag[1]) : null,
    replySubject: replySubjectOf(mail.subject),
  };
}

export interface ThreadFacts {
  /** The token's verdict: the case it names, or why it was not accepted. */
  token: { caseId: string } | { rejected: string } | null;
  /** Message-ID → case id, for the ids we know. */
  caseByMessageId: Record<string, string>;
  /** The case whose number the subject tag names, when it exists in this workspace. */
  caseByTag: string | null;
  /** The sender's most recent case with the reply's base subject, when the subject says it is a reply. */
  caseBySubject: string | null;
  /** Lower-case participant addresses per candidate case. */
  participants: Record<string, string[]>;
}

export interface ThreadMatch {
  caseId: string;
  rule: Exclude<ThreadRule, 'new' | 'follow-up'>;
  reason: string;
}

/** Why a message that points at a case was held instead of appended. */
export type HoldReason = 'not-a-participant' | 'unverified-sender' | 'auth-failed';

export interface ThreadChoice {
  match: ThreadMatch | null;
  /** A case the message points at, but may not join, and why. */
  held: (ThreadMatch & { why: HoldReason }) | null;
  /** Every rule that was tried and what it said, for "why threaded here". */
  considered: string[];
}

export interface ThreadPolicy {
  /** The mailbox lets anyone who finds a case post to it (participants are not checked). */
  anySender: boolean;
  /** What the sender's authentication allows: every rule, only the signed reply token, or nothing. */
  trust: 'all-rules' | 'token-only' | 'none';
}

export const DEFAULT_POLICY: ThreadPolicy = { anySender: false, trust: 'all-rules' };

export function chooseThread(c: ThreadCandidates, facts: ThreadFacts, sender: string, policy: ThreadPolicy = DEFAULT_POLICY): ThreadChoice {
  const considered: string[] = [];
  const ordered: ThreadMatch[] = [];
  if (c.token) {
    if (facts.token && 'caseId' in facts.token) ordered.push({ caseId: facts.token.caseId, rule: 'token', reason: 'signed reply token in the recipient address' });
    else considered.push(`token: ${facts.token && 'rejected' in facts.token ? facts.token.rejected : 'not checked'}`);
  }
  for (const id of c.inReplyTo) {
    const caseId = facts.caseByMessageId[id];
    if (caseId) ordered.push({ caseId, rule: 'in-reply-to', reason: `In-Reply-To <${id}>` });
    else considered.push(`in-reply-to <${id}>: unknown`);
  }
  for (const id of c.references) {
    const caseId = facts.caseByMessageId[id];
    if (caseId) ordered.push({ caseId, rule: 'references', reason: `References <${id}>` });
  }
  if (c.references.length && !c.references.some((id) => facts.caseByMessageId[id])) considered.push(`references: ${c.references.length} unknown`);
  if (c.subjectTag !== null) {
    if (facts.caseByTag) ordered.push({ caseId: facts.caseByTag, rule: 'subject-tag', reason: `subject tag [#${c.subjectTag}]` });
    else considered.push(`subject-tag [#${c.subjectTag}]: no such case`);
  }
  // Last, and only when nothing above matched: a client that drops References and our tag (Outlook).
  if (c.replySubject !== null && ordered.length === 0) {
    if (facts.caseBySubject) ordered.push({ caseId: facts.caseBySubject, rule: 'subject', reason: `reply to the subject "${c.replySubject}" of a case the sender takes part in` });
    else considered.push('subject: no case of this sender with that subject');
  }

  let held: ThreadChoice['held'] = null;
  for (const m of ordered) {
    if (policy.trust === 'none') {
      considered.push(`${m.rule}: ${m.caseId}, but the sender failed authentication`);
      held ??= { ...m, why: 'auth-failed' };
      continue;
    }
    if (policy.trust === 'token-only' && m.rule !== 'token') {
      considered.push(`${m.rule}: ${m.caseId}, but an unverified sender may only reply through the signed reply address`);
      held ??= { ...m, why: 'unverified-sender' };
      continue;
    }
    const isParticipant = (facts.participants[m.caseId] ?? []).includes(sender);
    if (isParticipant || policy.anySender) {
      considered.push(`${m.rule}: matched ${m.caseId}${isParticipant ? '' : ' (mailbox accepts any sender)'}`);
      return { match: m, held: null, considered };
    }
    considered.push(`${m.rule}: ${m.caseId}, but ${sender || 'the sender'} is not a participant`);
    held ??= { ...m, why: 'not-a-participant' };
  }
  return { match: null, held, considered };
}

/**
 * The case a message naming `caseId` belongs in: the end of its merge chain among the cases read
 * (a merged case's tokens, Message-IDs and tag lead to the case it was merged into).
 */
export function liveCaseId(cases: Record<string, { mergedIntoId: string | null }>, caseId: string): string {
  let id = caseId;
  for (let hop = 0; hop < 8; hop++) {
    const next = cases[id]?.mergedIntoId;
    if (!next || !cases[next]) return id;
    id = next;
  }
  return id;
}
