// Mailbox settings (#/admin/mailboxes): the list of mailboxes, and a form with every setting of the
// chosen one (or of a new one). The API validates; its messages appear next to the fields they are
// about. Only what changed is sent.
//
// data-testids: admin-mailboxes (the page), mailbox-row (a mailbox in the list; data-id), mailbox-new
// (button), mailbox-form, field-<setting> (each input, named as in the API: field-displayName,
// field-catchAllAddress, …), error-<setting> (the API's message under a field), mailbox-save,
// mailbox-saved (confirmation), mailbox-error (a refusal not about one field), template-<kind>
// (the editor of the create / update / off-hours acknowledgement; kind as in the API), and in it
// template-<kind>-custom, -subject, -text, -html, -preview (button) and preview-<kind> (the result).
import { For, Show, createMemo, createResource, createSignal } from 'solid-js';
import type { MailboxSettings } from '../../../../worker/protocol/admin.ts';
import { listMailboxes } from '../../api/admin.ts';
import { Loadable } from '../../components/Loadable.tsx';
import { MailboxForm } from './MailboxForm.tsx';
import { NEW_MAILBOX } from './mailboxDraft.ts';

export function Mailboxes() {
  document.title = 'Mailboxes · edgecase';
  const [data, { refetch, mutate }] = createResource(listMailboxes);
  // The mailbox being edited: its id, 'new', or null (the first one).
  const [chosen, setChosen] = createSignal<string | null>(null);
  const current = createMemo<MailboxSettings | null>(() => {
    const d = data.error ? undefined : data();
    if (!d) return null;
    const id = chosen();
    if (id === 'new') return NEW_MAILBOX;
    return d.items.find((m) => m.id === id) ?? d.items[0] ?? null;
  });

  // Which mailbox was just saved: the confirmation survives the form being rebuilt for a new id.
  const [justSaved, setJustSaved] = createSignal<string | null>(null);
  const currentKey = () => {
    const m = current();
    return m ? m.id || 'new' : undefined;
  };

  function saved(m: MailboxSettings): void {
    setJustSaved(m.id);
    mutate((prev) => {
      if (!prev) return prev;
      const exists = prev.items.some((i) => i.id === m.id);
      return { ...prev, items: exists ? prev.items.map((i) => (i.id === m.id ? m : i)) : [...prev.items, m] };
    });
    setChosen(m.id);
  }

  return (
    <div data-testid="admin-mailboxes">
      <Loadable error={data.error} loading={data.loading} value={data.error ? undefined : data()} failure="Could not load the mailboxes" retry={() => void refetch()}>
        {(d) => (
          <div class="admin-split">
            <div>
              <h2>Mailboxes</h2>
              <ul class="admin-list">
                <For each={d().items}>
                  {(m) => (
                    <li>
                      <button
                        type="button"
                        data-testid="mailbox-row"
                        data-id={m.id}
                        classList={{ selected: current()?.id === m.id }}
                        onClick={() => {
                          setJustSaved(null);
                          setChosen(m.id);
                        }}
                      >
                        {m.displayName}
                        <span class="sub">
                          {m.address}
                          {m.enabled ? '' : ' · disabled'}
                        </span>
                      </button>
                    </li>
                  )}
                </For>
              </ul>
              <div class="admin-actions">
                <button
                  type="button"
                  data-testid="mailbox-new"
                  onClick={() => {
                    setJustSaved(null);
                    setChosen('new');
                  }}
                >
                  New mailbox
                </button>
              </div>
            </div>
            <Show when={currentKey()} keyed fallback={<p class="empty">No mailbox yet: create one for your support address.</p>}>
              {(_key) => <MailboxForm mailbox={current()!} options={d().options} onSaved={saved} justSaved={justSaved() === current()?.id} onEdit={() => setJustSaved(null)} />}
            </Show>
          </div>
        )}
      </Loadable>
    </div>
  );
}
