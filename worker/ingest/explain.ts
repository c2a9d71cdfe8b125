// explain: the pipeline's decisions for a sequence of raw messages, with an in-memory stand-in for
// the database, so a message can be examined without a server (`npm run explain`). It runs the same
// pure stages as the Worker; only the lookups and the writes differ.
import type { CaseStatus } from '../protocol/api.ts';
import { verifyReplyToken } from '../mail/tokens.ts';
import { analyze } from './analyze.ts';
import { ackEligibility, decide, type Decision, type FollowUpPolicy } from './decide.ts';
import { idempotencyKey } from './dedupe.ts';
import { prescan, stripMboxFromLine } from './prescan.ts';
import { chooseThread, type ThreadFacts } from './thread.ts';

interface MemoryCase {
  id: string;
  number: number;
  status: CaseStatus;
  closedAt: number | null;
  participants: Set<string>;
  messageIds: Set<string>;
}

export interface ExplainOptions {
  envelopeFrom?: string;
  recipient: string;
  ownAddresses: string[];
  replyTokenKey?: string;
  mailbox?: FollowUpPolicy & { replyPolicy?: 'participants' | 'verified' | 'any' };
  /** The clock, read by the caller: a stage does not read it itself. */
  now: () => number;
}

export interface Explanation {
  file?: string;
  size: number;
  messageKey: string;
  parsed: { subject: string; from: string | null; to: string[]; cc: string[]; messageId: string | null; date: string | null; attachments: number } | null;
  kind: string | null;
  reasons: string[];
  auth: { verdict: string; reasons: string[] } | null;
  candidates: unknown;
  considered: string[];
  decision: Decision | { action: 'duplicate'; of: string } | { action: 'quarantine'; reason: string; detail: string };
  caseNumber: number | null;
}

export class MemoryInbox {
  private cases: MemoryCase[] = [];
  private keys = new Map<string, number | null>();
  private readonly opts: ExplainOptions;
  constructor(opts: ExplainOptions) {
    this.opts = opts;
  }

  async explain(input: Uint8Array, file?: string): Promise<Explanation> {
    const o = this.opts;
    const now = o.now();
    const raw = stripMboxFromLine(input);
    const envelopeFrom = o.envelopeFrom ?? '';
    const pre = prescan(raw);
    const messageKey = await idempotencyKey(pre, raw, envelopeFrom);
    const base = { file, size: raw.byteLength, messageKey };
    const analysis = await analyze({ raw, envelopeFrom: envelopeFrom || 'unknown@invalid', recipient: o.recipient, ownAddresses: o.ownAddresses, replyTokenKey: o.replyTokenKey });
    if (!analysis.ok) {
      return {
        ...base,
        parsed: null,
        kind: null,
        reasons: [],
        auth: null,
        candidates: null,
        considered: [],
        decision: { action: 'quarantine', reason: analysis.reason, detail: analysis.detail },
        caseNumber: null,
      };
    }
    const { mail, sender, classification, candidates } = analysis;
    const parsed = {
      subject: mail.subject,
      from: sender.email || null,
      to: mail.to.map((a) => a.email),
      cc: mail.cc.map((a) => a.email),
      messageId: mail.messageId,
      date: mail.date !== null ? new Date(mail.date).toISOString() : null,
      attachments: mail.attachments.length,
    };
    const auth = { verdict: analysis.auth.verdict, reasons: analysis.auth.reasons };
    const common = { ...base, parsed, kind: classification.kind, reasons: classification.reasons, auth, candidates };
    if (this.keys.has(messageKey)) {
      return { ...common, considered: [], decision: { action: 'duplicate', of: messageKey }, caseNumber: this.keys.get(messageKey) ?? null };
    }

    let token: ThreadFacts['token'] = null;
    if (candidates.token) {
      if (!o.replyTokenKey) token = { rejected: 'no reply-token key given (--key or .dev.vars)' };
      else {
        const v = await verifyReplyToken(o.replyTokenKey, candidates.token);
        token = v.ok ? (this.cases.some((c) => c.id === v.caseId) ? { caseId: v.caseId } : { rejected: 'token names a case that is not in this run' }) : { rejected: v.reason };
      }
    }
    const caseByMessageId: Record<string, string> = {};
    for (const id of [...candidates.inReplyTo, ...candidates.references]) {
      const hit = this.cases.find((c) => c.messageIds.has(id));
      if (hit) caseByMessageId[id] = hit.id;
    }
    const tagged = candidates.subjectTag !== null ? this.cases.find((c) => c.number === candidates.subjectTag) : undefined;
    const participants: Record<string, string[]> = {};
    for (const c of this.cases) participants[c.id] = [...c.participants];
    const thread = chooseThread(candidates, { token, caseByMessageId, caseByTag: tagged?.id ?? null, participants }, sender.email, { anySender: o.mailbox?.replyPolicy === 'any', trust: 'all-rules' });
    const matched = thread.match ? (this.cases.find((c) => c.id === thread.match!.caseId) ?? null) : null;
    const acknowledge = ackEligibility({ kind: classification.kind, sender: sender.email, ownAddresses: o.ownAddresses, auth: analysis.auth.verdict, undeliverable: false });
    const decision = decide({
      acknowledge,
      classification,
      thread,
      matchedCase: matched ? { id: matched.id, status: matched.status, closedAt: matched.closedAt } : null,
      mailbox: o.mailbox ?? { followUpPolicy: 'reopen', followUpDays: 14 },
      now,
    });

    let caseNumber: number | null = null;
    const people = [sender.email, ...mail.to.map((a) => a.email), ...mail.cc.map((a) => a.email)].filter((e) => e && !o.ownAddresses.includes(e));
    if (decision.action === 'new-case') {
      const c: MemoryCase = { id: `case_mem${this.cases.length + 1}`, number: this.cases.length + 1, status: 'new', closedAt: null, participants: new Set(people), messageIds: new Set() };
      this.cases.push(c);
      if (mail.messageId) c.messageIds.add(mail.messageId);
      caseNumber = c.number;
    } else if (decision.action === 'append' && matched) {
      if (mail.messageId) matched.messageIds.add(mail.messageId);
      if (decision.kind !== 'auto-reply') for (const p of people) matched.participants.add(p);
      if (decision.newStatus) matched.status = decision.newStatus;
      caseNumber = matched.number;
    }
    this.keys.set(messageKey, caseNumber);
    return { ...common, considered: thread.considered, decision, caseNumber };
  }
}
