// /api/admin/mailboxes: a mailbox's settings, their bounds and defaults, and the acknowledgement
// templates and their preview.
import { z } from 'zod';
import { CONTROL, emailAddress } from './fields.ts';

export const REPLY_POLICIES = ['participants', 'verified', 'any'] as const;
export const UNVERIFIED_POLICIES = ['token-only', 'allow'] as const;
export const FOLLOW_UP_POLICIES = ['reopen', 'new-linked', 'reopen-within'] as const;

const KIB = 1024;
const MIB = 1024 * KIB;

/** Every bound in one place, so the form shows the same ranges the API enforces. */
export const MAILBOX_LIMITS = {
  /** Email Routing hands a Worker at most 25 MiB. */
  maxMessageBytes: { min: KIB, max: 25 * MIB },
  attachmentMaxBytes: { min: KIB, max: 25 * MIB },
  attachmentMaxCount: { min: 0, max: 50 },
  attachmentAllowedTypes: { maxItems: 100 },
  followUpDays: { min: 1, max: 365 },
  floodMaxPerSender: { min: 1, max: 1000 },
  floodMaxIdentical: { min: 1, max: 1000 },
  floodWindowMinutes: { min: 1, max: 1440 },
  ackMaxPerCaseHour: { min: 0, max: 20 },
  ackMaxPerRecipientDay: { min: 0, max: 200 },
  displayName: { max: 100 },
  team: { max: 60 },
} as const;

/**
 * The placeholders an acknowledgement template may use, for the template rules (mail/templates.ts)
 * and the editor's list alike. `office.reopens`: when the office hours start again, in the calendar's zone.
 */
export const ACK_PLACEHOLDERS = ['case.number', 'case.subject', 'customer.name', 'mailbox.name', 'agent.name', 'sla.first_response', 'office.reopens'] as const;
export type AckPlaceholder = (typeof ACK_PLACEHOLDERS)[number];

export const ACK_TEMPLATE_KINDS = ['create', 'update', 'off-hours'] as const;
export type AckTemplateKind = (typeof ACK_TEMPLATE_KINDS)[number];
/** The mailbox column that holds each acknowledgement template. */
export const ACK_TEMPLATE_FIELDS = { create: 'ackCreateTemplate', update: 'ackUpdateTemplate', 'off-hours': 'ackOffHoursTemplate' } as const;

function intIn(what: string, range: { min: number; max: number }) {
  const msg = `${what} must be a whole number from ${range.min} to ${range.max}`;
  return z.int(msg).min(range.min, msg).max(range.max, msg);
}

/**
 * A receiving address. `+` is reserved: `support+anything@` already reaches `support@`, and
 * `reply+<token>@` is the signed reply address, so a mailbox named `reply@` would swallow replies.
 */
const receivingAddress = emailAddress('the receiving address')
  .refine((a) => !a.split('@')[0]!.includes('+'), 'the receiving address may not contain "+": plus-addressed variants already reach the mailbox without it')
  .refine((a) => a.split('@')[0] !== 'reply', '"reply@" is reserved for the signed reply addresses (reply+<token>@) edgecase hands out');

const displayName = z
  .string('the display name must be text')
  .trim()
  .min(1, 'the display name may not be empty')
  .max(MAILBOX_LIMITS.displayName.max, `the display name may have at most ${MAILBOX_LIMITS.displayName.max} characters`)
  .refine((s) => !CONTROL.test(s), 'the display name may not contain line breaks or control characters');

export const teamName = z
  .string('a team name must be text')
  .trim()
  .min(1, 'a team name may not be empty (use null for none)')
  .max(MAILBOX_LIMITS.team.max, `a team name may have at most ${MAILBOX_LIMITS.team.max} characters`)
  .refine((s) => !CONTROL.test(s), 'a team name may not contain line breaks or control characters');

/** `type/subtype` or `type/*`, as RFC 2045 tokens; lower case. */
const MIME_PATTERN = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/(\*|[a-z0-9][a-z0-9!#$&^_.+-]{0,126})$/;
const mimeType = z
  .string('each allowed type must be text')
  .trim()
  .toLowerCase()
  .refine((t) => MIME_PATTERN.test(t), { error: (issue) => `"${String(issue.input).slice(0, 60)}" is not a MIME type: write type/subtype (application/pdf) or type/* (image/*)` });

/** An acknowledgement template; each part is checked against the template rules by the Worker. */
export const ackTemplate = z
  .object({
    subject: z
      .string('the subject must be text')
      .min(1, 'the subject may not be empty')
      .max(200, 'the subject may have at most 200 characters')
      .refine((s) => !/[\r\n]/.test(s), 'the subject must be a single line'),
    text: z.string('the text must be text').min(1, 'the text may not be empty').max(20_000, 'the text may have at most 20,000 characters'),
    html: z.string('the HTML must be text').max(20_000, 'the HTML may have at most 20,000 characters').optional(),
  })
  .strict();
export type AckTemplateBody = z.infer<typeof ackTemplate>;

const id = (what: string) => z.string(`${what} must be an id`).min(1, `${what} may not be empty (use null for none)`).max(100);

/** Every setting of a mailbox. Nullable ones take null for "none" (templates: the default wording). */
const mailboxFields = {
  address: receivingAddress,
  displayName,
  enabled: z.boolean('enabled must be true or false'),
  defaultAssigneeId: id('the default assignee').nullable(),
  defaultTeam: teamName.nullable(),
  slaPolicyId: id('the SLA policy').nullable(),
  calendarId: id('the calendar').nullable(),
  slaOfficeHoursOnly: z.boolean('slaOfficeHoursOnly must be true or false'),
  ackOnCreate: z.boolean('ackOnCreate must be true or false'),
  ackOnUpdate: z.boolean('ackOnUpdate must be true or false'),
  ackCreateTemplate: ackTemplate.nullable(),
  ackUpdateTemplate: ackTemplate.nullable(),
  ackOffHoursTemplate: ackTemplate.nullable(),
  ackMaxPerCaseHour: intIn('acknowledgements per case per hour', MAILBOX_LIMITS.ackMaxPerCaseHour),
  ackMaxPerRecipientDay: intIn('acknowledgements per recipient per day', MAILBOX_LIMITS.ackMaxPerRecipientDay),
  replyPolicy: z.enum(REPLY_POLICIES, `the reply policy must be one of ${REPLY_POLICIES.join(', ')}`),
  unverifiedPolicy: z.enum(UNVERIFIED_POLICIES, `the unverified-sender policy must be one of ${UNVERIFIED_POLICIES.join(', ')}`),
  floodMaxPerSender: intIn('the flood limit per sender', MAILBOX_LIMITS.floodMaxPerSender),
  floodMaxIdentical: intIn('the flood limit for identical messages', MAILBOX_LIMITS.floodMaxIdentical),
  floodWindowMinutes: intIn('the flood window (minutes)', MAILBOX_LIMITS.floodWindowMinutes),
  // An empty field in a form means "no catch-all".
  catchAllAddress: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? null : v), emailAddress('the catch-all address').nullable()),
  followUpPolicy: z.enum(FOLLOW_UP_POLICIES, `the follow-up policy must be one of ${FOLLOW_UP_POLICIES.join(', ')}`),
  followUpDays: intIn('follow-up days', MAILBOX_LIMITS.followUpDays),
  attachmentMaxCount: intIn('the number of attachments', MAILBOX_LIMITS.attachmentMaxCount),
  attachmentMaxBytes: intIn('the attachment size limit (bytes)', MAILBOX_LIMITS.attachmentMaxBytes),
  attachmentAllowedTypes: z
    .array(mimeType, 'allowed types must be a list')
    .max(MAILBOX_LIMITS.attachmentAllowedTypes.maxItems, `at most ${MAILBOX_LIMITS.attachmentAllowedTypes.maxItems} allowed types`),
  maxMessageBytes: intIn('the message size limit (bytes)', MAILBOX_LIMITS.maxMessageBytes),
};

export const createMailboxBody = z
  .object({ ...mailboxFields })
  .partial()
  .required({ address: true, displayName: true })
  .strict();
export type CreateMailboxBody = z.infer<typeof createMailboxBody>;

export const updateMailboxBody = z
  .object({ ...mailboxFields })
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'nothing to change');
export type UpdateMailboxBody = z.infer<typeof updateMailboxBody>;

/** A mailbox as the API shows it: every column, templates and type lists as JSON values. */
export interface MailboxSettings {
  id: string;
  address: string;
  displayName: string;
  enabled: boolean;
  defaultAssigneeId: string | null;
  defaultTeam: string | null;
  /** The team (teams.id) new cases go to. */
  defaultTeamId: string | null;
  slaPolicyId: string | null;
  calendarId: string | null;
  slaOfficeHoursOnly: boolean;
  ackOnCreate: boolean;
  ackOnUpdate: boolean;
  ackCreateTemplate: AckTemplateBody | null;
  ackUpdateTemplate: AckTemplateBody | null;
  ackOffHoursTemplate: AckTemplateBody | null;
  ackMaxPerCaseHour: number;
  ackMaxPerRecipientDay: number;
  replyPolicy: (typeof REPLY_POLICIES)[number];
  unverifiedPolicy: (typeof UNVERIFIED_POLICIES)[number];
  floodMaxPerSender: number;
  floodMaxIdentical: number;
  floodWindowMinutes: number;
  catchAllAddress: string | null;
  followUpPolicy: (typeof FOLLOW_UP_POLICIES)[number];
  followUpDays: number;
  attachmentMaxCount: number;
  attachmentMaxBytes: number;
  attachmentAllowedTypes: string[];
  maxMessageBytes: number;
  createdAt: number;
  updatedAt: number;
}

/** What a new mailbox gets for every setting the admin leaves out (the API and the admin page alike). */
export const MAILBOX_DEFAULTS: Omit<MailboxSettings, 'id' | 'address' | 'displayName' | 'createdAt' | 'updatedAt'> = {
  enabled: true,
  defaultAssigneeId: null,
  defaultTeam: null,
  defaultTeamId: null,
  slaPolicyId: null,
  calendarId: null,
  slaOfficeHoursOnly: false,
  ackOnCreate: true,
  ackOnUpdate: false,
  ackCreateTemplate: null,
  ackUpdateTemplate: null,
  ackOffHoursTemplate: null,
  ackMaxPerCaseHour: 1,
  ackMaxPerRecipientDay: 10,
  replyPolicy: 'participants',
  unverifiedPolicy: 'token-only',
  floodMaxPerSender: 15,
  floodMaxIdentical: 5,
  floodWindowMinutes: 10,
  catchAllAddress: null,
  followUpPolicy: 'reopen',
  followUpDays: 14,
  attachmentMaxCount: 5,
  attachmentMaxBytes: 10 * 1024 * 1024,
  attachmentAllowedTypes: [],
  maxMessageBytes: 25 * 1024 * 1024,
};

/** What the mailbox form offers to choose from. */
export interface MailboxOptions {
  agents: Array<{ id: string; name: string; email: string; team: string | null }>;
  teams: string[];
  slaPolicies: Array<{ id: string; name: string }>;
  calendars: Array<{ id: string; name: string; timeZone: string }>;
}

export const ackPreviewBody = z
  .object({
    kind: z.enum(ACK_TEMPLATE_KINDS, `kind must be one of ${ACK_TEMPLATE_KINDS.join(', ')}`),
    /** The template being edited; absent: the mailbox's saved one; null: the default wording. */
    template: ackTemplate.nullable().optional(),
  })
  .strict();

export interface AckPreview {
  subject: string;
  text: string;
  html: string;
  /** The HTML part reduced to its text, for showing without rendering markup. */
  htmlAsText: string;
  /** The sample values the preview was filled with: one for every placeholder. */
  values: Record<AckPlaceholder, string | number>;
  /** Problems the template rules found (the same that would refuse saving it). */
  problems: Array<{ part: 'subject' | 'text' | 'html'; code: string; message: string }>;
}
