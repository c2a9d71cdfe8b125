// What the agent has seen of a case while writing on it, for the collision guard: the seq sent with a
// reply or note, and the messages that count as news to them. What the agent wrote themselves, in
// this tab or another, is no news (the server's guard does not count it either).
import { createEffect, untrack, type Accessor } from 'solid-js';
import type { CaseDetail, MessageView } from '../../../../worker/protocol/api.ts';
import { draftFor, updateDraft, type Draft } from '../../lib/drafts.ts';

/** Messages this page wrote: never news to the agent who wrote them. */
export const postedHere = new Set<string>();

/**
 * What the collision guard counts as news: people's messages, not automatic or system ones, and not
 * the agent's own (`me`: the signed-in agent's id).
 */
export function isNews(m: MessageView, me: string | null): boolean {
  return m.kind === 'human' && m.direction !== 'system' && (me === null || m.author?.id !== me);
}

export const writing = (d: Draft) => d.reply.trim() !== '' || d.note.trim() !== '';

/**
 * The seq to send: follows each load of the case while nothing is written; once the agent writes,
 * it moves on only past messages that are no news to them.
 */
export function followSeen(detail: Accessor<CaseDetail>, me: Accessor<string | null>): void {
  createEffect(() => {
    const d = detail();
    const self = me();
    const id = d.case.id;
    const seq = d.seq;
    const ids = d.messages.map((m) => m.id);
    const news = d.messages.filter((m) => isNews(m, self)).map((m) => m.id);
    untrack(() => {
      const current = draftFor(id);
      if (!writing(current) || current.seenSeq === null) {
        if (current.seenSeq !== seq || current.seen.length !== ids.length) {
          updateDraft(id, (x) => {
            x.seenSeq = seq;
            x.seen = ids;
          });
        }
        return;
      }
      const seen = new Set(current.seen);
      if (seq > current.seenSeq && news.every((m) => seen.has(m))) {
        updateDraft(id, (x) => {
          x.seenSeq = seq;
          x.seen = ids;
        });
      }
    });
  });
}

/** How many messages on screen are news that arrived after the agent started writing. */
export function newsSince(d: Draft, detail: CaseDetail, me: string | null): number {
  if (!writing(d)) return 0;
  const seen = new Set(d.seen);
  return detail.messages.filter((m) => isNews(m, me) && !seen.has(m.id)).length;
}
