// The bulk bar over the case list while rows are chosen: assign, tag, status, snooze for all of them
// in one request. The answer's undo requests stay on an Undo toast for a few seconds; cases the
// server could not change are counted and named.
import { For, Show, createSignal, onCleanup } from 'solid-js';
import { CASE_STATUSES, type BulkBody, type BulkResult, type CaseEditsBody } from '../../../../worker/protocol/api.ts';
import { errorMessage } from '../../api/errors.ts';
import { bulkChange } from '../../api/work.ts';
import { TagInput } from '../../components/TagInput.tsx';
import { STATUS_LABELS } from '../../lib/format.ts';
import { snoozePresets } from '../../lib/snooze.ts';
import { assignTarget } from '../../stores/caseActions.ts';
import { chosen, clearChosen } from './bulkSelection.ts';

const UNDO_MS = 6000;

interface Toast {
  text: string;
  undo: BulkBody[];
}

export function BulkBar() {
  const [busy, setBusy] = createSignal(false);
  const [toast, setToast] = createSignal<Toast | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));

  function show(t: Toast | null): void {
    clearTimeout(timer);
    setToast(t);
    if (t) timer = setTimeout(() => setToast(null), UNDO_MS);
  }

  function summary(r: BulkResult, what: string): string {
    const changed = r.results.filter((x) => x.ok && x.changed).length;
    const failed = r.results.filter((x) => !x.ok);
    const base = `${what}: ${changed} case${changed === 1 ? '' : 's'} changed`;
    return failed.length ? `${base}; ${failed.length} not changed (${failed[0]!.ok ? '' : failed[0]!.error.message})` : base;
  }

  async function apply(edits: CaseEditsBody, what: string): Promise<void> {
    const caseIds = [...chosen()];
    if (caseIds.length === 0 || busy()) return;
    setBusy(true);
    setError(null);
    try {
      const r = await bulkChange({ caseIds, edits });
      show({ text: summary(r, what), undo: r.undo });
      clearChosen();
    } catch (err) {
      setError(`Could not ${what.toLowerCase()}: ${errorMessage(err)}`);
    } finally {
      setBusy(false);
    }
  }

  async function undo(t: Toast): Promise<void> {
    show(null);
    try {
      for (const req of t.undo) await bulkChange(req);
    } catch (err) {
      setError(`Could not undo: ${errorMessage(err)}`);
    }
  }

  function snooze(key: string): void {
    const p = snoozePresets(new Date()).find((x) => x.key === key);
    if (p) void apply({ snooze: { until: p.until } }, `Snoozed (${p.label.toLowerCase()})`);
  }

  return (
    <>
      <Show when={chosen().size > 0}>
        <div class="bulk-bar" data-testid="bulk-bar" role="toolbar" aria-label="Bulk actions">
          <span data-testid="bulk-count">{chosen().size} chosen</span>
          <Show when={assignTarget()}>
            {(me) => (
              <button type="button" data-testid="bulk-assign-me" disabled={busy()} onClick={() => void apply({ assigneeId: me().id }, `Assigned to ${me().name}`)}>
                Assign to {me().name}
              </button>
            )}
          </Show>
          <button type="button" data-testid="bulk-unassign" disabled={busy()} onClick={() => void apply({ assigneeId: null }, 'Unassigned')}>
            Unassign
          </button>
          <TagInput testid="bulk-tag" placeholder="Tag them" onPick={(name) => void apply({ tags: { add: [name] } }, `Tagged "${name}"`)} />
          <select
            data-testid="bulk-status"
            aria-label="Set the status"
            disabled={busy()}
            onChange={(e) => {
              const s = e.currentTarget.value as (typeof CASE_STATUSES)[number] | '';
              e.currentTarget.value = '';
              if (s) void apply({ status: s }, `Status ${STATUS_LABELS[s]}`);
            }}
          >
            <option value="">Status…</option>
            <For each={CASE_STATUSES}>{(s) => <option value={s}>{STATUS_LABELS[s]}</option>}</For>
          </select>
          <select
            data-testid="bulk-snooze"
            aria-label="Snooze them"
            disabled={busy()}
            onChange={(e) => {
              const v = e.currentTarget.value;
              e.currentTarget.value = '';
              snooze(v);
            }}
          >
            <option value="">Snooze…</option>
            <For each={snoozePresets(new Date())}>{(p) => <option value={p.key}>{p.label}</option>}</For>
          </select>
          <button type="button" class="link-button" onClick={clearChosen}>
            Clear
          </button>
        </div>
      </Show>
      <Show when={error()}>
        {(msg) => (
          <p class="error-text" role="alert" data-testid="bulk-error">
            {msg()}
          </p>
        )}
      </Show>
      <Show when={toast()}>
        {(t) => (
          <div class="undo-toast" role="status" data-testid="undo-toast">
            <span>{t().text}</span>
            <Show when={t().undo.length > 0}>
              <button type="button" data-testid="undo" onClick={() => void undo(t())}>
                Undo
              </button>
            </Show>
          </div>
        )}
      </Show>
    </>
  );
}
