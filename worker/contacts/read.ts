// What the customer panel shows, read from D1: the contact the asked one was merged into (following
// merged_into_id as case merges are followed), every address merged into that one, the organisation
// of their domain and all their cases.
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { cases, contacts, organisations, type Organisation } from '../db/schema.ts';
import type { Db } from '../db/client.ts';
import { CUSTOMER_CASES_MAX, domainOf, isFreemail, type ContactView, type CustomerView, type OrganisationView } from '../protocol/customer.ts';

export type Contact = typeof contacts.$inferSelect;

/** Chains are flattened by each merge; this bounds a walk over one that two racing merges looped. */
const CHAIN_MAX = 16;

export function contactView(c: Contact): ContactView {
  return { id: c.id, email: c.email, name: c.name, phone: c.phone, note: c.note, mergedIntoId: c.mergedIntoId };
}

export async function contactOf(db: Db, workspaceId: string, id: string): Promise<Contact | undefined> {
  return db
    .select()
    .from(contacts)
    .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, id)))
    .get();
}

/** The contacts from `start` along merged_into_id, `start` first; stops at a loop or a missing row. */
export async function chainOf(db: Db, workspaceId: string, start: Contact): Promise<Contact[]> {
  const chain = [start];
  const seen = new Set([start.id]);
  let at = start;
  while (at.mergedIntoId && !seen.has(at.mergedIntoId) && chain.length < CHAIN_MAX) {
    const next = await contactOf(db, workspaceId, at.mergedIntoId);
    if (!next) break;
    chain.push(next);
    seen.add(next.id);
    at = next;
  }
  return chain;
}

/** The survivor and every contact whose chain leads to it, the survivor first. */
export async function groupOf(db: Db, workspaceId: string, root: Contact): Promise<Contact[]> {
  const group = [root];
  const seen = new Set([root.id]);
  let frontier = [root.id];
  for (let depth = 0; frontier.length && depth < CHAIN_MAX; depth++) {
    const rows = await db
      .select()
      .from(contacts)
      .where(and(eq(contacts.workspaceId, workspaceId), inArray(contacts.mergedIntoId, frontier)))
      .orderBy(contacts.createdAt);
    const fresh = rows.filter((r) => !seen.has(r.id));
    for (const r of fresh) seen.add(r.id);
    group.push(...fresh);
    frontier = fresh.map((r) => r.id);
  }
  return group;
}

/** The domain the person's organisation is known by: the first address not at a free mail service. */
export function orgDomainOf(group: Contact[]): string | null {
  for (const c of group) {
    const d = domainOf(c.email);
    if (d && !isFreemail(d)) return d;
  }
  return null;
}

export function organisationView(domain: string, org: Organisation | undefined): OrganisationView {
  return org ? { id: org.id, domain, name: org.name, note: org.note } : { id: null, domain, name: domain, note: '' };
}

export async function organisationOf(db: Db, workspaceId: string, domain: string): Promise<Organisation | undefined> {
  return db
    .select()
    .from(organisations)
    .where(and(eq(organisations.workspaceId, workspaceId), eq(organisations.domain, domain)))
    .get();
}

/** The panel for contact `id`; undefined when the workspace has no such contact. */
export async function customerView(db: Db, workspaceId: string, id: string): Promise<CustomerView | undefined> {
  const asked = await contactOf(db, workspaceId, id);
  if (!asked) return undefined;
  const chain = await chainOf(db, workspaceId, asked);
  const root = chain.at(-1)!;
  const group = await groupOf(db, workspaceId, root);
  const ids = group.map((c) => c.id);
  const domain = orgDomainOf(group);
  const open = sql<number>`CASE WHEN ${cases.status} IN ('new', 'open', 'pending') THEN 0 ELSE 1 END`;
  const mine = and(eq(cases.workspaceId, workspaceId), inArray(cases.contactId, ids), sql`${cases.mergedIntoId} IS NULL`);
  const [rows, counted, orgs] = await db.batch([
    db
      .select({ id: cases.id, number: cases.number, subject: cases.subject, status: cases.status, lastMessageAt: cases.lastMessageAt, contactId: cases.contactId })
      .from(cases)
      .where(mine)
      .orderBy(open, desc(cases.lastMessageAt), desc(cases.number))
      .limit(CUSTOMER_CASES_MAX),
    db.select({ n: sql<number>`count(*)` }).from(cases).where(mine),
    db
      .select()
      .from(organisations)
      .where(and(eq(organisations.workspaceId, workspaceId), eq(organisations.domain, domain ?? '')))
      .limit(1),
  ]);
  const emails = new Map(group.map((c) => [c.id, c.email]));
  return {
    contact: contactView(root),
    addresses: group.map(contactView),
    organisation: domain ? organisationView(domain, orgs[0]) : null,
    cases: rows.map((r) => ({ id: r.id, number: r.number, subject: r.subject, status: r.status, lastMessageAt: r.lastMessageAt, email: emails.get(r.contactId ?? '') ?? '' })),
    caseCount: counted[0]?.n ?? 0,
  };
}

/** The workspace's contact with this address (addresses are stored lower case). */
export async function contactIdByEmail(db: Db, workspaceId: string, email: string): Promise<string | undefined> {
  const row = await db
    .select({ id: contacts.id })
    .from(contacts)
    .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.email, email.trim().toLowerCase())))
    .get();
  return row?.id;
}

/** The contact of a case, for the panel opened on it. */
export async function contactIdOfCase(db: Db, workspaceId: string, caseId: string): Promise<string | null | undefined> {
  const row = await db
    .select({ contactId: cases.contactId })
    .from(cases)
    .where(and(eq(cases.workspaceId, workspaceId), eq(cases.id, caseId)))
    .get();
  return row ? row.contactId : undefined;
}
