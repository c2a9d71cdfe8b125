// store: turns a decision into one D1 batch (D1 has no interactive transactions; a batch is atomic),
// with the events row that tells agents about it. Attachment bytes go to R2 first, under keys derived
// from the inbound id, so a retried run overwrites rather than piles up.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { agents, attachments, cases, outbox, outboxRecipients, type Case, contacts, events, inbound, messages, participants, workspaces, type Mailbox } from '../db/schema.ts';
import type { Db } from '../deps.ts';
import { derivedId, newId } from '../protocol/ids.ts';
import type { AddressView, CaseStatus, InboundStatus, MessageKind } from '../protocol/api.ts';
import type { EventBody, ServerEvent } from '../protocol/events.ts';
import { caseSummary } from '../cases/views.ts';
import { pickAssignee } from '../admin/assign.ts';
import { slaContextFor } from '../sla/apply.ts';
import { slaOnCreate, slaTransition, type SlaColumns, type SlaContext } from '../sla/transition.ts';
import type { ParsedAttachment, ParsedMail } from './parse.ts';
import type { Decision, Flood } from './decide.ts';
import type { Classification } from './classify.ts';
import type { AuthResult } from './authenticate.ts';
import { describeBounce, isPermanent, type BounceReport } from './bounce.ts';
import type { ThreadFacts } from './thread.ts';
import { sha256Hex } from './text.ts';
import { statementWrite, type Blob, type Change, type Staged, type Write } from '../changes/change.ts';
import { write } from '../changes/commit.ts';
import { mailboxQuery } from '../db/queries/mailboxes.ts';

type Stmt = BatchItem<'sqlite'>;

/** The batch of one outcome with its events, through the one write path (published by the pipeline). */
async function writeWithEvents(ctx: Pick<StoreContext, 'db' | 'raw' | 'mailbox' | 'now'>, stmts: Stmt[], caseId: string | null, actor: string, bodies: EventBody[], extra?: ExtraResult): Promise<ServerEvent[]> {
  const change: Change = {
    workspaceId: ctx.mailbox.workspaceId,
    writes: [...stmts.map(statementWrite), ...(extra?.writes ?? [])],
    events: bodies.map((body) => ({ caseId, actor, body })),
    outgoing: [],
    blobs: extra?.blobs ?? [],
  };
  return (await write({ db: ctx.db, now: () => ctx.now, raw: ctx.raw }, change, ctx.now)).events;
}

// ---- lookups the threading stage needs -------------------------------------------------------

export async function threadFacts(
  db: Db,
  workspaceId: string,
  ids: string[],
  tag: number | null,
  token: { caseId: string } | { rejected: string } | null,
  /** Further cases whose participants are needed (found by other means, e.g. our markers). */
  extraCaseIds: string[] = [],
): Promise<ThreadFacts> {
  const caseByMessageId: Record<string, string> = {};
  const uniq = [...new Set(ids)].slice(0, 100);
  // The lookups are independent: one round trip's worth of waiting instead of four.
  const [stored, sent, tagged, tokenCase] = await Promise.all([
    uniq.length
      ? db.select({ rfc: messages.rfcMessageId, caseId: messages.caseId }).from(messages).where(and(eq(messages.workspaceId, workspaceId), inArray(messages.rfcMessageId, uniq)))
      : Promise.resolve([]),
    // Mail we sent: Cloudflare may give it a Message-ID of its own, which we recorded on delivery.
    uniq.length
      ? db
          .select({ id: outboxRecipients.providerMessageId, caseId: outboxRecipients.caseId })
          .from(outboxRecipients)
          .innerJoin(outbox, eq(outbox.id, outboxRecipients.outboxId))
          .where(and(eq(outbox.workspaceId, workspaceId), inArray(outboxRecipients.providerMessageId, uniq)))
      : Promise.resolve([]),
    tag !== null ? db.select({ id: cases.id }).from(cases).where(and(eq(cases.workspaceId, workspaceId), eq(cases.number, tag))).get() : Promise.resolve(undefined),
    token && 'caseId' in token ? db.select({ id: cases.id }).from(cases).where(and(eq(cases.id, token.caseId), eq(cases.workspaceId, workspaceId))).get() : Promise.resolve(undefined),
  ]);
  for (const r of stored) if (r.rfc && !caseByMessageId[r.rfc]) caseByMessageId[r.rfc] = r.caseId;
  for (const r of sent) if (r.id && r.caseId && !caseByMessageId[r.id]) caseByMessageId[r.id] = r.caseId;
  const caseByTag = tagged?.id ?? null;
  let tokenFact = token;
  if (token && 'caseId' in token && !tokenCase) tokenFact = { rejected: 'token names a case that does not exist here' };
  const caseIds = new Set<string>([...Object.values(caseByMessageId), ...extraCaseIds]);
  if (caseByTag) caseIds.add(caseByTag);
  if (tokenFact && 'caseId' in tokenFact) caseIds.add(tokenFact.caseId);
  const participantsByCase: Record<string, string[]> = {};
  if (caseIds.size) {
    const rows = await db.select({ caseId: participants.caseId, email: participants.email }).from(participants).where(inArray(participants.caseId, [...caseIds]));
    for (const r of rows) (participantsByCase[r.caseId] ??= []).push(r.email);
  }
  return { token: tokenFact, caseByMessageId, caseByTag, participants: participantsByCase };
}

// ---- attachments -----------------------------------------------------------------------------

export interface AttachmentPlan {
  row: typeof attachments.$inferInsert;
  content: Uint8Array | null;
}

function typeAllowed(type: string, allowed: string[]): boolean {
  if (allowed.length === 0) return true;
  return allowed.some((a) => (a.endsWith('/*') ? type.startsWith(a.slice(0, -1)) : type === a));
}

/** Applies the mailbox's attachment policy. Inline images do not count towards the maximum number. */
export async function planAttachments(list: ParsedAttachment[], mailbox: Mailbox, workspaceId: string, messageId: string, now: number): Promise<AttachmentPlan[]> {
  let allowed: string[] = [];
  try {
    allowed = JSON.parse(mailbox.attachmentAllowedTypes) as string[];
  } catch {
    allowed = [];
  }
  let counted = 0;
  const plans: AttachmentPlan[] = [];
  for (const [i, a] of list.entries()) {
    let skipped: string | null = null;
    if (a.content.byteLength > mailbox.attachmentMaxBytes) skipped = `too-large: ${a.content.byteLength} bytes, limit ${mailbox.attachmentMaxBytes}`;
    else if (!a.inline && !typeAllowed(a.contentType, allowed)) skipped = `type-not-allowed: ${a.contentType}`;
    else if (!a.inline && ++counted > mailbox.attachmentMaxCount) skipped = `too-many: limit ${mailbox.attachmentMaxCount} per message`;
    const id = `${derivedId('attachment', messageId)}-${i}`;
    plans.push({
      row: {
        id,
        workspaceId,
        messageId,
        filename: a.filename,
        contentType: a.contentType,
        size: a.content.byteLength,
        contentId: a.contentId,
        inline: a.inline,
        r2Key: skipped ? null : `att/${messageId}/${i}`,
        sha256: await sha256Hex(a.content),
        skippedReason: skipped,
        createdAt: now,
      },
      content: skipped ? null : a.content,
    });
  }
  return plans;
}

export async function putAttachments(raw: R2Bucket, plans: AttachmentPlan[]): Promise<void> {
  await Promise.all(
    plans
      .filter((p) => p.content && p.row.r2Key)
      .map((p) =>
        raw.put(p.row.r2Key!, p.content!, {
          httpMetadata: { contentType: p.row.contentType },
          customMetadata: { filename: p.row.filename, sha256: p.row.sha256 },
        }),
      ),
  );
}

// ---- the outcome batches ---------------------------------------------------------------------

export interface StoreContext {
  db: Db;
  /** For blobs of the outcome's change (large outgoing MIME). */
  raw?: R2Bucket;
  mailbox: Mailbox;
  inboundId: string;
  messageKey: string;
  rawKey: string;
  envelopeFrom: string;
  mail: ParsedMail;
  sender: AddressView;
  classification: Classification;
  /** Null when the message could not be parsed far enough to tell. */
  auth: AuthResult | null;
  contentHash: string | null;
  /** Addresses we receive at: never added as participants or contacts. */
  ownAddresses: string[];
  decisionJson: string;
  now: number;
  /** Set when an agent released this message from quarantine: who, for the audit trail. */
  releasedBy?: string;
  /** Historical import: cases are filed closed, in the message's own time, with no SLA. */
  imported?: { at: number };
  /** The mailbox's SLA context when the caller has read it already (undefined: read it here). */
  sla?: SlaContext | null;
}

function contactUpsert(db: Db, workspaceId: string, a: AddressView, now: number) {
  return db
    .insert(contacts)
    .values({ id: newId('contact', now), workspaceId, email: a.email, name: a.name, orgDomain: a.email.split('@')[1] ?? '', createdAt: now })
    .onConflictDoUpdate({
      target: [contacts.workspaceId, contacts.email],
      set: { name: sql`CASE WHEN ${contacts.name} = '' THEN excluded.name ELSE ${contacts.name} END` },
    });
}

function contactIdOf(workspaceId: string, email: string) {
  return sql`(SELECT ${contacts.id} FROM ${contacts} WHERE ${contacts.workspaceId} = ${workspaceId} AND ${contacts.email} = ${email})`;
}

/** The people a message brings into its case: sender as `role`, the other To/Cc as cc. */
function peopleOf(ctx: StoreContext, senderRole: 'requester' | 'cc'): Array<AddressView & { role: 'requester' | 'cc' }> {
  const own = new Set(ctx.ownAddresses);
  const seen = new Set<string>();
  const out: Array<AddressView & { role: 'requester' | 'cc' }> = [];
  for (const [a, role] of [[ctx.sender, senderRole] as const, ...ctx.mail.to.map((a) => [a, 'cc'] as const), ...ctx.mail.cc.map((a) => [a, 'cc'] as const)]) {
    if (!a.email || own.has(a.email) || seen.has(a.email) || isOurReplyAddress(a.email, own)) continue;
    seen.add(a.email);
    out.push({ ...a, role });
  }
  return out;
}

function isOurReplyAddress(email: string, own: Set<string>): boolean {
  const [local, domain] = email.split('@');
  if (!local || !domain || !local.includes('+')) return false;
  return [...own].some((o) => o.endsWith(`@${domain}`));
}

function messageInsert(ctx: StoreContext, caseId: string, messageId: string, kind: MessageKind, rule: string, reason: string) {
  const m = ctx.mail;
  return ctx.db.insert(messages).values({
    id: messageId,
    workspaceId: ctx.mailbox.workspaceId,
    caseId,
    mailboxId: ctx.mailbox.id,
    direction: 'inbound',
    kind,
    messageKey: ctx.messageKey,
    rfcMessageId: m.messageId,
    inReplyTo: m.inReplyTo[0] ?? null,
    references: JSON.stringify(m.references),
    fromEmail: ctx.sender.email,
    fromName: ctx.sender.name,
    to: JSON.stringify(m.to),
    cc: JSON.stringify(m.cc),
    subject: m.subject,
    text: m.text,
    html: m.html,
    rawKey: ctx.rawKey,
    inboundId: ctx.inboundId,
    threadRule: rule,
    threadReason: reason,
    kindReasons: JSON.stringify(ctx.classification.reasons),
    authVerdict: ctx.auth?.verdict ?? null,
    authResults: ctx.auth ? JSON.stringify(ctx.auth) : null,
    sentAt: m.date,
    createdAt: ctx.imported?.at ?? ctx.now,
  });
}

function inboundDone(ctx: StoreContext, status: InboundStatus, reason: string | null, caseId: string | null, messageId: string | null) {
  return ctx.db
    .update(inbound)
    .set({
      status,
      reason,
      caseId,
      messageId,
      decision: ctx.decisionJson,
      subject: ctx.mail.subject,
      fromEmail: ctx.sender.email,
      contentHash: ctx.contentHash,
      ...(ctx.releasedBy ? { resolvedBy: ctx.releasedBy, resolvedAt: ctx.now } : {}),
      processedAt: ctx.now,
      lastError: null,
      nextAttemptAt: null,
    })
    .where(eq(inbound.id, ctx.inboundId));
}

/**
 * Further statements for the same batch, decided once the case is known (its number is allocated
 * first): acknowledgements and notifications, so they are recorded together with what caused them.
 */
export type ExtraWork = (kase: { id: string; number: number; subject: string; assigneeId: string | null }) => Promise<ExtraResult>;
export interface ExtraResult {
  writes: Write[];
  blobs: Blob[];
  outgoing: Staged[];
}

export interface Stored {
  events: ServerEvent[];
  /** Outgoing mail recorded in the batch, to deliver now. */
  /** Mail to send once the batch has committed. */
  outgoing?: Staged[];
  caseId: string | null;
  messageId: string | null;
  /** For held messages, why (e.g. `not-a-participant`). */
  reason?: string;
  status: InboundStatus;
}

export async function storeNewCase(ctx: StoreContext, decision: Decision & { action: 'new-case' }, raw: R2Bucket, extra?: ExtraWork): Promise<Stored> {
  const { db, mailbox, now } = ctx;
  const ws = mailbox.workspaceId;
  const messageId = derivedId('message', ctx.inboundId);
  const caseId = derivedId('case', ctx.inboundId);
  const plans = await planAttachments(ctx.mail.attachments, mailbox, ws, messageId, now);
  await putAttachments(raw, plans);
  const [counter, slaCtx, assignee] = await Promise.all([
    db.update(workspaces).set({ caseCounter: sql`${workspaces.caseCounter} + 1` }).where(eq(workspaces.id, ws)).returning({ n: workspaces.caseCounter }).get(),
    ctx.imported ? Promise.resolve(null) : ctx.sla !== undefined ? Promise.resolve(ctx.sla) : slaContextFor(db, mailbox),
    // The mailbox's default assignee, or the next available agent of its team (round-robin).
    ctx.imported ? Promise.resolve(null) : pickAssignee(db, mailbox, now),
  ]);
  if (!counter) throw new Error(`workspace ${ws} not found`);
  const people = peopleOf(ctx, 'requester');
  const subject = ctx.mail.subject || '(no subject)';
  const more: ExtraResult = extra ? await extra({ id: caseId, number: counter.n, subject, assigneeId: assignee?.id ?? null }) : { writes: [], blobs: [], outgoing: [] };
  const sla = slaOnCreate(slaCtx, 'normal', now);
  const at = ctx.imported?.at ?? now;
  const row = {
    id: caseId,
    workspaceId: ws,
    mailboxId: mailbox.id,
    number: counter.n,
    subject,
    status: ctx.imported ? ('closed' as const) : ('new' as const),
    priority: 'normal' as const,
    assigneeId: assignee?.id ?? null,
    team: mailbox.defaultTeam,
    linkedCaseId: decision.linkedCaseId,
    messageCount: 1,
    createdAt: at,
    updatedAt: at,
    lastMessageAt: at,
    closedAt: ctx.imported ? at : null,
    slaPolicyId: slaCtx?.policy.id ?? null,
    ...sla,
  };
  const stmts: Stmt[] = [
    ...people.map((p) => contactUpsert(db, ws, p, now)),
    db.insert(cases).values({ ...row, contactId: contactIdOf(ws, ctx.sender.email) }),
    ...people.map((p) => db.insert(participants).values({ caseId, email: p.email, name: p.name, role: p.role, contactId: contactIdOf(ws, p.email), addedAt: now }).onConflictDoNothing()),
    messageInsert(ctx, caseId, messageId, decision.kind, decision.rule, decision.reason),
    ...plans.map((p) => db.insert(attachments).values(p.row)),
    inboundDone(ctx, 'processed', null, caseId, messageId),
  ];
  const summary = caseSummary({ ...row, contactId: null, tags: '[]' }, ctx.sender, assignee);
  const bodies: EventBody[] = [{ type: 'case.created', caseId, case: summary }];
  if (ctx.releasedBy) bodies.push({ type: 'inbound.resolved', caseId, inboundId: ctx.inboundId, status: 'processed', by: ctx.releasedBy });
  const evs = await writeWithEvents(ctx, stmts, caseId, ctx.releasedBy ? `agent:${ctx.releasedBy}` : `contact:${ctx.sender.email}`, bodies, more);
  return { events: evs, caseId, messageId, status: 'processed', outgoing: more.outgoing };
}


export async function storeAppend(ctx: StoreContext, decision: Decision & { action: 'append' }, current: Case, raw: R2Bucket, extra?: ExtraWork): Promise<Stored> {
  const { db, mailbox, now } = ctx;
  const ws = mailbox.workspaceId;
  const caseId = decision.match.caseId;
  const messageId = derivedId('message', ctx.inboundId);
  const plans = await planAttachments(ctx.mail.attachments, mailbox, ws, messageId, now);
  await putAttachments(raw, plans);
  // A participant vouches for the people they copy in; auto-replies bring nobody. A message an
  // agent released from quarantine makes its sender a participant too: that is what releasing means.
  const people = decision.kind === 'auto-reply' ? [] : peopleOf(ctx, 'cc').filter((p) => p.email !== ctx.sender.email || ctx.releasedBy);
  const status = decision.newStatus ?? current.status;
  const more: ExtraResult = extra ? await extra({ id: caseId, number: current.number, subject: current.subject, assigneeId: current.assigneeId }) : { writes: [], blobs: [], outgoing: [] };
  // The SLA clocks: a customer's message (never an auto-reply) starts the next-response clock, and
  // a reopened or resumed case moves its due times.
  let sla: SlaColumns | null = null;
  if (decision.kind !== 'auto-reply' && current.slaPolicyId) {
    const slaCtx = ctx.sla !== undefined && ctx.sla?.policy.id === current.slaPolicyId ? ctx.sla : await slaContextFor(db, mailbox, current.slaPolicyId);
    sla = slaTransition(current, slaCtx, { ...(decision.newStatus ? { status: decision.newStatus } : {}), customerMessage: true }, now);
  }
  const stmts: Stmt[] = [
    ...people.map((p) => contactUpsert(db, ws, p, now)),
    ...people.map((p) => db.insert(participants).values({ caseId, email: p.email, name: p.name, role: 'cc', contactId: contactIdOf(ws, p.email), addedAt: now }).onConflictDoNothing()),
    messageInsert(ctx, caseId, messageId, decision.kind, decision.match.rule, decision.reason),
    ...plans.map((p) => db.insert(attachments).values(p.row)),
    db
      .update(cases)
      .set({
        messageCount: sql`${cases.messageCount} + 1`,
        updatedAt: now,
        // An auto-reply is not activity: it must not float the case to the top of the inbox.
        ...(decision.kind === 'auto-reply' ? {} : { lastMessageAt: ctx.imported ? sql`MAX(${cases.lastMessageAt}, ${ctx.imported.at})` : now }),
        ...(decision.newStatus ? { status: decision.newStatus, closedAt: null } : {}),
        ...(sla ?? {}),
      })
      .where(eq(cases.id, caseId)),
    inboundDone(ctx, 'processed', null, caseId, messageId),
  ];
  const bodies: EventBody[] = [{ type: 'message.added', caseId, messageId, direction: 'inbound', kind: decision.kind, reopened: decision.newStatus !== null, status }];
  if (ctx.releasedBy) bodies.push({ type: 'inbound.resolved', caseId, inboundId: ctx.inboundId, status: 'processed', by: ctx.releasedBy });
  const evs = await writeWithEvents(ctx, stmts, caseId, ctx.releasedBy ? `agent:${ctx.releasedBy}` : `contact:${ctx.sender.email}`, bodies, more);
  return { events: evs, caseId, messageId, status: 'processed', outgoing: more.outgoing };
}

/** Quarantined or ignored: the inbound row is the record (the raw mail stays in R2), plus one event. */
export async function storeHeld(
  ctx: StoreContext,
  status: 'quarantined' | 'ignored',
  reason: string,
  caseId: string | null,
  duplicateOf?: { messageId: string | null },
  /** The first message over the flood limit also raises one event for admins. */
  floodStarted?: Flood | null,
): Promise<Stored> {
  const { db, mailbox, now } = ctx;
  const bodies: EventBody[] = [{ type: 'inbound.held', caseId, inboundId: ctx.inboundId, status, reason }];
  if (floodStarted) {
    bodies.push({ type: 'flood.detected', caseId: null, inboundId: ctx.inboundId, by: floodStarted.by, sender: ctx.sender.email, count: floodStarted.count, windowMinutes: floodStarted.windowMinutes });
  }
  const evs = await writeWithEvents(ctx, [inboundDone(ctx, status, reason, caseId, duplicateOf?.messageId ?? null)], caseId, 'system', bodies);
  return { events: evs, caseId, messageId: duplicateOf?.messageId ?? null, status, reason };
}

/**
 * A delivery report about mail of a case: a system message on the case ("Delivery to x failed:
 * 5.1.1 …"), and permanently failed recipients marked undeliverable, so no acknowledgement goes
 * to them again. The case's status and its place in the inbox do not change.
 */
export async function storeBounce(ctx: StoreContext, caseId: string, report: BounceReport): Promise<Stored> {
  const { db, mailbox, now } = ctx;
  const ws = mailbox.workspaceId;
  const messageId = derivedId('message', ctx.inboundId);
  const text = describeBounce(report);
  const permanent = report.recipients.filter(isPermanent);
  const stmts: Stmt[] = [
    db.insert(messages).values({
      id: messageId,
      workspaceId: ws,
      caseId,
      mailboxId: mailbox.id,
      direction: 'system',
      kind: 'bounce',
      messageKey: ctx.messageKey,
      rfcMessageId: ctx.mail.messageId,
      fromEmail: ctx.sender.email,
      fromName: ctx.sender.name,
      subject: ctx.mail.subject,
      text,
      rawKey: ctx.rawKey,
      inboundId: ctx.inboundId,
      threadRule: 'references',
      threadReason: 'a delivery report about mail we sent for this case',
      kindReasons: JSON.stringify(ctx.classification.reasons),
      authVerdict: ctx.auth?.verdict ?? null,
      authResults: ctx.auth ? JSON.stringify(ctx.auth) : null,
      createdAt: now,
    }),
    db.update(cases).set({ messageCount: sql`${cases.messageCount} + 1`, updatedAt: now }).where(eq(cases.id, caseId)),
    ...permanent.map((r) =>
      db
        .update(contacts)
        .set({ undeliverable: true, undeliverableReason: `${r.status || 'failed'} ${r.diagnostic}`.trim().slice(0, 500), undeliverableAt: now })
        .where(and(eq(contacts.workspaceId, ws), eq(contacts.email, r.recipient))),
    ),
    inboundDone(ctx, 'processed', null, caseId, messageId),
  ];
  const body: EventBody = { type: 'message.added', caseId, messageId, direction: 'system', kind: 'bounce', reopened: false, status: (await db.select({ s: cases.status }).from(cases).where(eq(cases.id, caseId)).get())?.s ?? 'open' };
  const evs = await writeWithEvents(ctx, stmts, caseId, 'system', [body]);
  return { events: evs, caseId, messageId, status: 'processed' };
}

export async function mailboxById(db: Db, id: string): Promise<Mailbox | undefined> {
  return mailboxQuery(db, id).get();
}

/** An agent's answer to a notification mail: an internal note on the case, by that agent. */
export async function storeAgentNote(ctx: StoreContext, caseId: string, agentId: string): Promise<Stored> {
  const { db, mailbox, now } = ctx;
  const messageId = derivedId('message', ctx.inboundId);
  const stmts: Stmt[] = [
    db.insert(messages).values({
      id: messageId,
      workspaceId: mailbox.workspaceId,
      caseId,
      mailboxId: mailbox.id,
      direction: 'note',
      kind: 'human',
      messageKey: ctx.messageKey,
      rfcMessageId: ctx.mail.messageId,
      fromEmail: ctx.sender.email,
      fromName: ctx.sender.name,
      subject: ctx.mail.subject,
      text: ctx.mail.text,
      html: ctx.mail.html,
      rawKey: ctx.rawKey,
      inboundId: ctx.inboundId,
      threadRule: 'token',
      threadReason: 'an agent answered a notification by mail; posted as an internal note',
      authorAgentId: agentId,
      authVerdict: ctx.auth?.verdict ?? null,
      authResults: ctx.auth ? JSON.stringify(ctx.auth) : null,
      createdAt: now,
    }),
    db.update(cases).set({ messageCount: sql`${cases.messageCount} + 1`, updatedAt: now }).where(eq(cases.id, caseId)),
    inboundDone(ctx, 'processed', null, caseId, messageId),
  ];
  const status = (await db.select({ s: cases.status }).from(cases).where(eq(cases.id, caseId)).get())?.s ?? 'open';
  const body: EventBody = { type: 'message.added', caseId, messageId, direction: 'note', kind: 'human', reopened: false, status };
  const evs = await writeWithEvents(ctx, stmts, caseId, `agent:${agentId}`, [body]);
  return { events: evs, caseId, messageId, status: 'processed' };
}
