// The collision guard refused a reply or note: what arrived since the agent started writing, shown
// above the draft (which stays), and the deliberate second click that sends anyway.
import { For, type JSX } from 'solid-js';
import type { MessageView } from '../../../../worker/protocol/api.ts';
import type { ComposerTab } from '../../lib/drafts.ts';

export interface Collision {
  tab: ComposerTab;
  messages: MessageView[];
  message: string;
}

export function CollisionNotice(props: {
  collision: Collision;
  busy: boolean;
  renderMessage: (m: MessageView) => JSX.Element;
  noticeRef: (el: HTMLElement) => void;
  onSendAnyway: () => void;
  onKeepEditing: () => void;
}) {
  const c = () => props.collision;
  return (
    <section class="collision" data-testid="collision-notice" role="alert" tabIndex={-1} ref={props.noticeRef} aria-labelledby="collision-title">
      <h3 id="collision-title">New since you started writing</h3>
      <p>
        {c().messages.length === 1 ? 'A new message arrived' : `${c().messages.length} new messages arrived`} on this case. Nothing was sent; your {c().tab === 'reply' ? 'reply' : 'note'} is still
        below.
      </p>
      <div class="collision-messages">
        <For each={c().messages}>{(m) => props.renderMessage(m)}</For>
      </div>
      <div class="collision-actions">
        <button type="button" class="primary" data-testid="composer-send-anyway" disabled={props.busy} onClick={() => props.onSendAnyway()}>
          {props.busy ? 'Sending…' : c().tab === 'reply' ? 'Send anyway' : 'Add note anyway'}
        </button>
        <button type="button" disabled={props.busy} onClick={() => props.onKeepEditing()}>
          Keep editing
        </button>
      </div>
    </section>
  );
}
