// Attachments as the download route reads them.
import { and, eq } from 'drizzle-orm';
import { attachments } from '../schema.ts';
import type { Db } from '../client.ts';

/** What serving one attachment needs, when the workspace has it. */
export async function attachmentFile(db: Db, workspaceId: string, id: string): Promise<{ r2Key: string | null; filename: string; size: number } | undefined> {
  return db
    .select({ r2Key: attachments.r2Key, filename: attachments.filename, size: attachments.size })
    .from(attachments)
    .where(and(eq(attachments.id, id), eq(attachments.workspaceId, workspaceId)))
    .get();
}
