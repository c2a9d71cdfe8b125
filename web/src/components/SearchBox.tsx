// The search box in the top bar: results as you type (debounced; an answer to an older query is
// dropped), the matched words marked, a result opens its case. `/` focuses it from anywhere a key
// is not taken already (the inbox's list filter keeps `/` while the list is shown), Escape clears it.
import { For, Show, createSignal, onCleanup, onMount } from 'solid-js';
import { errorMessage } from '../api/errors.ts';
import { searchCases, type SearchHit } from '../api/search.ts';
import { caseHref } from '../lib/format.ts';
import { navigate } from '../lib/route.ts';
import { isTyping } from '../lib/util.ts';
import { MarkedText } from './MarkedText.tsx';

/** Quiet time after a keystroke before the query is sent. */
const DEBOUNCE_MS = 150;
const LIMIT = 20;

const FIELD_LABELS = { body: 'mail', notes: 'note', people: 'people', files: 'attachment' } as const;

export function SearchBox() {
  let input: HTMLInputElement | undefined;
  const [text, setText] = createSignal('');
  const [hits, setHits] = createSignal<SearchHit[]>([]);
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const [open, setOpen] = createSignal(false);
  const [active, setActive] = createSignal(0);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let sent = 0;
  let inFlight: AbortController | null = null;

  async function run(q: string): Promise<void> {
    const mine = ++sent;
    inFlight?.abort();
    const ctl = new AbortController();
    inFlight = ctl;
    setBusy(true);
    try {
      const page = await searchCases(q, LIMIT, undefined, ctl.signal);
      if (mine !== sent) return;
      setHits(page.items);
      setError(null);
      setActive(0);
    } catch (err) {
      if (mine !== sent) return;
      setHits([]);
      setError(errorMessage(err));
    } finally {
      if (mine === sent) setBusy(false);
    }
  }

  function onInput(value: string): void {
    setText(value);
    clearTimeout(timer);
    if (!value.trim()) {
      sent++;
      inFlight?.abort();
      setHits([]);
      setError(null);
      setBusy(false);
      setOpen(false);
      return;
    }
    setOpen(true);
    timer = setTimeout(() => void run(value), DEBOUNCE_MS);
  }

  function clear(): void {
    onInput('');
    input?.blur();
  }

  function openHit(hit: SearchHit | undefined): void {
    if (!hit) return;
    setOpen(false);
    navigate(caseHref(hit.case.id));
  }

  function onKey(e: KeyboardEvent): void {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      clear();
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const n = hits().length;
      if (n) setActive((a) => (e.key === 'ArrowDown' ? Math.min(n - 1, a + 1) : Math.max(0, a - 1)));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      openHit(hits()[active()]);
    }
  }

  // Bubbling to the window: a page that used the key itself has marked it handled.
  function onGlobalKey(e: KeyboardEvent): void {
    if (e.key !== '/' || e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || isTyping(e.target)) return;
    e.preventDefault();
    input?.focus();
    input?.select();
  }
  onMount(() => window.addEventListener('keydown', onGlobalKey));
  onCleanup(() => {
    window.removeEventListener('keydown', onGlobalKey);
    clearTimeout(timer);
    inFlight?.abort();
  });

  return (
    <div class="search">
      <input
        ref={input}
        type="search"
        class="search-input"
        data-testid="search-input"
        placeholder="Search (/)"
        aria-label="Search cases"
        autocomplete="off"
        value={text()}
        onInput={(e) => onInput(e.currentTarget.value)}
        onKeyDown={onKey}
        onFocus={() => text().trim() && setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
      />
      <Show when={open()}>
        <div class="search-results" data-testid="search-results" data-busy={busy() ? 'yes' : 'no'}>
          <Show when={error()}>
            {(msg) => (
              <p class="error-text" role="alert" data-testid="search-error">
                {msg()}
              </p>
            )}
          </Show>
          <Show when={!error() && !busy() && hits().length === 0}>
            <p class="empty">No cases match.</p>
          </Show>
          <ul>
            <For each={hits()}>
              {(hit, i) => (
                <li classList={{ active: i() === active() }}>
                  <a
                    href={caseHref(hit.case.id)}
                    data-testid="search-hit"
                    onMouseDown={(e) => e.preventDefault()}
                    onClick={(e) => {
                      e.preventDefault();
                      openHit(hit);
                    }}
                  >
                    <span class="search-subject">
                      <span class="num">#{hit.case.number}</span> <MarkedText value={hit.subject} />
                    </span>
                    <span class="search-meta">
                      {hit.case.status}
                      {hit.case.contact ? ` · ${hit.case.contact.name || hit.case.contact.email}` : ''}
                    </span>
                    <Show when={hit.snippet}>
                      {(s) => (
                        <span class="search-snippet" data-field={s().field}>
                          <span class="search-field">{FIELD_LABELS[s().field]}: </span>
                          <MarkedText value={s()} before={s().cutBefore} after={s().cutAfter} />
                        </span>
                      )}
                    </Show>
                  </a>
                </li>
              )}
            </For>
          </ul>
        </div>
      </Show>
    </div>
  );
}
