// The customer panel's writes as Changes: a contact's name, phone and note; an organisation's name
// and note (created by its first edit); one contact merged into another. Pure: the rows read are facts.
import { insert, update, type Change, type Write } from '../changes/change.ts';
import { newId } from '../protocol/ids.ts';
import type { AuditEntity } from '../protocol/admin.ts';

export interface Who {
  workspaceId: string;
  /** The agent's id ('local' in open mode). */
  actor: string;
  now: number;
}

interface ContactFacts {
  id: string;
  workspaceId: string;
  email: string;
  name: string;
  phone: string;
  note: string;
  mergedIntoId: string | null;
}

interface OrgFacts {
  id: string;
  name: string;
  note: string;
}

type Fields = Record<string, [unknown, unknown]>;

function changed(before: Record<string, string>, after: Record<string, string | undefined>): Fields {
  const out: Fields = {};
  for (const [k, v] of Object.entries(after)) if (v !== undefined && before[k] !== v) out[k] = [before[k] ?? null, v];
  return out;
}

function audit(who: Who, entity: AuditEntity, entityId: string, action: string, changes: Fields): Write {
  return insert('auditLog', { id: newId('audit', who.now), workspaceId: who.workspaceId, actor: who.actor, entity, entityId, action, changes: JSON.stringify(changes), at: who.now });
}

function announced(who: Who, writes: Write[], contactIds: string[], domain: string | null): Change {
  return {
    workspaceId: who.workspaceId,
    writes,
    events: [{ caseId: null, actor: `agent:${who.actor}`, body: { type: 'contact.updated', caseId: null, contactIds, domain } }],
    outgoing: [],
    blobs: [],
  };
}

/** Sets what changed of name, phone and note; null when nothing would. `group` is every address of the person, for the event. */
export function planContactEdit(contact: ContactFacts, group: string[], body: { name?: string; phone?: string; note?: string }, who: Who): Change | null {
  const fields = changed({ name: contact.name, phone: contact.phone, note: contact.note }, { name: body.name?.trim(), phone: body.phone?.trim(), note: body.note });
  if (Object.keys(fields).length === 0) return null;
  const set = Object.fromEntries(Object.entries(fields).map(([k, [, v]]) => [k, v]));
  return announced(who, [update('contacts', { id: contact.id, workspaceId: who.workspaceId }, { ...set, updatedAt: who.now }), audit(who, 'contact', contact.id, 'update', fields)], group, null);
}

/**
 * Sets the organisation's name or note, creating it (named after its domain unless a name is given)
 * when the domain has none yet. The insert upserts on the domain, so two first edits racing each
 * other both land on one row.
 */
export function planOrganisationEdit(domain: string, org: OrgFacts | undefined, body: { name?: string; note?: string }, who: Who, newOrgId: string): Change | null {
  const before = org ?? { id: newOrgId, name: domain, note: '' };
  const fields = changed({ name: before.name, note: before.note }, { name: body.name, note: body.note });
  if (org && Object.keys(fields).length === 0) return null;
  const set = { ...(body.name !== undefined ? { name: body.name } : {}), ...(body.note !== undefined ? { note: body.note } : {}), updatedAt: who.now };
  const write = org
    ? update('organisations', { id: org.id, workspaceId: who.workspaceId }, set)
    : insert(
        'organisations',
        { id: newOrgId, workspaceId: who.workspaceId, domain, name: body.name ?? domain, note: body.note ?? '', createdAt: who.now, updatedAt: who.now },
        { target: ['workspaceId', 'domain'], set },
      );
  return announced(who, [write, audit(who, 'organisation', before.id, org ? 'update' : 'create', org ? fields : { domain: [null, domain], ...fields })], [], domain);
}

/**
 * Why `from` cannot be merged into `into`, or null. `intoChain` is `into` and the contacts its
 * merged_into_id leads to: meeting `from` there would make a loop.
 */
export function contactMergeRefusal(from: ContactFacts, into: ContactFacts, intoChain: ContactFacts[]): string | null {
  if (from.id === into.id) return 'a contact cannot be merged into itself';
  if (from.workspaceId !== into.workspaceId) return 'contacts of different workspaces cannot be merged';
  if (from.mergedIntoId) return `${from.email} was merged into another contact already; merge that one`;
  if (intoChain.some((c) => c.id === from.id)) return `${into.email} is merged into ${from.email} already: merging back would make a loop`;
  return null;
}

/**
 * `from` becomes an address of `into`'s person: from.merged_into_id = into, and the addresses merged
 * into `from` before now point at `into` too (chains stay one step long; reads follow them anyway).
 * `from` keeps its row, so mail from its address still finds it. The update of `from` holds only
 * while it is not merged yet, so a merge racing another one on the same contact changes nothing.
 */
export function planContactMerge(from: ContactFacts, into: ContactFacts, contactIds: string[], who: Who): Change {
  const ws = who.workspaceId;
  return announced(
    who,
    [
      update('contacts', { workspaceId: ws, mergedIntoId: from.id }, { mergedIntoId: into.id, updatedAt: who.now }),
      update('contacts', { workspaceId: ws, id: from.id, mergedIntoId: null }, { mergedIntoId: into.id, updatedAt: who.now }),
      audit(who, 'contact', from.id, 'merge', { mergedInto: [null, into.id], email: [from.email, into.email] }),
    ],
    contactIds,
    null,
  );
}
