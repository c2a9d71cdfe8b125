// Changing a case's status, priority or assignee from the inbox or the case view. The change shows at
// once (an override laid over what the server last said), the server's answer replaces it, and its
// case.updated event reaches every other screen. A refusal takes the override away again and says so.
import { batch, createSignal } from 'solid-js';
import { createStore, produce } from 'solid-js/store';
import type { CasePriority, CaseStatus, CaseSummary, UpdateCaseBody } from '../../../worker/protocol/api.ts';
import { updateCase } from '../api/cases.ts';
import { errorMessage } from '../api/errors.ts';
import { currentSession } from './session.ts';

type Assignee = CaseSummary['assignee'];

export interface CaseChange {
  status?: CaseStatus;
  priority?: CasePriority;
  assignee?: Assignee;
}

type Field = keyof CaseChange;

interface Pending {
  status?: { value: CaseStatus; token: number };
  priority?: { value: CasePriority; token: number };
  assignee?: { value: Assignee; token: number };
}

const [pending, setPending] = createStore<Record<string, Pending>>({});
let nextToken = 1;

export interface ActionFailure {
  caseId: string;
  message: string;
}
const [failure, setFailure] = createSignal<ActionFailure | null>(null);
/** The last change the server refused (already undone on screen), until dismissed or the next change. */
export const actionFailure = failure;
export function dismissActionFailure(): void {
  setFailure(null);
}

type SavedListener = (summary: CaseSummary) => void;
const savedListeners = new Set<SavedListener>();

/** Calls `fn` with the server's copy of a case after a change went through (until `off()`). */
export function onCaseSaved(fn: SavedListener): () => void {
  savedListeners.add(fn);
  return () => savedListeners.delete(fn);
}

/** Hands the server's copy of a case changed elsewhere (tags, snooze, a bulk action) to every screen showing it. */
export function announceSaved(summary: CaseSummary): void {
  for (const fn of [...savedListeners]) {
    try {
      fn(summary);
    } catch (err) {
      console.error('case saved handler failed', err);
    }
  }
}

/** The case as shown: the server's fields with any change still on its way laid over them. */
export function withPending<T extends Pick<CaseSummary, 'id' | 'status' | 'priority' | 'assignee'>>(c: T): T {
  const p = pending[c.id];
  if (!p || (!p.status && !p.priority && !p.assignee)) return c;
  return {
    ...c,
    ...(p.status ? { status: p.status.value } : {}),
    ...(p.priority ? { priority: p.priority.value } : {}),
    ...(p.assignee ? { assignee: p.assignee.value } : {}),
  };
}

/** Whom "assign to me" means: the signed-in agent, or in open mode the agent the session names, if any. */
export function assignTarget(): { id: string; name: string } | null {
  const s = currentSession();
  if (!s?.id || s.id === 'local') return null;
  return { id: s.id, name: s.name || s.email || s.id };
}

/**
 * Applies `change` at once and sends it. `what` names it for a failure message ("close", "assign").
 * Resolves true when the server took it.
 */
export async function changeCase(target: { id: string; number: number }, change: CaseChange, what: string): Promise<boolean> {
  const id = target.id;
  const fields = (Object.keys(change) as Field[]).filter((f) => change[f] !== undefined);
  if (fields.length === 0) return true;
  const token = nextToken++;
  setFailure(null);
  setPending(
    produce((all) => {
      const p = (all[id] ??= {});
      if (change.status !== undefined) p.status = { value: change.status, token };
      if (change.priority !== undefined) p.priority = { value: change.priority, token };
      if (change.assignee !== undefined) p.assignee = { value: change.assignee, token };
    }),
  );
  const body: UpdateCaseBody = {};
  if (change.status !== undefined) body.status = change.status;
  if (change.priority !== undefined) body.priority = change.priority;
  if (change.assignee !== undefined) body.assigneeId = change.assignee?.id ?? null;

  let ok = false;
  let saved: CaseSummary | null = null;
  try {
    saved = await updateCase(id, body);
    ok = true;
  } catch (err) {
    setFailure({ caseId: id, message: `Could not ${what} #${target.number}: ${errorMessage(err)}. The change was undone.` });
  }
  batch(() => {
    // The server's copy first, then the override goes: nothing flickers back in between.
    if (saved) {
      for (const fn of [...savedListeners]) {
        try {
          fn(saved);
        } catch (err) {
          console.error('case saved handler failed', err);
        }
      }
    }
    // A later change to the same field (another click meanwhile) keeps its own override.
    setPending(
      produce((all) => {
        const p = all[id];
        if (!p) return;
        for (const f of fields) if (p[f]?.token === token) delete p[f];
        if (!p.status && !p.priority && !p.assignee) delete all[id];
      }),
    );
  });
  return ok;
}
