// "Ana is drafting a reply": the other agents with an unsent draft on the case (never its text),
// kept current by the draft.updated events and by sends, which clear the sender's draft. An agent
// the presence line already shows writing is not named twice.
import { For, Show, createResource } from 'solid-js';
import { listDrafters } from '../api/drafts.ts';
import { onServerEvent } from '../realtime/live.ts';
import { watchersOf } from '../realtime/presence.ts';
import { currentSession } from '../stores/session.ts';

export function DraftingLine(props: { caseId: string }) {
  const signedIn = () => (currentSession()?.id ? props.caseId : null);
  const [drafters, { refetch }] = createResource(signedIn, (id) => listDrafters(id).catch(() => []));
  onServerEvent((e) => {
    if ((e.type === 'draft.updated' || e.type === 'message.added') && e.caseId === props.caseId) void refetch();
  });
  const shown = () => {
    const writing = new Set(
      watchersOf(props.caseId)
        .filter((w) => w.composing)
        .map((w) => w.agentId),
    );
    return (drafters() ?? []).filter((d) => !writing.has(d.agentId));
  };
  return (
    <Show when={shown().length > 0}>
      <p class="case-presence case-drafting" data-testid="case-drafting" role="status">
        <For each={shown()}>
          {(d) => (
            <span class="presence-entry composing" data-testid="drafting-entry" data-agent={d.name}>
              {d.name} is drafting {d.mode === 'reply' ? 'a reply' : 'a note'}
            </span>
          )}
        </For>
      </p>
    </Show>
  );
}
