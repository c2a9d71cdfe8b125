// What a held message says, on demand: it is read from the raw mail only when the agent opens it,
// then shown as a case message would be (plain text with its quote folded, or the HTML in the same
// sandboxed frame), with the names of what it carries.
import { For, Match, Show, Switch, createResource, createSignal } from 'solid-js';
import { errorMessage } from '../../api/errors.ts';
import { getInboundBody } from '../../api/inbound.ts';
import { MessageBody } from '../../components/HtmlBody.tsx';
import { formatSize } from '../../lib/format.ts';

export function HeldBody(props: { id: string }) {
  const [open, setOpen] = createSignal(false);
  const [body, { refetch }] = createResource(() => (open() ? props.id : false), getInboundBody);
  return (
    <details class="held-body" data-testid="held-body" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Message</summary>
      <Switch fallback={<p class="muted">Loading the message…</p>}>
        <Match when={body.error}>
          <p class="error-text" role="alert" data-testid="held-body-error">
            Could not read this message: {errorMessage(body.error)}{' '}
            <button type="button" class="link-button" onClick={() => void refetch()}>
              Retry
            </button>
          </p>
        </Match>
        <Match when={body()?.unreadable}>
          {(why) => (
            <p class="muted" data-testid="held-body-unreadable">
              This message cannot be shown: {why()}.
            </p>
          )}
        </Match>
        <Match when={body()}>
          {(b) => (
            <div class="held-message" data-testid="held-message">
              <MessageBody message={{ text: b().text, html: b().html, quotedFrom: b().quotedFrom, attachments: [] }} />
              <Show when={b().attachments.length > 0}>
                <ul class="attachments" aria-label="Attachments">
                  <For each={b().attachments}>
                    {(a) => (
                      <li data-testid="held-attachment">
                        <span class="filename">{a.filename || 'unnamed attachment'}</span> <span class="size">{formatSize(a.size)}</span> <span class="skip-reason">in the raw message</span>
                      </li>
                    )}
                  </For>
                </ul>
              </Show>
            </div>
          )}
        </Match>
      </Switch>
    </details>
  );
}
