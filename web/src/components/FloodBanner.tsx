// The flood breaker tripped: a banner per flood until an agent dismisses it. Live only: a flood that
// tripped while nobody had the app open is in the held mail list all the same.
import { For, Show, createSignal } from 'solid-js';
import type { ServerEvent } from '../../../worker/protocol/events.ts';
import { openHeldMail } from '../lib/route.ts';
import { onServerEvent } from '../realtime/live.ts';

type Flood = Extract<ServerEvent, { type: 'flood.detected' }>;

/** More than a handful on screen helps nobody; the held list has the rest. */
const MAX_BANNERS = 5;

export function FloodBanners() {
  const [floods, setFloods] = createSignal<Flood[]>([]);
  onServerEvent((event) => {
    if (event.type !== 'flood.detected') return;
    setFloods((prev) => (prev.some((f) => f.inboundId === event.inboundId) ? prev : [event, ...prev].slice(0, MAX_BANNERS)));
  });
  const dismiss = (inboundId: string) => setFloods((prev) => prev.filter((f) => f.inboundId !== inboundId));

  return (
    <Show when={floods().length > 0}>
      <div class="banners">
        <For each={floods()}>
          {(f) => (
            <div class="banner flood" role="alert" data-testid="flood-banner" data-inbound-id={f.inboundId} data-by={f.by}>
              <span class="banner-text">
                Flood held: {f.count} messages from {f.sender || 'an unknown sender'} in {f.windowMinutes} minutes
                {f.by === 'identical' ? ' (identical subject and text)' : ''}
              </span>
              <button
                type="button"
                class="link-button"
                onClick={() => {
                  dismiss(f.inboundId);
                  openHeldMail();
                }}
              >
                Review held mail
              </button>
              <button type="button" class="dismiss" data-testid="flood-dismiss" aria-label="Dismiss" title="Dismiss" onClick={() => dismiss(f.inboundId)}>
                ×
              </button>
            </div>
          )}
        </For>
      </div>
    </Show>
  );
}
