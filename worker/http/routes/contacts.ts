// /api/contacts and /api/organisations: the customer panel of a case. The rules are in
// worker/contacts/ (read.ts, plan.ts, write.ts); these handlers validate, call and map refusals.
import { Hono, type Context } from 'hono';
import { AdminRefused } from '../../admin/errors.ts';
import { contactIdByEmail, contactIdOfCase, customerView } from '../../contacts/read.ts';
import { editContact, editOrganisation, mergeContact } from '../../contacts/write.ts';
import type { Who } from '../../contacts/plan.ts';
import { contactQuery, domainParam, mergeContactBody, organisationBody, patchContactBody, type CustomerView } from '../../protocol/customer.ts';
import type { AppEnv } from '../env.ts';
import { ApiFailure } from '../errors.ts';
import { parseBody, parseQuery } from '../validate.ts';

export const contactRoutes = new Hono<AppEnv>();
export const organisationRoutes = new Hono<AppEnv>();

function who(c: Context<AppEnv>): Who {
  return { workspaceId: c.var.workspaceId, actor: c.var.actor, now: c.var.deps.now() };
}

function refused(err: unknown): never {
  if (err instanceof AdminRefused) throw new ApiFailure(err.code, err.message, err.issues);
  throw err;
}

/** The panel of the contact with this address (`?email=`), to find the other address of a person. */
contactRoutes.get('/', async (c) => {
  const q = parseQuery(c, contactQuery);
  const id = await contactIdByEmail(c.var.deps.db, c.var.workspaceId, q.email);
  const view = id ? await customerView(c.var.deps.db, c.var.workspaceId, id) : undefined;
  if (!view) throw new ApiFailure('not_found', `no contact with the address ${q.email} in this workspace`);
  return c.json(view satisfies CustomerView);
});

/** The panel of a case's contact; 404 when the case has none. */
contactRoutes.get('/of-case/:caseId', async (c) => {
  const id = await contactIdOfCase(c.var.deps.db, c.var.workspaceId, c.req.param('caseId'));
  if (id === undefined) throw new ApiFailure('not_found', 'case not found');
  if (id === null) throw new ApiFailure('not_found', 'this case has no contact');
  const view = await customerView(c.var.deps.db, c.var.workspaceId, id);
  if (!view) throw new ApiFailure('not_found', 'no such contact in this workspace');
  return c.json(view satisfies CustomerView);
});

contactRoutes.get('/:id', async (c) => {
  const view = await customerView(c.var.deps.db, c.var.workspaceId, c.req.param('id'));
  if (!view) throw new ApiFailure('not_found', 'no such contact in this workspace');
  return c.json(view satisfies CustomerView);
});

contactRoutes.patch('/:id', async (c) => {
  const body = await parseBody(c, patchContactBody);
  return c.json((await editContact(c.var.deps, who(c), c.req.param('id'), body).catch(refused)) satisfies CustomerView);
});

/** Contact :id becomes an address of `into` (the survivor). */
contactRoutes.post('/:id/merge', async (c) => {
  const body = await parseBody(c, mergeContactBody);
  return c.json((await mergeContact(c.var.deps, who(c), c.req.param('id'), body.into).catch(refused)) satisfies CustomerView);
});

async function saveOrganisation(c: Context<AppEnv>) {
  const domain = domainParam.safeParse(c.req.param('domain'));
  if (!domain.success) throw new ApiFailure('bad_request', 'not a domain name', domain.error.issues);
  const body = await parseBody(c, organisationBody);
  return c.json(await editOrganisation(c.var.deps, who(c), domain.data, body).catch(refused));
}

/** Creates the domain's organisation on its first edit; PUT and PATCH both set only the fields given. */
organisationRoutes.patch('/:domain', saveOrganisation);
organisationRoutes.put('/:domain', saveOrganisation);
