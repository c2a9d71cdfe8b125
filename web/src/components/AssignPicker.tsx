// Who a case goes to: any active agent (a dot for those connected now), a team (its mode picks the
// agent, or keeps the case in the team's queue), or nobody. Type to filter; ArrowUp/ArrowDown move,
// Enter chooses, Escape closes. The server's copy of the case goes to every screen showing it.
import { For, Show, createMemo, createResource, createSignal } from 'solid-js';
import { Portal } from 'solid-js/web';
import type { CaseSummary } from '../../../worker/protocol/api.ts';
import type { AssignMode } from '../../../worker/protocol/teams.ts';
import { assignCase, getAssignables } from '../api/assign.ts';
import { errorMessage } from '../api/errors.ts';
import { presenceEntries } from '../realtime/live.ts';
import '../styles/assign.css';
import { announceSaved } from '../stores/caseActions.ts';

interface Option {
  key: string;
  label: string;
  hint: string;
  present: boolean;
  assignee: { agentId: string | null; teamId: string | null };
}

const MODE_HINT: Record<AssignMode, string> = { off: "team's queue", 'round-robin': 'round-robin', 'least-open': 'fewest open, present' };

/** `inRow`: the list row's small trigger (the row already shows who has the case). */
export function AssignPicker(props: { case: Pick<CaseSummary, 'id' | 'number' | 'assignee' | 'team'>; compact?: boolean; inRow?: boolean }) {
  const [open, setOpen] = createSignal(false);
  const [text, setText] = createSignal('');
  const [active, setActive] = createSignal(0);
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  // In a list row the popover is fixed to the viewport: the virtual list clips its rows.
  const [at, setAt] = createSignal<{ top: number; right: number } | null>(null);
  let trigger: HTMLButtonElement | undefined;
  function toggle(): void {
    if (!open() && props.inRow && trigger) {
      const r = trigger.getBoundingClientRect();
      setAt({ top: r.bottom + 2, right: window.innerWidth - r.right });
    }
    setOpen(!open());
  }
  const listId = `assign-options-${Math.random().toString(36).slice(2)}`;
  // Read when first opened: who can be chosen changes rarely, and only admins change it.
  const [who] = createResource(open, async (o) => (o ? getAssignables() : null));
  const present = createMemo(() => new Set(presenceEntries().map((e) => e.agentId)));

  const options = createMemo<Option[]>(() => {
    const w = who();
    if (!w) return [];
    const team = props.case.team;
    const members = new Set(w.teams.find((t) => t.id === team?.id)?.memberIds ?? []);
    const all: Option[] = [];
    if (props.case.assignee || team) all.push({ key: 'none', label: 'Nobody', hint: 'unassign', present: false, assignee: { agentId: null, teamId: null } });
    for (const a of w.agents) {
      // Within the case's team when the agent is in it; otherwise the case leaves the team.
      all.push({ key: a.id, label: a.name, hint: a.available ? '' : 'away', present: present().has(a.id), assignee: { agentId: a.id, teamId: members.has(a.id) ? team!.id : null } });
    }
    for (const t of w.teams) all.push({ key: t.id, label: `Team ${t.name}`, hint: MODE_HINT[t.assignMode], present: false, assignee: { agentId: 'auto', teamId: t.id } });
    const q = text().trim().toLowerCase();
    return q ? all.filter((o) => o.label.toLowerCase().includes(q)) : all;
  });

  async function choose(o: Option): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      announceSaved(await assignCase(props.case.id, o.assignee));
      setOpen(false);
      setText('');
    } catch (err) {
      setError(`Could not assign #${props.case.number}: ${errorMessage(err)}`);
    } finally {
      setBusy(false);
    }
  }

  function onKey(e: KeyboardEvent): void {
    const list = options();
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (list.length) setActive((i) => (i + (e.key === 'ArrowDown' ? 1 : list.length - 1)) % list.length);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const o = list[Math.min(active(), list.length - 1)];
      if (o && !busy()) void choose(o);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      setOpen(false);
    }
  }

  const label = () => {
    const c = props.case;
    if (c.assignee && c.team) return `${c.assignee.name} · ${c.team.name}`;
    if (c.assignee) return c.assignee.name;
    if (c.team) return `Team ${c.team.name} (queue)`;
    return 'Unassigned';
  };

  const popover = () => (
    <div class="assign-popover" style={at() && props.inRow ? { position: 'fixed', top: `${at()!.top}px`, right: `${at()!.right}px`, left: 'auto' } : undefined}>
      <input
        type="text"
        data-testid="assign-filter"
        placeholder="Agent or team…"
        aria-label="Assign to"
        role="combobox"
        aria-expanded={options().length > 0}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={options().length ? `${listId}-${active()}` : undefined}
        value={text()}
        ref={(el) => queueMicrotask(() => el.focus())}
        onInput={(e) => {
          setText(e.currentTarget.value);
          setActive(0);
        }}
        onKeyDown={onKey}
      />
      <Show when={!who.loading} fallback={<p class="muted">Loading…</p>}>
        <div role="listbox" id={listId} data-testid="assign-options">
          <For each={options()} fallback={<p class="muted">Nobody matches.</p>}>
            {(o, i) => (
              // biome-ignore lint/a11y/useKeyWithClickEvents: the input above owns the keys (ArrowUp/ArrowDown/Enter)
              <div
                id={`${listId}-${i()}`}
                role="option"
                tabIndex={-1}
                aria-selected={i() === active()}
                classList={{ option: true, active: i() === active() }}
                data-testid="assign-option"
                data-key={o.key}
                onMouseEnter={() => setActive(i())}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => void choose(o)}
              >
                <Show when={o.present}>
                  <span class="present-dot" title="Online now" />
                </Show>
                {o.label}
                <Show when={o.hint}>
                  <span class="muted"> {o.hint}</span>
                </Show>
              </div>
            )}
          </For>
        </div>
      </Show>
    </div>
  );

  return (
    // Keys and clicks inside stay here: the list row's and the page's shortcuts must not see them.
    // biome-ignore lint/a11y/noStaticElementInteractions: only stops propagation; the controls inside are a button and a combobox
    <span classList={{ 'assign-picker': true, 'row-assign': !!props.inRow }} onClick={(e) => e.stopPropagation()} onKeyDown={(e) => e.stopPropagation()}>
      <button
        type="button"
        class="link-button"
        data-testid={props.inRow ? 'row-assign' : 'assign-picker'}
        aria-label={props.inRow ? `Assign #${props.case.number}` : undefined}
        aria-haspopup="listbox"
        aria-expanded={open()}
        ref={trigger}
        onClick={toggle}
        title="Assign to an agent or a team"
      >
        {props.inRow ? 'Assign' : props.compact ? label() : `Assignee: ${label()}`} ▾
      </button>
      <Show when={open()}>
        {/* In a list row the popover goes to the body: the row is transformed and clipped by the virtual list. */}
        <Show when={props.inRow} fallback={popover()}>
          <Portal>{popover()}</Portal>
        </Show>
      </Show>
      <Show when={error()}>
        <span class="error" role="alert">
          {error()}
        </span>
      </Show>
    </span>
  );
}
