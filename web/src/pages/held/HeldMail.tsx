// The exception log: mail that did not become (part of) a case. Quarantined or ignored by the ingest
// rules, or failed while processing. An agent releases a held row into a case (its sender joins the
// case) or discards it, and either way it leaves here; a failed or unreadable row can be run through
// the pipeline again (reprocess), and what came of it stays on the row. Filters narrow the list by
// status, reason, mailbox, sender and the day it arrived.
//
// data-testids: held-filters (the bar), held-filter-{status,reason,mailbox,sender,from,to} (its
// controls), held-filter-clear, held-list, held-row (data-inbound-id, data-reason, data-status),
// release, discard, reprocess, raw-link, held-error (a refused action), held-attempts and
// held-last-error (a failed row), reprocess-result (data-status), held-resolved, held-details.
import { For, Show, createMemo, createResource, createSignal } from 'solid-js';
import type { InboundListStatus } from '../../../../worker/protocol/constants.ts';
import { listMailboxes, type InboundFilters } from '../../api/inbound.ts';
import { Loadable } from '../../components/Loadable.tsx';
import { createDebounced } from '../../lib/util.ts';
import { HELD_PAGE, createHeldMail } from '../../stores/heldMail.ts';
import { HeldRow } from './HeldRow.tsx';
import { REASON_GROUPS, STATUS_OPTIONS } from './reasons.ts';
import './held.css';

export function HeldMail() {
  const [status, setStatus] = createSignal<InboundListStatus>('exceptions');
  const [reasonGroup, setReasonGroup] = createSignal('');
  const [mailbox, setMailbox] = createSignal('');
  const [senderInput, setSenderInput] = createSignal('');
  const [sender, setSender] = createSignal('');
  const [from, setFrom] = createSignal('');
  const [to, setTo] = createSignal('');
  const applySender = createDebounced(() => setSender(senderInput().trim()), 300);

  const filters = createMemo<InboundFilters>(() => ({
    status: status(),
    reasons: REASON_GROUPS.find((g) => g.key === reasonGroup())?.reasons ?? [],
    mailbox: mailbox() || undefined,
    sender: sender() || undefined,
    from: from() || undefined,
    to: to() || undefined,
  }));
  const filtered = () => reasonGroup() !== '' || mailbox() !== '' || sender() !== '' || from() !== '' || to() !== '' || status() !== 'exceptions';

  const held = createHeldMail(filters);
  const [mailboxList] = createResource(() =>
    listMailboxes()
      .then((r) => r.items)
      .catch(() => []),
  );

  function clearFilters(): void {
    setStatus('exceptions');
    setReasonGroup('');
    setMailbox('');
    setSenderInput('');
    setSender('');
    setFrom('');
    setTo('');
  }

  return (
    <div class="held">
      {/* biome-ignore lint/a11y/useSemanticElements: the <search> element is too new for the browsers agents use; the role says the same */}
      <form class="held-filters" data-testid="held-filters" role="search" aria-label="Filter held mail" onSubmit={(e) => e.preventDefault()}>
        <label>
          <span>Show</span>
          <select data-testid="held-filter-status" value={status()} onChange={(e) => setStatus(e.currentTarget.value as InboundListStatus)}>
            <For each={STATUS_OPTIONS}>{(o) => <option value={o.value}>{o.label}</option>}</For>
          </select>
        </label>
        <label>
          <span>Reason</span>
          <select data-testid="held-filter-reason" value={reasonGroup()} onChange={(e) => setReasonGroup(e.currentTarget.value)}>
            <option value="">Any reason</option>
            <For each={REASON_GROUPS}>{(g) => <option value={g.key}>{g.label}</option>}</For>
          </select>
        </label>
        <Show when={(mailboxList() ?? []).length > 1}>
          <label>
            <span>Mailbox</span>
            <select data-testid="held-filter-mailbox" value={mailbox()} onChange={(e) => setMailbox(e.currentTarget.value)}>
              <option value="">Any mailbox</option>
              <For each={mailboxList() ?? []}>{(m) => <option value={m.id}>{m.address}</option>}</For>
            </select>
          </label>
        </Show>
        <label>
          <span>Sender</span>
          <input
            type="search"
            data-testid="held-filter-sender"
            placeholder="address or part of it"
            maxLength={200}
            value={senderInput()}
            onInput={(e) => {
              setSenderInput(e.currentTarget.value);
              applySender();
            }}
          />
        </label>
        <label>
          <span>From</span>
          <input type="date" data-testid="held-filter-from" value={from()} max={to() || undefined} onChange={(e) => setFrom(e.currentTarget.value)} />
        </label>
        <label>
          <span>To</span>
          <input type="date" data-testid="held-filter-to" value={to()} min={from() || undefined} onChange={(e) => setTo(e.currentTarget.value)} />
        </label>
        <Show when={filtered()}>
          <button type="button" class="link-button" data-testid="held-filter-clear" onClick={clearFilters}>
            Clear filters
          </button>
        </Show>
      </form>
      <Loadable error={held.data.error} loading={held.data.loading} value={held.loaded()} failure="Could not load held mail" retry={() => void held.refetch()}>
        {(d) => (
          <div class="held-list" data-testid="held-list" aria-busy={held.data.loading}>
            <Show when={held.visible().length > 0} fallback={<p class="empty">{filtered() ? 'No mail matches these filters.' : 'No held mail.'}</p>}>
              <ul class="rows">
                <For each={held.visible()}>{(m) => <HeldRow item={m} result={held.isResult(m.id)} onResolved={held.drop} onReprocessed={held.reprocessed} onStale={held.refresh} />}</For>
              </ul>
            </Show>
            <Show when={d().truncated}>
              <p class="hint">Showing the newest {HELD_PAGE} only; narrow the filters to find older mail.</p>
            </Show>
          </div>
        )}
      </Loadable>
    </div>
  );
}
