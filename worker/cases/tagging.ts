// Tags on a case: the `tags` edit adds and removes tags by name. A name the workspace has no tag for
// yet creates the tag in the same commit. Pure: the case's tags and the named ones are facts.
import type { Tag } from '../db/schema.ts';
import { tagKey, tagName, type TagView } from '../protocol/work.ts';
import { insert, remove, type Write } from '../changes/change.ts';
import { CaseActionError } from './errors.ts';
import type { CaseFacts, CaseStep, PlanContext } from './plan.ts';

/** New tags get one of these, by their name: the same name always starts with the same colour. */
const PALETTE = ['#2563eb', '#16a34a', '#d97706', '#dc2626', '#7c3aed', '#0891b2', '#db2777', '#4b5563'] as const;

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

function fnv(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function base32(n: number, digits: number): string {
  let out = '';
  for (let i = 0; i < digits; i++) {
    out = ALPHABET[n % 32] + out;
    n = Math.floor(n / 32);
  }
  return out;
}

/**
 * The id a tag created at `now` gets. Derived, not random: the planners of one bulk action (one
 * `now`) all name the new tag by the same id, so its events agree; the time part keeps a tag made
 * again later under a freed name from meeting the old id.
 */
export function newTagId(workspaceId: string, key: string, now: number): string {
  const text = `${workspaceId}\u0000${key}`;
  return `tag_${base32(Math.floor(now), 10)}${base32(fnv(text, 0x811c9dc5) % 32 ** 6, 6)}${base32(fnv(text, 0x9747b28c) % 32 ** 6, 6)}`;
}

export function colorFor(key: string): string {
  return PALETTE[fnv(key, 0x811c9dc5) % PALETTE.length]!;
}

export function tagView(t: Pick<Tag, 'id' | 'name' | 'color'>): TagView {
  return { id: t.id, name: t.name, color: t.color };
}

function validName(name: string): string {
  const parsed = tagName.safeParse(name);
  if (!parsed.success) throw new CaseActionError('bad_request', parsed.error.issues[0]?.message ?? 'not a tag name');
  return parsed.data;
}

/** The tag keys a `tags` edit names, for the facts to read. */
export function namedTagKeys(edits: Array<{ kind: string; add?: string[]; remove?: string[] }>): string[] {
  return [...new Set(edits.flatMap((e) => (e.kind === 'tags' ? [...(e.add ?? []), ...(e.remove ?? [])].map(tagKey) : [])))];
}

/** Adds and removes tags; adding one the case has, or removing one it has not, changes nothing. */
export function planTags(facts: CaseFacts, edit: { add: string[]; remove: string[] }, ctx: PlanContext): CaseStep {
  const kase = facts.kase;
  const ws = kase.workspaceId;
  const current = facts.tags ?? [];
  const named = facts.namedTags ?? [];
  const adds = new Map(edit.add.map((n) => validName(n)).map((n) => [tagKey(n), n]));
  const removes = new Set(edit.remove.map((n) => tagKey(validName(n))));
  const both = [...adds.keys()].find((k) => removes.has(k));
  if (both) throw new CaseActionError('bad_request', `"${adds.get(both)}" is both added and removed`);
  const has = new Set(current.map((t) => t.key));
  const writes: Write[] = [];
  const after = current.filter((t) => !removes.has(t.key));
  for (const t of current) if (removes.has(t.key)) writes.push(remove('caseTags', { caseId: kase.id, tagId: t.id }));
  const addedBy = ctx.by.id ?? 'local';
  for (const [key, name] of adds) {
    if (has.has(key)) continue;
    let tag: Tag | undefined = named.find((t) => t.key === key && t.workspaceId === ws);
    if (!tag) {
      tag = { id: newTagId(ws, key, ctx.now), workspaceId: ws, name, key, color: colorFor(key), createdAt: ctx.now };
      // Another change may create the same name first: then its row stays, and the link below finds it by key.
      writes.push(insert('tags', tag, 'ignore'));
    }
    writes.push(insert('caseTags', { caseId: kase.id, tagId: { $tagId: { workspaceId: ws, key } }, workspaceId: ws, addedAt: ctx.now, addedBy }, 'ignore'));
    after.push(tag);
  }
  if (writes.length === 0) return {};
  after.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { changes: { tags: after.map(tagView) }, more: { writes } };
}
