// Presence: tells the hub which case this tab shows and whether a reply is being written there, and
// turns the hub's list of sockets into "who else is here" for the inbox rows and the case header.
// Tabs are told apart by socket, not by agent: in open mode every tab is the same 'local' agent.
import { createEffect, createMemo, createRoot, on, untrack, type Accessor } from 'solid-js';
import type { PresenceEntry } from '../../../worker/protocol/events.ts';
import { draftFor } from '../lib/drafts.ts';
import { onHello, ownSocketId, presenceEntries, sendFrame } from './live.ts';
import { openCaseId } from '../lib/route.ts';

/** Starting or clearing a reply is told after the typing settles, not on every key. */
const COMPOSING_DEBOUNCE_MS = 600;

interface Status {
  viewing: string | null;
  composing: string | null;
}

const sameStatus = (a: Status, b: Status) => a.viewing === b.viewing && a.composing === b.composing;

/** Someone (or some other tab of this agent) on a case. */
export interface Watcher {
  key: string;
  agentId: string;
  name: string;
  /** Another tab of the agent this tab belongs to (in open mode: every other tab). */
  sameAgent: boolean;
  /** Sockets behind this entry. */
  tabs: number;
  composing: boolean;
}

/** What the hub last heard from this tab's current socket; null: nothing yet (a fresh socket). */
let told: Status | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;

// Assigned inside the root below, before anything there runs that reads them.
let wanted: Accessor<Status> = () => ({ viewing: null, composing: null });
let byCase: Accessor<Map<string, Watcher[]>> = () => new Map();

createRoot(() => {
  wanted = createMemo<Status>(
    () => {
      const viewing = openCaseId() ?? null;
      // A reply with something in it is "writing"; the hub's protocol has no room to say which kind.
      const composing = viewing !== null && draftFor(viewing).reply.trim() !== '' ? viewing : null;
      return { viewing, composing };
    },
    { viewing: null, composing: null },
    { equals: sameStatus },
  );

  createEffect(
    on(wanted, (now, before) => {
      // A different case is told at once; the composing flag waits for the typing to settle.
      if (!before || now.viewing !== before.viewing) tell();
      else {
        clearTimeout(timer);
        timer = setTimeout(tell, COMPOSING_DEBOUNCE_MS);
      }
    }),
  );

  byCase = createMemo(() => groupByCase(presenceEntries(), ownSocketId()));
});

function tell(): void {
  clearTimeout(timer);
  timer = undefined;
  const status = untrack(wanted);
  if (told && sameStatus(told, status)) return;
  if (sendFrame({ type: 'presence', viewing: status.viewing, composing: status.composing })) told = status;
}

// Every (re)connection is a new socket that knows nothing of this tab: say it again.
onHello(() => {
  told = null;
  tell();
});

function groupByCase(entries: PresenceEntry[], self: string | null): Map<string, Watcher[]> {
  const ownAgent = self ? (entries.find((e) => e.socketId === self)?.agentId ?? null) : null;
  const out = new Map<string, Map<string, Watcher>>();
  for (const e of entries) {
    if (e.socketId === self) continue;
    const caseIds = new Set([e.viewing, e.composing].filter((x): x is string => x !== null));
    for (const caseId of caseIds) {
      const composing = e.composing === caseId;
      const sameAgent = e.agentId === ownAgent;
      // Other agents: one entry per agent. This agent's other tabs: one per state, so the words say
      // exactly what those tabs do.
      const key = sameAgent ? `self:${composing ? 'w' : 'v'}` : `agent:${e.agentId}`;
      let group = out.get(caseId);
      if (!group) out.set(caseId, (group = new Map()));
      const w = group.get(key);
      if (w) {
        w.tabs++;
        w.composing ||= composing;
      } else {
        group.set(key, { key, agentId: e.agentId, name: e.name || 'Someone', sameAgent, tabs: 1, composing });
      }
    }
  }
  const result = new Map<string, Watcher[]>();
  for (const [caseId, group] of out) {
    // Writers first, then by name, so the order does not jump around.
    result.set(
      caseId,
      [...group.values()].sort((a, b) => Number(b.composing) - Number(a.composing) || Number(a.sameAgent) - Number(b.sameAgent) || a.name.localeCompare(b.name)),
    );
  }
  return result;
}

const NOBODY: Watcher[] = [];

/** Who else has this case open or writes on it, this tab excluded. */
export function watchersOf(caseId: string): Watcher[] {
  return byCase().get(caseId) ?? NOBODY;
}

/** "Ben Agent", or, for this agent's other tabs, "Another tab (Local agent)". */
export function watcherLabel(w: Watcher): string {
  if (!w.sameAgent) return w.name;
  return w.tabs === 1 ? `Another tab (${w.name})` : `${w.tabs} other tabs (${w.name})`;
}

/** "Ben Agent is viewing", "Another tab (Local agent) is writing a reply…". */
export function watcherSentence(w: Watcher): string {
  const plural = w.sameAgent && w.tabs > 1;
  return `${watcherLabel(w)} ${plural ? 'are' : 'is'} ${w.composing ? 'writing a reply…' : 'viewing'}`;
}

/** Up to two letters for an avatar: "Ben Agent" → "BA". */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length >= 2 ? [words[0]!, words[words.length - 1]!].map((w) => [...w][0] ?? '') : [...(words[0] ?? '?')].slice(0, 2);
  return letters.join('').toUpperCase() || '?';
}
