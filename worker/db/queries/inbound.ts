// The exception log: inbound rows as the API shows them, filtered and paged newest first.
import { and, desc, eq, gte, inArray, isNotNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { inbound, type Inbound } from '../schema.ts';
import type { Db } from '../client.ts';
import type { InboundListStatus, InboundReason, InboundView } from '../../protocol/api.ts';

export function inboundView(r: Inbound): InboundView {
  let decision: unknown = null;
  try {
    decision = r.decision ? JSON.parse(r.decision) : null;
  } catch {
    decision = r.decision;
  }
  return {
    id: r.id,
    mailboxId: r.mailboxId,
    envelopeFrom: r.envelopeFrom,
    envelopeTo: r.envelopeTo,
    fromEmail: r.fromEmail,
    subject: r.subject,
    rawSize: r.rawSize,
    status: r.status,
    reason: r.reason,
    attempts: r.attempts,
    lastError: r.lastError,
    caseId: r.caseId,
    messageId: r.messageId,
    forwardedTo: r.forwardedTo,
    forwardError: r.forwardError,
    resolvedBy: r.resolvedBy,
    resolvedAt: r.resolvedAt,
    decision,
    receivedAt: r.receivedAt,
    processedAt: r.processedAt,
  };
}

/** `%` and `_` are LIKE wildcards; a sender search means them literally. */
function likeContains(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

const DAY_MS = 86_400_000;

function statusFilter(status: InboundListStatus): SQL | undefined {
  switch (status) {
    case 'all':
      return undefined;
    case 'held':
      return inArray(inbound.status, ['quarantined', 'ignored']);
    case 'exceptions':
      return inArray(inbound.status, ['quarantined', 'ignored', 'failed']);
    case 'released':
      return and(eq(inbound.status, 'processed'), isNotNull(inbound.resolvedBy));
    default:
      return eq(inbound.status, status);
  }
}

export interface InboundFilters {
  status: InboundListStatus;
  reason?: InboundReason[];
  mailboxId?: string;
  sender?: string;
  /** UTC days, YYYY-MM-DD, both included. */
  from?: string;
  to?: string;
}

export interface InboundPage {
  items: InboundView[];
  /** Where the next page starts (receivedAt and id of the last row), or null on the last page. */
  next: [number, string] | null;
}

export async function listInbound(db: Db, workspaceId: string, f: InboundFilters, limit: number, cursor: [number, string] | null): Promise<InboundPage> {
  const rows = await db
    .select()
    .from(inbound)
    .where(
      and(
        eq(inbound.workspaceId, workspaceId),
        statusFilter(f.status),
        f.reason ? inArray(inbound.reason, f.reason) : undefined,
        f.mailboxId ? eq(inbound.mailboxId, f.mailboxId) : undefined,
        f.sender ? sql`(${inbound.fromEmail} LIKE ${likeContains(f.sender)} ESCAPE '\\' OR ${inbound.envelopeFrom} LIKE ${likeContains(f.sender)} ESCAPE '\\')` : undefined,
        f.from ? gte(inbound.receivedAt, Date.parse(`${f.from}T00:00:00Z`)) : undefined,
        f.to ? lt(inbound.receivedAt, Date.parse(`${f.to}T00:00:00Z`) + DAY_MS) : undefined,
        cursor ? or(lt(inbound.receivedAt, cursor[0]), and(eq(inbound.receivedAt, cursor[0]), lt(inbound.id, cursor[1]))) : undefined,
      ),
    )
    .orderBy(desc(inbound.receivedAt), desc(inbound.id))
    .limit(limit + 1);
  const more = rows.length > limit;
  if (more) rows.pop();
  const last = rows[rows.length - 1];
  return { items: rows.map(inboundView), next: more && last ? [last.receivedAt, last.id] : null };
}

/** One inbound row of the workspace. */
export async function inboundRow(db: Db, workspaceId: string, id: string): Promise<Inbound | undefined> {
  return db
    .select()
    .from(inbound)
    .where(and(eq(inbound.id, id), eq(inbound.workspaceId, workspaceId)))
    .get();
}
