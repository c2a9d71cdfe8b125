// The customer panel: the contact of a case with their organisation and cases, and its edits.
import type { CustomerView, OrganisationView } from '../../../worker/protocol/customer.ts';
import { request, sendJson } from './request.ts';

const enc = encodeURIComponent;

export function customerOfCase(caseId: string): Promise<CustomerView> {
  return request(`/api/contacts/of-case/${enc(caseId)}`);
}

export function editContact(id: string, body: { name?: string; phone?: string; note?: string }): Promise<CustomerView> {
  return sendJson('PATCH', `/api/contacts/${enc(id)}`, body);
}

export function editOrganisation(domain: string, body: { name?: string; note?: string }): Promise<OrganisationView> {
  return sendJson('PUT', `/api/organisations/${enc(domain)}`, body);
}

/** The person with this address, or a 404. */
export function customerByEmail(email: string): Promise<CustomerView> {
  return request(`/api/contacts?${new URLSearchParams({ email })}`);
}

/** Contact `id` becomes an address of `into`. */
export function mergeContact(id: string, into: string): Promise<CustomerView> {
  return sendJson('POST', `/api/contacts/${enc(id)}/merge`, { into });
}
