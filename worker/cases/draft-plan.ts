// Planning draft saves and clears: pure, from the stored draft (if any). A save names the version it
// was written over; a different stored version refuses it with that draft, so two devices never
// overwrite each other unseen. The event says who drafts, never what.
import type { Draft } from '../db/schema.ts';
import { agentActor, emptyChange, insert, remove, update, type Change } from '../changes/change.ts';
import type { DraftView, SaveDraftBody } from '../protocol/drafts.ts';

export interface DraftWho {
  workspaceId: string;
  caseId: string;
  agentId: string;
  agentName: string;
}

export function draftView(d: Draft): DraftView {
  let cc: string[] = [];
  try {
    const parsed = JSON.parse(d.cc) as unknown;
    if (Array.isArray(parsed)) cc = parsed.filter((x): x is string => typeof x === 'string');
  } catch {
    cc = [];
  }
  return { caseId: d.caseId, mode: d.mode, body: d.body, cc, baseMessageId: d.baseMessageId, version: d.version, updatedAt: d.updatedAt };
}

export type SavePlan = { ok: true; change: Change; draft: DraftView } | { ok: false; stored: DraftView | null; message: string };

export function planSaveDraft(who: DraftWho, stored: Draft | null, body: SaveDraftBody, now: number): SavePlan {
  if (stored && body.version === undefined) return { ok: false, stored: draftView(stored), message: 'a draft exists already: save with its version' };
  if (!stored && body.version !== undefined) return { ok: false, stored: null, message: 'the draft was cleared or sent meanwhile: save without a version to start again' };
  if (stored && stored.version !== body.version) return { ok: false, stored: draftView(stored), message: `the draft was saved elsewhere meanwhile (version ${stored.version}, not ${body.version})` };
  const version = stored ? stored.version + 1 : 1;
  const row: Draft = {
    caseId: who.caseId,
    agentId: who.agentId,
    workspaceId: who.workspaceId,
    mode: body.mode,
    body: body.body,
    cc: JSON.stringify(body.cc),
    baseMessageId: body.baseMessageId,
    version,
    updatedAt: now,
  };
  // The version in the where makes a save racing another one change nothing rather than overwrite it.
  const write = stored
    ? update('drafts', { caseId: who.caseId, agentId: who.agentId, version: stored.version }, { mode: row.mode, body: row.body, cc: row.cc, baseMessageId: row.baseMessageId, version, updatedAt: now })
    : insert('drafts', row, 'ignore');
  const announce = !stored || stored.mode !== body.mode;
  const change: Change = {
    ...emptyChange(who.workspaceId),
    writes: [write],
    // Other agents hear when a draft starts (or turns from reply to note), not at every keystroke.
    events: announce
      ? [{ caseId: who.caseId, actor: agentActor(who.agentId), body: { type: 'draft.updated', caseId: who.caseId, agentId: who.agentId, agentName: who.agentName, mode: body.mode, active: true } }]
      : [],
  };
  return { ok: true, change, draft: draftView(row) };
}

/** Clearing a draft that is not there changes nothing. */
export function planClearDraft(who: DraftWho, stored: Draft | null): Change | null {
  if (!stored) return null;
  return {
    ...emptyChange(who.workspaceId),
    writes: [remove('drafts', { caseId: who.caseId, agentId: who.agentId })],
    events: [
      { caseId: who.caseId, actor: agentActor(who.agentId), body: { type: 'draft.updated', caseId: who.caseId, agentId: who.agentId, agentName: who.agentName, mode: stored.mode, active: false } },
    ],
  };
}
