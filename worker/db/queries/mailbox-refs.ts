// The workspace's mailboxes as every agent may see them: names for filters and labels (the settings
// are the admin API's).
import { and, asc, eq, or } from 'drizzle-orm';
import { mailboxes } from '../schema.ts';
import type { Db } from '../client.ts';
import type { MailboxRef } from '../../protocol/api.ts';

export async function mailboxRefs(db: Db, workspaceId: string): Promise<MailboxRef[]> {
  return db
    .select({ id: mailboxes.id, address: mailboxes.address, displayName: mailboxes.displayName, enabled: mailboxes.enabled })
    .from(mailboxes)
    .where(eq(mailboxes.workspaceId, workspaceId))
    .orderBy(asc(mailboxes.address));
}

/** The id of the workspace's mailbox named by id or by address (any case), or null. */
export async function mailboxIdOf(db: Db, workspaceId: string, idOrAddress: string): Promise<string | null> {
  const found = await db
    .select({ id: mailboxes.id })
    .from(mailboxes)
    .where(and(eq(mailboxes.workspaceId, workspaceId), or(eq(mailboxes.id, idOrAddress), eq(mailboxes.address, idOrAddress.toLowerCase()))))
    .get();
  return found?.id ?? null;
}
