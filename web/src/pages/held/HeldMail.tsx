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
import { For, Match, Show, Switch, createEffect, createMemo, createResource, createSignal, on } from 'solid-js';
import type { ResourceFetcherInfo } from 'solid-js';
import { REPROCESSABLE_REASONS, type InboundListStatus } from '../../../../worker/protocol/constants.ts';
import type { InboundView } from '../../../../worker/protocol/api.ts';
import { RequestError, errorMessage } from '../../api/errors.ts';
import { discardInbound, listInbound, listMailboxes, rawInboundUrl, releaseInbound, reprocessInbound, type InboundFilters } from '../../api/inbound.ts';
import { caseHref, decisionFacts, formatDate, formatSize, now, relativeTime } from '../../lib/format.ts';
import { onResync, onServerEvent } from '../../realtime/live.ts';
import { createDeepSignal } from '../../stores/resource.ts';
import { createDebounced } from '../../lib/util.ts';
import './held.css';

/** One page; older rows are found by narrowing the filters. */
const PAGE = 100;

interface HeldData {
  items: InboundView[];
  /** True when there is more than one page; only the newest are shown. */
  truncated: boolean;
}

/** What each reason means, shown on hover. */
const REASON_HINTS: Record<string, string> = {
  'not-a-participant': 'Points at a case the sender does not take part in',
  'not-the-agent': 'Answers an agent notification, but not from that agent',
  'unverified-sender': 'Points at a case, but the sender could not be verified and did not use the signed reply address',
  'auth-failed': 'Points at a case, but the sender failed authentication (DMARC)',
  flood: 'Too many messages from this sender, or identical messages, in a short time',
  'spam-flagged': 'Marked as spam by an upstream filter',
  bounce: 'A delivery report that could not be tied to a case',
  'auto-reply': 'An automatic reply that matched no case',
  duplicate: 'Another delivery of a message already received',
  loop: 'Our own mail coming back',
  'parse-failed': 'The message could not be read',
  'too-many-parts': 'The message has more MIME parts than edgecase reads',
  'headers-too-large': 'The message headers are larger than edgecase reads',
  'nesting-too-deep': 'The message nests MIME parts deeper than edgecase reads',
  'processing-error': 'Processing failed; it is retried automatically',
  'processing-failed': 'Processing failed repeatedly; download the raw message to inspect it, or reprocess it',
};

const STATUS_OPTIONS: Array<{ value: InboundListStatus; label: string }> = [
  { value: 'exceptions', label: 'Needs attention' },
  { value: 'held', label: 'Held (quarantined and ignored)' },
  { value: 'quarantined', label: 'Quarantined' },
  { value: 'ignored', label: 'Ignored' },
  { value: 'failed', label: 'Failed' },
  { value: 'released', label: 'Released or reprocessed into a case' },
  { value: 'discarded', label: 'Discarded' },
  { value: 'all', label: 'All inbound mail' },
];

/** Reasons grouped by what they mean to an agent; the API takes the codes. */
const REASON_GROUPS: Array<{ key: string; label: string; reasons: string[] }> = [
  { key: 'unreadable', label: 'Unreadable (parse failure, too many parts)', reasons: ['parse-failed', 'too-many-parts', 'headers-too-large', 'nesting-too-deep'] },
  { key: 'not-a-participant', label: 'Not a participant', reasons: ['not-a-participant', 'not-the-agent'] },
  { key: 'unverified', label: 'Unverified sender', reasons: ['unverified-sender', 'auth-failed'] },
  { key: 'flood', label: 'Flood', reasons: ['flood'] },
  { key: 'spam', label: 'Spam', reasons: ['spam-flagged'] },
  { key: 'bounce', label: 'Bounce', reasons: ['bounce'] },
  { key: 'auto-reply', label: 'Auto-reply', reasons: ['auto-reply'] },
  { key: 'duplicate', label: 'Duplicate', reasons: ['duplicate'] },
  { key: 'loop', label: 'Mail loop', reasons: ['loop'] },
  { key: 'error', label: 'Processing error', reasons: ['processing-error', 'processing-failed'] },
];

/** Releasing these would do harm (a second copy, a mail loop): the server refuses, so no buttons. */
const NOT_ACTIONABLE = new Set(['duplicate', 'loop']);
const REPROCESSABLE = new Set<string>(REPROCESSABLE_REASONS);

function releasable(m: InboundView): boolean {
  return (m.status === 'quarantined' || m.status === 'ignored') && !NOT_ACTIONABLE.has(m.reason ?? '');
}

function discardable(m: InboundView): boolean {
  return releasable(m) || m.status === 'failed';
}

/** A failed row, or one the pipeline could not read: running it again may come out differently. */
function reprocessable(m: InboundView): boolean {
  return m.status === 'failed' || ((m.status === 'quarantined' || m.status === 'ignored') && REPROCESSABLE.has(m.reason ?? ''));
}

async function fetchHeld(filters: InboundFilters, info: ResourceFetcherInfo<HeldData>): Promise<HeldData> {
  try {
    const page = await listInbound(filters, PAGE);
    return { items: page.items, truncated: page.nextCursor !== null };
  } catch (err) {
    // A refresh after an event that fails keeps what is shown; a change of filters shows the error.
    if (info.value && info.refetching) {
      console.warn('refreshing held mail failed', err);
      return info.value;
    }
    throw err;
  }
}

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

  const [data, { refetch, mutate }] = createResource(filters, fetchHeld, { storage: createDeepSignal });
  const [mailboxList] = createResource(() =>
    listMailboxes()
      .then((r) => r.items)
      .catch(() => []),
  );
  const refresh = createDebounced(() => void refetch(), 200);
  // Resolved rows never become held again; remembering them keeps a refetch that started before the
  // release from bringing a row back.
  const [resolved, setResolved] = createSignal<ReadonlySet<string>>(new Set());
  // Rows reprocessed here, as they came out: they stay on screen with their result, even when the
  // filters no longer match them (a failed row that became a case), until the filters change.
  const [results, setResults] = createSignal<ReadonlyMap<string, InboundView>>(new Map());
  createEffect(on(filters, () => setResults(new Map()), { defer: true }));

  function drop(id: string): void {
    if (!resolved().has(id)) setResolved((prev) => new Set(prev).add(id));
    mutate((prev) => (prev?.items.some((i) => i.id === id) ? { ...prev, items: prev.items.filter((i) => i.id !== id) } : prev));
  }

  function reprocessed(row: InboundView): void {
    setResults((prev) => new Map(prev).set(row.id, row));
  }

  onServerEvent((event) => {
    if (event.type === 'inbound.held' || event.type === 'inbound.reprocessed') refresh();
    else if (event.type === 'inbound.resolved') drop(event.inboundId);
  });
  onResync(refresh);

  const loaded = () => (data.error ? undefined : data());
  const visible = (d: HeldData): InboundView[] => {
    const pinned = results();
    const shown = d.items.filter((i) => !resolved().has(i.id) || pinned.has(i.id)).map((i) => pinned.get(i.id) ?? i);
    const missing = [...pinned.values()].filter((r) => !shown.some((i) => i.id === r.id));
    if (missing.length === 0) return shown;
    return [...shown, ...missing].sort((a, b) => b.receivedAt - a.receivedAt || (a.id < b.id ? 1 : -1));
  };

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
      <Switch>
        <Match when={data.error && !data.loading}>
          <div class="error" role="alert">
            <p>Could not load held mail: {errorMessage(data.error)}</p>
            <button type="button" onClick={() => void refetch()}>
              Retry
            </button>
          </div>
        </Match>
        <Match when={loaded()}>
          {(d) => (
            <div class="held-list" data-testid="held-list" aria-busy={data.loading}>
              <Show when={visible(d()).length > 0} fallback={<p class="empty">{filtered() ? 'No mail matches these filters.' : 'No held mail.'}</p>}>
                <ul class="rows">
                  <For each={visible(d())}>{(m) => <HeldRow item={m} result={results().has(m.id)} onResolved={drop} onReprocessed={reprocessed} onStale={refresh} />}</For>
                </ul>
              </Show>
              <Show when={d().truncated}>
                <p class="hint">Showing the newest {PAGE} only; narrow the filters to find older mail.</p>
              </Show>
            </div>
          )}
        </Match>
        <Match when={true}>
          <p class="loading">Loading…</p>
        </Match>
      </Switch>
    </div>
  );
}

type Action = 'release' | 'discard' | 'reprocess';

function HeldRow(props: { item: InboundView; result: boolean; onResolved: (id: string) => void; onReprocessed: (row: InboundView) => void; onStale: () => void }) {
  const m = () => props.item;
  const [busy, setBusy] = createSignal<Action | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const facts = createMemo(() => decisionFacts(m().decision));

  async function act(action: Action): Promise<void> {
    if (busy()) return;
    const id = m().id;
    setBusy(action);
    setError(null);
    try {
      if (action === 'reprocess') props.onReprocessed(await reprocessInbound(id));
      else {
        if (action === 'release') await releaseInbound(id);
        else await discardInbound(id);
        props.onResolved(id);
      }
    } catch (err) {
      setError(`Could not ${action} this message: ${errorMessage(err)}`);
      // Someone else may have dealt with it meanwhile: the list shows the truth after a refetch.
      if (err instanceof RequestError && (err.status === 409 || err.status === 404)) props.onStale();
    } finally {
      setBusy(null);
    }
  }

  return (
    <li class="row held-row" data-testid="held-row" data-inbound-id={m().id} data-reason={m().reason ?? ''} data-status={m().status}>
      <span class="subject">{m().subject || '(no subject)'}</span>
      <span class="contact" title={m().envelopeFrom ? `envelope sender: ${m().envelopeFrom}` : ''}>
        {m().fromEmail || m().envelopeFrom || 'unknown sender'}
      </span>
      <span class="meta">
        <span class={`badge inbound inbound-${m().status}`}>{m().status}</span>
      </span>
      <time class="time" datetime={new Date(m().receivedAt).toISOString()} title={formatDate(m().receivedAt)}>
        {relativeTime(m().receivedAt, now())}
      </time>
      <span class="count">{formatSize(m().rawSize)}</span>
      <span class="reason" title={REASON_HINTS[m().reason ?? ''] ?? ''}>
        {m().reason ?? (m().status === 'processed' ? 'in a case' : 'no reason recorded')}
        <Show when={m().caseId}>
          {(id) => (
            <>
              {' · '}
              <a href={caseHref(id())}>{m().status === 'processed' ? 'open case' : 'related case'}</a>
            </>
          )}
        </Show>
        <Show when={m().attempts > 0}>
          <span data-testid="held-attempts">
            {' · '}
            {m().attempts} failed attempt{m().attempts === 1 ? '' : 's'}
          </span>
        </Show>
        <Show when={m().forwardedTo}>
          {(to) => (
            <span class="forwarded" data-testid="forwarded">
              {' · forwarded to '}
              {to()}
            </span>
          )}
        </Show>
        <Show when={m().forwardError}>
          {(why) => (
            <span class="error-text" data-testid="forward-error">
              {' · forward failed: '}
              {why()}
            </span>
          )}
        </Show>
        <Show when={m().resolvedBy && m().resolvedAt}>
          <span data-testid="held-resolved">
            {' · '}
            {m().status === 'discarded' ? 'discarded' : 'resolved'} by {m().resolvedBy} {relativeTime(m().resolvedAt!, now())}
          </span>
        </Show>
      </span>
      <Show when={m().lastError && m().status !== 'processed'}>
        <p class="held-last-error error-text" data-testid="held-last-error">
          Last error: {m().lastError}
        </p>
      </Show>
      <Show when={props.result}>
        <p class={`reprocess-result ${m().status === 'processed' ? 'ok' : 'error-text'}`} role="status" data-testid="reprocess-result" data-status={m().status}>
          <Switch>
            <Match when={m().status === 'processed'}>
              Reprocessed: it is in a case now.
              <Show when={m().caseId}>
                {(id) => (
                  <>
                    {' '}
                    <a href={caseHref(id())}>Open the case</a>
                  </>
                )}
              </Show>
            </Match>
            <Match when={m().status === 'failed' || m().reason === 'processing-failed'}>Reprocessing failed again; the error is above.</Match>
            <Match when={true}>
              Reprocessed: {m().status} again ({m().reason ?? 'no reason recorded'}).
            </Match>
          </Switch>
        </p>
      </Show>
      <div class="held-actions">
        <Show when={reprocessable(m())}>
          <button type="button" data-testid="reprocess" disabled={busy() !== null} onClick={() => void act('reprocess')} title="Run it through the ingest pipeline again, from the raw message">
            {busy() === 'reprocess' ? 'Reprocessing…' : 'Reprocess'}
          </button>
        </Show>
        <Show when={releasable(m())}>
          <button type="button" data-testid="release" disabled={busy() !== null} onClick={() => void act('release')}>
            {busy() === 'release' ? 'Releasing…' : m().caseId ? 'Release into case' : 'Release as new case'}
          </button>
        </Show>
        <Show when={discardable(m())}>
          <button type="button" data-testid="discard" disabled={busy() !== null} onClick={() => void act('discard')}>
            {busy() === 'discard' ? 'Discarding…' : 'Discard'}
          </button>
        </Show>
        <a href={rawInboundUrl(m().id)} download="" data-testid="raw-link">
          Download raw
        </a>
        <Show when={error()}>
          {(msg) => (
            <span class="error-text" role="alert" data-testid="held-error">
              {msg()}
            </span>
          )}
        </Show>
      </div>
      <details class="held-details" data-testid="held-details">
        <summary>Details</summary>
        <Show when={facts().detail}>{(detail) => <p class="detail">{detail()}</p>}</Show>
        <Show when={facts().considered.length > 0}>
          <p class="label">Considered</p>
          <ul class="considered" data-testid="considered">
            <For each={facts().considered}>{(line) => <li>{line}</li>}</For>
          </ul>
        </Show>
        <Show when={facts().kind}>
          {(kind) => (
            <p class="muted">
              kind: {kind()}
              {facts().kindReasons.length > 0 ? ` (${facts().kindReasons.join(', ')})` : ''}
            </p>
          )}
        </Show>
        <Show when={facts().auth}>
          {(auth) => (
            <p class="muted">
              sender authentication: {auth()}
              {facts().authReasons.length > 0 ? ` (${facts().authReasons.join(', ')})` : ''}
            </p>
          )}
        </Show>
        <Show when={facts().fallback}>{(text) => <pre class="decision-raw">{text()}</pre>}</Show>
        <Show when={!facts().detail && facts().considered.length === 0 && !facts().fallback}>
          <p class="muted">No decision details recorded.</p>
        </Show>
      </details>
    </li>
  );
}
