// Canned replies against D1: the snippets an agent sees, and each write read, planned (plan.ts) and
// committed with its audit row.
import { and, asc, eq, isNull, or } from 'drizzle-orm';
import { agents, cases, contacts, mailboxes, snippets, type Snippet } from '../db/schema.ts';
import type { Db, Deps } from '../deps.ts';
import { AdminRefused } from '../admin/errors.ts';
import { commit } from '../changes/commit.ts';
import type { CreateSnippetBody, RenderedSnippet, RenderSnippetBody, SnippetView, UpdateSnippetBody } from '../protocol/snippets.ts';
import { canSee, planCreate, planDelete, planUpdate, renderSnippet, snippetView, type SnippetActor } from './plan.ts';

function visible(workspaceId: string, agentId: string | null) {
  return and(eq(snippets.workspaceId, workspaceId), agentId ? or(isNull(snippets.ownerAgentId), eq(snippets.ownerAgentId, agentId)) : isNull(snippets.ownerAgentId));
}

/** Shared ones first, then the agent's own, each by name. */
export async function listSnippets(db: Db, who: SnippetActor): Promise<SnippetView[]> {
  const rows = await db.select().from(snippets).where(visible(who.workspaceId, who.agentId)).orderBy(asc(snippets.name));
  return rows.sort((a, b) => Number(a.ownerAgentId !== null) - Number(b.ownerAgentId !== null)).map((s) => snippetView(s, who));
}

/** Every snippet of the workspace with a shortcut: what a new shortcut must not clash with. */
async function withShortcuts(db: Db, workspaceId: string): Promise<Snippet[]> {
  const rows = await db.select().from(snippets).where(eq(snippets.workspaceId, workspaceId));
  return rows.filter((s) => s.shortcut !== null);
}

async function snippetOf(db: Db, who: SnippetActor, id: string): Promise<Snippet> {
  const s = await db
    .select()
    .from(snippets)
    .where(and(eq(snippets.id, id), eq(snippets.workspaceId, who.workspaceId)))
    .get();
  if (!s || !canSee(s, who.agentId)) throw new AdminRefused('not_found', 'snippet not found');
  return s;
}

export async function createSnippet(deps: Deps, who: SnippetActor, body: CreateSnippetBody): Promise<SnippetView> {
  const { row, change } = planCreate(who, body, await withShortcuts(deps.db, who.workspaceId));
  await commit(deps, change);
  return snippetView(row, who);
}

export async function updateSnippet(deps: Deps, who: SnippetActor, id: string, body: UpdateSnippetBody): Promise<SnippetView> {
  const [s, existing] = await Promise.all([snippetOf(deps.db, who, id), withShortcuts(deps.db, who.workspaceId)]);
  const { row, change } = planUpdate(who, s, body, existing);
  if (change) await commit(deps, change);
  return snippetView(row, who);
}

export async function deleteSnippet(deps: Deps, who: SnippetActor, id: string): Promise<void> {
  await commit(deps, planDelete(who, await snippetOf(deps.db, who, id)));
}

/** The snippet filled for one of the workspace's cases, as written by the agent asking. */
export async function renderSnippetFor(db: Db, who: SnippetActor, id: string, body: RenderSnippetBody): Promise<RenderedSnippet> {
  const [s, c, agent] = await Promise.all([
    snippetOf(db, who, id),
    db
      .select({ number: cases.number, subject: cases.subject, customerName: contacts.name, customerEmail: contacts.email, mailboxName: mailboxes.displayName })
      .from(cases)
      .leftJoin(contacts, eq(contacts.id, cases.contactId))
      .leftJoin(mailboxes, eq(mailboxes.id, cases.mailboxId))
      .where(and(eq(cases.id, body.caseId), eq(cases.workspaceId, who.workspaceId)))
      .get(),
    who.agentId ? db.select({ name: agents.name }).from(agents).where(eq(agents.id, who.agentId)).get() : Promise.resolve(undefined),
  ]);
  if (!c) throw new AdminRefused('not_found', 'case not found');
  return renderSnippet(
    s.body,
    { caseNumber: c.number, subject: c.subject, customerName: c.customerName || null, customerEmail: c.customerEmail, mailboxName: c.mailboxName, agentName: agent?.name ?? null },
    body.mode ?? 'text',
  );
}
