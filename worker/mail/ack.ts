// Acknowledgements: the automatic "we got your message" mail. Whether a sender may be acknowledged
// at all is decided with the message (decide.ts, RFC 3834 and loop rules); this file applies the
// mailbox's own settings (on create / on update, templates, an off-hours variant) and the rate
// limits, and stages the mail in the caller's batch.
import type { calendars, Mailbox } from '../db/schema.ts';
import type { StagedMail } from './stage.ts';
import type { AddressView } from '../protocol/api.ts';
import { derivedId } from '../protocol/ids.ts';
import { nextOpening, validateCalendar } from '../sla/calendar.ts';
import { buildCaseHeaders, composeMail } from './compose.ts';
import { validateAddress } from './headers.ts';
import { OFF_HOURS_TEMPLATES } from './off-hours.ts';
import { ownMessageId, stageMail } from './stage.ts';
import { ACK_LANGUAGES, ackHeaders, formatReopening, pickLanguage, renderAck, type AckLanguage, type AckTemplate } from './templates.ts';

/** The off-hours wording in English (the admin preview's default); every language: off-hours.ts. */
export const OFF_HOURS_TEMPLATE: AckTemplate = OFF_HOURS_TEMPLATES.en;

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
  /** When the new case's first response is due (its SLA), for `{{sla.first_response}}`. */
  firstResponseDueAt?: number | null;
  /** The languages the customer's mail asks for, most wanted first (templates.ts languagePreferences). */
  customerLanguages?: readonly string[];
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
function ackCheck(req: Pick<AckRequest, 'mailbox' | 'kind' | 'now'>, limits: AckLimits): { blocked: string } | { blocked: null; away: Away | null } {
  const { mailbox, kind, now } = req;
  if (limits.perCaseHour >= mailbox.ackMaxPerCaseHour) return { blocked: `rate limit: ${mailbox.ackMaxPerCaseHour} acknowledgement(s) per case per hour` };
  if (limits.perDay >= mailbox.ackMaxPerRecipientDay) return { blocked: `rate limit: ${mailbox.ackMaxPerRecipientDay} acknowledgements per recipient per day` };
  const calendar = kind === 'create' && limits.calendar?.id === mailbox.calendarId ? limits.calendar : undefined;
  return { blocked: null, away: calendar ? offHours(calendar, now) : null };
}

function wanted(req: Pick<AckRequest, 'mailbox' | 'kind'>): string | null {
  if (req.kind === 'create' && !req.mailbox.ackOnCreate) return 'the mailbox does not acknowledge new cases';
  if (req.kind === 'update' && !req.mailbox.ackOnUpdate) return 'the mailbox does not acknowledge replies';
  return null;
}

/** The office is closed now: when it opens again (Infinity: not within the calendar's horizon), in which zone. */
interface Away {
  reopensAt: number;
  timeZone: string;
}

function offHours(row: typeof calendars.$inferSelect, now: number): Away | null {
  let input: unknown;
  try {
    input = { timeZone: row.timeZone, weekly: JSON.parse(row.weekly), holidays: JSON.parse(row.holidays) };
  } catch {
    return null;
  }
  const check = validateCalendar(input);
  if (!check.ok) return null;
  const reopensAt = nextOpening(now, check.calendar);
  return reopensAt === now ? null : { reopensAt, timeZone: check.calendar.timeZone };
}

/**
 * The wording of the acknowledgement: the mailbox's own template (in whatever language its admin
 * wrote it), or the built-in one; the off-hours one speaks the customer's language when it can
 * (English otherwise) and says when the office opens again.
 */
/** When the first response is due, as the acknowledgement says it: in the office's zone (UTC without a calendar). */
function firstResponseText(req: AckRequest, limits: AckLimits, language: AckLanguage): string | null {
  const at = req.firstResponseDueAt;
  if (at === null || at === undefined || !Number.isFinite(at)) return null;
  const zone = limits.calendar?.id === req.mailbox.calendarId ? limits.calendar?.timeZone : undefined;
  try {
    return formatReopening(at, req.now, zone ?? 'UTC', language);
  } catch {
    // An unknown zone in a calendar row: UTC says the same moment.
    return formatReopening(at, req.now, 'UTC', language);
  }
}

function wording(req: AckRequest, away: Away | null): { custom: Partial<AckTemplate> | undefined; language: AckLanguage; reopens: string | null } {
  const { mailbox } = req;
  if (!away) return { custom: customTemplate(req.kind === 'create' ? mailbox.ackCreateTemplate : mailbox.ackUpdateTemplate), language: 'en', reopens: null };
  const own = customTemplate(mailbox.ackOffHoursTemplate);
  const language = own ? 'en' : pickLanguage(req.customerLanguages ?? [], ACK_LANGUAGES, 'en');
  const reopens = Number.isFinite(away.reopensAt) ? formatReopening(away.reopensAt, req.now, away.timeZone, language) : null;
  return { custom: own ?? OFF_HOURS_TEMPLATES[language], language, reopens };
}

/** Stages the acknowledgement, or says why none goes out; the caller reads `limits` with its facts. */
export async function planAck(req: AckRequest, limits: AckLimits): Promise<AckPlan> {
  const unwanted = wanted(req);
  if (unwanted) return { skipped: unwanted };
  const check = ackCheck(req, limits);
  if (check.blocked !== null) return { skipped: check.blocked };
  // A sender we cannot write back to (a bare host name, a non-ASCII local part) still has a case;
  // only the acknowledgement is left out, so the composer never fails the whole mail.
  const to = validateAddress(req.recipient.email);
  if (!to.ok) return { skipped: `the customer's address cannot receive mail from us: ${to.message}` };
  const { mailbox, kase } = req;
  const { custom, language, reopens } = wording(req, check.away);
  const ack = renderAck(
    req.kind,
    {
      'case.number': kase.number,
      'case.subject': kase.subject,
      'customer.name': req.recipient.name,
      'mailbox.name': mailbox.displayName,
      'agent.name': req.agentName,
      'sla.first_response': firstResponseText(req, limits, language),
      'office.reopens': reopens,
    },
    custom,
    language,
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
    messageId: ownMessageId(outboxId, mailbox.address),
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
