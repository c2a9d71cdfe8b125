import { asc, eq, inArray } from 'drizzle-orm';
import { cases, mailboxes, type Mailbox } from '../schema.ts';
import type { Db } from '../../deps.ts';
import { REPLY_LOCAL_PART, tokenFromAddress, verifyReplyToken } from '../../mail/tokens.ts';
import { normalizeEmail } from '../../ingest/text.ts';

/**
 * The mailbox a recipient address belongs to:
 *  - the address itself (support@acme.test);
 *  - a plus-addressed variant of it (support+billing@acme.test);
 *  - a reply address we issued (reply+<token>@acme.test): the mailbox of the case the token names,
 *    or, when the token does not verify, the oldest mailbox on that domain (threading then falls
 *    through to the other rules; a mangled token must not bounce a customer's reply).
 */
export async function resolveMailbox(db: Db, recipient: string, replyTokenKey: string): Promise<Mailbox | null> {
  return (await resolveMailboxWithAddresses(db, recipient, replyTokenKey))?.mailbox ?? null;
}

/**
 * resolveMailbox, and every address of that mailbox's workspace (mail from one of them is a loop).
 * The common case, mail to a mailbox's own address, takes one round trip for both.
 */
export async function resolveMailboxWithAddresses(db: Db, recipient: string, replyTokenKey: string): Promise<Resolved | null> {
  const address = normalizeEmail(recipient);
  if (!address.includes('@')) return null;
  const sameWorkspace = db.select({ id: mailboxes.workspaceId }).from(mailboxes).where(eq(mailboxes.address, address));
  const [exact, own] = await db.batch([
    db.select().from(mailboxes).where(eq(mailboxes.address, address)),
    db.select({ address: mailboxes.address }).from(mailboxes).where(inArray(mailboxes.workspaceId, sameWorkspace)),
  ]);
  if (exact[0]) return { mailbox: exact[0], ownAddresses: own.map((r) => r.address) };
  const mailbox = await resolveOther(db, address, replyTokenKey);
  return mailbox ? { mailbox, ownAddresses: await workspaceAddresses(db, mailbox.workspaceId) } : null;
}

// ---- a short memory of resolved recipients ---------------------------------------------------

/** A mailbox as the email handler resolved it: the row and its workspace's addresses. */
export interface Resolved {
  mailbox: Mailbox;
  ownAddresses: string[];
}

const recent = new Map<string, Resolved & { at: number }>();
/** How long an isolate trusts what it resolved: at most this long after an admin's change. */
export const RECENT_MAILBOX_MS = 60_000;
const RECENT_MAX = 256;

/**
 * An enabled mailbox this isolate resolved for this recipient in the last minute. The email handler
 * uses it only to accept mail without a round trip first: the pipeline works from the mailbox row
 * read again together with the message's insert, and every refusal is decided on fresh rows.
 */
export function recentMailbox(recipient: string, now: number): Resolved | null {
  const key = normalizeEmail(recipient);
  const hit = recent.get(key);
  if (!hit) return null;
  if (now - hit.at >= RECENT_MAILBOX_MS || now < hit.at) {
    recent.delete(key);
    return null;
  }
  return { mailbox: hit.mailbox, ownAddresses: hit.ownAddresses };
}

export function rememberMailbox(recipient: string, resolved: Resolved, now: number): void {
  const key = normalizeEmail(recipient);
  recent.delete(key);
  if (!resolved.mailbox.enabled) return;
  recent.set(key, { ...resolved, at: now });
  while (recent.size > RECENT_MAX) recent.delete(recent.keys().next().value!);
}

export function forgetMailbox(recipient: string): void {
  recent.delete(normalizeEmail(recipient));
}

/** A recipient that is not a mailbox's own address: plus-addressing and our reply addresses. */
async function resolveOther(db: Db, address: string, replyTokenKey: string): Promise<Mailbox | null> {
  const [local = '', domain = ''] = address.split('@');
  if (!domain) return null;
  const plus = local.indexOf('+');
  if (plus === -1) return null;
  const base = await db
    .select()
    .from(mailboxes)
    .where(eq(mailboxes.address, `${local.slice(0, plus)}@${domain}`))
    .get();
  if (base) return base;
  if (local.slice(0, plus) !== REPLY_LOCAL_PART) return null;
  const token = tokenFromAddress(address);
  if (token) {
    const check = await verifyReplyToken(replyTokenKey, token);
    if (check.ok) {
      const row = await db.select({ mailbox: mailboxes }).from(cases).innerJoin(mailboxes, eq(cases.mailboxId, mailboxes.id)).where(eq(cases.id, check.caseId)).get();
      if (row?.mailbox.address.endsWith(`@${domain}`)) return row.mailbox;
    }
  }
  const onDomain = await db.select().from(mailboxes).where(eq(mailboxes.enabled, true)).orderBy(asc(mailboxes.createdAt));
  return onDomain.find((m) => m.address.endsWith(`@${domain}`)) ?? null;
}

/** Every address a workspace receives at: mail from one of them is a loop. */
export async function workspaceAddresses(db: Db, workspaceId: string): Promise<string[]> {
  return (await workspaceAddressesQuery(db, workspaceId)).map((r) => r.address);
}

/** workspaceAddresses as a query, for a caller's batch. */
export function workspaceAddressesQuery(db: Db, workspaceId: string) {
  return db.select({ address: mailboxes.address }).from(mailboxes).where(eq(mailboxes.workspaceId, workspaceId));
}

/** A mailbox by id, for a caller's batch. */
export function mailboxQuery(db: Db, id: string) {
  return db.select().from(mailboxes).where(eq(mailboxes.id, id)).limit(1);
}
