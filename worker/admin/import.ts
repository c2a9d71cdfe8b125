// Importing old mail: each message goes through the email handler's path in import mode (receive.ts
// with an import batch), so it is stored raw first, deduplicated, threaded from its headers, filed
// closed in its own time and never answered. One message per request for `npm run import`, or a small
// uploaded archive (mbox, or a single .eml) split here and sent through message by message.
import { and, eq } from 'drizzle-orm';
import { inbound, mailboxes, type Mailbox } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { firstAddress } from '../ingest/dedupe.ts';
import { splitMbox } from '../ingest/mbox.ts';
import { headerValue, prescan } from '../ingest/prescan.ts';
import { receiveEmail } from '../ingest/receive.ts';
import { cleanLine } from '../ingest/text.ts';
import { IMPORT_UPLOAD_LIMITS, type ImportCount, type ImportedMessage, type ImportSummary } from '../protocol/admin.ts';
import { AdminRefused, issue } from './errors.ts';

/** The first few failures are listed in the summary; the rest are counted. */
const FIRST_ERRORS = 10;

export async function importMailbox(deps: Deps, workspaceId: string, address: string): Promise<Mailbox> {
  const mailbox = await deps.db
    .select()
    .from(mailboxes)
    .where(and(eq(mailboxes.address, address), eq(mailboxes.workspaceId, workspaceId)))
    .get();
  if (!mailbox) throw new AdminRefused('bad_request', `no mailbox ${address} in this workspace`, [issue(['mailbox'], `no mailbox ${address} in this workspace`)]);
  return mailbox;
}

function actionOf(decision: string | null): string | null {
  try {
    const d = decision ? (JSON.parse(decision) as { decision?: { action?: string }; action?: string }) : null;
    return d?.decision?.action ?? d?.action ?? null;
  } catch {
    return null;
  }
}

/**
 * One raw message into the mailbox as history. `from` is the envelope sender when the archive kept
 * one; without it the author stands in (an empty one would read as the null sender of a bounce).
 */
export async function importMessage(deps: Deps, mailbox: Mailbox, batch: string, bytes: Uint8Array, from?: string): Promise<ImportedMessage | { rejected: string }> {
  const envelope = from || firstAddress(headerValue(prescan(bytes).headers, 'from')) || 'unknown@import.invalid';
  let rejected: string | null = null;
  const result = await receiveEmail(
    {
      from: envelope,
      to: mailbox.address,
      raw: new Blob([bytes]).stream(),
      rawSize: bytes.byteLength,
      setReject: (reason) => void (rejected = reason),
    },
    deps,
    { importBatch: batch },
  );
  if (result.verdict === 'rejected') return { rejected: rejected ?? result.reason };
  const row = await deps.db.select().from(inbound).where(eq(inbound.id, result.inboundId)).get();
  return {
    inboundId: result.inboundId,
    status: row?.status ?? 'received',
    reason: row?.reason ?? null,
    caseId: row?.caseId ?? null,
    duplicate: row?.reason === 'duplicate',
    action: actionOf(row?.decision ?? null),
  };
}

/** The messages of an uploaded file: an mbox archive, or a single message (an archive of one). */
export function uploadedMessages(bytes: Uint8Array): Uint8Array[] {
  // splitMbox drops blank stretches between messages; a file of nothing but blanks is no message.
  const blank = (m: Uint8Array) => m.every((b) => b === 0x0a || b === 0x0d || b === 0x20 || b === 0x09);
  const messages = splitMbox(bytes).filter((m) => !blank(m));
  if (messages.length === 0) throw new AdminRefused('bad_request', 'the upload holds no messages');
  return messages;
}

export function countUpload(deps: Deps, mailbox: Mailbox, bytes: Uint8Array, messages: Uint8Array[]): ImportCount {
  const limit = Math.min(deps.config.maxMessageBytes, mailbox.maxMessageBytes);
  return { messages: messages.length, bytes: bytes.byteLength, tooLarge: messages.filter((m) => m.byteLength > limit).length };
}

export function assertUploadSize(messages: number): void {
  if (messages > IMPORT_UPLOAD_LIMITS.maxMessages) {
    throw new AdminRefused(
      'payload_too_large',
      `the archive holds ${messages} messages; an upload takes up to ${IMPORT_UPLOAD_LIMITS.maxMessages}. Import bigger archives with \`npm run import\`, which sends one message at a time.`,
    );
  }
}

function label(index: number, raw: Uint8Array): string {
  const subject = cleanLine(headerValue(prescan(raw).headers, 'subject'), 80);
  return `message ${index + 1}${subject ? ` (“${subject}”)` : ''}`;
}

/** Every message of an upload, in order, as history; what became of them, added up. */
export async function importArchive(deps: Deps, mailbox: Mailbox, batch: string, messages: Uint8Array[]): Promise<ImportSummary> {
  assertUploadSize(messages.length);
  const summary: ImportSummary = { batch, mailbox: mailbox.address, messages: messages.length, imported: 0, newCases: 0, appended: 0, duplicates: 0, held: {}, failed: 0, errors: [], items: [] };
  const failed = (index: number, raw: Uint8Array, why: string) => {
    summary.failed++;
    if (summary.errors.length < FIRST_ERRORS) summary.errors.push(`${label(index, raw)}: ${why}`);
  };
  // One after another: a reply must find the case its original opened.
  for (const [index, raw] of messages.entries()) {
    let result: ImportedMessage | { rejected: string };
    try {
      result = await importMessage(deps, mailbox, batch, raw);
    } catch (err) {
      // The raw mail could not be stored (R2 or D1 unavailable): nothing of it was kept.
      const why = err instanceof Error ? err.message : String(err);
      summary.items.push({ inboundId: null, status: 'rejected', reason: why });
      failed(index, raw, `not stored: ${why}`);
      continue;
    }
    if ('rejected' in result) {
      summary.items.push({ inboundId: null, status: 'rejected', reason: result.rejected });
      failed(index, raw, result.rejected);
      continue;
    }
    summary.items.push(result);
    if (result.duplicate) summary.duplicates++;
    else if (result.status === 'processed') {
      summary.imported++;
      if (result.action === 'new-case') summary.newCases++;
      else summary.appended++;
    } else if (result.status === 'failed' || result.status === 'received') {
      failed(index, raw, 'processing failed; the scheduled retry will try it again');
    } else {
      const key = result.reason ? `${result.status}: ${result.reason}` : result.status;
      summary.held[key] = (summary.held[key] ?? 0) + 1;
    }
  }
  await deps.settle();
  return summary;
}
