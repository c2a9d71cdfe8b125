// analyze: the pure front half of the pipeline — pre-scan, parse, classify, threading candidates.
// No bindings and no clock, so `npm run explain` runs exactly this in Node.
import type { AddressView } from '../protocol/api.ts';
import { authenticate, type AuthResult } from './authenticate.ts';
import { classify, type Classification } from './classify.ts';
import { parseMail, ParseRefused, type ParsedMail } from './parse.ts';
import { headerValue, prescan } from './prescan.ts';
import { looksLikeThreadMarker, verifyThreadMarker } from '../mail/tokens.ts';
import { normalizeEmail } from './text.ts';
import { threadCandidates, type ThreadCandidates } from './thread.ts';

export interface AnalyzeInput {
  raw: Uint8Array;
  /** Key for our signed thread markers; without it an own Message-ID cannot be recognised. */
  replyTokenKey?: string;
  envelopeFrom: string;
  /** The address the mail was delivered to (may carry a reply token). */
  recipient: string;
  ownAddresses: string[];
}

export type Analysis =
  | { ok: true; mail: ParsedMail; sender: AddressView; classification: Classification; candidates: ThreadCandidates; auth: AuthResult }
  | { ok: false; reason: string; detail: string };

/** Old Mac mail ends lines with CR alone; parsers and header scans expect LF. */
export function normalizeLineEndings(raw: Uint8Array): Uint8Array {
  const head = raw.subarray(0, 8192);
  if (head.includes(0x0a) || !head.includes(0x0d)) return raw;
  const out = new Uint8Array(raw.length * 2);
  let n = 0;
  for (const b of raw) {
    out[n++] = b;
    if (b === 0x0d) out[n++] = 0x0a;
  }
  return out.subarray(0, n);
}

export async function analyze(input: AnalyzeInput): Promise<Analysis> {
  const raw = normalizeLineEndings(input.raw);
  const pre = prescan(raw);
  if (pre.refuse) return { ok: false, reason: pre.refuse, detail: `pre-scan: ${pre.refuse} (${pre.headerBytes} header bytes, ${pre.partLines} part delimiters)` };
  let mail: ParsedMail;
  try {
    mail = await parseMail(raw);
  } catch (err) {
    if (err instanceof ParseRefused) return { ok: false, reason: err.reason, detail: err.message };
    // postal-mime should only throw its own limit errors; anything else is still the message's fault.
    return { ok: false, reason: 'parse-failed', detail: err instanceof Error ? err.message : String(err) };
  }
  // The author is From; a message without one is attributed to its envelope sender.
  const sender: AddressView = mail.from ?? mail.sender ?? { email: normalizeEmail(input.envelopeFrom), name: '' };
  const ownMessageId = Boolean(mail.messageId && input.replyTokenKey && looksLikeThreadMarker(mail.messageId) && (await verifyThreadMarker(input.replyTokenKey, mail.messageId)));
  const classification = classify({
    headers: mail.headers,
    envelopeFrom: input.envelopeFrom,
    fromEmail: sender.email || null,
    fromHeader: headerValue(pre.headers, 'from'),
    subject: mail.subject,
    partTypes: mail.attachments.map((a) => a.contentType),
    ownAddresses: input.ownAddresses,
    ownMessageId,
    text: mail.text,
  });
  const auth = authenticate(mail.headers, sender.email);
  return { ok: true, mail, sender, classification, candidates: threadCandidates(input.recipient, mail), auth };
}
