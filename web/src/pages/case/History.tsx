// The case's history: who changed what, as lines from its events. The case view refetches its detail
// on every event about the case; the history follows the detail's seq, so new lines come live.
import { For, Show, createResource } from 'solid-js';
import { getHistory } from '../../api/assign.ts';
import { formatDate } from '../../lib/format.ts';

export function History(props: { caseId: string; seq: number }) {
  const [history] = createResource(
    () => ({ id: props.caseId, seq: props.seq }),
    (k) => getHistory(k.id),
  );
  return (
    <section class="history" aria-label="History">
      <details open>
        <summary>History</summary>
        <Show when={history.latest} fallback={<p class="muted">{history.error ? 'Could not load the history.' : 'Loading…'}</p>}>
          {(h) => (
            <ol data-testid="history">
              <For each={h().lines} fallback={<li class="muted">No changes yet.</li>}>
                {(l) => (
                  <li data-testid="history-line">
                    <time class="muted" title={formatDate(l.at)}>
                      {formatDate(l.at)}
                    </time>{' '}
                    {l.text}
                  </li>
                )}
              </For>
            </ol>
          )}
        </Show>
      </details>
    </section>
  );
}
