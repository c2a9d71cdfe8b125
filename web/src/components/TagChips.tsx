// A case's tags as coloured chips; with `onRemove`, each has a × to take it off.
import { For, Show } from 'solid-js';
import type { TagView } from '../../../worker/protocol/api.ts';

/** Black or white text, whichever reads better on the tag's colour. */
function ink(color: string): string {
  const n = Number.parseInt(color.slice(1), 16);
  const lum = (0.299 * ((n >> 16) & 255) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255)) / 255;
  return lum > 0.6 ? '#111827' : '#ffffff';
}

export function TagChips(props: { tags: TagView[]; onRemove?: (tag: TagView) => void }) {
  return (
    <span class="tag-chips">
      <For each={props.tags}>
        {(t) => (
          <span class="tag-chip" data-testid="tag-chip" data-tag={t.name} style={{ background: t.color, color: ink(t.color) }}>
            {t.name}
            <Show when={props.onRemove}>
              {(remove) => (
                <button type="button" class="tag-remove" aria-label={`Remove tag ${t.name}`} data-testid="tag-remove" onClick={() => remove()(t)}>
                  ×
                </button>
              )}
            </Show>
          </span>
        )}
      </For>
    </span>
  );
}
