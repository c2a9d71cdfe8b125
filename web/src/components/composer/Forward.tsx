// "Forward…" on a case: its last customer message, with an optional word, to one outside address,
// who then takes part in the case.
import { Show, createSignal } from 'solid-js';
import type { MessageView } from '../../../../worker/protocol/api.ts';
import { forwardCase } from '../../api/cases.ts';
import { errorMessage } from '../../api/errors.ts';

/** "Forward…": the case's last customer message, with an optional word, to one outside address. */
export function Forward(props: { caseId: string; onPosted: (view: MessageView, to: string) => void }) {
  const [open, setOpen] = createSignal(false);
  const [to, setTo] = createSignal('');
  const [text, setText] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  let toEl: HTMLInputElement | undefined;

  async function submit(): Promise<void> {
    if (busy()) return;
    const target = to().trim();
    if (!target) {
      setError('Whom to forward to?');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const view = await forwardCase(props.caseId, { to: target, text: text() });
      setOpen(false);
      setTo('');
      setText('');
      props.onPosted(view, target);
    } catch (err) {
      setError(`Could not forward: ${errorMessage(err)}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="forward">
      <button
        type="button"
        class="link-button"
        data-testid="forward-button"
        aria-expanded={open()}
        onClick={() => {
          setOpen(!open());
          setError(null);
          if (open()) requestAnimationFrame(() => toEl?.focus());
        }}
      >
        Forward…
      </button>
      <Show when={open()}>
        <form
          class="forward-form"
          data-testid="forward-form"
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              e.stopPropagation();
              void submit();
            } else if (e.key === 'Escape') {
              e.preventDefault();
              setOpen(false);
            }
          }}
        >
          <p class="hint">Sends the latest customer message to someone outside, who then takes part in the case.</p>
          <label class="composer-field">
            <span>To</span>
            <input ref={toEl} type="email" data-testid="forward-to" value={to()} placeholder="someone@example.com" readOnly={busy()} onInput={(e) => setTo(e.currentTarget.value)} />
          </label>
          <textarea data-testid="forward-text" rows={3} value={text()} placeholder="Optional note to them" readOnly={busy()} onInput={(e) => setText(e.currentTarget.value)} />
          <div class="composer-actions">
            <span class="spacer" />
            <button type="button" disabled={busy()} onClick={() => setOpen(false)}>
              Cancel
            </button>
            <button type="submit" class="primary" data-testid="forward-send" disabled={busy()}>
              {busy() ? 'Forwarding…' : 'Forward'}
            </button>
          </div>
          <Show when={error()}>
            {(msg) => (
              <p class="error-text" role="alert" data-testid="forward-error">
                {msg()}
              </p>
            )}
          </Show>
        </form>
      </Show>
    </div>
  );
}
