// Acknowledgements: the automatic "we got your message" mail. Whether a sender may be acknowledged
// at all is decided with the message (decide.ts, RFC 3834 and loop rules); this file applies the
// mailbox's own settings (on create / on update, templates, an off-hours variant) and the rate
// limits, and stages the mail in the caller's batch.
import type { calendars, Mailbox } from '../db/schema.ts';
import type { StagedMail } from './stage.ts';
import type { AddressView } from '../protocol/api.ts';
import { derivedId } from '../protocol/ids.ts';
import { isOpen, validateCalendar } from '../sla/calendar.ts';
import { buildCaseHeaders, composeMail } from './compose.ts';
import { stageMail } from './stage.ts';
import { ackHeaders, renderAck, type AckTemplate } from './templates.ts';

export const OFF_HOURS_TEMPLATE: AckTemplate = {
  subject: 'Re: {{case.subject}}',
  text: [
    'Hello {{customer.name}},',
    '',
    'Thank you for contacting {{mailbox.name}}. We have received your message and opened case',
    '#{{case.number}}: "{{case.subject}}".',
    '',
    'Our team is away right now. We will answer when we are back: {{sla.first_response}}.',
    '',
    'To add to this case, reply to this email and keep [#{{case.number}}] in the subject.',
    '',
    '{{mailbox.name}}',
    '',
    '(This is an automatic acknowledgement.)',
  ].join('\n'),
  html: [
    '<!doctype html>',
    '<html><body style="font-family: sans-serif; line-height: 1.4">',
    '<p>Hello {{customer.name}},</p>',
    '<p>Thank you for contacting {{mailbox.name}}. We have received your message and opened case',
    '<strong>#{{case.number}}</strong>: &ldquo;{{case.subject}}&rdquo;.</p>',
    '<p>Our team is away right now. We will answer when we are back: {{sla.first_response}}.</p>',
    '<p>To add to this case, reply to this email and keep [#{{case.number}}] in the subject.</p>',
    '<p>{{mailbox.name}}</p>',
    '<p style="color: #666; font-size: smaller">This is an automatic acknowledgement.</p>',
    '</body></html>',
  ].join('\n'),
};

function customTemplate(json: string | null): Partial<AckTemplate> | undefined {
  if (!json) return undefined;
  try {
    const v = JSON.parse(json) as Partial<AckTemplate>;
    return typeof v === 'object' && v !== null ? v : undefined;
  } catch {
    return undefined;
  }
}

export interface AckRequest {
  mailbox: Mailbox;
  kind: 'create' | 'update';
  kase: { id: string; number: number; subject: string };
  recipient: AddressView;
  /** The inbound message being acknowledged: one acknowledgement per inbound message, ever. */
  causeInboundId: string;
  customerMessageId: string | null;
  threadIds: string[];
  agentName?: string | null;
  firstResponse?: string | null;
  secret: string;
  now: number;
}

export type AckPlan = ({ outboxId: string } & StagedMail) | { skipped: string };

/** What the rate limits and the "we are away" wording depend on, read in a caller's batch. */
export interface AckLimits {
  /** Acknowledgements to this recipient about this case in the last hour. */
  perCaseHour: number;
  /** Acknowledgements to this recipient in the last day. */
  perDay: number;
  /** The mailbox's office hours, if it has a calendar. */
  calendar: typeof calendars.$inferSelect | undefined;
}

/**
 * Why no acknowledgement goes out under the mailbox's settings and limits, or null when one may; and
 * whether the mailbox is outside its office hours now (only a new case's acknowledgement says so).
 */
function ackCheck(req: Pick<AckRequest, 'mailbox' | 'kind' | 'now'>, limits: AckLimits): { blocked: string } | { blocked: null; away: boolean } {
  const { mailbox, kind, now } = req;
  if (limits.perCaseHour >= mailbox.ackMaxPerCaseHour) return { blocked: `rate limit: ${mailbox.ackMaxPerCaseHour} acknowledgement(s) per case per hour` };
  if (limits.perDay >= mailbox.ackMaxPerRecipientDay) return { blocked: `rate limit: ${mailbox.ackMaxPerRecipientDay} acknowledgements per recipient per day` };
  const calendar = kind === 'create' && limits.calendar?.id === mailbox.calendarId ? limits.calendar : undefined;
  return { blocked: null, away: calendar ? offHours(calendar, now) : false };
}

function wanted(req: Pick<AckRequest, 'mailbox' | 'kind'>): string | null {
  if (req.kind === 'create' && !req.mailbox.ackOnCreate) return 'the mailbox does not acknowledge new cases';
  if (req.kind === 'update' && !req.mailbox.ackOnUpdate) return 'the mailbox does not acknowledge replies';
  return null;
}

function offHours(row: typeof calendars.$inferSelect, now: number): boolean {
  let input: unknown;
  try {
    input = { timeZone: row.timeZone, weekly: JSON.parse(row.weekly), holidays: JSON.parse(row.holidays) };
  } catch {
    return false;
  }
  const check = validateCalendar(input);
  return check.ok ? !isOpen(now, check.calendar) : false;
}

/** Stages the acknowledgement, or says why none goes out; the caller reads `limits` with its facts. */
export async function planAck(req: AckRequest, limits: AckLimits): Promise<AckPlan> {
  const unwanted = wanted(req);
  if (unwanted) return { skipped: unwanted };
  const check = ackCheck(req, limits);
  if (check.blocked !== null) return { skipped: check.blocked };
  const { mailbox, kase } = req;
  const away = check.away;
  const custom = away ? (customTemplate(mailbox.ackOffHoursTemplate) ?? OFF_HOURS_TEMPLATE) : customTemplate(req.kind === 'create' ? mailbox.ackCreateTemplate : mailbox.ackUpdateTemplate);
  const ack = renderAck(
    req.kind,
    {
      'case.number': kase.number,
      'case.subject': kase.subject,
      'customer.name': req.recipient.name,
      'mailbox.name': mailbox.displayName,
      'agent.name': req.agentName,
      'sla.first_response': req.firstResponse,
    },
    custom,
  );
  const outboxId = derivedId('outbox', req.causeInboundId, req.kind === 'create' ? '-ack' : '-ackup');
  const h = await buildCaseHeaders({
    secret: req.secret,
    caseId: kase.id,
    mailboxAddress: mailbox.address,
    mailboxName: mailbox.displayName,
    customerLastMessageId: req.customerMessageId,
    threadIds: req.threadIds,
  });
  const composed = composeMail({
    from: h.from,
    to: [req.recipient],
    replyTo: h.replyTo,
    subject: ack.subject,
    text: ack.text,
    html: ack.html,
    inReplyTo: h.inReplyTo,
    references: h.references,
    extraHeaders: { ...ackHeaders(), 'X-Loop': mailbox.address },
    date: new Date(req.now),
    messageId: `${outboxId}@${mailbox.address.split('@')[1]}`,
  });
  return {
    outboxId,
    ...stageMail({
      id: outboxId,
      kind: req.kind === 'create' ? 'ack-create' : 'ack-update',
      workspaceId: mailbox.workspaceId,
      caseId: kase.id,
      messageId: null,
      causeInboundId: req.causeInboundId,
      composed,
      now: req.now,
    }),
  };
}
