// The case's tags (chips, add with autocomplete, remove) and its snooze (presets in the agent's time
// zone, a custom time, wake now). The server's answer goes to every screen showing the case.
import { For, Show, createSignal } from 'solid-js';
import type { CaseSummary, TagView } from '../../../../worker/protocol/api.ts';
import { errorMessage } from '../../api/errors.ts';
import { changeTags, snoozeCase } from '../../api/work.ts';
import { TagChips } from '../../components/TagChips.tsx';
import { TagInput } from '../../components/TagInput.tsx';
import { customProblem, fromLocalInput, snoozeLabel, snoozePresets } from '../../lib/snooze.ts';
import { announceSaved } from '../../stores/caseActions.ts';

export function CaseWork(props: { case: CaseSummary }) {
  const [error, setError] = createSignal<string | null>(null);
  const [custom, setCustom] = createSignal('');

  async function run(what: string, fn: () => Promise<CaseSummary>): Promise<void> {
    setError(null);
    try {
      announceSaved(await fn());
    } catch (err) {
      setError(`Could not ${what}: ${errorMessage(err)}`);
    }
  }

  const add = (name: string) => void run(`add the tag "${name}"`, () => changeTags(props.case.id, { add: [name] }));
  const remove = (t: TagView) => void run(`remove the tag "${t.name}"`, () => changeTags(props.case.id, { remove: [t.name] }));

  function snooze(value: string): void {
    if (!value) return;
    if (value === 'wake') return void run('wake the case', () => snoozeCase(props.case.id, null));
    const preset = snoozePresets(new Date()).find((p) => p.key === value);
    if (preset) void run('snooze the case', () => snoozeCase(props.case.id, { until: preset.until }));
  }

  function snoozeCustom(): void {
    const until = fromLocalInput(custom());
    const problem = customProblem(until, Date.now());
    if (problem) return void setError(`Could not snooze the case: ${problem}`);
    void run('snooze the case', () => snoozeCase(props.case.id, { until }));
  }

  const closed = () => props.case.status === 'resolved' || props.case.status === 'closed';

  return (
    <div class="case-work" data-testid="case-work">
      <div class="case-tags" data-testid="case-tags">
        <TagChips tags={props.case.tags} onRemove={remove} />
        <TagInput onPick={add} exclude={props.case.tags.map((t) => t.name)} />
      </div>
      <div class="case-snooze">
        <Show when={props.case.snooze}>
          {(s) => (
            <span class="badge snoozed" data-testid="case-snoozed">
              {snoozeLabel(s())}
            </span>
          )}
        </Show>
        <Show when={!closed()}>
          <select
            data-testid="snooze-select"
            aria-label="Snooze"
            onChange={(e) => {
              snooze(e.currentTarget.value);
              e.currentTarget.value = '';
            }}
          >
            <option value="">{props.case.snooze ? 'Snooze again…' : 'Snooze…'}</option>
            <For each={snoozePresets(new Date())}>{(p) => <option value={p.key}>{p.label}</option>}</For>
            <Show when={props.case.snooze}>
              <option value="wake">Wake now</option>
            </Show>
          </select>
          <input type="datetime-local" aria-label="Snooze until" data-testid="snooze-custom" value={custom()} onInput={(e) => setCustom(e.currentTarget.value)} />
          <button type="button" data-testid="snooze-custom-go" disabled={!custom()} onClick={snoozeCustom}>
            Snooze until then
          </button>
        </Show>
      </div>
      <Show when={error()}>
        {(msg) => (
          <p class="error-text" role="alert" data-testid="case-work-error">
            {msg()}
          </p>
        )}
      </Show>
    </div>
  );
}
