// The canned-reply picker of the composer (Ctrl+Shift+K, or the button): a search over name, shortcut
// and text; Enter or a click inserts the chosen one, filled for this case, where the cursor was.
//
// data-testids: snippet-picker, snippet-search, snippet-option (data-shortcut), snippet-picker-error.
import { For, Show, createResource, createSignal, onMount } from 'solid-js';
import type { SnippetView } from '../../../../worker/protocol/snippets.ts';
import { errorMessage } from '../../api/errors.ts';
import { listSnippets, renderSnippet } from '../../api/snippets.ts';
import { searchSnippets } from './snippetSearch.ts';

export const SNIPPET_KEY_LABEL = 'Ctrl+Shift+K';

/** The picker's key: Ctrl (or ⌘) with Shift and K. */
export function isSnippetKey(e: KeyboardEvent): boolean {
  return (e.ctrlKey || e.metaKey) && e.shiftKey && !e.altKey && e.key.toLowerCase() === 'k';
}

export function SnippetPicker(props: { caseId: string; onInsert: (text: string) => void; onClose: () => void }) {
  const [all] = createResource(() => listSnippets().catch((err: unknown) => (setError(`Could not load canned replies: ${errorMessage(err)}`), [] as SnippetView[])), { initialValue: [] });
  const [query, setQuery] = createSignal('');
  const [active, setActive] = createSignal(0);
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const found = () => searchSnippets(all(), query());
  let input: HTMLInputElement | undefined;
  onMount(() => input?.focus());

  async function choose(s: SnippetView | undefined): Promise<void> {
    if (!s || busy()) return;
    setBusy(true);
    setError(null);
    try {
      props.onInsert((await renderSnippet(s.id, props.caseId)).text);
    } catch (err) {
      setError(`Could not fill "${s.name}": ${errorMessage(err)}`);
    } finally {
      setBusy(false);
    }
  }

  function onKeyDown(e: KeyboardEvent): void {
    const n = found().length;
    if (e.key === 'Escape') {
      e.preventDefault();
      props.onClose();
    } else if (e.key === 'ArrowDown' && n > 0) {
      e.preventDefault();
      setActive((a) => (a + 1) % n);
    } else if (e.key === 'ArrowUp' && n > 0) {
      e.preventDefault();
      setActive((a) => (a - 1 + n) % n);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      e.stopPropagation();
      void choose(found()[Math.min(active(), n - 1)]);
    }
  }

  return (
    <div class="snippet-picker" data-testid="snippet-picker" role="dialog" aria-label="Insert a canned reply">
      <input
        ref={input}
        type="search"
        data-testid="snippet-search"
        placeholder="Search canned replies by name, ;shortcut or text…"
        aria-label="Search canned replies"
        autocomplete="off"
        value={query()}
        onInput={(e) => {
          setQuery(e.currentTarget.value);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
      />
      <ul class="snippet-options">
        <For each={found()} fallback={<li class="empty">{all().length === 0 ? 'No canned replies yet: add some under Canned replies.' : 'None match.'}</li>}>
          {(s, i) => (
            <li classList={{ active: i() === active() }}>
              <button type="button" class="snippet-option" data-testid="snippet-option" data-shortcut={s.shortcut ?? ''} aria-pressed={i() === active()} onClick={() => void choose(s)}>
                <strong>{s.name}</strong>
                <Show when={s.shortcut}>{(k) => <code>;{k()}</code>}</Show>
                <Show when={s.shared}>
                  <span class="badge">shared</span>
                </Show>
                <span class="muted snippet-preview">{s.body.slice(0, 80)}</span>
              </button>
            </li>
          )}
        </For>
      </ul>
      <p class="hint">
        <kbd>↑</kbd>/<kbd>↓</kbd> choose, <kbd>Enter</kbd> inserts, <kbd>Esc</kbd> closes
      </p>
      <Show when={error()}>
        {(msg) => (
          <p class="error-text" role="alert" data-testid="snippet-picker-error">
            {msg()}
          </p>
        )}
      </Show>
    </div>
  );
}
