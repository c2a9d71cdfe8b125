// A warning above a reply to an address that bounced before (its contact is marked undeliverable, or
// earlier mail to it came back): the reply may not arrive either. Sending stays possible: the address
// may have been fixed, or the agent may add another one.
import { For, Show, createMemo } from 'solid-js';
import type { UndeliverableView } from '../../../../worker/protocol/api.ts';
import { formatDate } from '../../lib/format.ts';

export function BounceWarning(props: { addresses: string[]; undeliverable: UndeliverableView[] }) {
  const hits = createMemo(() => {
    // "Name <a@x>" or a bare a@x, as the agent typed it.
    const wanted = new Set(props.addresses.map((a) => (/<([^<>]+)>/.exec(a)?.[1] ?? a).trim().toLowerCase()));
    return props.undeliverable.filter((u) => wanted.has(u.email.toLowerCase()));
  });
  return (
    <Show when={hits().length > 0}>
      <div class="composer-warning" role="status" data-testid="bounce-warning">
        <For each={hits()}>
          {(u) => (
            <p data-testid="bounce-warning-address" data-email={u.email}>
              Mail to <strong>{u.email}</strong> bounced before{u.at ? ` (${formatDate(u.at)})` : ''}: {u.reason}. This reply may not arrive either; check the address, or send anyway.
            </p>
          )}
        </For>
      </div>
    </Show>
  );
}
