// Notifications to agents: a case was assigned to them, their customer replied, an SLA is about to
// be (or was) breached, someone mentioned them in a note. Each agent can turn each kind off. A notification's Reply-To carries a token
// bound to that agent, so answering it by mail can post to the case as that agent (see pipeline.ts).
import type { Agent, Mailbox } from '../db/schema.ts';
import { update, type Write } from '../changes/change.ts';
import { newId } from '../protocol/ids.ts';
import { buildCaseHeaders, composeMail, subjectWithTag } from './compose.ts';
import { ownMessageId, stageMail, type StagedMail } from './stage.ts';
import { REPLY_LOCAL_PART, signReplyToken } from './tokens.ts';

export type NotificationKind = 'assignment' | 'customer-reply' | 'sla-warning' | 'sla-breach' | 'mention';

const WANTS: Record<NotificationKind, 'notifyAssignment' | 'notifyCustomerReply' | 'notifySla' | 'notifyMention'> = {
  assignment: 'notifyAssignment',
  'customer-reply': 'notifyCustomerReply',
  'sla-warning': 'notifySla',
  'sla-breach': 'notifySla',
  mention: 'notifyMention',
};

const HEADLINE: Record<NotificationKind, string> = {
  assignment: 'Assigned to you',
  'customer-reply': 'Customer replied',
  'sla-warning': 'SLA due soon',
  'sla-breach': 'SLA breached',
  mention: 'You were mentioned',
};

const CODE_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

export function newTokenCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return [...bytes].map((b) => CODE_ALPHABET[b % 32]).join('');
}

export interface NotificationRequest {
  kind: NotificationKind;
  agentId: string;
  mailbox: Mailbox;
  kase: { id: string; number: number; subject: string };
  /** What happened, one or two sentences of plain text (never the customer's message verbatim in HTML). */
  summary: string;
  secret: string;
  appUrl: string | null;
  now: number;
}

export type NotificationPlan = ({ outboxId: string } & StagedMail) | { skipped: string };

/** The notification to `agent` (read by the caller with its facts), or why none goes out. */
export async function planNotification(agent: Agent | undefined, req: NotificationRequest): Promise<NotificationPlan> {
  if (!agent?.active || agent.id !== req.agentId) return { skipped: 'no such active agent' };
  if (!agent[WANTS[req.kind]]) return { skipped: `${agent.email} turned ${req.kind} notifications off` };
  const writes: Write[] = [];
  let code = agent.tokenCode;
  if (!code) {
    // Only the first notification gives the agent a code; a concurrent one keeps whichever came first.
    code = newTokenCode();
    writes.push(update('agents', { id: agent.id, tokenCode: null }, { tokenCode: code }));
  }
  const h = await buildCaseHeaders({ secret: req.secret, caseId: req.kase.id, mailboxAddress: req.mailbox.address, mailboxName: req.mailbox.displayName });
  const token = await signReplyToken(req.secret, req.kase.id, `a${code}`);
  const domain = req.mailbox.address.split('@')[1]!;
  const link = req.appUrl ? `${req.appUrl}/#/cases/${req.kase.id}` : null;
  const outboxId = newId('outbox', req.now);
  const text = [
    `${HEADLINE[req.kind]}: case #${req.kase.number}, "${req.kase.subject}".`,
    '',
    req.summary,
    '',
    ...(link ? [`Open it: ${link}`, ''] : []),
    'Reply to this email to add an internal note to the case.',
  ].join('\n');
  const composed = composeMail({
    from: { email: req.mailbox.address, name: `${req.mailbox.displayName} (edgecase)` },
    to: [{ email: agent.email, name: agent.name }],
    replyTo: `${REPLY_LOCAL_PART}+${token}@${domain}`,
    subject: subjectWithTag(`${HEADLINE[req.kind]}: ${req.kase.subject}`, req.kase.number),
    text,
    references: h.references,
    extraHeaders: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All', 'X-Loop': req.mailbox.address },
    date: new Date(req.now),
    messageId: ownMessageId(outboxId, req.mailbox.address),
  });
  const out = stageMail({ id: outboxId, kind: 'notification', workspaceId: req.mailbox.workspaceId, caseId: req.kase.id, messageId: null, causeInboundId: null, composed, now: req.now });
  return { outboxId, ...out, writes: [...writes, ...out.writes] };
}
