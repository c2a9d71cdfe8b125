// The customer panel of a case: the contact (with the addresses merged into it), their organisation
// by email domain, and their cases. Shared with the web app.
import { z } from 'zod';
import type { CaseStatus } from './constants.ts';

/** Mail services whose users share a domain with strangers: their addresses name no organisation. */
export const FREEMAIL_DOMAINS: ReadonlySet<string> = new Set([
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'hotmail.co.uk',
  'live.com',
  'msn.com',
  'yahoo.com',
  'yahoo.co.uk',
  'yahoo.fr',
  'yahoo.de',
  'ymail.com',
  'aol.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'proton.me',
  'protonmail.com',
  'pm.me',
  'gmx.com',
  'gmx.de',
  'gmx.net',
  'web.de',
  'mail.com',
  'mail.ru',
  'yandex.com',
  'yandex.ru',
  'zoho.com',
  'fastmail.com',
  'tutanota.com',
  'hey.com',
  'qq.com',
  '163.com',
  '126.com',
  'naver.com',
]);

/** The lower-case domain of an address, or '' when it has none. */
export function domainOf(email: string): string {
  const at = email.lastIndexOf('@');
  return at === -1
    ? ''
    : email
        .slice(at + 1)
        .trim()
        .toLowerCase();
}

export function isFreemail(domain: string): boolean {
  return FREEMAIL_DOMAINS.has(domain.toLowerCase());
}

export interface ContactView {
  id: string;
  email: string;
  name: string;
  phone: string;
  note: string;
  mergedIntoId: string | null;
}

export interface OrganisationView {
  /** Null until someone first edits it. */
  id: string | null;
  domain: string;
  name: string;
  note: string;
}

export interface CustomerCase {
  id: string;
  number: number;
  subject: string;
  status: CaseStatus;
  lastMessageAt: number;
  /** The address of the contact the case belongs to. */
  email: string;
}

/** At most this many cases are listed; `caseCount` counts them all. */
export const CUSTOMER_CASES_MAX = 50;

export interface CustomerView {
  /** The person: the contact the asked one was merged into (itself when it was not). */
  contact: ContactView;
  /** Every address of the person, the survivor first. */
  addresses: ContactView[];
  /** Null for a free mail domain (or no domain). */
  organisation: OrganisationView | null;
  /** Open cases first, then the most recent. */
  cases: CustomerCase[];
  caseCount: number;
}

const text = (max: number, what: string) => z.string().max(max, `${what} is at most ${max} characters`);

export const patchContactBody = z
  .object({ name: text(200, 'a name').optional(), phone: text(50, 'a phone number').optional(), note: text(5000, 'a note').optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'name at least one of name, phone, note');

export const organisationBody = z
  .object({ name: text(200, 'a name').trim().min(1, 'an organisation needs a name').optional(), note: text(5000, 'a note').optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'name at least one of name, note');

export const mergeContactBody = z.object({ into: z.string().min(1, 'name the contact to merge into') }).strict();

/** A domain as organisations are keyed: lower case, no @, letters, digits, dots and hyphens. */
export const domainParam = z
  .string()
  .transform((d) => d.trim().toLowerCase())
  .pipe(z.string().regex(/^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/, 'not a domain name'));

export const contactQuery = z.object({ email: z.string().trim().min(3, 'name an email address').max(320, 'not an email address').includes('@', { message: 'not an email address' }) });
