// Who else is on a case: initials on the inbox row, a line of words in the case view.
import { For, Show } from 'solid-js';
import { initials, watcherLabel, watcherSentence, watchersOf } from '../realtime/presence.ts';

const MAX_AVATARS = 3;

export function RowPresence(props: { caseId: string }) {
  const watchers = () => watchersOf(props.caseId);
  // One name per agent: this agent's other tabs may show up twice (viewing and writing).
  const names = () => [...new Set(watchers().map((w) => w.name))];
  const sentence = () => watchers().map(watcherSentence).join('; ');
  return (
    <Show when={watchers().length > 0}>
      <span class="row-presence" data-testid="row-presence" data-agents={names().join(',')} data-composing={watchers().some((w) => w.composing) ? 'true' : 'false'} title={sentence()}>
        <For each={watchers().slice(0, MAX_AVATARS)}>
          {(w) => (
            <span class="avatar" classList={{ composing: w.composing, 'same-agent': w.sameAgent }} aria-hidden="true">
              {initials(w.name)}
            </span>
          )}
        </For>
        <Show when={watchers().length > MAX_AVATARS}>
          <span class="avatar more" aria-hidden="true">
            +{watchers().length - MAX_AVATARS}
          </span>
        </Show>
        <span class="visually-hidden">{sentence()}</span>
      </span>
    </Show>
  );
}

export function CasePresence(props: { caseId: string }) {
  const watchers = () => watchersOf(props.caseId);
  return (
    <Show when={watchers().length > 0}>
      <p class="case-presence" data-testid="case-presence" role="status">
        <For each={watchers()}>
          {(w) => (
            <span class="presence-entry" classList={{ composing: w.composing }} data-testid="presence-entry" data-composing={w.composing ? 'true' : 'false'} data-agent={watcherLabel(w)}>
              <span class="avatar" classList={{ composing: w.composing, 'same-agent': w.sameAgent }} aria-hidden="true">
                {initials(w.name)}
              </span>
              {watcherSentence(w)}
            </span>
          )}
        </For>
      </p>
    </Show>
  );
}
