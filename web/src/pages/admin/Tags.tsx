// The workspace's tags (#/admin/tags): each with its colour and how many cases carry it; rename,
// recolour, merge into another tag, delete. Every agent's lists follow by the tag.updated event.
//
// data-testids: admin-tags (the page), tag-row (data-tag), tag-name, tag-color, tag-save, tag-merge
// (select of the tag to merge into), tag-delete, admin-tags-error.
import { For, Show, createResource, createSignal } from 'solid-js';
import type { TagCount } from '../../../../worker/protocol/api.ts';
import { errorMessage } from '../../api/errors.ts';
import { deleteTag, listTags, mergeTag, updateTag } from '../../api/work.ts';
import { onServerEvent } from '../../realtime/live.ts';

export function Tags() {
  document.title = 'Tags · edgecase';
  const [tags, { refetch }] = createResource(() => listTags(), { initialValue: [] });
  const [error, setError] = createSignal<string | null>(null);
  onServerEvent((e) => {
    if (e.type === 'tag.updated' || (e.type === 'case.updated' && e.changes.tags)) void refetch();
  });

  async function run(what: string, fn: () => Promise<unknown>): Promise<void> {
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(`Could not ${what}: ${errorMessage(err)}`);
    }
    await refetch();
  }

  return (
    <div data-testid="admin-tags" class="tag-admin">
      <h2>Tags</h2>
      <p class="muted">Agents create tags by typing a new name on a case. Merging moves every case of a tag to the other and removes it.</p>
      <Show when={error()}>
        {(msg) => (
          <p class="error-text" role="alert" data-testid="admin-tags-error">
            {msg()}
          </p>
        )}
      </Show>
      <Show when={tags().length > 0} fallback={<p class="empty">No tags yet.</p>}>
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Colour</th>
              <th>Cases</th>
              <th>Merge into</th>
              <th />
            </tr>
          </thead>
          <tbody>
            <For each={tags()}>{(t) => <TagRow tag={t} all={tags()} run={run} />}</For>
          </tbody>
        </table>
      </Show>
    </div>
  );
}

function TagRow(props: { tag: TagCount; all: TagCount[]; run: (what: string, fn: () => Promise<unknown>) => Promise<void> }) {
  const [name, setName] = createSignal(props.tag.name);
  const [color, setColor] = createSignal(props.tag.color);
  const t = () => props.tag;
  const dirty = () => name().trim() !== t().name || color() !== t().color;
  return (
    <tr data-testid="tag-row" data-tag={t().name}>
      <td>
        <input data-testid="tag-name" aria-label={`Name of ${t().name}`} maxLength={40} value={name()} onInput={(e) => setName(e.currentTarget.value)} />
      </td>
      <td>
        <input type="color" data-testid="tag-color" aria-label={`Colour of ${t().name}`} value={color()} onInput={(e) => setColor(e.currentTarget.value)} />
      </td>
      <td>{t().cases}</td>
      <td>
        <select
          data-testid="tag-merge"
          aria-label={`Merge ${t().name} into`}
          onChange={(e) => {
            const into = e.currentTarget.value;
            e.currentTarget.value = '';
            const target = props.all.find((x) => x.id === into);
            if (target && confirm(`Merge "${t().name}" into "${target.name}"? Its ${t().cases} case(s) get "${target.name}" and "${t().name}" is removed.`)) {
              void props.run(`merge "${t().name}"`, () => mergeTag(t().id, into));
            }
          }}
        >
          <option value="">—</option>
          <For each={props.all.filter((x) => x.id !== t().id)}>{(x) => <option value={x.id}>{x.name}</option>}</For>
        </select>
      </td>
      <td>
        <button
          type="button"
          data-testid="tag-save"
          disabled={!dirty()}
          onClick={() =>
            void props.run(`save "${t().name}"`, () => updateTag(t().id, { ...(name().trim() !== t().name ? { name: name() } : {}), ...(color() !== t().color ? { color: color() } : {}) }))
          }
        >
          Save
        </button>{' '}
        <button type="button" data-testid="tag-delete" onClick={() => confirm(`Delete "${t().name}" from ${t().cases} case(s)?`) && void props.run(`delete "${t().name}"`, () => deleteTag(t().id))}>
          Delete
        </button>
      </td>
    </tr>
  );
}
