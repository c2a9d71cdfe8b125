// Staging outgoing mail: the outbox row and one delivery row per envelope recipient, as writes of the
// change that caused the mail, so the mail is recorded together with its cause or not at all.
import { insert, type Blob, type Staged, type Write } from '../changes/change.ts';
import type { OutboxKind } from '../protocol/api.ts';
import { ID_PREFIX } from '../protocol/ids.ts';
import type { ComposedMail } from './compose.ts';

export interface Outgoing {
  id: string;
  kind: OutboxKind;
  workspaceId: string;
  caseId: string | null;
  /** The case message this mail is (agent replies and forwards). */
  messageId: string | null;
  causeInboundId: string | null;
  composed: ComposedMail;
  now: number;
}

/**
 * The Message-ID we write into mail we compose: `<outbox id>@<the mailbox's domain>`. Where the
 * provider keeps it (locally, or relayed unchanged), a reply's In-Reply-To names the outbox row.
 */
export function ownMessageId(outboxId: string, mailboxAddress: string): string {
  return `${outboxId}@${mailboxAddress.slice(mailboxAddress.lastIndexOf('@') + 1).toLowerCase()}`;
}

const OUTBOX_ID = new RegExp(`^${ID_PREFIX.outbox}_[0-9a-z]{22}(-[0-9a-z-]{1,40})?$`);

/** The outbox id an own Message-ID (see ownMessageId) names, or null when it is not of that shape. */
export function outboxIdOf(messageId: string): string | null {
  const at = messageId.lastIndexOf('@');
  const local = at > 0 ? messageId.slice(0, at) : '';
  return OUTBOX_ID.test(local) ? local : null;
}

/**
 * Outgoing MIME up to this size is kept in its outbox row, in the same batch; larger mail (replies
 * with attachments) goes to R2 first. An R2 write costs a local Worker more CPU than the whole batch.
 */
export const OUTBOX_INLINE_MAX = 32 * 1024;

/** What staging one mail adds to a change. */
export interface StagedMail {
  writes: Write[];
  blobs: Blob[];
  outgoing: Staged[];
}

/** The outbox rows of one mail (its MIME in the row, or as a blob for R2) and the handle to send it by. */
export function stageMail(mail: Outgoing): StagedMail {
  const day = new Date(mail.now).toISOString().slice(0, 10);
  const rawKey = `out/${mail.workspaceId}/${day}/${mail.id}.eml`;
  const inline = new TextEncoder().encode(mail.composed.raw).byteLength <= OUTBOX_INLINE_MAX;
  const blobs: Blob[] = inline ? [] : [{ key: rawKey, body: mail.composed.raw, contentType: 'message/rfc822', meta: { outboxId: mail.id, kind: mail.kind } }];
  const writes: Write[] = [
    insert(
      'outbox',
      {
        id: mail.id,
        workspaceId: mail.workspaceId,
        caseId: mail.caseId,
        messageId: mail.messageId,
        kind: mail.kind,
        fromAddress: mail.composed.from,
        subject: mail.composed.subject,
        rawKey,
        mime: inline ? mail.composed.raw : null,
        causeInboundId: mail.causeInboundId,
        createdAt: mail.now,
      },
      'ignore',
    ),
    ...[...new Set(mail.composed.to)].map((recipient) =>
      insert('outboxRecipients', { outboxId: mail.id, recipient, kind: mail.kind, caseId: mail.caseId, status: 'sending', attempts: 1, createdAt: mail.now, updatedAt: mail.now }, 'ignore'),
    ),
  ];
  const staged: Staged = {
    id: mail.id,
    workspaceId: mail.workspaceId,
    caseId: mail.caseId,
    messageId: mail.messageId,
    kind: mail.kind,
    from: mail.composed.from,
    recipients: [...new Set(mail.composed.to)],
    raw: mail.composed.raw,
  };
  return { writes, blobs, outgoing: [staged] };
}
