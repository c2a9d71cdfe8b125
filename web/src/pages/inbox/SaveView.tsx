// Saving a view of the inbox: a name, a filter query in the search language and a sort; shared with
// the workspace when an admin ticks it. The server checks the query and says what it cannot mean.
import { Show, createSignal } from 'solid-js';
import type { ViewInfo, ViewSort } from '../../../../worker/protocol/views.ts';
import { createView, deleteView } from '../../api/assign.ts';
import { errorMessage } from '../../api/errors.ts';
import { isAdmin } from '../admin/AdminPage.tsx';

export function SaveView(props: { current: ViewInfo | undefined; onSaved: (id: string | null) => void }) {
  const [open, setOpen] = createSignal(false);
  const [name, setName] = createSignal('');
  const [query, setQuery] = createSignal('');
  const [sort, setSort] = createSignal<ViewSort>('activity');
  const [shared, setShared] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);

  async function save(): Promise<void> {
    setError(null);
    try {
      const v = await createView({ name: name().trim(), query: query().trim(), sort: sort(), shared: shared() });
      setOpen(false);
      setName('');
      setQuery('');
      props.onSaved(v.id);
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  const removable = () => {
    const c = props.current;
    return c && (c.kind === 'personal' || (c.kind === 'shared' && isAdmin())) ? c : undefined;
  };

  return (
    <div class="save-view">
      <button type="button" class="link-button" data-testid="view-new" onClick={() => setOpen(!open())}>
        + View
      </button>
      <Show when={removable()}>
        {(v) => (
          <button
            type="button"
            class="link-button"
            data-testid="view-delete"
            onClick={() => {
              if (confirm(`Delete the view ${v().name}?`))
                void deleteView(v().id).then(
                  () => props.onSaved(null),
                  (err) => setError(errorMessage(err)),
                );
            }}
          >
            Delete “{v().name}”
          </button>
        )}
      </Show>
      <Show when={open()}>
        <form
          class="inline-form"
          data-testid="view-form"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <input type="text" data-testid="view-name" placeholder="Name" aria-label="View name" maxLength={60} value={name()} onInput={(e) => setName(e.currentTarget.value)} />
          <input
            type="text"
            data-testid="view-query"
            placeholder="status:open tag:billing -assignee:me"
            aria-label="Filters"
            maxLength={500}
            value={query()}
            onInput={(e) => setQuery(e.currentTarget.value)}
          />
          <select aria-label="Sort" onChange={(e) => setSort(e.currentTarget.value as ViewSort)}>
            <option value="activity">Latest activity</option>
            <option value="due">SLA due</option>
            <option value="created">Newest</option>
          </select>
          <Show when={isAdmin()}>
            <label>
              <input type="checkbox" checked={shared()} onChange={(e) => setShared(e.currentTarget.checked)} /> Shared
            </label>
          </Show>
          <button type="submit" data-testid="view-save">
            Save view
          </button>
        </form>
      </Show>
      <Show when={error()}>
        <p class="error" role="alert">
          {error()}
        </p>
      </Show>
    </div>
  );
}
