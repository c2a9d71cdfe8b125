// Mentions in internal notes. A note's `@name` tokens that name an active agent of the workspace
// notify that agent: a notifications row, a `notification.added` event for their app, and (if they
// want it) a mail. Pure: the agents are read by the caller.
//
// The rule: after `@` comes either a quoted name (`@"Ada Lovelace"`) or a run of letters, digits,
// dots, dashes and underscores (`@ada`, `@adalovelace`, `@ada.l`). Case does not matter. A token
// names an agent when it equals their first name, their full name with the spaces removed, their
// whole name (quoted form) or the part of their email before the @. A token that would name two
// agents (two Adas) names neither: write the full name or the email name instead.
import type { Agent, Mailbox } from '../db/schema.ts';
import { agentActor, insert, type Blob, type Write } from '../changes/change.ts';
import type { PlannedEvent, Staged } from '../changes/change.ts';
import { planNotification } from '../mail/notify.ts';
import type { PlanContext } from './plan.ts';

const TOKEN = /(?<![\w@.])@(?:"([^"\n]{1,100})"|([\p{L}\p{N}._-]{1,64}))/gu;

/** The mention tokens of a text, lower case, trailing dots stripped ("@ben." ends a sentence). */
export function mentionTokens(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(TOKEN)) {
    const raw = (m[1] ?? m[2] ?? '').trim().toLowerCase().replace(/\.+$/, '');
    if (raw) out.add(raw);
  }
  return [...out];
}

function namesOf(a: Pick<Agent, 'name' | 'email'>): string[] {
  const name = a.name.trim().toLowerCase();
  return [...new Set([name.split(/\s+/)[0] ?? '', name.replace(/\s+/g, ''), name, a.email.split('@')[0]!.toLowerCase()].filter(Boolean))];
}

/** The agents a text mentions (each once, in the order of the list), never the author. */
export function mentionedAgents<A extends Pick<Agent, 'id' | 'name' | 'email' | 'active'>>(text: string, agents: A[], authorId: string | null): A[] {
  const tokens = mentionTokens(text);
  if (!tokens.length) return [];
  const active = agents.filter((a) => a.active);
  const found = new Set<string>();
  for (const t of tokens) {
    const named = active.filter((a) => namesOf(a).includes(t));
    if (named.length === 1) found.add(named[0]!.id);
  }
  return active.filter((a) => found.has(a.id) && a.id !== authorId);
}

/** The notification's stable id: one per agent and note, so a retried change cannot make a second. */
export function mentionId(noteId: string, agentId: string): string {
  return `ntf_${noteId.replace(/^msg_/, '')}_${agentId.replace(/^agt_/, '')}`;
}

export function excerptOf(text: string, max = 140): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export interface MentionFacts {
  kase: { id: string; number: number; subject: string; workspaceId: string };
  mailbox: Mailbox;
  noteId: string;
  text: string;
  /** The active agents of the workspace (read only when the note has an @). */
  agents: Agent[];
}

export interface MentionPlan {
  writes: Write[];
  events: PlannedEvent[];
  outgoing: Staged[];
  blobs: Blob[];
}

export async function planMentions(facts: MentionFacts, ctx: PlanContext): Promise<MentionPlan> {
  const plan: MentionPlan = { writes: [], events: [], outgoing: [], blobs: [] };
  const { kase } = facts;
  const excerpt = excerptOf(facts.text);
  const actor = agentActor(ctx.by.id);
  for (const agent of mentionedAgents(facts.text, facts.agents, ctx.by.id)) {
    const id = mentionId(facts.noteId, agent.id);
    plan.writes.push(
      insert('notifications', { id, workspaceId: kase.workspaceId, agentId: agent.id, kind: 'mention', caseId: kase.id, sourceId: facts.noteId, actor, excerpt, at: ctx.now }, 'ignore'),
    );
    plan.events.push({
      caseId: kase.id,
      actor,
      body: { type: 'notification.added', caseId: kase.id, agentId: agent.id, notificationId: id, kind: 'mention', by: ctx.by.name, caseNumber: kase.number, excerpt },
    });
    const mail = await planNotification(agent, {
      kind: 'mention',
      agentId: agent.id,
      mailbox: facts.mailbox,
      kase: { id: kase.id, number: kase.number, subject: kase.subject },
      summary: `${ctx.by.name} mentioned you in an internal note:\n\n${excerptOf(facts.text, 500)}`,
      secret: ctx.secret,
      appUrl: ctx.appUrl,
      now: ctx.now,
    });
    if ('skipped' in mail) continue;
    plan.writes.push(...mail.writes);
    plan.outgoing.push(...mail.outgoing);
    plan.blobs.push(...mail.blobs);
  }
  return plan;
}
