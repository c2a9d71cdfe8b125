// classify: what kind of mail this is, with machine-readable reasons. Pure.
// Order matters: a loop beats everything (answering it is how loops start), then delivery reports,
// then auto-replies, then list mail. A message is `human` only when nothing else matched, and weak
// signals (a subject, a body phrase, a postmaster address, a null sender) count only together with
// another one: a false "ignore" loses a customer, so a customer writing "Undeliverable email from
// your shop" must still get a case.
// `human` means work for a person. Mail a machine sent can be that too (an incident system's alert,
// an order, a web form: RFC 3834 `auto-generated`, `Precedence: bulk`, a null sender): it stays
// `human` with its signals as reasons and `machine` set, so it becomes a case nothing answers.
import type { MessageKind } from '../protocol/api.ts';
import { isReplySubject } from '../mail/subject.ts';
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
  /** Work a machine sent (kind `human` only): a case, but never acknowledged. */
  machine?: true;
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
export const BODY_FAILURE =
  /(could ?n[o']t be delivered(?! for (more than )?\d+ ?(hours?|hour\(s\)|minutes?)\b)|unable to deliver|was not delivered|undeliverable|delivery (to the following recipients? )?(has )?failed|permanent (fatal )?errors?|no such user|user unknown|unknown user|mailbox (is )?(full|unavailable)|not a member of this (mailing )?list|loop alert|message was rejected|returned to sender|unrouteable address|did not reach the following recipient|送信できませんでした|配信できませんでした)/i;
// Delay warnings (RFC 3464 `Action: delayed` in prose): the report of a server that is still
// trying. Subjects as Postfix, sendmail, Exim, Exchange, Gmail and MDaemon write them.
const DELAY_SUBJECT =
  /^(delayed mail\b|delivery (status notification \(delay\)|delayed\b|delay notification)|message delivery delayed|mail delivery (delayed|warning)|warning: (message \S+ delayed|could not send message for past|message delivery delayed|delayed mail))/i;
export const DELAY_BODY =
  /(this is a warning (message )?only|could ?n[o']t be delivered for (more than )?\d+ ?(hours?|hour\(s\)|minutes?)|(will|is going to) be retried|you do not need to resend your message|delivery (to the following recipients? )?(has been|is|was) delayed|(message|delivery) (has been|is being) delayed|(has|have) not yet been delivered|(will|shall) (continue to try|keep trying|retry)|still (trying|being retried)|delayed for more than \d+ (hours|minutes)|could not send message for past \d+|not yet been able to deliver)/i;
// What vacation responders write (with Precedence: junk or a null sender, never on its own: a
// customer may well say they are away).
const OOO_BODY =
  /(\bi('m| am) (currently )?(out of (the )?office|away from (the office|my (e-?mail|mail|desk))|on (vacation|holiday|annual leave|leave|parental leave))|\bi will be (out of (the )?office|away|back)\b|\b(limited|no) access to (my )?e-?mail\b|\bthis is an automatic (reply|response)\b|\bich bin (bis|ab|vom) .{0,40}(nicht im b[üu]ro|abwesend)|\bje suis absente?\b)/i;
// Addresses list managers send from (the envelope or Sender:): owner-x, x-owner, x-request, x-bounces.
const LIST_MANAGER = /^owner-|-owner(-|$)|-request$|-bounces?(\+|$)/;
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
  // The message names one it answers: an In-Reply-To or References holding a message id (RFC 5322
  // msg-id, in angle brackets; a bare address there names nothing).
  const isReply = [...all(h, 'in-reply-to'), ...all(h, 'references')].some((v) => /<[^<>\s]+@[^<>\s]+>/.test(v));

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
  // Weak signals: only together, or from a sender that is a machine. A null sender is one of them:
  // RFC 5321 reserves it for notifications, but spam and vacation responders use it too.
  const systemSender = nullSender || SYSTEM_SENDER.test(local) || daemon;
  const bounceSubject = BOUNCE_SUBJECT.test(subject);
  const failureBody = BODY_FAILURE.test(body);
  const delaySubject = DELAY_SUBJECT.test(subject);
  const delayBody = DELAY_BODY.test(body);
  // An explicit Auto-Submitted without any delivery-report structure is an auto-response (RFC 3834),
  // even when it talks about delivery failing; the weak signals do not override it. A delay warning
  // is the exception: "still trying" is no vacation notice, and MTAs mark their warnings auto-generated.
  const declaredAuto = all(h, 'auto-submitted').some((v) => !/^\s*no\b/i.test(v));
  const weakSender = () => {
    if (nullSender) bounce.push('null-sender');
    if (SYSTEM_SENDER.test(local)) bounce.push(local === 'postmaster' ? 'postmaster' : 'system-sender');
  };
  if (!bounce.length && !declaredAuto && systemSender && (bounceSubject || failureBody)) {
    weakSender();
    if (bounceSubject) bounce.push('subject:bounce');
    if (failureBody) bounce.push('body:delivery-failure');
  }
  // A delay from a no-reply address ("Delivery delayed: your order") is a shop's news, not a report:
  // the subject alone counts only from the mail system itself (null sender, daemon, postmaster).
  const mailSystem = nullSender || daemon || local === 'postmaster';
  if (!bounce.length && ((mailSystem && (delaySubject || delayBody)) || (systemSender && delaySubject && delayBody))) {
    weakSender();
    if (delaySubject) bounce.push('subject:delivery-delayed');
    if (delayBody) bounce.push('body:delivery-delayed');
  }
  if (bounce.length) return { kind: 'bounce', reasons: bounce };

  // ---- auto-replies and other machine reports ----
  const auto: string[] = [];
  if (ct.type === 'multipart/report' && ct.reportType === 'disposition-notification') auto.push('mdn:disposition-notification');
  else if (parts.has('message/disposition-notification')) auto.push('mdn:disposition-notification');
  if (ct.type === 'application/ms-tnef' && /^(read|not read):/i.test(subject)) auto.push('mdn:outlook-read-receipt');
  if ((ct.type === 'multipart/report' && ct.reportType === 'feedback-report') || parts.has('message/feedback-report')) auto.push('arf:feedback-report');
  if (sesBounce?.[1] === 'Complaint') auto.push('ses:complaint');
  // RFC 3834: `auto-generated` is mail "not a direct response to another message" (an alert, an
  // order, a form), which may well be work; one that names what it answers is an automatic reply.
  const generated: string[] = [];
  for (const v of all(h, 'auto-submitted')) {
    const token = v
      .split(/[;(\s]/)[0]!
      .trim()
      .toLowerCase();
    if (!token || token === 'no') continue;
    if (token === 'auto-generated' && !isReply) generated.push(`auto-submitted:${token}`);
    else auto.push(`auto-submitted:${token}`);
  }
  for (const name of AUTO_HEADERS) if (all(h, name).length) auto.push(name);
  const precedence = [...all(h, 'precedence').map((v) => ['precedence', v] as const), ...all(h, 'x-precedence').map((v) => ['x-precedence', v] as const)].map(
    ([n, v]) => [n, v.trim().toLowerCase()] as const,
  );
  for (const [n, v] of precedence) if (v === 'auto_reply' || v === 'auto-reply') auto.push(`${n}:auto_reply`);
  if (OOO_SUBJECT.test(subject)) auto.push('subject:out-of-office');

  // Marks of a mailing list (RFC 2369, and what ezmlm and older list managers write instead).
  const list: string[] = [];
  if (all(h, 'list-id').length) list.push('list-id');
  if (all(h, 'list-unsubscribe').length) list.push('list-unsubscribe');
  if (all(h, 'list-post').length) list.push('list-post');
  for (const name of ['list-help', 'list-subscribe', 'list-archive', 'list-owner', 'mailing-list', 'x-mailing-list']) if (all(h, name).length) list.push(name);
  if (all(h, 'delivered-to').some((v) => /^\s*mailing list\b/i.test(v))) list.push('delivered-to:mailing-list');
  // Precedence bulk/list/junk alone says only "do not answer me": list managers older than RFC 2369
  // set it (sending from owner-x or x-request), and so do alert and order systems (bulk) and
  // vacation programs (junk). It counts as a list's mark only beside a list manager's address.
  const bulkish = precedence.filter(([, v]) => v === 'bulk' || v === 'list' || v === 'junk').map(([n, v]) => `${n}:${v}`);
  const senders = [input.envelopeFrom, ...all(h, 'sender').map((v) => /[^\s<>"]+@[^\s<>"]+/.exec(v)?.[0] ?? '')];
  if (bulkish.length && senders.some((a) => LIST_MANAGER.test(normalizeEmail(a).split('@')[0] ?? ''))) list.push('sender:list-manager');

  // Vacation programs without RFC 3834: vacation(1) and the procmail recipes after it write
  // Precedence: junk (or list) and answer with "Re:" or In-Reply-To, some only with a null sender;
  // an out-of-office text counts only with such a mark of a machine (a customer may say they are away).
  if (!auto.length && !list.length) {
    const junk = precedence.filter(([, v]) => v === 'junk' || v === 'list').map(([n, v]) => `${n}:${v}`);
    // Any reply prefix: a German vacation(1) answers "AW:", a Swedish one "SV:".
    const answering = isReply || isReplySubject(subject);
    const oooBody = OOO_BODY.test(body);
    if (oooBody && (nullSender || bulkish.length || generated.length)) auto.push('body:out-of-office', ...bulkish);
    else if (junk.length && answering) auto.push(...junk);
  }
  // Exchange marks its own automatic mail with X-Auto-Response-Suppress; Outlook also sets it on
  // ordinary mail, so it only confirms another signal.
  if (auto.length && all(h, 'x-auto-response-suppress').length) auto.push('x-auto-response-suppress');
  if (auto.length) return { kind: 'auto-reply', reasons: [...auto, ...generated, ...(nullSender ? ['null-sender'] : [])] };

  // ---- list and bulk mail ----
  if (list.length) return { kind: 'list', reasons: [...bulkish, ...list] };

  const spam = [...all(h, 'x-spam-flag'), ...all(h, 'x-spam-status')].some((v) => /^\s*yes\b/i.test(v));
  if (spam) return { kind: 'spam-flagged', reasons: ['x-spam-flag'] };

  // Work from a machine: a case, but nothing answers it. A null reverse-path cannot be answered at
  // all (RFC 3834 §2), whoever wrote the mail.
  const machine = [...generated, ...bulkish, ...(nullSender ? ['null-sender'] : [])];
  if (machine.length) return { kind: 'human', reasons: machine, machine: true };
  return { kind: 'human', reasons: [] };
}
