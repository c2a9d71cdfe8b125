// A tag name with autocomplete from the workspace's tags: type, ArrowUp/ArrowDown through the
// suggestions, Enter (or Tab on a suggestion) takes it, Escape closes them. A name that matches no
// tag is offered as new.
import { For, Show, createResource, createSignal } from 'solid-js';
import { TAG_NAME_MAX } from '../../../worker/protocol/api.ts';
import { listTags } from '../api/work.ts';

export function TagInput(props: { onPick: (name: string) => void; exclude?: string[]; placeholder?: string; testid?: string }) {
  const [text, setText] = createSignal('');
  const [open, setOpen] = createSignal(false);
  const [active, setActive] = createSignal(0);
  // Read once when the input is first used: a workspace has tens or hundreds of tags, not more.
  const [all, { refetch }] = createResource(open, async (o) => (o ? listTags() : []), { initialValue: [] });
  const listId = `tag-suggestions-${Math.random().toString(36).slice(2)}`;

  const suggestions = () => {
    const q = text().trim().toLowerCase();
    const taken = new Set((props.exclude ?? []).map((n) => n.toLowerCase()));
    const hits = all()
      .filter((t) => !taken.has(t.name.toLowerCase()) && t.name.toLowerCase().startsWith(q))
      .slice(0, 8)
      .map((t) => t.name);
    if (q && !all().some((t) => t.name.toLowerCase() === q)) hits.push(text().trim());
    return hits;
  };

  function pick(name: string): void {
    const n = name.trim();
    if (!n) return;
    props.onPick(n);
    setText('');
    setActive(0);
    void refetch();
  }

  function onKey(e: KeyboardEvent): void {
    const list = suggestions();
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setOpen(true);
      if (list.length) setActive((i) => (i + (e.key === 'ArrowDown' ? 1 : list.length - 1)) % list.length);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      pick(list[active()] ?? text());
    } else if (e.key === 'Tab' && text().trim() && list[active()]) {
      e.preventDefault();
      setText(list[active()]!);
    } else if (e.key === 'Escape') {
      e.stopPropagation();
      setOpen(false);
    }
  }

  return (
    <span class="tag-input">
      <input
        type="text"
        data-testid={props.testid ?? 'tag-input'}
        placeholder={props.placeholder ?? 'Add a tag'}
        maxLength={TAG_NAME_MAX}
        role="combobox"
        aria-expanded={open() && suggestions().length > 0}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={open() && suggestions().length ? `${listId}-${active()}` : undefined}
        value={text()}
        onInput={(e) => {
          setText(e.currentTarget.value);
          setActive(0);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={onKey}
      />
      <Show when={open() && suggestions().length > 0}>
        <div class="tag-suggestions" id={listId} role="listbox" data-testid="tag-suggestions">
          <For each={suggestions()}>
            {(name, i) => (
              // biome-ignore lint/a11y/useKeyWithClickEvents: the input above owns the keys (ArrowUp/ArrowDown/Enter)
              <div
                id={`${listId}-${i()}`}
                role="option"
                tabIndex={-1}
                aria-selected={i() === active()}
                classList={{ active: i() === active() }}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => pick(name)}
              >
                {all().some((t) => t.name === name) ? name : `Create “${name}”`}
              </div>
            )}
          </For>
        </div>
      </Show>
    </span>
  );
}
