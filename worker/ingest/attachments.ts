// attachments: a message's attachments under its mailbox's policy (size, type, count), as rows and
// the R2 blobs a commit writes first. Pure apart from hashing.
import type { attachments, Mailbox } from '../db/schema.ts';
import { derivedId } from '../protocol/ids.ts';
import type { Blob } from '../changes/change.ts';
import type { ParsedAttachment } from './parse.ts';
import { sha256Hex } from './text.ts';

export interface AttachmentPlan {
  row: typeof attachments.$inferInsert;
  blob: Blob | null;
}

function typeAllowed(type: string, allowed: string[]): boolean {
  if (allowed.length === 0) return true;
  return allowed.some((a) => (a.endsWith('/*') ? type.startsWith(a.slice(0, -1)) : type === a));
}

/** Applies the mailbox's attachment policy. Inline images do not count towards the maximum number. */
export async function planAttachments(list: ParsedAttachment[], mailbox: Mailbox, messageId: string, now: number): Promise<AttachmentPlan[]> {
  let allowed: string[] = [];
  try {
    allowed = JSON.parse(mailbox.attachmentAllowedTypes) as string[];
  } catch {
    allowed = [];
  }
  let counted = 0;
  const plans: AttachmentPlan[] = [];
  for (const [i, a] of list.entries()) {
    let skipped: string | null = null;
    if (a.content.byteLength > mailbox.attachmentMaxBytes) skipped = `too-large: ${a.content.byteLength} bytes, limit ${mailbox.attachmentMaxBytes}`;
    else if (!a.inline && !typeAllowed(a.contentType, allowed)) skipped = `type-not-allowed: ${a.contentType}`;
    else if (!a.inline && ++counted > mailbox.attachmentMaxCount) skipped = `too-many: limit ${mailbox.attachmentMaxCount} per message`;
    const key = skipped ? null : `att/${messageId}/${i}`;
    const sha256 = await sha256Hex(a.content);
    plans.push({
      row: {
        id: `${derivedId('attachment', messageId)}-${i}`,
        workspaceId: mailbox.workspaceId,
        messageId,
        filename: a.filename,
        contentType: a.contentType,
        size: a.content.byteLength,
        contentId: a.contentId,
        inline: a.inline,
        r2Key: key,
        sha256,
        skippedReason: skipped,
        createdAt: now,
      },
      blob: key ? { key, body: a.content, contentType: a.contentType, meta: { filename: a.filename, sha256 } } : null,
    });
  }
  return plans;
}
