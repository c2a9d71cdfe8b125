// Mail that did not become (part of) a case: quarantined or ignored by the ingest rules.
import { For, Match, Show, Switch, createResource } from 'solid-js';
import type { ResourceFetcherInfo } from 'solid-js';
import type { InboundView } from '../../worker/protocol/api.ts';
import { errorMessage, listInbound } from './client.ts';
import { caseHref, formatDate, formatSize, now, relativeTime } from './format.ts';
import { onResync, onServerEvent } from './live.ts';
import { createDeepSignal } from './store.ts';
import { createDebounced } from './util.ts';

interface HeldData {
  items: InboundView[];
  /** True when there is more than one page; only the newest are shown. */
  truncated: boolean;
}

async function fetchHeld(_: true, info: ResourceFetcherInfo<HeldData>): Promise<HeldData> {
  try {
    const page = await listInbound('held');
    return { items: page.items, truncated: page.nextCursor !== null };
  } catch (err) {
    if (info.value && info.refetching) {
      console.warn('refreshing held mail failed', err);
      return info.value;
    }
    throw err;
  }
}

export function HeldMail() {
  const [data, { refetch }] = createResource(fetchHeld, { storage: createDeepSignal });
  const refresh = createDebounced(() => void refetch(), 200);
  onServerEvent((event) => {
    if (event.type === 'inbound.held') refresh();
  });
  onResync(refresh);

  const loaded = () => (data.error ? undefined : data());

  return (
    <Switch>
      <Match when={data.error && !data.loading}>
        <div class="error" role="alert">
          <p>Could not load held mail: {errorMessage(data.error)}</p>
          <button type="button" onClick={() => void refetch()}>
            Retry
          </button>
        </div>
      </Match>
      <Match when={loaded()}>
        {(d) => (
          <div class="held-list" data-testid="held-list">
            <Show when={d().items.length > 0} fallback={<p class="empty">No held mail.</p>}>
              <ul class="rows">
                <For each={d().items}>
                  {(m) => (
                    <li class="row held-row" data-testid="held-row" data-inbound-id={m.id}>
                      <span class="subject">{m.subject || '(no subject)'}</span>
                      <span class="contact" title={m.envelopeFrom}>
                        {m.fromEmail || m.envelopeFrom || 'unknown sender'}
                      </span>
                      <span class="meta">
                        <span class={`badge inbound inbound-${m.status}`}>{m.status}</span>
                      </span>
                      <time class="time" datetime={new Date(m.receivedAt).toISOString()} title={formatDate(m.receivedAt)}>
                        {relativeTime(m.receivedAt, now())}
                      </time>
                      <span class="count">{formatSize(m.rawSize)}</span>
                      <span class="reason">
                        {m.reason ?? 'no reason recorded'}
                        <Show when={m.caseId}>
                          {(id) => (
                            <>
                              {' · '}
                              <a href={caseHref(id())}>related case</a>
                            </>
                          )}
                        </Show>
                      </span>
                    </li>
                  )}
                </For>
              </ul>
            </Show>
            <Show when={d().truncated}>
              <p class="hint">Showing the newest held messages only.</p>
            </Show>
          </div>
        )}
      </Match>
      <Match when={true}>
        <p class="loading">Loading…</p>
      </Match>
    </Switch>
  );
}
