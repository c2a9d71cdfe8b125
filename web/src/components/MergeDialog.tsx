// Merge and split on the case view: the merge suggestions the server read with the case ("Looks like
// #12 …"), a dialog with the customer's cases side by side (subject, status, messages, last activity)
// where the agent picks which to merge and which one survives, and a split from a chosen message.
// A case that was merged away sends its view on to the survivor.
import { For, Show, createEffect, createSignal, type Accessor } from 'solid-js';
import type { CaseDetail } from '../../../worker/protocol/api.ts';
import type { MergeCandidate, SuggestionReason } from '../../../worker/protocol/merge.ts';
import { errorMessage } from '../api/errors.ts';
import { mergeCandidates, mergeCases, splitCase } from '../api/merge.ts';
import { now, relativeTime } from '../lib/format.ts';
import { navigate } from '../lib/route.ts';
import '../styles/merge.css';

const REASONS: Record<SuggestionReason, string> = {
  'same-sender-subject': 'same sender, similar subject',
  'same-message': 'the same mail, sent to two of our addresses',
};

export function MergePanel(props: { detail: Accessor<CaseDetail> }) {
  // An absorbed case lives on only as a pointer: its view goes where its messages went.
  createEffect(() => {
    const into = props.detail().merge?.mergedInto;
    if (into) navigate(`#/cases/${encodeURIComponent(into.id)}`);
  });
  const [open, setOpen] = createSignal<'merge' | 'split' | null>(null);
  const [preselect, setPreselect] = createSignal<string[]>([]);
  const merged = () => props.detail().merge?.mergedInto ?? null;
  const startMerge = (ids: string[]) => {
    setPreselect(ids);
    setOpen('merge');
  };
  return (
    <Show when={!merged()}>
      <div class="merge-bar">
        <For each={props.detail().merge?.suggestions ?? []}>
          {(s) => (
            <div class="merge-suggestion" role="note" data-testid="merge-suggestion" data-case-id={s.id}>
              <span>
                Looks like #{s.number} ({REASONS[s.reason]})
              </span>
              <button type="button" data-testid="merge-suggestion-merge" onClick={() => startMerge([s.id])}>
                Merge
              </button>
            </div>
          )}
        </For>
        <button type="button" data-testid="merge-open" onClick={() => startMerge([])}>
          Merge…
        </button>
        <button type="button" data-testid="split-open" disabled={props.detail().messages.filter((m) => m.direction !== 'system').length < 2} onClick={() => setOpen('split')}>
          Split…
        </button>
      </div>
      <Show when={open() === 'merge'}>
        <MergeDialog caseId={props.detail().case.id} preselect={preselect()} onClose={() => setOpen(null)} />
      </Show>
      <Show when={open() === 'split'}>
        <SplitDialog detail={props.detail()} onClose={() => setOpen(null)} />
      </Show>
    </Show>
  );
}

function Modal(props: { label: string; onClose: () => void; children: unknown }) {
  let el: HTMLDialogElement | undefined;
  createEffect(() => el?.showModal());
  return (
    <dialog class="merge-dialog" aria-label={props.label} ref={(d) => (el = d)} onClose={() => props.onClose()} data-testid="merge-dialog">
      {props.children as never}
    </dialog>
  );
}

function MergeDialog(props: { caseId: string; preselect: string[]; onClose: () => void }) {
  const [items, setItems] = createSignal<MergeCandidate[] | null>(null);
  const [chosen, setChosen] = createSignal<Set<string>>(new Set([props.caseId, ...props.preselect]));
  const [survivor, setSurvivor] = createSignal(props.caseId);
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  mergeCandidates(props.caseId).then(
    (r) => setItems(r.items),
    (err) => setError(errorMessage(err)),
  );
  const toggle = (id: string) => {
    const next = new Set(chosen());
    if (next.has(id)) next.delete(id);
    else next.add(id);
    // The survivor is one of the cases merged.
    if (!next.has(survivor())) setSurvivor([...next][0] ?? props.caseId);
    setChosen(next);
  };
  const absorb = () => [...chosen()].filter((id) => id !== survivor());
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const done = await mergeCases(survivor(), absorb());
      props.onClose();
      if (done.caseId !== props.caseId) navigate(`#/cases/${encodeURIComponent(done.caseId)}`);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal label="Merge cases" onClose={props.onClose}>
      <h3>Merge this customer's cases</h3>
      <p class="muted">Choose the cases to merge and the one that stays: the others' messages, people and tags move into it, and replies to them land there.</p>
      <Show when={items()} fallback={<p class="muted">{error() ?? 'Loading…'}</p>}>
        {(list) => (
          <div class="merge-cards">
            <For each={list()}>
              {(c) => (
                <label class={`merge-card${chosen().has(c.id) ? ' chosen' : ''}`} data-testid="merge-card" data-case-id={c.id}>
                  <span>
                    <input type="checkbox" data-testid="merge-include" checked={chosen().has(c.id)} onChange={() => toggle(c.id)} /> #{c.number}
                    {c.id === props.caseId ? ' (this case)' : ''}
                  </span>
                  <span class="subject">{c.subject}</span>
                  <span class="facts">
                    {c.status} · {c.messageCount} {c.messageCount === 1 ? 'message' : 'messages'} · {relativeTime(c.lastMessageAt, now())}
                  </span>
                  <span>
                    <input type="radio" name="merge-survivor" data-testid="merge-survivor" disabled={!chosen().has(c.id)} checked={survivor() === c.id} onChange={() => setSurvivor(c.id)} /> keep this
                    one
                  </span>
                </label>
              )}
            </For>
          </div>
        )}
      </Show>
      <Show when={items() && error()}>
        <p class="merge-error" role="alert">
          {error()}
        </p>
      </Show>
      <div class="merge-actions">
        <button type="button" onClick={() => props.onClose()}>
          Cancel
        </button>
        <button type="button" class="primary" data-testid="merge-confirm" disabled={busy() || absorb().length === 0} onClick={() => void submit()}>
          Merge {absorb().length + 1} cases
        </button>
      </div>
    </Modal>
  );
}

function SplitDialog(props: { detail: CaseDetail; onClose: () => void }) {
  // The first message stays: a split there would leave the case empty.
  const choices = props.detail.messages.filter((m) => m.direction !== 'system').slice(1);
  const [messageId, setMessageId] = createSignal(choices.at(-1)?.id ?? '');
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const done = await splitCase(props.detail.case.id, messageId());
      props.onClose();
      navigate(`#/cases/${encodeURIComponent(done.newCase.id)}`);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal label="Split the case" onClose={props.onClose}>
      <h3>Split into a new case</h3>
      <p class="muted">The chosen message and everything after it become a new case linked to this one; replies to those messages go there.</p>
      <label>
        From{' '}
        <select data-testid="split-message" value={messageId()} onChange={(e) => setMessageId(e.currentTarget.value)}>
          <For each={choices}>{(m) => <option value={m.id}>{`${m.author?.name || m.from.name || m.from.email || m.direction}: ${(m.text || m.subject).slice(0, 60)}`}</option>}</For>
        </select>
      </label>
      <Show when={error()}>
        <p class="merge-error" role="alert">
          {error()}
        </p>
      </Show>
      <div class="merge-actions">
        <button type="button" onClick={() => props.onClose()}>
          Cancel
        </button>
        <button type="button" class="primary" data-testid="split-confirm" disabled={busy() || !messageId()} onClick={() => void submit()}>
          Split
        </button>
      </div>
    </Modal>
  );
}
