// system-line: a line in a case's thread that edgecase writes itself (a merge, a split), as a Write.
import type { Case } from '../db/schema.ts';
import { insert, type Write } from '../changes/change.ts';

/** A system message on `kase`'s thread; `reason` says what wrote it (its thread reason). */
export function systemLine(kase: Pick<Case, 'id' | 'workspaceId' | 'mailboxId'>, id: string, text: string, reason: string, now: number): Write {
  return insert('messages', {
    id,
    workspaceId: kase.workspaceId,
    caseId: kase.id,
    mailboxId: kase.mailboxId,
    direction: 'system',
    threadRule: 'agent',
    threadReason: reason,
    text,
    createdAt: now,
  });
}
