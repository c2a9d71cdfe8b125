// classify: what kind of mail this is, with machine-readable reasons. Pure.
// Order matters: a loop beats everything (answering it is how loops start), then delivery reports,
// then auto-replies, then list mail. A message is `human` only when nothing else matched, and weak
// signals (a subject, a body phrase, a postmaster address) count only together with another one:
// a false "ignore" loses a customer, so a customer writing "Undeliverable email from your shop"
// must still get a case.
import type { MessageKind } from '../protocol/api.ts';
import { normalizeEmail } from './text.ts';

export interface ClassifyInput {
  headers: Array<[string, string]>;
  envelopeFrom: string;
  fromEmail: string | null;
  /** The From header as written, for senders without a domain (`From: MAILER-DAEMON`). */
  fromHeader?: string | null;
  subject: string;
  /** Content types of the parsed parts (attachments included), to spot embedded reports. */
  partTypes: string[];
  /** Every address this workspace receives at: mail from one of them is our own, coming back. */
  ownAddresses: string[];
  /** The message's own Message-ID is one of our signed thread markers: mail we sent, come back. */
  ownMessageId?: boolean;
  /** The plain-text body (only its start is read), for delivery-failure fingerprints. */
  text?: string;
}

export interface Classification {
  kind: MessageKind;
  reasons: string[];
}

const AUTO_HEADERS = ['x-autoreply', 'x-autorespond', 'x-autoresponse', 'x-autoreply-from', 'x-mail-autoreply'];
const DAEMONS = new Set(['mailer-daemon', 'mail-daemon', 'maildaemon', 'post_master']);
// Senders that are machines: their mail is never a person asking for help.
const SYSTEM_SENDER = /^(postmaster|post_master|mailer-daemon|no-?reply|do-?not-?reply|noreply-.*|bounces?|mdaemon)$|-admin$|^owner-|-owner$|-bounces?$|-request$/;
// Out-of-office subjects: what the vacation features of Exchange/Outlook, Gmail, Zimbra and iCloud
// write, and their common translations.
const OOO_SUBJECT =
  /^(out of (the )?office\b|automatic reply\b|auto(matic)?[- ]?(reply|response)\b|autoreply\b|abwesenheitsnotiz|automatische antwort|r[ée]ponse automatique|absence du bureau|respuesta autom[áa]tica|risposta automatica|afwezigheidsbericht|automatisch antwoord|auto:\s|on vacation\b|vacation reply\b|i am out of (the )?office\b)/i;
const BOUNCE_SUBJECT =
  /^(undeliver(ed|able)|delivery (status notification|failure|has failed|notification|problem)|mail delivery (failed|subsystem|problem)|returned mail|failure notice|non[- ]?delivery|delivery report|there was an error sending your mail|mail system error|warning: could not send message|email bounce notification|message not delivered|mail could not be delivered|loop alert\b|メールエラー通知)/i;
// Phrases of the human-readable part of delivery reports that carry no machine-readable one.
const BODY_FAILURE =
  /(could ?n[o']t be delivered|unable to deliver|was not delivered|undeliverable|delivery (to the following recipients? )?(has )?failed|permanent (fatal )?errors?|no such user|user unknown|unknown user|mailbox (is )?(full|unavailable)|not a member of this (mailing )?list|loop alert|message was rejected|returned to sender|unrouteable address|送信できませんでした|配信できませんでした)/i;
const SES = /"notificationType"\s*:\s*"(Bounce|Complaint|Delivery)"/;

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
  const from = input.fromEmail ? normalizeEmail(input.fromEmail) : '';
  const envelope = normalizeEmail(input.envelopeFrom);
  const own = new Set(input.ownAddresses.map(normalizeEmail));
  const subject = input.subject.trim();
  const local = from.split('@')[0] ?? '';
  const envLocal = envelope.split('@')[0] ?? '';
  const nullSender = envelope === '' || envelope === '<>';
  const rawFrom = (input.fromHeader ?? '').toLowerCase();
  const body = (input.text ?? '').slice(0, 4000);
  const ct = contentTypeParams(all(h, 'content-type')[0] ?? '');
  const parts = new Set(input.partTypes.map((t) => t.toLowerCase()));

  // ---- loops: our own mail coming back ----
  const loop: string[] = [];
  if (from && own.has(from)) loop.push('own-address');
  if (input.ownMessageId) loop.push('own-message-id');
  for (const v of all(h, 'x-loop')) if ([...own].some((a) => v.toLowerCase().includes(a))) loop.push('x-loop');
  if (loop.length) return { kind: 'loop', reasons: [...new Set(loop)] };

  // ---- delivery reports ----
  const bounce: string[] = [];
  if (ct.type === 'multipart/report' && ct.reportType === 'delivery-status') bounce.push('dsn:multipart-report');
  if (ct.type === 'message/delivery-status') bounce.push('dsn:delivery-status');
  if (!bounce.length && (parts.has('message/delivery-status') || parts.has('message/global-delivery-status'))) bounce.push('dsn:delivery-status-part');
  if (all(h, 'x-failed-recipients').length) bounce.push('x-failed-recipients');
  const daemon = DAEMONS.has(local) || DAEMONS.has(envLocal) || /\bmailer-daemon\b/.test(rawFrom);
  if (daemon) bounce.push('mailer-daemon');
  const sesBounce = SES.exec(body);
  // Amazon SES reports arrive as JSON from SNS: bounces and delivery notices are delivery reports.
  if (sesBounce?.[1] === 'Bounce') bounce.push('ses:bounce');
  if (sesBounce?.[1] === 'Delivery') bounce.push('ses:delivery');
  // Weak signals: only together, or from a sender that is a machine.
  const systemSender = nullSender || SYSTEM_SENDER.test(local) || daemon;
  const bounceSubject = BOUNCE_SUBJECT.test(subject);
  const failureBody = BODY_FAILURE.test(body);
  // An explicit Auto-Submitted without any delivery-report structure is an auto-response (RFC 3834),
  // even when it talks about delivery; the weak signals do not override it.
  const declaredAuto = all(h, 'auto-submitted').some((v) => !/^\s*no\b/i.test(v));
  if (!bounce.length && !declaredAuto && systemSender && (bounceSubject || failureBody)) {
    if (nullSender) bounce.push('null-sender');
    if (SYSTEM_SENDER.test(local)) bounce.push(local === 'postmaster' ? 'postmaster' : 'system-sender');
    if (bounceSubject) bounce.push('subject:bounce');
    if (failureBody) bounce.push('body:delivery-failure');
  }
  if (bounce.length) return { kind: 'bounce', reasons: bounce };

  // ---- auto-replies and other machine reports ----
  const auto: string[] = [];
  if (ct.type === 'multipart/report' && ct.reportType === 'disposition-notification') auto.push('mdn:disposition-notification');
  else if (parts.has('message/disposition-notification')) auto.push('mdn:disposition-notification');
  if (ct.type === 'application/ms-tnef' && /^(read|not read):/i.test(subject)) auto.push('mdn:outlook-read-receipt');
  if ((ct.type === 'multipart/report' && ct.reportType === 'feedback-report') || parts.has('message/feedback-report')) auto.push('arf:feedback-report');
  if (sesBounce?.[1] === 'Complaint') auto.push('ses:complaint');
  for (const v of all(h, 'auto-submitted')) {
    const token = v
      .split(/[;(\s]/)[0]!
      .trim()
      .toLowerCase();
    if (token && token !== 'no') auto.push(`auto-submitted:${token}`);
  }
  for (const name of AUTO_HEADERS) if (all(h, name).length) auto.push(name);
  const precedence = [...all(h, 'precedence').map((v) => ['precedence', v] as const), ...all(h, 'x-precedence').map((v) => ['x-precedence', v] as const)].map(
    ([n, v]) => [n, v.trim().toLowerCase()] as const,
  );
  for (const [n, v] of precedence) if (v === 'auto_reply' || v === 'auto-reply') auto.push(`${n}:auto_reply`);
  const ooo = OOO_SUBJECT.test(subject);
  if (ooo) auto.push('subject:out-of-office');
  // Exchange marks its own automatic mail with X-Auto-Response-Suppress; Outlook also sets it on
  // ordinary mail, so it only confirms another signal.
  if (auto.length && all(h, 'x-auto-response-suppress').length) auto.push('x-auto-response-suppress');
  if (auto.length) return { kind: 'auto-reply', reasons: nullSender ? [...auto, 'null-sender'] : auto };
  // RFC 5321 reserves the null reverse-path for notifications: nobody can be answered at it.
  if (nullSender) return { kind: 'bounce', reasons: ['null-sender'] };

  // ---- list and bulk mail ----
  const list: string[] = [];
  for (const [n, v] of precedence) if (v === 'bulk' || v === 'list' || v === 'junk') list.push(`${n}:${v}`);
  if (all(h, 'list-id').length) list.push('list-id');
  if (all(h, 'list-unsubscribe').length) list.push('list-unsubscribe');
  if (all(h, 'list-post').length) list.push('list-post');
  // The rest of RFC 2369, and what ezmlm and older list managers write instead.
  for (const name of ['list-help', 'list-subscribe', 'list-archive', 'list-owner', 'mailing-list', 'x-mailing-list']) if (all(h, name).length) list.push(name);
  if (all(h, 'delivered-to').some((v) => /^\s*mailing list\b/i.test(v))) list.push('delivered-to:mailing-list');
  if (list.length) return { kind: 'list', reasons: list };

  const spam = [...all(h, 'x-spam-flag'), ...all(h, 'x-spam-status')].some((v) => /^\s*yes\b/i.test(v));
  if (spam) return { kind: 'spam-flagged', reasons: ['x-spam-flag'] };

  return { kind: 'human', reasons: [] };
}
