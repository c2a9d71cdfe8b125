// The workspace's tags as an admin keeps them: the list with counts (also every agent's autocomplete),
// rename, recolour, merge one into another, delete. Each write is one commit: the rows, the audit row
// and one tag.updated event for the workspace (not one per case: a tag may be on thousands of cases,
// and every list patches its rows by the tag's id).
import { and, asc, count, eq, inArray, like, sql } from 'drizzle-orm';
import { caseTags, tags, type Tag } from '../db/schema.ts';
import type { Db, Deps } from '../deps.ts';
import { tagKey, type TagCount } from '../protocol/api.ts';
import { commit } from '../changes/commit.ts';
import { remove, update, type Change, type Write } from '../changes/change.ts';
import { ID_SLICE, slices } from '../cases/bulk-facts.ts';
import { tagView } from '../cases/tagging.ts';
import { auditWrite, diff } from './audit.ts';
import { AdminRefused } from './errors.ts';
import type { Actor } from './mailboxes.ts';

/** The workspace's tags by name with how many cases carry each; `q` keeps those whose name starts with it. */
export async function listTags(db: Db, workspaceId: string, q?: string): Promise<TagCount[]> {
  const prefix = q ? tagKey(q).replace(/[\\%_]/g, (ch) => `\\${ch}`) : '';
  const rows = await db
    .select({ id: tags.id, name: tags.name, color: tags.color, cases: count(caseTags.caseId) })
    .from(tags)
    .leftJoin(caseTags, eq(caseTags.tagId, tags.id))
    .where(and(eq(tags.workspaceId, workspaceId), prefix ? like(tags.key, sql`${`${prefix}%`} ESCAPE '\\'`) : undefined))
    .groupBy(tags.id)
    .orderBy(asc(tags.key));
  return rows;
}

async function tagOf(db: Db, workspaceId: string, id: string): Promise<Tag> {
  const tag = await db
    .select()
    .from(tags)
    .where(and(eq(tags.id, id), eq(tags.workspaceId, workspaceId)))
    .get();
  if (!tag) throw new AdminRefused('not_found', 'tag not found');
  return tag;
}

function change(who: Actor, writes: Write[], tagId: string, tag: Tag | null, mergedInto: Tag | null, action: string, changes: Record<string, [unknown, unknown]>): Change {
  return {
    workspaceId: who.workspaceId,
    writes: [...writes, auditWrite({ workspaceId: who.workspaceId, actor: who.actor, entity: 'tag', entityId: tagId, action, changes, at: who.now })],
    events: [{ caseId: null, actor: `agent:${who.actor}`, body: { type: 'tag.updated', caseId: null, tagId, tag: tag ? tagView(tag) : null, mergedInto: mergedInto ? tagView(mergedInto) : null } }],
    outgoing: [],
    blobs: [],
  };
}

/** Renames or recolours a tag. A name another tag has (in any case) is refused: merge them instead. */
export async function updateTag(deps: Deps, who: Actor, id: string, body: { name?: string; color?: string }): Promise<TagCount> {
  const tag = await tagOf(deps.db, who.workspaceId, id);
  const next = { ...tag, ...(body.name !== undefined ? { name: body.name, key: tagKey(body.name) } : {}), ...(body.color !== undefined ? { color: body.color.toLowerCase() } : {}) };
  const changes = diff({ name: tag.name, color: tag.color }, { name: next.name, color: next.color });
  if (Object.keys(changes).length > 0) {
    if (next.key !== tag.key) {
      const taken = await deps.db
        .select({ id: tags.id })
        .from(tags)
        .where(and(eq(tags.workspaceId, who.workspaceId), eq(tags.key, next.key)))
        .get();
      if (taken) throw new AdminRefused('conflict', `there is a tag "${body.name}" already: merge the two instead`);
    }
    // The UNIQUE key refuses a rename that raced another one to the same name.
    await commit(deps, change(who, [update('tags', { id: tag.id }, { name: next.name, key: next.key, color: next.color })], tag.id, next, null, 'update', changes)).catch((err: unknown) => {
      if (String(err).includes('UNIQUE')) throw new AdminRefused('conflict', `there is a tag "${body.name}" already: merge the two instead`);
      throw err;
    });
  }
  return (await listTags(deps.db, who.workspaceId)).find((t) => t.id === tag.id) ?? { ...tagView(next), cases: 0 };
}

/**
 * Merges tag `id` into `into`: every case that carries `id` carries `into` afterwards, and `id` is
 * gone. A case tagged between the read and the batch loses `id` without gaining `into`: the batch
 * moves the cases it read and then deletes what is left.
 */
export async function mergeTag(deps: Deps, who: Actor, id: string, into: string): Promise<TagCount> {
  if (id === into) throw new AdminRefused('bad_request', 'a tag cannot be merged into itself');
  const [from, target] = await Promise.all([tagOf(deps.db, who.workspaceId, id), tagOf(deps.db, who.workspaceId, into)]);
  const [onFrom, onTarget] = await deps.db.batch([
    deps.db.select({ caseId: caseTags.caseId }).from(caseTags).where(eq(caseTags.tagId, from.id)),
    deps.db
      .select({ caseId: caseTags.caseId })
      .from(caseTags)
      .where(and(eq(caseTags.tagId, target.id), inArray(caseTags.caseId, deps.db.select({ id: caseTags.caseId }).from(caseTags).where(eq(caseTags.tagId, from.id))))),
  ]);
  const both = new Set(onTarget.map((r) => r.caseId));
  const moving = onFrom.map((r) => r.caseId).filter((c) => !both.has(c));
  const writes: Write[] = [
    ...slices(moving, ID_SLICE).map((ids) => update('caseTags', { tagId: from.id, caseId: { $in: ids } }, { tagId: target.id })),
    remove('caseTags', { tagId: from.id }),
    remove('tags', { id: from.id }),
  ];
  await commit(deps, change(who, writes, from.id, null, target, 'merge', { name: [from.name, null], mergedInto: [null, target.name], cases: [onFrom.length, null] }));
  return (await listTags(deps.db, who.workspaceId)).find((t) => t.id === target.id) ?? { ...tagView(target), cases: 0 };
}

/** Deletes a tag and takes it off every case. */
export async function deleteTag(deps: Deps, who: Actor, id: string): Promise<void> {
  const tag = await tagOf(deps.db, who.workspaceId, id);
  await commit(deps, change(who, [remove('caseTags', { tagId: tag.id }), remove('tags', { id: tag.id })], tag.id, null, null, 'delete', { name: [tag.name, null], color: [tag.color, null] }));
}
