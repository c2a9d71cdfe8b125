import { describe, expect, it } from 'vitest';
import type { Classification } from '../../../worker/ingest/classify.ts';
import { decide, type CaseState, type FollowUpPolicy } from '../../../worker/ingest/decide.ts';
import type { ThreadChoice, ThreadMatch } from '../../../worker/ingest/thread.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2025, 6, 1, 12);
const CASE = 'case_0000000001aaaaaaaaaaaa';

const human: Classification = { kind: 'human', reasons: [] };
const autoReply: Classification = { kind: 'auto-reply', reasons: ['auto-submitted:auto-replied'] };
const match: ThreadMatch = { caseId: CASE, rule: 'in-reply-to', reason: 'In-Reply-To <first-plain@example.com>' };
const matched: ThreadChoice = { match, held: null, considered: [`in-reply-to: matched ${CASE}`] };
const nothing: ThreadChoice = { match: null, held: null, considered: [] };
const held: ThreadChoice = { match: null, held: { ...match, rule: 'subject-tag', reason: 'subject tag [#1]', why: 'not-a-participant' }, considered: [] };

const reopen: FollowUpPolicy = { followUpPolicy: 'reopen', followUpDays: 14 };
const newLinked: FollowUpPolicy = { followUpPolicy: 'new-linked', followUpDays: 14 };
const reopenWithin: FollowUpPolicy = { followUpPolicy: 'reopen-within', followUpDays: 14 };

function state(status: CaseState['status'], closedDaysAgo: number | null = null): CaseState {
  return { id: CASE, status, closedAt: closedDaysAgo === null ? null : NOW - closedDaysAgo * DAY };
}

const ACK = { eligible: true, reason: 'human mail from a reachable sender' };

function run(classification: Classification, thread: ThreadChoice, matchedCase: CaseState | null, mailbox = reopen) {
  return decide({ classification, thread, matchedCase, mailbox, now: NOW, acknowledge: ACK });
}

describe('decide', () => {
  it('opens a new case when nothing matched', () => {
    expect(run(human, nothing, null)).toEqual({ action: 'new-case', kind: 'human', rule: 'new', linkedCaseId: null, reason: 'no threading headers, token or tag', acknowledge: ACK });
  });

  it('says what was tried when a new case is opened after misses', () => {
    const d = run(human, { match: null, held: null, considered: ['references: 3 unknown'] }, null);
    expect(d).toMatchObject({ action: 'new-case', rule: 'new', linkedCaseId: null });
    expect(d.action === 'new-case' && d.reason).toContain('references: 3 unknown');
  });

  it('appends to an open case without changing its status', () => {
    expect(run(human, matched, state('open'))).toEqual({ action: 'append', kind: 'human', match, newStatus: null, reason: match.reason, acknowledge: ACK });
    expect(run(human, matched, state('new'))).toMatchObject({ action: 'append', newStatus: null });
  });

  it('moves a pending or resolved case back to open', () => {
    expect(run(human, matched, state('pending'))).toMatchObject({ action: 'append', match, newStatus: 'open' });
    expect(run(human, matched, state('resolved'))).toMatchObject({ action: 'append', match, newStatus: 'open' });
  });

  it("reopens a closed case under 'reopen'", () => {
    expect(run(human, matched, state('closed', 400), reopen)).toMatchObject({ action: 'append', kind: 'human', match, newStatus: 'open' });
  });

  it("opens a new linked case for a reply to a closed case under 'new-linked'", () => {
    expect(run(human, matched, state('closed', 1), newLinked)).toMatchObject({ action: 'new-case', kind: 'human', rule: 'follow-up', linkedCaseId: CASE });
  });

  it("reopens within the window and links after it under 'reopen-within'", () => {
    expect(run(human, matched, state('closed', 3), reopenWithin)).toMatchObject({ action: 'append', newStatus: 'open' });
    expect(run(human, matched, state('closed', 14), reopenWithin)).toMatchObject({ action: 'append', newStatus: 'open' });
    expect(run(human, matched, state('closed', 30), reopenWithin)).toMatchObject({ action: 'new-case', rule: 'follow-up', linkedCaseId: CASE });
    // A closed case without a close time is outside every window.
    expect(run(human, matched, state('closed', null), reopenWithin)).toMatchObject({ action: 'new-case', rule: 'follow-up', linkedCaseId: CASE });
  });

  it('quarantines a message that points at a case its sender is not part of', () => {
    expect(run(human, held, null)).toMatchObject({ action: 'quarantine', reason: 'not-a-participant', caseId: CASE });
  });

  it('appends a threaded auto-reply without touching the status, even on a closed case', () => {
    for (const c of [state('closed', 2), state('pending'), state('open')]) {
      expect(run(autoReply, matched, c, reopen)).toMatchObject({ action: 'append', kind: 'auto-reply', match, newStatus: null });
    }
    expect(run(autoReply, matched, state('closed', 60), newLinked)).toMatchObject({ action: 'append', kind: 'auto-reply', newStatus: null });
  });

  it('ignores an auto-reply that threads nowhere', () => {
    expect(run(autoReply, nothing, null)).toMatchObject({ action: 'ignore', reason: 'auto-reply', caseId: null });
    expect(run(autoReply, held, null)).toMatchObject({ action: 'ignore', reason: 'auto-reply', caseId: CASE });
  });

  it('ignores bounces and loops, threaded or not', () => {
    const bounce: Classification = { kind: 'bounce', reasons: ['dsn:multipart-report'] };
    const loop: Classification = { kind: 'loop', reasons: ['own-address'] };
    expect(run(bounce, nothing, null)).toMatchObject({ action: 'ignore', reason: 'bounce', caseId: null });
    expect(run(bounce, matched, state('open'))).toMatchObject({ action: 'ignore', reason: 'bounce', caseId: CASE });
    expect(run(loop, nothing, null)).toMatchObject({ action: 'ignore', reason: 'loop' });
    expect(run(loop, matched, state('open'))).toMatchObject({ action: 'ignore', reason: 'loop', caseId: CASE });
  });

  it('quarantines mail flagged as spam upstream', () => {
    expect(run({ kind: 'spam-flagged', reasons: ['x-spam-flag'] }, nothing, null)).toMatchObject({ action: 'quarantine', reason: 'spam-flagged' });
  });

  it('treats list mail like a person: a new case of kind list', () => {
    expect(run({ kind: 'list', reasons: ['list-id'] }, nothing, null)).toMatchObject({ action: 'new-case', kind: 'list', rule: 'new' });
  });

  it('files threaded list mail with its case but never reopens it', () => {
    const list: Classification = { kind: 'list', reasons: ['list-id'] };
    for (const c of [state('pending'), state('resolved'), state('closed', 2)]) {
      expect(run(list, matched, c, reopen)).toMatchObject({ action: 'append', kind: 'list', match, newStatus: null });
    }
    expect(run(list, matched, state('closed', 2), newLinked)).toMatchObject({ action: 'append', kind: 'list', newStatus: null });
  });

  it('opens a case for work a machine sent, and never acknowledges it', () => {
    const alert: Classification = { kind: 'human', reasons: ['auto-submitted:auto-generated'], machine: true };
    expect(run(alert, nothing, null)).toEqual({
      action: 'new-case',
      kind: 'human',
      rule: 'new',
      linkedCaseId: null,
      reason: 'no threading headers, token or tag',
      acknowledge: { eligible: false, reason: 'machine-generated mail is never acknowledged (auto-submitted:auto-generated)' },
    });
    expect(run(alert, matched, state('pending'))).toMatchObject({ action: 'append', newStatus: 'open', acknowledge: { eligible: false } });
    const nullSender: Classification = { kind: 'human', reasons: ['null-sender'], machine: true };
    expect(run(nullSender, nothing, null)).toMatchObject({ action: 'new-case', acknowledge: { eligible: false, reason: 'no return path (null sender): nothing automatic answers it' } });
    // A reason the sender could not get one anyway stays the reason.
    const failed = { eligible: false, reason: 'the sender failed authentication' };
    expect(decide({ classification: alert, thread: nothing, matchedCase: null, mailbox: reopen, now: NOW, acknowledge: failed })).toMatchObject({ acknowledge: failed });
  });
});
