// bounce: what a delivery report says (RFC 3464): which recipients failed, how, and which message
// of ours it was about. Pure. Structured reports are read from their message/delivery-status part;
// the many servers that send only prose are read for what can be trusted in them (X-Failed-
// Recipients, status codes, the embedded original's headers).
import { BODY_FAILURE, DELAY_BODY } from './classify.ts';
import { parseBounded } from './parse.ts';
import { parseHeaderBlock, headerValue, prescan } from './prescan.ts';
import { cleanLine, extractMessageIds, normalizeEmail } from './text.ts';

export interface DsnRecipient {
  recipient: string;
  /** failed | delayed | delivered | relayed | expanded (RFC 3464 2.3.3). */
  action: string;
  /** Enhanced status code (RFC 3463), e.g. 5.1.1; empty when the report gave none. */
  status: string;
  diagnostic: string;
}

export interface BouncedOriginal {
  messageId: string | null;
  inReplyTo: string[];
  references: string[];
  /** Addresses in the original's Reply-To and From: a reply token of ours may be among them. */
  replyAddresses: string[];
  subject: string;
}

export interface BounceReport {
  recipients: DsnRecipient[];
  original: BouncedOriginal | null;
  /** Ids of ours (markers) mentioned anywhere in the report's text, for prose-only reports. */
  mentionedIds: string[];
  /** Reply addresses (reply+token@…) mentioned anywhere in the report's text. */
  mentionedReplyAddresses: string[];
  /**
   * A delay warning, not a failure: every recipient named is `delayed` (or fine), or a prose report
   * says "still trying" and nothing failed. The sending server keeps trying; nobody is undeliverable.
   */
  warning: boolean;
}

function decode(bytes: ArrayBuffer | Uint8Array | string): string {
  if (typeof bytes === 'string') return bytes;
  return new TextDecoder().decode(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));
}

/** "rfc822; user@example.com" → user@example.com */
function typedAddress(value: string | null): string {
  if (!value) return '';
  const v = value.includes(';') ? value.slice(value.indexOf(';') + 1) : value;
  return normalizeEmail(v.trim().replace(/^<|>$/g, ''));
}

export function parseDeliveryStatus(text: string): DsnRecipient[] {
  const blocks = text
    .replace(/\r/g, '')
    .split(/\n\s*\n/)
    .map((b) => parseHeaderBlock(`${b.trim()}\n`));
  const out: DsnRecipient[] = [];
  for (const fields of blocks.slice(1).length ? blocks.slice(1) : blocks) {
    const recipient = typedAddress(headerValue(fields, 'final-recipient') ?? headerValue(fields, 'original-recipient'));
    if (!recipient) continue;
    out.push({
      recipient,
      action: (headerValue(fields, 'action') ?? '').trim().toLowerCase(),
      status: /\d\.\d{1,3}\.\d{1,3}/.exec(headerValue(fields, 'status') ?? '')?.[0] ?? '',
      diagnostic: cleanLine(headerValue(fields, 'diagnostic-code')?.replace(/^[a-z-]+;\s*/i, ''), 500),
    });
  }
  return out;
}

function originalFrom(headerText: string): BouncedOriginal {
  const headers = parseHeaderBlock(headerText);
  const addr = (name: string) => (headerValue(headers, name) ?? '').match(/[^\s<>",;:]+@[^\s<>",;:]+/g)?.map(normalizeEmail) ?? [];
  return {
    messageId: extractMessageIds(headerValue(headers, 'message-id'))[0] ?? null,
    inReplyTo: extractMessageIds(headerValue(headers, 'in-reply-to')),
    references: extractMessageIds(headerValue(headers, 'references')),
    replyAddresses: [...addr('reply-to'), ...addr('from')],
    subject: cleanLine(headerValue(headers, 'subject'), 300),
  };
}

const MARKER_IN_TEXT = /<?(ec-[0-9a-z]{8,40}-[0-9a-z]{16}@[a-z0-9.-]+)>?/gi;
const REPLY_IN_TEXT = /\breply\+[0-9a-z-]{8,80}@[a-z0-9.-]+\b/gi;

export async function parseBounce(raw: Uint8Array, headers: Array<[string, string]>, text: string): Promise<BounceReport> {
  let recipients: DsnRecipient[] = [];
  let original: BouncedOriginal | null = null;
  try {
    // A second, bounded parse that keeps embedded messages whole, so the original can be read.
    // Recoded like the first parse, so a report in a legacy charset reads the same here.
    const email = await parseBounded(raw, { forceRfc822Attachments: true });
    for (const a of email.attachments) {
      const type = a.mimeType.toLowerCase();
      if (type === 'message/delivery-status' || type === 'message/global-delivery-status') recipients.push(...parseDeliveryStatus(decode(a.content)));
      else if (!original && (type === 'message/rfc822' || type === 'message/global' || type === 'text/rfc822-headers' || type === 'message/rfc822-headers')) {
        const bytes = typeof a.content === 'string' ? new TextEncoder().encode(a.content) : new Uint8Array(a.content);
        const pre = prescan(bytes);
        original = originalFrom(new TextDecoder('latin1').decode(bytes.subarray(0, pre.headerBytes)));
      }
    }
  } catch {
    // The first parse succeeded, so this one can only fail on limits; fall back to the prose.
  }
  const structured = recipients.length > 0;
  // Prose that says the server is still trying, and says nothing failed.
  const proseDelay = DELAY_BODY.test(text.slice(0, 4000)) && !BODY_FAILURE.test(text.slice(0, 4000));
  if (!structured) {
    // Prose reports: Exim's X-Failed-Recipients, and the first enhanced status code in the text.
    const status = /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(text)?.[1] ?? '';
    const failed = headers
      .filter(([k]) => k === 'x-failed-recipients')
      .flatMap(([, v]) => v.split(/[,\s]+/))
      .map(normalizeEmail)
      .filter((a) => a.includes('@'));
    const delayed = proseDelay && !status.startsWith('5.');
    recipients = failed.map((recipient) => ({ recipient, action: delayed ? 'delayed' : 'failed', status: status || (delayed ? '4.0.0' : '5.0.0'), diagnostic: '' }));
  }
  const warning = structured ? recipients.some((r) => r.action === 'delayed') && !recipients.some((r) => r.action === 'failed') : proseDelay && recipients.every((r) => r.action === 'delayed');
  const mentionedIds = [...new Set([...text.matchAll(MARKER_IN_TEXT)].map((m) => m[1]!.toLowerCase()))];
  const mentionedReplyAddresses = [...new Set([...text.matchAll(REPLY_IN_TEXT)].map((m) => m[0].toLowerCase()))];
  return { recipients, original, mentionedIds, mentionedReplyAddresses, warning };
}

/** A failure that will not go away by retrying: the address is undeliverable. */
export function isPermanent(r: DsnRecipient): boolean {
  return r.action === 'failed' && (r.status === '' || r.status.startsWith('5.'));
}

/** "delivery to x@y failed: 5.1.1 user unknown" — the line agents see on the case. */
export function describeBounce(report: BounceReport): string {
  if (report.recipients.length === 0) {
    if (report.warning) return 'Delivery of a message about this case is delayed: the sending server is still trying (no recipient details).';
    return 'A delivery report arrived for a message about this case (no recipient details).';
  }
  return report.recipients
    .map((r) => {
      const what = r.action === 'delayed' ? 'is delayed' : r.action === 'delivered' || r.action === 'relayed' ? 'succeeded' : 'failed';
      return `Delivery to ${r.recipient} ${what}${r.status ? `: ${r.status}` : ''}${r.diagnostic ? ` ${r.diagnostic}` : ''}`;
    })
    .join('\n');
}
