// suggest: the cases the case view offers to merge with, computed when the view is read (one batch of
// indexed lookups: cases_workspace_contact_last, messages_workspace_rfc_id), never stored and never
// acted on without an agent. Two signs: the same sender wrote about a similar subject in another open
// case of the 14 days before this one, or the very mail of this case was filed a second time (sent to
// two of our addresses: idempotency keys are per mailbox, so each mailbox made its own case).
import { and, desc, eq, gte, inArray, isNotNull, isNull, ne, sql } from 'drizzle-orm';
import { cases, messages } from '../db/schema.ts';
import type { Db } from '../db/client.ts';
import { baseSubject } from '../mail/subject.ts';
import type { MergeCandidate, MergeInfo, MergeSuggestion } from '../protocol/merge.ts';

const WINDOW_MS = 14 * 86_400_000;
const MAX_SUGGESTIONS = 5;
/** The dialog shows this many of the customer's cases. */
const MAX_CANDIDATES = 30;

function words(s: string): Set<string> {
  return new Set(s.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 1));
}

/** Whether two subjects are about the same thing: equal as threads see them, one containing the other, or mostly the same words. */
export function similarSubjects(a: string, b: string): boolean {
  const x = baseSubject(a);
  const y = baseSubject(b);
  if (!x || !y) return false;
  if (x === y) return true;
  if (Math.min(x.length, y.length) >= 8 && (x.includes(y) || y.includes(x))) return true;
  const wx = words(x);
  const wy = words(y);
  const shared = [...wx].filter((w) => wy.has(w)).length;
  const union = new Set([...wx, ...wy]).size;
  return union >= 3 && shared / union >= 0.6;
}

export async function mergeInfo(db: Db, workspaceId: string, caseId: string): Promise<MergeInfo> {
  const self = and(eq(cases.id, caseId), eq(cases.workspaceId, workspaceId));
  const own = db.select().from(cases).where(self).limit(1);
  const target = db
    .select({ id: cases.id, number: cases.number })
    .from(cases)
    .where(inArray(cases.id, db.select({ id: cases.mergedIntoId }).from(cases).where(self)))
    .limit(1);
  const open = and(eq(cases.workspaceId, workspaceId), ne(cases.id, caseId), isNull(cases.mergedIntoId), inArray(cases.status, ['new', 'open', 'pending']));
  const row = {
    id: cases.id,
    number: cases.number,
    subject: cases.subject,
    status: cases.status,
    messageCount: cases.messageCount,
    lastMessageAt: cases.lastMessageAt,
  };
  const sameSender = db
    .select(row)
    .from(cases)
    .where(
      and(
        open,
        eq(cases.contactId, sql`(SELECT ${cases.contactId} FROM ${cases} WHERE ${self})`),
        gte(cases.lastMessageAt, sql`(SELECT ${cases.createdAt} FROM ${cases} WHERE ${self}) - ${WINDOW_MS}`),
      ),
    )
    .orderBy(desc(cases.lastMessageAt))
    .limit(20);
  const ownIds = db
    .select({ rfc: messages.rfcMessageId })
    .from(messages)
    .where(and(eq(messages.caseId, caseId), eq(messages.direction, 'inbound'), isNotNull(messages.rfcMessageId)));
  const sameMessage = db
    .select(row)
    .from(cases)
    .where(
      and(
        open,
        inArray(
          cases.id,
          db
            .select({ c: messages.caseId })
            .from(messages)
            .where(and(eq(messages.workspaceId, workspaceId), inArray(messages.rfcMessageId, ownIds), ne(messages.caseId, caseId))),
        ),
      ),
    )
    .limit(MAX_SUGGESTIONS);
  const [mine, into, bySender, byMessage] = await db.batch([own, target, sameSender, sameMessage]);
  const me = mine[0];
  if (!me || me.mergedIntoId) return { mergedInto: into[0] ?? null, suggestions: [] };
  const out: MergeSuggestion[] = byMessage.map((c) => ({ ...c, reason: 'same-message' }));
  for (const c of bySender) {
    if (out.some((s) => s.id === c.id) || !similarSubjects(me.subject, c.subject)) continue;
    out.push({ ...c, reason: 'same-sender-subject' });
  }
  return { mergedInto: null, suggestions: out.slice(0, MAX_SUGGESTIONS) };
}

/** The customer's other cases the merge dialog shows beside this one (newest first), with this one first. */
export async function mergeCandidates(db: Db, workspaceId: string, caseId: string): Promise<MergeCandidate[] | null> {
  const self = and(eq(cases.id, caseId), eq(cases.workspaceId, workspaceId));
  const row = { id: cases.id, number: cases.number, subject: cases.subject, status: cases.status, messageCount: cases.messageCount, lastMessageAt: cases.lastMessageAt };
  const [mine, theirs] = await db.batch([
    db.select(row).from(cases).where(self).limit(1),
    db
      .select(row)
      .from(cases)
      .where(and(eq(cases.workspaceId, workspaceId), ne(cases.id, caseId), isNull(cases.mergedIntoId), eq(cases.contactId, sql`(SELECT ${cases.contactId} FROM ${cases} WHERE ${self})`)))
      .orderBy(desc(cases.lastMessageAt))
      .limit(MAX_CANDIDATES),
  ]);
  return mine[0] ? [mine[0], ...theirs] : null;
}
