// The composer's draft on the server: restored when the case opens (on a reload, on another device)
// and saved about 800 ms after typing stops, with the version it was written over, so that two
// devices never overwrite each other unseen. A restored draft written against an older customer
// message than the newest counts what came after as unseen: the collision guard asks before sending.
import { createEffect, createSignal, on, onCleanup, untrack, type Accessor } from 'solid-js';
import type { CaseDetail } from '../../../../worker/protocol/api.ts';
import type { DraftView } from '../../../../worker/protocol/drafts.ts';
import { deleteDraft, getDraft, saveDraft } from '../../api/drafts.ts';
import { RequestError, errorMessage } from '../../api/errors.ts';
import { draftFor, updateDraft } from '../../lib/drafts.ts';

const SAVE_DELAY_MS = 800;

/** Per case: the stored version (null: none stored) and the customer message the draft was written against. */
const known = new Map<string, { version: number | null; base: string | null }>();

function newestCustomer(detail: CaseDetail): string | null {
  return [...detail.messages].reverse().find((m) => m.direction === 'inbound' && m.kind === 'human')?.id ?? null;
}

function restore(detail: CaseDetail, d: DraftView): void {
  const id = detail.case.id;
  const ids = detail.messages.map((m) => m.id);
  const at = d.baseMessageId ? ids.indexOf(d.baseMessageId) : -1;
  const current = newestCustomer(detail) === d.baseMessageId;
  updateDraft(id, (x) => {
    x.tab = d.mode;
    if (d.mode === 'reply') {
      x.reply = d.body;
      x.cc = d.cc.join(', ');
    } else x.note = d.body;
    // Written against an older customer message: what came after is unseen, and the server's guard
    // (from seq 0) will show it before anything is sent.
    x.seen = current ? ids : ids.slice(0, at + 1);
    x.seenSeq = current ? detail.seq : 0;
  });
}

/** Keeps the composer's draft of the case on the server while `enabled` (an agent is signed in). */
export function useServerDraft(detail: Accessor<CaseDetail>, enabled: Accessor<boolean>): Accessor<string | null> {
  const [problem, setProblem] = createSignal<string | null>(null);
  const caseId = () => detail().case.id;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let ready = false;

  createEffect(
    on([caseId, enabled], ([id, on]) => {
      ready = false;
      clearTimeout(timer);
      if (!on) return;
      void getDraft(id)
        .then((d) => {
          if (caseId() !== id) return;
          known.set(id, { version: d?.version ?? null, base: d?.baseMessageId ?? null });
          const local = draftFor(id);
          if (d && !(local.reply.trim() || local.note.trim())) restore(untrack(detail), d);
          ready = true;
        })
        .catch((err) => setProblem(`Could not load your saved draft: ${errorMessage(err)}`));
    }),
  );

  async function flush(id: string): Promise<void> {
    const d = draftFor(id);
    const text = d.tab === 'reply' ? d.reply : d.note;
    const k = known.get(id) ?? { version: null, base: null };
    try {
      if (!text.trim()) {
        if (k.version !== null) await deleteDraft(id);
        known.set(id, { version: null, base: null });
      } else {
        const base = k.version !== null ? k.base : newestCustomer(untrack(detail));
        const saved = await saveDraft(id, {
          mode: d.tab,
          body: text,
          cc:
            d.tab === 'reply'
              ? d.cc
                  .split(/[,;\n]/)
                  .map((s) => s.trim())
                  .filter(Boolean)
              : [],
          baseMessageId: base,
          ...(k.version !== null ? { version: k.version } : {}),
        });
        known.set(id, { version: saved.version, base: saved.baseMessageId });
      }
      setProblem(null);
    } catch (err) {
      const stored = err instanceof RequestError && err.status === 409 ? ((err.body as { error?: { issues?: { draft?: DraftView | null } } }).error?.issues?.draft ?? null) : undefined;
      if (stored !== undefined) {
        // Saved on another device meanwhile: the next save here goes over that version, and says so now.
        known.set(id, { version: stored?.version ?? null, base: stored?.baseMessageId ?? null });
        setProblem('This draft was changed on another device; keep typing to save this version over it.');
      } else setProblem(`Could not save the draft: ${errorMessage(err)}`);
    }
  }

  createEffect(() => {
    const id = caseId();
    const d = draftFor(id);
    // Tracked: what a save would carry.
    void [d.tab, d.reply, d.note, d.cc];
    if (!enabled() || !ready) return;
    clearTimeout(timer);
    timer = setTimeout(() => void flush(id), SAVE_DELAY_MS);
  });
  onCleanup(() => clearTimeout(timer));
  return problem;
}
