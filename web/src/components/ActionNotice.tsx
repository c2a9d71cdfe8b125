// The message for a case change the server refused (the change itself is already undone on screen).
import { Show } from 'solid-js';
import { actionFailure, dismissActionFailure } from '../stores/caseActions.ts';

export function ActionNotice() {
  return (
    <Show when={actionFailure()}>
      {(f) => (
        <div class="action-error" role="alert" data-testid="action-error" data-case-id={f().caseId}>
          <span>{f().message}</span>
          <button type="button" class="link-button" onClick={dismissActionFailure}>
            Dismiss
          </button>
        </div>
      )}
    </Show>
  );
}
