// The customer panel's writes as gather → plan → commit (the rules are in contacts/plan.ts).
import { commit } from '../changes/commit.ts';
import type { Deps } from '../deps.ts';
import { isFreemail, type CustomerView, type OrganisationView } from '../protocol/customer.ts';
import { AdminRefused } from '../admin/errors.ts';
import { chainOf, contactOf, customerView, groupOf, organisationOf, organisationView } from './read.ts';
import { contactMergeRefusal, planContactEdit, planContactMerge, planOrganisationEdit, type Who } from './plan.ts';

async function found(deps: Deps, who: Who, id: string) {
  const c = await contactOf(deps.db, who.workspaceId, id);
  if (!c) throw new AdminRefused('not_found', 'no such contact in this workspace');
  return c;
}

async function panel(deps: Deps, who: Who, id: string): Promise<CustomerView> {
  const view = await customerView(deps.db, who.workspaceId, id);
  if (!view) throw new AdminRefused('not_found', 'no such contact in this workspace');
  return view;
}

/** Edits the contact's name, phone or note; answers the panel as it is now. */
export async function editContact(deps: Deps, who: Who, id: string, body: { name?: string; phone?: string; note?: string }): Promise<CustomerView> {
  const contact = await found(deps, who, id);
  const root = (await chainOf(deps.db, who.workspaceId, contact)).at(-1)!;
  const group = await groupOf(deps.db, who.workspaceId, root);
  const change = planContactEdit(
    contact,
    group.map((c) => c.id),
    body,
    who,
  );
  if (change) await commit(deps, change);
  return panel(deps, who, id);
}

/** Edits (or creates) the organisation of `domain`; a free mail domain has none. */
export async function editOrganisation(deps: Deps, who: Who, domain: string, body: { name?: string; note?: string }): Promise<OrganisationView> {
  if (isFreemail(domain)) throw new AdminRefused('bad_request', `${domain} is a free mail service: its addresses belong to no organisation`);
  const org = await organisationOf(deps.db, who.workspaceId, domain);
  const change = planOrganisationEdit(domain, org, body, who, `org_${crypto.randomUUID().replaceAll('-', '')}`);
  if (change) await commit(deps, change);
  return organisationView(domain, await organisationOf(deps.db, who.workspaceId, domain));
}

/** Merges contact `id` into `into` (the survivor); answers the survivor's panel. */
export async function mergeContact(deps: Deps, who: Who, id: string, into: string): Promise<CustomerView> {
  if (id === into) throw new AdminRefused('bad_request', 'a contact cannot be merged into itself');
  const [from, target] = await Promise.all([found(deps, who, id), found(deps, who, into)]);
  const intoChain = await chainOf(deps.db, who.workspaceId, target);
  const refusal = contactMergeRefusal(from, target, intoChain);
  if (refusal) throw new AdminRefused('bad_request', refusal);
  const root = intoChain.at(-1)!;
  const [fromGroup, intoGroup] = await Promise.all([groupOf(deps.db, who.workspaceId, from), groupOf(deps.db, who.workspaceId, root)]);
  const ids = [...new Set([...intoGroup, ...fromGroup].map((c) => c.id))];
  await commit(deps, planContactMerge(from, target, ids, who));
  return panel(deps, who, into);
}
