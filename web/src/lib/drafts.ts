// What an agent is writing on each case, kept while they look elsewhere, across a sign-in after the
// session ran out, and across a reload (sessionStorage: this tab only, gone when it closes). Cleared
// when the agent signs out or someone else signs in.
import { createStore, produce, unwrap } from 'solid-js/store';
import type { CaseStatus } from '../../../worker/protocol/api.ts';
import { onPrivateReset } from './privateState.ts';

export type ComposerTab = 'reply' | 'note';

export interface Draft {
  tab: ComposerTab;
  reply: string;
  note: string;
  /** The To field as typed; null while it still is the default (the requester). */
  to: string | null;
  cc: string;
  /** '' keeps the status (a new case becomes open). */
  status: CaseStatus | '';
  /**
   * The case's seq the agent has seen: follows each load while nothing is written, and stays put
   * once they start writing, so that whatever arrives meanwhile is shown before anything is sent.
   */
  seenSeq: number | null;
  /** Messages the agent has seen at `seenSeq` or since (shown by the collision guard, or written here). */
  seen: string[];
}

export function emptyDraft(): Draft {
  return { tab: 'reply', reply: '', note: '', to: null, cc: '', status: '', seenSeq: null, seen: [] };
}

const KEY = 'edgecase.drafts';
const MAX_DRAFTS = 50;

function load(): Record<string, Draft> {
  try {
    const raw = window.sessionStorage.getItem(KEY);
    const parsed = raw ? (JSON.parse(raw) as unknown) : null;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    const out: Record<string, Draft> = {};
    for (const [id, d] of Object.entries(parsed as Record<string, Partial<Draft>>)) {
      if (typeof d !== 'object' || d === null) continue;
      out[id] = {
        ...emptyDraft(),
        tab: d.tab === 'note' ? 'note' : 'reply',
        reply: typeof d.reply === 'string' ? d.reply : '',
        note: typeof d.note === 'string' ? d.note : '',
        to: typeof d.to === 'string' ? d.to : null,
        cc: typeof d.cc === 'string' ? d.cc : '',
        status: typeof d.status === 'string' ? (d.status as CaseStatus | '') : '',
        seenSeq: typeof d.seenSeq === 'number' ? d.seenSeq : null,
        seen: Array.isArray(d.seen) ? d.seen.filter((x): x is string => typeof x === 'string') : [],
      };
    }
    return out;
  } catch {
    return {};
  }
}

const [drafts, setDrafts] = createStore<Record<string, Draft>>(load());

function save(): void {
  try {
    const all = unwrap(drafts);
    // Only drafts with something in them are worth keeping across a reload.
    const kept = Object.entries(all).filter(([, d]) => d.reply.trim() || d.note.trim());
    window.sessionStorage.setItem(KEY, JSON.stringify(Object.fromEntries(kept.slice(-MAX_DRAFTS))));
  } catch {
    // Storage full or unavailable: drafts then live as long as the page.
  }
}

export function draftFor(caseId: string): Draft {
  return drafts[caseId] ?? emptyDraft();
}

export function updateDraft(caseId: string, change: (d: Draft) => void): void {
  if (!drafts[caseId]) setDrafts(caseId, emptyDraft());
  setDrafts(caseId, produce(change));
  save();
}

onPrivateReset(() => {
  setDrafts(
    produce((all) => {
      for (const id of Object.keys(all)) delete all[id];
    }),
  );
  try {
    window.sessionStorage.removeItem(KEY);
  } catch {
    // nothing stored
  }
});
