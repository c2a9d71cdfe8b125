// Canned replies decided without the database: who sees and may change a snippet, what a body may
// say, whether a shortcut is free, the Change each write makes, and the filled text for a case.
// Placeholders are the acknowledgement templates' (mail/templates.ts) over the snippets' own list.
import type { Snippet } from '../db/schema.ts';
import { auditWrite, diff } from '../admin/audit.ts';
import { AdminRefused } from '../admin/errors.ts';
import { insert, remove, update, type Change, type Write } from '../changes/change.ts';
import { fillTemplate, validateTemplate, type TemplateMode } from '../mail/templates.ts';
import { newId } from '../protocol/ids.ts';
import { SNIPPET_PLACEHOLDERS, type CreateSnippetBody, type RenderedSnippet, type SnippetPlaceholder, type SnippetView, type UpdateSnippetBody } from '../protocol/snippets.ts';

/** Who is asking: the agent (null in open mode with nobody signed in) and whether they are an admin. */
export interface SnippetActor {
  workspaceId: string;
  actor: string;
  agentId: string | null;
  admin: boolean;
  now: number;
}

export function canSee(s: Pick<Snippet, 'ownerAgentId'>, agentId: string | null): boolean {
  return s.ownerAgentId === null || (agentId !== null && s.ownerAgentId === agentId);
}

export function canEdit(s: Pick<Snippet, 'ownerAgentId'>, who: Pick<SnippetActor, 'agentId' | 'admin'>): boolean {
  return s.ownerAgentId === null ? who.admin : who.agentId !== null && s.ownerAgentId === who.agentId;
}

export function snippetView(s: Snippet, who: Pick<SnippetActor, 'agentId' | 'admin'>): SnippetView {
  return { id: s.id, name: s.name, shortcut: s.shortcut, body: s.body, shared: s.ownerAgentId === null, editable: canEdit(s, who), updatedAt: s.updatedAt };
}

/** Refuses a body with an unknown placeholder or a `{{` left open, naming it. */
export function checkBody(body: string): void {
  const { problems } = validateTemplate(body, 'text', SNIPPET_PLACEHOLDERS);
  const refused = problems.filter((p) => p.code === 'unknown-placeholder' || p.code === 'unclosed-placeholder' || p.code === 'too-long');
  if (refused.length > 0) {
    throw new AdminRefused(
      'bad_request',
      refused.map((p) => p.message).join(' '),
      refused.map((p) => ({ code: 'custom', path: ['body'], message: p.message })),
    );
  }
}

/**
 * A shortcut must be unique among what any one agent sees: a personal one among its owner's and the
 * shared ones; a shared one among every snippet (each agent sees it next to their own).
 */
export function checkShortcut(shortcut: string | null, ownerAgentId: string | null, others: ReadonlyArray<Pick<Snippet, 'id' | 'name' | 'shortcut' | 'ownerAgentId'>>, selfId?: string): void {
  if (!shortcut) return;
  const clash = others.find((o) => o.id !== selfId && o.shortcut === shortcut && (ownerAgentId === null || o.ownerAgentId === null || o.ownerAgentId === ownerAgentId));
  if (clash) {
    // Another agent's snippet is theirs: its name is not told.
    const whose = clash.ownerAgentId === null ? `the shared snippet "${clash.name}"` : ownerAgentId === null ? "an agent's personal snippet" : `your snippet "${clash.name}"`;
    throw new AdminRefused('conflict', `the shortcut ;${shortcut} is taken by ${whose}`, [{ code: 'custom', path: ['shortcut'], message: `;${shortcut} is taken` }]);
  }
}

function change(who: SnippetActor, write: Write, id: string, action: string, changes: Record<string, [unknown, unknown]>): Change {
  return {
    workspaceId: who.workspaceId,
    writes: [write, auditWrite({ workspaceId: who.workspaceId, actor: who.actor, entity: 'snippet', entityId: id, action, changes, at: who.now })],
    events: [],
    outgoing: [],
    blobs: [],
  };
}

export function planCreate(who: SnippetActor, body: CreateSnippetBody, existing: Snippet[]): { row: Snippet; change: Change } {
  const shared = body.shared === true;
  if (shared && !who.admin) throw new AdminRefused('bad_request', 'only admins create shared snippets');
  if (!shared && who.agentId === null) throw new AdminRefused('bad_request', 'a personal snippet needs a signed-in agent; create a shared one instead');
  checkBody(body.body);
  const shortcut = body.shortcut ?? null;
  const ownerAgentId = shared ? null : who.agentId;
  checkShortcut(shortcut, ownerAgentId, existing);
  const row: Snippet = {
    id: newId('snippet', who.now),
    workspaceId: who.workspaceId,
    ownerAgentId,
    name: body.name,
    shortcut,
    body: body.body,
    createdBy: who.actor,
    createdAt: who.now,
    updatedAt: who.now,
  };
  return { row, change: change(who, insert('snippets', row), row.id, 'create', { name: [null, row.name], shortcut: [null, shortcut], shared: [null, shared] }) };
}

function mayChange(s: Snippet, who: SnippetActor): void {
  if (!canSee(s, who.agentId)) throw new AdminRefused('not_found', 'snippet not found');
  if (!canEdit(s, who)) throw new AdminRefused('bad_request', 'only admins change shared snippets');
}

/** Null change when nothing differs. */
export function planUpdate(who: SnippetActor, s: Snippet, body: UpdateSnippetBody, existing: Snippet[]): { row: Snippet; change: Change | null } {
  mayChange(s, who);
  if (body.body !== undefined) checkBody(body.body);
  const next: Snippet = {
    ...s,
    ...(body.name !== undefined ? { name: body.name } : {}),
    ...(body.shortcut !== undefined ? { shortcut: body.shortcut } : {}),
    ...(body.body !== undefined ? { body: body.body } : {}),
  };
  if (next.shortcut !== s.shortcut) checkShortcut(next.shortcut, s.ownerAgentId, existing, s.id);
  const changes = diff({ name: s.name, shortcut: s.shortcut, body: s.body }, { name: next.name, shortcut: next.shortcut, body: next.body });
  if (Object.keys(changes).length === 0) return { row: s, change: null };
  next.updatedAt = who.now;
  const write = update('snippets', { id: s.id }, { name: next.name, shortcut: next.shortcut, body: next.body, updatedAt: who.now });
  return { row: next, change: change(who, write, s.id, 'update', changes) };
}

export function planDelete(who: SnippetActor, s: Snippet): Change {
  mayChange(s, who);
  return change(who, remove('snippets', { id: s.id }), s.id, 'delete', { name: [s.name, null], shortcut: [s.shortcut, null] });
}

/** What a case and an agent know for the placeholders. */
export interface RenderFacts {
  caseNumber: number;
  subject: string;
  customerName: string | null;
  customerEmail: string | null;
  mailboxName: string | null;
  agentName: string | null;
}

const firstWord = (s: string | null) => (s ?? '').trim().split(/\s+/)[0] ?? '';

export function snippetValues(f: RenderFacts): Record<SnippetPlaceholder, string | number | null> {
  return {
    'customer.first_name': firstWord(f.customerName),
    'customer.name': f.customerName,
    'customer.email': f.customerEmail,
    'case.number': f.caseNumber,
    'case.subject': f.subject,
    'agent.name': f.agentName,
    'agent.first_name': firstWord(f.agentName),
    'mailbox.name': f.mailboxName,
  };
}

/**
 * The snippet's text for a case. Values are single lines of plain text (line breaks and control
 * characters removed, so no value can start a header line); in `html` mode they are HTML-escaped.
 */
export function renderSnippet(body: string, facts: RenderFacts, mode: TemplateMode = 'text'): RenderedSnippet {
  const r = fillTemplate(body, snippetValues(facts), mode, SNIPPET_PLACEHOLDERS);
  return { text: r.output, missing: r.missing };
}
