// classify: what kind of mail this is, with machine-readable reasons. Pure.
// Order matters: a loop beats everything (answering it is how loops start), then delivery reports,
// then auto-replies, then list mail. A message is `human` only when nothing else matched.
import type { MessageKind } from '../protocol/api.ts';
import { normalizeEmail } from './text.ts';

export interface ClassifyInput {
  headers: Array<[string, string]>;
  envelopeFrom: string;
  fromEmail: string | null;
  subject: string;
  /** Content types of the parsed parts (attachments included), to spot embedded delivery reports. */
  partTypes: string[];
  /** Every address this workspace receives at: mail from one of them is our own, coming back. */
  ownAddresses: string[];
}

export interface Classification {
  kind: MessageKind;
  reasons: string[];
}

const AUTO_HEADERS = ['x-autoreply', 'x-autorespond', 'x-autoresponse', 'x-autoreply-from', 'x-mail-autoreply'];
const BOUNCE_LOCALPARTS = new Set(['mailer-daemon', 'postmaster', 'mail-daemon', 'maildaemon']);
// Subjects that on their own mark an auto-reply: phrases a mail client's out-of-office feature writes
// (Exchange/Outlook, Gmail, Zimbra, iCloud and their common translations).
const OOO_SUBJECT = /^(out of (the )?office\b|automatic reply\b|auto(matic)?[- ]?(reply|response)\b|autoreply\b|abwesenheitsnotiz|automatische antwort|r[ée]ponse automatique|absence du bureau|respuesta autom[áa]tica|risposta automatica|afwezigheidsbericht|automatisch antwoord|auto:\s)/i;
// Bounce subjects count only together with a sender that can bounce: a customer may well write
// "Undeliverable email from your shop" and must still get a case.
const BOUNCE_SUBJECT = /^(undeliver(ed|able)|delivery (status notification|failure|has failed|notification)|mail delivery (failed|subsystem)|returned mail|failure notice|non[- ]?delivery|delivery report)/i;

function all(headers: Array<[string, string]>, name: string): string[] {
  return headers.filter(([k]) => k === name).map(([, v]) => v);
}

function contentTypeParams(value: string): { type: string; reportType: string | null } {
  const type = value.split(';')[0]!.trim().toLowerCase();
  const m = /report-type\s*=\s*"?([\w-]+)"?/i.exec(value);
  return { type, reportType: m ? m[1]!.toLowerCase() : null };
}

export function classify(input: ClassifyInput): Classification {
  const h = input.headers;
  const reasons: string[] = [];
  const from = input.fromEmail ? normalizeEmail(input.fromEmail) : '';
  const envelope = normalizeEmail(input.envelopeFrom);
  const own = new Set(input.ownAddresses.map(normalizeEmail));

  // Loops: our own mail coming back to us.
  if (from && own.has(from)) reasons.push('own-address');
  for (const v of all(h, 'x-loop')) {
    if ([...own].some((a) => v.toLowerCase().includes(a))) reasons.push('x-loop');
  }
  if (reasons.length) return { kind: 'loop', reasons };

  // Delivery status notifications (RFC 3464) and other reports (RFC 6522).
  const ct = contentTypeParams(all(h, 'content-type')[0] ?? '');
  const subject = input.subject.trim();
  const local = from.split('@')[0] ?? '';
  const nullSender = envelope === '' || envelope === '<>';
  if (ct.type === 'multipart/report' && ct.reportType === 'delivery-status') reasons.push('dsn:multipart-report');
  if (ct.type === 'message/delivery-status') reasons.push('dsn:delivery-status');
  if (!reasons.length && input.partTypes.some((t) => t === 'message/delivery-status' || t === 'message/global-delivery-status')) reasons.push('dsn:delivery-status-part');
  if (all(h, 'x-failed-recipients').length) reasons.push('x-failed-recipients');
  if (BOUNCE_LOCALPARTS.has(local) || BOUNCE_LOCALPARTS.has(envelope.split('@')[0] ?? '')) reasons.push('mailer-daemon');
  if (nullSender && BOUNCE_SUBJECT.test(subject)) reasons.push('null-sender', 'subject:bounce');
  if (reasons.length) return { kind: 'bounce', reasons };

  if (ct.type === 'multipart/report' && ct.reportType === 'disposition-notification') reasons.push('mdn:disposition-notification');
  if (ct.type === 'multipart/report' && ct.reportType === 'feedback-report') reasons.push('arf:feedback-report');
  for (const v of all(h, 'auto-submitted')) {
    const token = v.split(';')[0]!.trim().toLowerCase();
    if (token && token !== 'no') reasons.push(`auto-submitted:${token}`);
  }
  for (const name of AUTO_HEADERS) if (all(h, name).length) reasons.push(name);
  const precedence = all(h, 'precedence').map((v) => v.trim().toLowerCase());
  if (precedence.includes('auto_reply')) reasons.push('precedence:auto_reply');
  if (OOO_SUBJECT.test(subject)) reasons.push('subject:out-of-office');
  if (reasons.length) return { kind: 'auto-reply', reasons: nullSender ? [...reasons, 'null-sender'] : reasons };
  // RFC 5321 reserves the null reverse-path for notifications: nobody can be answered at it.
  if (nullSender) return { kind: 'bounce', reasons: ['null-sender'] };

  for (const p of precedence) if (p === 'bulk' || p === 'list' || p === 'junk') reasons.push(`precedence:${p}`);
  if (all(h, 'list-id').length) reasons.push('list-id');
  if (all(h, 'list-unsubscribe').length) reasons.push('list-unsubscribe');
  if (all(h, 'list-post').length) reasons.push('list-post');
  if (reasons.length) return { kind: 'list', reasons };

  const spam = [...all(h, 'x-spam-flag'), ...all(h, 'x-spam-status')].some((v) => /^\s*yes\b/i.test(v));
  if (spam) return { kind: 'spam-flagged', reasons: ['x-spam-flag'] };

  return { kind: 'human', reasons: [] };
}
