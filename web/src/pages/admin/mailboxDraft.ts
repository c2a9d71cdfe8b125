// A mailbox's settings as the form holds them (text as typed) and back as the API takes them; only
// what changed is sent.
import { ACK_TEMPLATE_FIELDS, MAILBOX_DEFAULTS, type AckTemplateBody, type AckTemplateKind, type MailboxSettings } from '../../../../worker/protocol/admin.ts';
import { formatSize } from '../../lib/format.ts';

export interface TemplateDraft {
  custom: boolean;
  subject: string;
  text: string;
  withHtml: boolean;
  html: string;
}

/** The form's view of a mailbox: text as typed (numbers too, so the API can say what is wrong). */
export interface Draft {
  address: string;
  displayName: string;
  enabled: boolean;
  defaultAssigneeId: string;
  defaultTeam: string;
  slaPolicyId: string;
  calendarId: string;
  slaOfficeHoursOnly: boolean;
  ackOnCreate: boolean;
  ackOnUpdate: boolean;
  ackCreateTemplate: TemplateDraft;
  ackUpdateTemplate: TemplateDraft;
  ackOffHoursTemplate: TemplateDraft;
  ackMaxPerCaseHour: string;
  ackMaxPerRecipientDay: string;
  replyPolicy: string;
  unverifiedPolicy: string;
  floodMaxPerSender: string;
  floodMaxIdentical: string;
  floodWindowMinutes: string;
  catchAllAddress: string;
  followUpPolicy: string;
  followUpDays: string;
  attachmentMaxCount: string;
  attachmentMaxBytes: string;
  attachmentAllowedTypes: string;
  maxMessageBytes: string;
}

export type TemplateField = (typeof ACK_TEMPLATE_FIELDS)[AckTemplateKind];
export const NUMBER_FIELDS = [
  'ackMaxPerCaseHour',
  'ackMaxPerRecipientDay',
  'floodMaxPerSender',
  'floodMaxIdentical',
  'floodWindowMinutes',
  'followUpDays',
  'attachmentMaxCount',
  'attachmentMaxBytes',
  'maxMessageBytes',
] as const;
const NULLABLE_FIELDS = ['defaultAssigneeId', 'defaultTeam', 'slaPolicyId', 'calendarId'] as const;
const PLAIN_FIELDS = ['address', 'displayName', 'enabled', 'slaOfficeHoursOnly', 'ackOnCreate', 'ackOnUpdate', 'replyPolicy', 'unverifiedPolicy', 'followUpPolicy'] as const;

/** A starting point when an admin switches a template to custom (the placeholders are the API's). */
const STARTER: Record<AckTemplateKind, Omit<TemplateDraft, 'custom' | 'withHtml'>> = {
  create: {
    subject: 'Re: {{case.subject}}',
    text: 'Hello {{customer.name}},\n\nThank you for writing to {{mailbox.name}}. Your message is now case #{{case.number}}.\nExpected first response: {{sla.first_response}}.\n\n{{mailbox.name}}',
    html: '',
  },
  update: {
    subject: 'Re: {{case.subject}}',
    text: 'Hello {{customer.name}},\n\nWe added your message to case #{{case.number}}; {{agent.name}} will get back to you.\n\n{{mailbox.name}}',
    html: '',
  },
  'off-hours': {
    subject: 'Re: {{case.subject}}',
    text: 'Hello {{customer.name}},\n\nThank you for writing to {{mailbox.name}}. Your message is case #{{case.number}}.\nWe are away right now and will answer {{sla.first_response}}.\n\n{{mailbox.name}}',
    html: '',
  },
};

export const NEW_MAILBOX: MailboxSettings = { ...MAILBOX_DEFAULTS, id: '', address: '', displayName: '', createdAt: 0, updatedAt: 0 };

export function templateDraft(t: AckTemplateBody | null, kind: AckTemplateKind): TemplateDraft {
  if (!t) return { custom: false, ...STARTER[kind], withHtml: false };
  return { custom: true, subject: t.subject, text: t.text, withHtml: t.html !== undefined, html: t.html ?? '' };
}

export function toDraft(m: MailboxSettings): Draft {
  return {
    address: m.address,
    displayName: m.displayName,
    enabled: m.enabled,
    defaultAssigneeId: m.defaultAssigneeId ?? '',
    defaultTeam: m.defaultTeam ?? '',
    slaPolicyId: m.slaPolicyId ?? '',
    calendarId: m.calendarId ?? '',
    slaOfficeHoursOnly: m.slaOfficeHoursOnly,
    ackOnCreate: m.ackOnCreate,
    ackOnUpdate: m.ackOnUpdate,
    ackCreateTemplate: templateDraft(m.ackCreateTemplate, 'create'),
    ackUpdateTemplate: templateDraft(m.ackUpdateTemplate, 'update'),
    ackOffHoursTemplate: templateDraft(m.ackOffHoursTemplate, 'off-hours'),
    ackMaxPerCaseHour: String(m.ackMaxPerCaseHour),
    ackMaxPerRecipientDay: String(m.ackMaxPerRecipientDay),
    replyPolicy: m.replyPolicy,
    unverifiedPolicy: m.unverifiedPolicy,
    floodMaxPerSender: String(m.floodMaxPerSender),
    floodMaxIdentical: String(m.floodMaxIdentical),
    floodWindowMinutes: String(m.floodWindowMinutes),
    catchAllAddress: m.catchAllAddress ?? '',
    followUpPolicy: m.followUpPolicy,
    followUpDays: String(m.followUpDays),
    attachmentMaxCount: String(m.attachmentMaxCount),
    attachmentMaxBytes: String(m.attachmentMaxBytes),
    attachmentAllowedTypes: m.attachmentAllowedTypes.join(', '),
    maxMessageBytes: String(m.maxMessageBytes),
  };
}

export function templateBody(t: TemplateDraft): AckTemplateBody | null {
  if (!t.custom) return null;
  return t.withHtml ? { subject: t.subject, text: t.text, html: t.html } : { subject: t.subject, text: t.text };
}

/** A number when it reads as one; otherwise the text as typed, which the API refuses with a reason. */
function numberOrText(s: string): number | string {
  const t = s.trim();
  const n = Number(t);
  return t !== '' && Number.isFinite(n) ? n : s;
}

/** The settings as the API takes them. */
export function toBody(d: Draft): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const k of PLAIN_FIELDS) body[k] = d[k];
  for (const k of NULLABLE_FIELDS) body[k] = d[k].trim() === '' ? null : d[k];
  for (const k of NUMBER_FIELDS) body[k] = numberOrText(d[k]);
  body.catchAllAddress = d.catchAllAddress.trim() === '' ? null : d.catchAllAddress;
  body.attachmentAllowedTypes = d.attachmentAllowedTypes
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  for (const kind of Object.keys(ACK_TEMPLATE_FIELDS) as AckTemplateKind[]) {
    const field = ACK_TEMPLATE_FIELDS[kind];
    body[field] = templateBody(d[field]);
  }
  return body;
}

/** Only the settings that differ from what was loaded. */
export function changedOnly(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(after).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(before[k])));
}

export const mib = (bytes: string) => {
  const n = Number(bytes);
  return Number.isFinite(n) && n > 0 ? formatSize(n) : '';
};
