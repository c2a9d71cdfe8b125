// Mail about a case: the subject carries the case's [#number] tag, and From, Reply-To,
// In-Reply-To and References are set so that a reply threads back into the case (by the signed
// reply address, or by our marker in References). Pure: no bindings; the signing key is `secret`.
import { MailComposeError, SUBJECT_MAX_CHARS, normalizeMessageId, requireAddress, safeHeaderValue, trimReferences } from './headers.ts';
import { REPLY_CHAIN } from './subject.ts';
import { REPLY_LOCAL_PART, signReplyToken, threadMarker } from './tokens.ts';

// A chain of reply prefixes as mail programs write them in several languages ("Re: AW: RE[2]:").
// The exact form the ingest side recognises (worker/ingest/thread.ts), so "tagged" means the same here.
const ANY_TAG = /\[#(\d{1,9})\]/g;

/**
 * The subject with ` [#number]` once. Idempotent: a subject already tagged with this number keeps
 * its one tag. A chain of reply prefixes collapses into one `Re: `. The ingest side reads the FIRST
 * tag of a subject (worker/ingest/thread.ts), so when the subject also carries someone else's tag
 * (another helpdesk's "[#4521]") ours goes in front of the text instead of at the end.
 */
export function subjectWithTag(subject: string, number: number): string {
  if (!Number.isSafeInteger(number) || number < 1 || number > 999_999_999) {
    throw new MailComposeError('tag-invalid', 'number', `A case number must be a whole number from 1 to 999999999, not ${String(number)}.`);
  }
  let text = safeHeaderValue(subject, SUBJECT_MAX_CHARS);
  let prefix = '';
  const replied = REPLY_CHAIN.exec(text);
  if (replied) {
    prefix = 'Re: ';
    text = text.slice(replied[0].length);
  }
  const tags = [...text.matchAll(ANY_TAG)];
  const ours = (m: RegExpMatchArray) => Number(m[1]) === number;
  if (tags.length > 0 && ours(tags[0]!)) return prefix + text;
  // Remove any copy of ours that sits behind a foreign tag, then place ours.
  const rest = text
    .replace(ANY_TAG, (m, n: string) => (Number(n) === number ? '' : m))
    .replace(/ {2,}/g, ' ')
    .trim();
  const tag = `[#${number}]`;
  if (!rest) return `${prefix}${tag}`;
  return tags.some((m) => !ours(m)) ? `${prefix}${tag} ${rest}` : `${prefix}${rest} ${tag}`;
}

export interface CaseHeadersInput {
  secret: string;
  caseId: string;
  /** The mailbox's own address, e.g. support@acme.test. */
  mailboxAddress: string;
  mailboxName: string;
  /** The Message-ID of the customer's latest mail, if it had a usable one. */
  customerLastMessageId?: string | null;
  /** Message-IDs already in the thread, oldest first (root first). */
  threadIds?: string[];
}

export interface CaseHeaders {
  from: { email: string; name: string };
  /** `reply+<signed token>@<mailbox domain>`: a reply to it threads by token. */
  replyTo: string;
  inReplyTo?: string;
  /** Root, our marker, …, the customer's latest id (unless it is the root); ≤ 2048 octets. */
  references: string[];
  /** Our signed pseudo Message-ID for this case (tokens.ts `threadMarker`), without brackets. */
  marker: string;
}

/**
 * From, Reply-To, In-Reply-To and References for mail about a case. Cloudflare sets the Message-ID
 * of what we send, so our own signed marker goes into References (right after the root, so trimming
 * never touches it), and the customer's latest Message-ID comes last, as its parent (RFC 5322
 * §3.6.4). Unusable ids from stored mail are left out rather than failing the send.
 */
export async function buildCaseHeaders(input: CaseHeadersInput): Promise<CaseHeaders> {
  const mailbox = requireAddress(input.mailboxAddress, 'mailboxAddress');
  const domain = mailbox.slice(mailbox.lastIndexOf('@') + 1);
  const token = await signReplyToken(input.secret, input.caseId);
  const replyTo = requireAddress(`${REPLY_LOCAL_PART}+${token}@${domain}`, 'replyTo');
  const marker = await threadMarker(input.secret, input.caseId, domain);

  const inReplyTo = normalizeMessageId(input.customerLastMessageId);
  const thread = (input.threadIds ?? []).map(normalizeMessageId).filter((id): id is string => id !== null && id !== marker);
  // The root is the thread's first id (the customer's own first mail when that is all there is).
  const root = thread[0] ?? inReplyTo;
  const middle = thread.slice(1).filter((id) => id !== inReplyTo);
  const ordered = [root, marker, ...middle, inReplyTo].filter((id): id is string => id !== null);
  // trimReferences keeps the first copy of an id, so a root that is also the parent stays first.
  const references = trimReferences(ordered, [marker, ...(inReplyTo ? [inReplyTo] : [])]);

  const result: CaseHeaders = {
    from: { email: mailbox, name: safeHeaderValue(input.mailboxName, 200) },
    replyTo,
    references,
    marker,
  };
  if (inReplyTo) result.inReplyTo = inReplyTo;
  return result;
}
