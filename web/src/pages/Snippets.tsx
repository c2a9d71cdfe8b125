// Canned replies (#/snippets): the agent's own, and the workspace's shared ones (written by admins).
// In the composer, Ctrl+Shift+K opens them; placeholders are filled for the case.
//
// data-testids: snippets-page, snippet-row (data-id), snippet-form (new or editing), snippet-name,
// snippet-shortcut, snippet-body, snippet-shared, snippet-save, snippet-edit, snippet-delete, snippets-error.
import { For, Show, createResource, createSignal } from 'solid-js';
import { SNIPPET_PLACEHOLDERS, type SnippetView } from '../../../worker/protocol/snippets.ts';
import { errorMessage } from '../api/errors.ts';
import { createSnippet, deleteSnippet, listSnippets, updateSnippet } from '../api/snippets.ts';
import { isAdmin } from './admin/AdminPage.tsx';

export function Snippets() {
  document.title = 'Canned replies · edgecase';
  const [items, { refetch }] = createResource(() => listSnippets(), { initialValue: [] });
  const [error, setError] = createSignal<string | null>(null);
  const [editing, setEditing] = createSignal<string | null>(null);

  async function run(what: string, fn: () => Promise<unknown>): Promise<boolean> {
    setError(null);
    try {
      await fn();
      await refetch();
      return true;
    } catch (err) {
      setError(`Could not ${what}: ${errorMessage(err)}`);
      return false;
    }
  }

  return (
    <div data-testid="snippets-page" class="snippets-page">
      <h2>Canned replies</h2>
      <p class="muted">
        In the composer, press <kbd>Ctrl</kbd>+<kbd>Shift</kbd>+<kbd>K</kbd> (or click “Canned reply”), type part of a name, <code>;shortcut</code> or text, and press <kbd>Enter</kbd>. Placeholders:{' '}
        {SNIPPET_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}.
      </p>
      <Show when={error()}>
        {(msg) => (
          <p class="error-text" role="alert" data-testid="snippets-error">
            {msg()}
          </p>
        )}
      </Show>
      <SnippetForm submitLabel="Add" onSave={(body) => run('add the canned reply', () => createSnippet(body))} />
      <Show when={items().length > 0} fallback={<p class="empty">No canned replies yet.</p>}>
        <ul class="snippet-list">
          <For each={items()}>
            {(s) => (
              <li data-testid="snippet-row" data-id={s.id}>
                <Show
                  when={editing() === s.id}
                  fallback={
                    <>
                      <strong>{s.name}</strong> <Show when={s.shortcut}>{(k) => <code>;{k()}</code>}</Show> {s.shared ? <span class="badge">shared</span> : <span class="badge">personal</span>}
                      <pre class="snippet-body">{s.body}</pre>
                      <Show when={s.editable}>
                        <button type="button" data-testid="snippet-edit" onClick={() => setEditing(s.id)}>
                          Edit
                        </button>{' '}
                        <button type="button" class="danger" data-testid="snippet-delete" onClick={() => void run('delete the canned reply', () => deleteSnippet(s.id))}>
                          Delete
                        </button>
                      </Show>
                    </>
                  }
                >
                  <SnippetForm
                    initial={s}
                    submitLabel="Save"
                    onSave={async (body) => {
                      const ok = await run('save the canned reply', () => updateSnippet(s.id, { name: body.name, shortcut: body.shortcut, body: body.body }));
                      if (ok) setEditing(null);
                      return ok;
                    }}
                    onCancel={() => setEditing(null)}
                  />
                </Show>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </div>
  );
}

interface FormBody {
  name: string;
  shortcut: string | null;
  body: string;
  shared: boolean;
}

function SnippetForm(props: { initial?: SnippetView; submitLabel: string; onSave: (body: FormBody) => Promise<boolean>; onCancel?: () => void }) {
  const [name, setName] = createSignal(props.initial?.name ?? '');
  const [shortcut, setShortcut] = createSignal(props.initial?.shortcut ?? '');
  const [body, setBody] = createSignal(props.initial?.body ?? '');
  const [shared, setShared] = createSignal(props.initial?.shared ?? false);
  const [busy, setBusy] = createSignal(false);
  return (
    <form
      class="snippet-form"
      data-testid="snippet-form"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        const ok = await props.onSave({ name: name(), shortcut: shortcut().trim() || null, body: body(), shared: shared() });
        setBusy(false);
        if (ok && !props.initial) {
          setName('');
          setShortcut('');
          setBody('');
        }
      }}
    >
      <label class="field">
        Name <input data-testid="snippet-name" value={name()} required maxLength={100} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label class="field">
        Shortcut <input data-testid="snippet-shortcut" value={shortcut()} placeholder="refund" maxLength={33} onInput={(e) => setShortcut(e.currentTarget.value)} />
      </label>
      <Show when={!props.initial && isAdmin()}>
        <label class="field">
          <input type="checkbox" data-testid="snippet-shared" checked={shared()} onChange={(e) => setShared(e.currentTarget.checked)} /> Shared with every agent
        </label>
      </Show>
      <label class="field">
        Text <textarea data-testid="snippet-body" rows={4} value={body()} required placeholder="Hello {{customer.first_name}}, …" onInput={(e) => setBody(e.currentTarget.value)} />
      </label>
      <button type="submit" class="primary" data-testid="snippet-save" disabled={busy()}>
        {props.submitLabel}
      </button>
      <Show when={props.onCancel}>
        {(cancel) => (
          <button type="button" onClick={() => cancel()()}>
            Cancel
          </button>
        )}
      </Show>
    </form>
  );
}
