// Mailbox settings: read, create, change. The request shapes and ranges are checked by the schemas in
// protocol/admin.ts; this file adds what needs the database (references inside the workspace, a free
// address), the template rules, and the rules between fields. Every change is audited in its batch.
import { and, asc, eq, ne, sql } from 'drizzle-orm';
import { agents, calendars, mailboxes, slaPolicies, type Mailbox } from '../db/schema.ts';
import type { Db } from '../deps.ts';
import { OFF_HOURS_TEMPLATE } from '../mail/ack.ts';
import { renderAck, validateTemplate, type AckTemplate } from '../mail/templates.ts';
import {
  ACK_TEMPLATE_FIELDS,
  MAILBOX_DEFAULTS,
  type AckPlaceholder,
  type AckPreview,
  type AckTemplateBody,
  type AckTemplateKind,
  type CreateMailboxBody,
  type MailboxOptions,
  type MailboxSettings,
  type UpdateMailboxBody,
} from '../protocol/admin.ts';
import { newId } from '../protocol/ids.ts';
import { auditInsert, diff } from './audit.ts';
import { AdminRefused, issue, refuseIfAny, type AdminIssue } from './errors.ts';

const TEMPLATE_FIELDS = ['ackCreateTemplate', 'ackUpdateTemplate', 'ackOffHoursTemplate'] as const;
type TemplateField = (typeof TEMPLATE_FIELDS)[number];

function parseTemplate(json: string | null): AckTemplateBody | null {
  if (!json) return null;
  try {
    const v = JSON.parse(json) as Partial<AckTemplateBody> | null;
    if (!v || typeof v.subject !== 'string' || typeof v.text !== 'string') return null;
    return typeof v.html === 'string' ? { subject: v.subject, text: v.text, html: v.html } : { subject: v.subject, text: v.text };
  } catch {
    return null;
  }
}

function parseTypes(json: string): string[] {
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

export function mailboxView(m: Mailbox): MailboxSettings {
  return {
    id: m.id,
    address: m.address,
    displayName: m.displayName,
    enabled: m.enabled,
    defaultAssigneeId: m.defaultAssigneeId,
    defaultTeam: m.defaultTeam,
    defaultTeamId: m.defaultTeamId,
    slaPolicyId: m.slaPolicyId,
    calendarId: m.calendarId,
    slaOfficeHoursOnly: m.slaOfficeHoursOnly,
    ackOnCreate: m.ackOnCreate,
    ackOnUpdate: m.ackOnUpdate,
    ackCreateTemplate: parseTemplate(m.ackCreateTemplate),
    ackUpdateTemplate: parseTemplate(m.ackUpdateTemplate),
    ackOffHoursTemplate: parseTemplate(m.ackOffHoursTemplate),
    ackMaxPerCaseHour: m.ackMaxPerCaseHour,
    ackMaxPerRecipientDay: m.ackMaxPerRecipientDay,
    replyPolicy: m.replyPolicy,
    unverifiedPolicy: m.unverifiedPolicy,
    floodMaxPerSender: m.floodMaxPerSender,
    floodMaxIdentical: m.floodMaxIdentical,
    floodWindowMinutes: m.floodWindowMinutes,
    catchAllAddress: m.catchAllAddress,
    followUpPolicy: m.followUpPolicy,
    followUpDays: m.followUpDays,
    attachmentMaxCount: m.attachmentMaxCount,
    attachmentMaxBytes: m.attachmentMaxBytes,
    attachmentAllowedTypes: parseTypes(m.attachmentAllowedTypes),
    maxMessageBytes: m.maxMessageBytes,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
  };
}

/** The settings as columns: templates and type lists become JSON text. */
function columns(body: UpdateMailboxBody): Partial<typeof mailboxes.$inferInsert> {
  const { ackCreateTemplate, ackUpdateTemplate, ackOffHoursTemplate, attachmentAllowedTypes, ...plain } = body;
  const json = (t: AckTemplateBody | null | undefined) => (t === undefined ? undefined : t === null ? null : JSON.stringify(t));
  const out: Partial<typeof mailboxes.$inferInsert> = { ...plain };
  if (ackCreateTemplate !== undefined) out.ackCreateTemplate = json(ackCreateTemplate);
  if (ackUpdateTemplate !== undefined) out.ackUpdateTemplate = json(ackUpdateTemplate);
  if (ackOffHoursTemplate !== undefined) out.ackOffHoursTemplate = json(ackOffHoursTemplate);
  if (attachmentAllowedTypes !== undefined) out.attachmentAllowedTypes = JSON.stringify([...new Set(attachmentAllowedTypes)]);
  return out;
}

export async function listMailboxes(db: Db, workspaceId: string): Promise<MailboxSettings[]> {
  const rows = await db.select().from(mailboxes).where(eq(mailboxes.workspaceId, workspaceId)).orderBy(asc(mailboxes.createdAt), asc(mailboxes.id));
  return rows.map(mailboxView);
}

export async function mailboxRow(db: Db, workspaceId: string, id: string): Promise<Mailbox> {
  const row = await db
    .select()
    .from(mailboxes)
    .where(and(eq(mailboxes.id, id), eq(mailboxes.workspaceId, workspaceId)))
    .get();
  if (!row) throw new AdminRefused('not_found', 'mailbox not found');
  return row;
}

export async function mailboxOptions(db: Db, workspaceId: string): Promise<MailboxOptions> {
  const [agentRows, policyRows, calendarRows] = await Promise.all([
    db
      .select({ id: agents.id, name: agents.name, email: agents.email, team: agents.team })
      .from(agents)
      .where(and(eq(agents.workspaceId, workspaceId), eq(agents.active, true)))
      .orderBy(asc(agents.name)),
    db.select({ id: slaPolicies.id, name: slaPolicies.name }).from(slaPolicies).where(eq(slaPolicies.workspaceId, workspaceId)).orderBy(asc(slaPolicies.name)),
    db.select({ id: calendars.id, name: calendars.name, timeZone: calendars.timeZone }).from(calendars).where(eq(calendars.workspaceId, workspaceId)).orderBy(asc(calendars.name)),
  ]);
  const teams = [...new Set(agentRows.map((a) => a.team).filter((t): t is string => !!t))].sort();
  return { agents: agentRows, teams, slaPolicies: policyRows, calendars: calendarRows };
}

/** The template rules (mail/templates.ts) applied to each part of a template. */
export function templateProblems(t: AckTemplateBody): AckPreview['problems'] {
  const out: AckPreview['problems'] = [];
  const parts: Array<['subject' | 'text' | 'html', string | undefined, 'text' | 'html']> = [
    ['subject', t.subject, 'text'],
    ['text', t.text, 'text'],
    ['html', t.html, 'html'],
  ];
  for (const [part, value, mode] of parts) {
    if (value === undefined) continue;
    for (const p of validateTemplate(value, mode).problems) out.push({ part, code: p.code, message: p.message });
  }
  return out;
}

/**
 * Everything a change must satisfy besides its shape. `body` is what was sent (references are
 * checked only when sent, so an unrelated edit is not blocked by, say, a calendar deleted since);
 * `merged` is the mailbox as it would be, for the rules between fields.
 */
async function settingIssues(db: Db, workspaceId: string, selfId: string | null, body: UpdateMailboxBody, merged: Omit<MailboxSettings, 'id' | 'createdAt' | 'updatedAt'>): Promise<AdminIssue[]> {
  const found: AdminIssue[] = [];
  const [taken, assignee, teamMember, policy, calendar, ownAddresses] = await Promise.all([
    body.address !== undefined
      ? db
          .select({ id: mailboxes.id })
          .from(mailboxes)
          .where(selfId ? and(eq(mailboxes.address, body.address), ne(mailboxes.id, selfId)) : eq(mailboxes.address, body.address))
          .get()
      : undefined,
    body.defaultAssigneeId
      ? db
          .select({ id: agents.id })
          .from(agents)
          .where(and(eq(agents.id, body.defaultAssigneeId), eq(agents.workspaceId, workspaceId), eq(agents.active, true)))
          .get()
      : undefined,
    body.defaultTeam
      ? db
          .select({ id: agents.id })
          .from(agents)
          .where(and(eq(agents.workspaceId, workspaceId), eq(agents.team, body.defaultTeam), eq(agents.active, true)))
          .get()
      : undefined,
    body.slaPolicyId
      ? db
          .select({ id: slaPolicies.id })
          .from(slaPolicies)
          .where(and(eq(slaPolicies.id, body.slaPolicyId), eq(slaPolicies.workspaceId, workspaceId)))
          .get()
      : undefined,
    body.calendarId
      ? db
          .select({ id: calendars.id })
          .from(calendars)
          .where(and(eq(calendars.id, body.calendarId), eq(calendars.workspaceId, workspaceId)))
          .get()
      : undefined,
    merged.catchAllAddress ? db.select({ address: mailboxes.address }).from(mailboxes).where(eq(mailboxes.workspaceId, workspaceId)) : Promise.resolve([]),
  ]);
  if (body.address !== undefined && taken) found.push(issue(['address'], `${body.address} is already the address of a mailbox`));
  if (body.defaultAssigneeId && !assignee) found.push(issue(['defaultAssigneeId'], 'the default assignee must be an active agent of this workspace'));
  if (body.defaultTeam && !teamMember) found.push(issue(['defaultTeam'], `no active agent is in the team "${body.defaultTeam}"; put agents in the team first (Agents page)`));
  if (body.slaPolicyId && !policy) found.push(issue(['slaPolicyId'], 'no such SLA policy in this workspace'));
  if (body.calendarId && !calendar) found.push(issue(['calendarId'], 'no such calendar in this workspace'));
  if (merged.defaultAssigneeId && merged.defaultTeam) {
    found.push(issue([body.defaultTeam !== undefined ? 'defaultTeam' : 'defaultAssigneeId'], 'new cases go to a default assignee or round-robin to a team, not both: set the other one to none'));
  }
  if (merged.slaOfficeHoursOnly && !merged.calendarId) {
    found.push(issue([body.slaOfficeHoursOnly !== undefined ? 'slaOfficeHoursOnly' : 'calendarId'], 'SLA clocks that run in office hours only need a calendar'));
  }
  if (merged.catchAllAddress) {
    const own = new Set([...ownAddresses.map((r) => r.address), merged.address]);
    if (own.has(merged.catchAllAddress))
      found.push(issue(['catchAllAddress'], 'the catch-all must be an address outside edgecase: mail forwarded to one of its own mailboxes would come straight back'));
  }
  for (const field of TEMPLATE_FIELDS) {
    const t = body[field];
    if (t) for (const p of templateProblems(t)) found.push(issue([field, p.part], p.message));
  }
  return found;
}

function uniqueViolation(err: unknown): boolean {
  const text = err instanceof Error ? `${err.message} ${String((err as { cause?: unknown }).cause ?? '')}` : String(err);
  return /UNIQUE constraint failed: mailboxes\.address/.test(text);
}

export interface Actor {
  workspaceId: string;
  actor: string;
  now: number;
}

export async function createMailbox(db: Db, who: Actor, body: CreateMailboxBody): Promise<MailboxSettings> {
  const merged = { ...MAILBOX_DEFAULTS, ...body };
  refuseIfAny(await settingIssues(db, who.workspaceId, null, body, merged), 'invalid mailbox settings');
  const id = newId('mailbox', who.now);
  const row = { id, workspaceId: who.workspaceId, ...columns(merged), address: merged.address, displayName: merged.displayName, createdAt: who.now, updatedAt: who.now };
  const changes = diff<Record<string, unknown>>({}, { ...merged });
  try {
    await db.batch([db.insert(mailboxes).values(row), auditInsert(db, { workspaceId: who.workspaceId, actor: who.actor, entity: 'mailbox', entityId: id, action: 'create', changes, at: who.now })]);
  } catch (err) {
    // Taken between the check and the write.
    if (uniqueViolation(err)) throw new AdminRefused('bad_request', 'invalid mailbox settings', [issue(['address'], `${merged.address} is already the address of a mailbox`)]);
    throw err;
  }
  return mailboxView(await mailboxRow(db, who.workspaceId, id));
}

export async function updateMailbox(db: Db, who: Actor, id: string, body: UpdateMailboxBody): Promise<MailboxSettings> {
  const current = await mailboxRow(db, who.workspaceId, id);
  const before = mailboxView(current);
  const merged = { ...before, ...body };
  refuseIfAny(await settingIssues(db, who.workspaceId, id, body, merged), 'invalid mailbox settings');
  const changes = diff<Record<string, unknown>>(before as unknown as Record<string, unknown>, body as Record<string, unknown>);
  if (Object.keys(changes).length === 0) return before;
  // Strictly later than the version we read, and the write is conditional on that version: two
  // admins saving at once cannot silently undo each other (the second is told to reload).
  const now = Math.max(who.now, current.updatedAt + 1);
  const unchanged = sql`EXISTS (SELECT 1 FROM ${mailboxes} WHERE ${mailboxes.id} = ${id} AND ${mailboxes.updatedAt} = ${current.updatedAt})`;
  const changedBody = Object.fromEntries(Object.keys(changes).map((k) => [k, body[k as keyof UpdateMailboxBody]])) as UpdateMailboxBody;
  let results: unknown[];
  try {
    results = (await db.batch([
      auditInsert(db, { workspaceId: who.workspaceId, actor: who.actor, entity: 'mailbox', entityId: id, action: 'update', changes, at: now }, unchanged),
      db
        .update(mailboxes)
        .set({ ...columns(changedBody), updatedAt: now })
        .where(and(eq(mailboxes.id, id), eq(mailboxes.updatedAt, current.updatedAt)))
        .returning({ id: mailboxes.id }),
    ])) as unknown[];
  } catch (err) {
    if (uniqueViolation(err)) throw new AdminRefused('bad_request', 'invalid mailbox settings', [issue(['address'], `${body.address} is already the address of a mailbox`)]);
    throw err;
  }
  if ((results[1] as unknown[]).length === 0) throw new AdminRefused('conflict', 'someone else changed this mailbox meanwhile; reload it and make your change again');
  return mailboxView(await mailboxRow(db, who.workspaceId, id));
}

// ---- acknowledgement preview ------------------------------------------------------------------

/**
 * Sample values, so a template can be judged before any real case uses it: one for every placeholder
 * (the type says so), or the preview would show a fallback where the real mail has a value.
 */
export function sampleValues(mailboxName: string, agentName: string | null): Record<AckPlaceholder, string | number> {
  return {
    'case.number': 1042,
    'case.subject': 'Order #4411 arrived damaged',
    'customer.name': 'Jane Doe',
    'mailbox.name': mailboxName,
    'agent.name': agentName ?? 'Sam Agent',
    'sla.first_response': 'by Tuesday 10:00',
    'office.reopens': 'Monday 09:00 (Europe/Berlin)',
  };
}

/** HTML reduced to readable text: the preview never renders the markup an admin typed. */
export function htmlAsText(html: string): string {
  return html
    .replace(/<(script|style|head)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|h[1-6]|li|tr)\s*>/gi, '\n\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (m, e: string) => {
      const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', ldquo: '“', rdquo: '”', lsquo: '‘', rsquo: '’', mdash: '—', ndash: '–', hellip: '…' };
      if (e[0] === '#') {
        const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
      }
      return named[e.toLowerCase()] ?? m;
    })
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Renders an acknowledgement of `mailbox` with sample values: the template sent, the saved one, or the default. */
export async function previewAck(db: Db, mailbox: Mailbox, kind: AckTemplateKind, sent: AckTemplateBody | null | undefined): Promise<AckPreview> {
  const field: TemplateField = ACK_TEMPLATE_FIELDS[kind];
  const template = sent === undefined ? parseTemplate(mailbox[field]) : sent;
  const agent = await db
    .select({ name: agents.name })
    .from(agents)
    .where(and(eq(agents.workspaceId, mailbox.workspaceId), eq(agents.active, true)))
    .orderBy(asc(agents.createdAt))
    .limit(1)
    .get();
  const values = sampleValues(mailbox.displayName, agent?.name ?? null);
  const custom: Partial<AckTemplate> | undefined = template ?? (kind === 'off-hours' ? OFF_HOURS_TEMPLATE : undefined);
  const rendered = renderAck(kind === 'update' ? 'update' : 'create', values, custom);
  const problems = template ? templateProblems(template) : [];
  return { subject: rendered.subject, text: rendered.text, html: rendered.html, htmlAsText: htmlAsText(rendered.html), values, problems };
}
