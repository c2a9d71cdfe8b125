// merge: two or more cases become one, as gather → plan → commit. The agent names the survivor; the
// absorbed cases give it everything that threads (messages with their attachments, our outgoing mail
// and its deliveries, the inbound rows), their participants and tags (deduplicated), and the earliest
// due time per SLA target. They stay as closed rows pointing at the survivor (merged_into_id), so that
// their reply tokens, our References markers and their [#n] tags lead to it forever after (the ingest
// follows the pointer in its facts batch: ingest/facts.ts, ingest/thread.ts liveCaseId).
import { and, eq, inArray } from 'drizzle-orm';
import { agentActor, insert, remove, update, type Change, type Write } from '../changes/change.ts';
import { commit } from '../changes/commit.ts';
import { calendars, cases, mailboxes, participants, slaPolicies, type Case, type Mailbox, type Participant, type Tag } from '../db/schema.ts';
import type { Db } from '../db/client.ts';
import type { Deps } from '../deps.ts';
import { derivedId } from '../protocol/ids.ts';
import { slaContextFrom, type SlaContext } from '../sla/transition.ts';
import { systemLine } from './system-line.ts';
import { CaseActionError } from './errors.ts';
import { caseTagsOf } from './facts.ts';
import { mergedSlaColumns } from './merge-sla.ts';
import type { Author } from './plan.ts';

/** More than this at once is refused: a merge is one batch, and a mistake of this size is hard to see. */
export const MERGE_MAX = 20;

export interface MergeFacts {
  survivor: Case;
  /** The cases to absorb that exist in the workspace (in the order asked). */
  absorbed: Case[];
  /** Ids asked for that name no case of this workspace. */
  missing: string[];
  mailbox: Mailbox;
  sla: SlaContext | null;
  participants: Participant[];
  tags: Array<{ caseId: string; tag: Tag }>;
}

/** Everything the merge needs, in one read batch. */
export async function gatherMergeFacts(db: Db, workspaceId: string, survivorId: string, absorbIds: string[]): Promise<MergeFacts> {
  const ids = [survivorId, ...absorbIds];
  const theCase = and(eq(cases.id, survivorId), eq(cases.workspaceId, workspaceId));
  const policyId = db.select({ id: cases.slaPolicyId }).from(cases).where(theCase);
  const mailboxId = db.select({ id: cases.mailboxId }).from(cases).where(theCase);
  const calendarId = db.select({ id: mailboxes.calendarId }).from(mailboxes).where(inArray(mailboxes.id, mailboxId));
  const [rows, boxes, policies, cals, people, tagRows] = await db.batch([
    db
      .select()
      .from(cases)
      .where(and(eq(cases.workspaceId, workspaceId), inArray(cases.id, ids))),
    db.select().from(mailboxes).where(inArray(mailboxes.id, mailboxId)).limit(1),
    db.select().from(slaPolicies).where(inArray(slaPolicies.id, policyId)).limit(1),
    db.select().from(calendars).where(inArray(calendars.id, calendarId)).limit(1),
    db
      .select()
      .from(participants)
      .where(
        inArray(
          participants.caseId,
          db
            .select({ id: cases.id })
            .from(cases)
            .where(and(eq(cases.workspaceId, workspaceId), inArray(cases.id, ids))),
        ),
      )
      .orderBy(participants.addedAt),
    caseTagsOf(db, workspaceId, ids),
  ]);
  const survivor = rows.find((c) => c.id === survivorId);
  const mailbox = boxes[0];
  if (!survivor || !mailbox) throw new CaseActionError('not_found', 'case not found');
  const absorbed = absorbIds.flatMap((id) => rows.filter((c) => c.id === id && id !== survivorId));
  const missing = absorbIds.filter((id) => id !== survivorId && !rows.some((c) => c.id === id));
  return { survivor, absorbed, missing, mailbox, sla: slaContextFrom(mailbox, policies[0], cals[0]), participants: people, tags: tagRows };
}

/** Why the merge cannot be made, in words an agent can act on; null when it can. */
export function mergeRefusal(survivorId: string, absorbIds: string[], facts?: MergeFacts): string | null {
  if (absorbIds.length === 0) return 'name at least one case to merge into this one';
  if (absorbIds.includes(survivorId)) return 'a case cannot be merged into itself';
  if (new Set(absorbIds).size > MERGE_MAX) return `at most ${MERGE_MAX} cases can be merged at once`;
  if (!facts) return null;
  if (facts.missing.length) return `no such case in this workspace: ${facts.missing.join(', ')}`;
  if (facts.survivor.mergedIntoId) return `#${facts.survivor.number} was merged into another case already; merge into that one`;
  const gone = facts.absorbed.filter((c) => c.mergedIntoId);
  if (gone.length) return `already merged: ${gone.map((c) => `#${c.number}`).join(', ')}`;
  return null;
}

/** The words of the survivor's system line: "Ana merged #12 and #13 into this case". */
export function mergeLine(by: Author, numbers: number[]): string {
  const tags = numbers.map((n) => `#${n}`);
  const list = tags.length > 1 ? `${tags.slice(0, -1).join(', ')} and ${tags.at(-1)}` : tags[0];
  return `${by.name} merged ${list} into this case`;
}

const LINE_REASON = 'a merge of cases';

/** The merge as one Change. Pure. Throws CaseActionError('bad_request') for a merge that cannot be made. */
export function planMerge(facts: MergeFacts, absorbIds: string[], ctx: { by: Author; now: number }): Change {
  const refusal = mergeRefusal(facts.survivor.id, absorbIds, facts);
  if (refusal) throw new CaseActionError('bad_request', refusal);
  const { survivor, absorbed, now } = { ...facts, now: ctx.now };
  const ws = survivor.workspaceId;
  const gone = absorbed.map((c) => c.id);
  const actor = agentActor(ctx.by.id);
  const lineId = derivedId('message', survivor.id, `m${now.toString(36)}`);
  const writes: Write[] = [
    // Everything that threads: messages (attachments hang on them), our mail and its deliveries, the inbound rows.
    update('messages', { workspaceId: ws, caseId: { $in: gone } }, { caseId: survivor.id }),
    update('outbox', { workspaceId: ws, caseId: { $in: gone } }, { caseId: survivor.id }),
    update('outboxRecipients', { caseId: { $in: gone } }, { caseId: survivor.id }),
    update('inbound', { workspaceId: ws, caseId: { $in: gone } }, { caseId: survivor.id }),
    // A case merged into one of these earlier now points at the survivor: chains stay one step long.
    update('cases', { workspaceId: ws, mergedIntoId: { $in: gone } }, { mergedIntoId: survivor.id }),
  ];
  // Participants and tags: the survivor keeps its own; the others' come over unless it has them.
  const has = new Set(facts.participants.filter((p) => p.caseId === survivor.id).map((p) => p.email));
  for (const p of facts.participants) {
    if (p.caseId === survivor.id || has.has(p.email)) continue;
    has.add(p.email);
    writes.push(insert('participants', { caseId: survivor.id, email: p.email, name: p.name, role: p.role === 'requester' ? 'cc' : p.role, contactId: p.contactId, addedAt: now }, 'ignore'));
  }
  const tagged = new Set(facts.tags.filter((t) => t.caseId === survivor.id).map((t) => t.tag.id));
  for (const t of facts.tags) {
    if (tagged.has(t.tag.id)) continue;
    tagged.add(t.tag.id);
    writes.push(insert('caseTags', { caseId: survivor.id, tagId: t.tag.id, workspaceId: ws, addedAt: now, addedBy: ctx.by.id ?? 'local' }, 'ignore'));
  }
  writes.push(remove('participants', { caseId: { $in: gone } }), remove('caseTags', { workspaceId: ws, caseId: { $in: gone } }));
  const moved = absorbed.reduce((n, c) => n + c.messageCount, 0);
  const last = Math.max(survivor.lastMessageAt, ...absorbed.map((c) => c.lastMessageAt));
  writes.push(
    systemLine(
      survivor,
      lineId,
      mergeLine(
        ctx.by,
        absorbed.map((c) => c.number),
      ),
      LINE_REASON,
      now,
    ),
    update('cases', { id: survivor.id, workspaceId: ws }, { messageCount: { $add: moved + 1 }, lastMessageAt: { $max: last }, ...mergedSlaColumns(survivor, absorbed, facts.sla), updatedAt: now }),
  );
  for (const c of absorbed) {
    writes.push(
      systemLine(c, derivedId('message', c.id, `m${now.toString(36)}`), `${ctx.by.name} merged this case into #${survivor.number}`, LINE_REASON, now),
      // Closed, out of every queue and clock; the row stays so that what names it finds the survivor.
      update(
        'cases',
        { id: c.id, workspaceId: ws },
        {
          mergedIntoId: survivor.id,
          status: 'closed',
          closedAt: c.closedAt ?? now,
          messageCount: 1,
          snoozedAt: null,
          snoozedUntil: null,
          snoozedBy: null,
          nextDueAt: null,
          slaState: 'ok',
          updatedAt: now,
        },
      ),
    );
  }
  return {
    workspaceId: ws,
    writes,
    events: [
      { caseId: survivor.id, actor, body: { type: 'case.merged', caseId: survivor.id, absorbed: absorbed.map((c) => ({ id: c.id, number: c.number })), by: ctx.by.name } },
      { caseId: survivor.id, actor, body: { type: 'message.added', caseId: survivor.id, messageId: lineId, direction: 'system', kind: 'human', reopened: false, status: survivor.status } },
    ],
    outgoing: [],
    blobs: [],
  };
}

/** Merges `absorbIds` into `survivorId`. Throws CaseActionError (not_found, bad_request). */
export async function mergeCases(deps: Deps, workspaceId: string, survivorId: string, absorbIds: string[], by: Author): Promise<{ caseId: string; absorbed: Array<{ id: string; number: number }> }> {
  const asked = [...new Set(absorbIds)];
  const refusal = mergeRefusal(survivorId, asked);
  if (refusal) throw new CaseActionError('bad_request', refusal);
  const facts = await gatherMergeFacts(deps.db, workspaceId, survivorId, asked);
  const change = planMerge(facts, asked, { by, now: deps.now() });
  await commit(deps, change);
  await deps.settle();
  return { caseId: survivorId, absorbed: facts.absorbed.map((c) => ({ id: c.id, number: c.number })) };
}
