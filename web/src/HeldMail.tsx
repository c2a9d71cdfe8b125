// Mail that did not become (part of) a case: quarantined or ignored by the ingest rules. An agent
// releases a row into a case (its sender joins the case) or discards it; either way it leaves here.
import { For, Match, Show, Switch, createMemo, createResource, createSignal } from 'solid-js';
import type { ResourceFetcherInfo } from 'solid-js';
import type { InboundView } from '../../worker/protocol/api.ts';
import { RequestError, discardInbound, errorMessage, listInbound, rawInboundUrl, releaseInbound } from './client.ts';
import { caseHref, decisionFacts, formatDate, formatSize, now, relativeTime } from './format.ts';
import { onResync, onServerEvent } from './live.ts';
import { createDeepSignal } from './store.ts';
import { createDebounced } from './util.ts';

interface HeldData {
  items: InboundView[];
  /** True when there is more than one page; only the newest are shown. */
  truncated: boolean;
}

/** What each hold reason means, shown on hover. */
const REASON_HINTS: Record<string, string> = {
  'not-a-participant': 'Points at a case the sender does not take part in',
  'unverified-sender': 'Points at a case, but the sender could not be verified and did not use the signed reply address',
  'auth-failed': 'Points at a case, but the sender failed authentication (DMARC)',
  flood: 'Too many messages from this sender, or identical messages, in a short time',
  'spam-flagged': 'Marked as spam by an upstream filter',
  bounce: 'A delivery report that could not be tied to a case',
  'auto-reply': 'An automatic reply that matched no case',
  duplicate: 'Another delivery of a message already received',
  loop: 'Our own mail coming back',
  'processing-failed': 'Processing failed repeatedly; download the raw message to inspect it',
};

/** Releasing these would do harm (a second copy, a mail loop): the server refuses, so no buttons. */
const NOT_ACTIONABLE = new Set(['duplicate', 'loop']);

function actionable(m: InboundView): boolean {
  return (m.status === 'quarantined' || m.status === 'ignored') && !NOT_ACTIONABLE.has(m.reason ?? '');
}

async function fetchHeld(_: true, info: ResourceFetcherInfo<HeldData>): Promise<HeldData> {
  try {
    const page = await listInbound('held');
    return { items: page.items, truncated: page.nextCursor !== null };
  } catch (err) {
    if (info.value && info.refetching) {
      console.warn('refreshing held mail failed', err);
      return info.value;
    }
    throw err;
  }
}

export function HeldMail() {
  const [data, { refetch, mutate }] = createResource(fetchHeld, { storage: createDeepSignal });
  const refresh = createDebounced(() => void refetch(), 200);
  // Resolved rows never become held again; remembering them keeps a refetch that started before the
  // release from bringing a row back.
  const [resolved, setResolved] = createSignal<ReadonlySet<string>>(new Set());

  function drop(id: string): void {
    if (!resolved().has(id)) setResolved((prev) => new Set(prev).add(id));
    mutate((prev) => (prev && prev.items.some((i) => i.id === id) ? { ...prev, items: prev.items.filter((i) => i.id !== id) } : prev));
  }

  onServerEvent((event) => {
    if (event.type === 'inbound.held') refresh();
    else if (event.type === 'inbound.resolved') drop(event.inboundId);
  });
  onResync(refresh);

  const loaded = () => (data.error ? undefined : data());
  const visible = (d: HeldData) => d.items.filter((i) => !resolved().has(i.id));

  return (
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
          <div class="held-list" data-testid="held-list">
            <Show when={visible(d()).length > 0} fallback={<p class="empty">No held mail.</p>}>
              <ul class="rows">
                <For each={visible(d())}>{(m) => <HeldRow item={m} onResolved={drop} onStale={refresh} />}</For>
              </ul>
            </Show>
            <Show when={d().truncated}>
              <p class="hint">Showing the newest held messages only.</p>
            </Show>
          </div>
        )}
      </Match>
      <Match when={true}>
        <p class="loading">Loading…</p>
      </Match>
    </Switch>
  );
}

function HeldRow(props: { item: InboundView; onResolved: (id: string) => void; onStale: () => void }) {
  const m = () => props.item;
  const [busy, setBusy] = createSignal<'release' | 'discard' | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const facts = createMemo(() => decisionFacts(m().decision));

  async function act(action: 'release' | 'discard'): Promise<void> {
    if (busy()) return;
    const id = m().id;
    setBusy(action);
    setError(null);
    try {
      if (action === 'release') await releaseInbound(id);
      else await discardInbound(id);
      props.onResolved(id);
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
        {m().reason ?? 'no reason recorded'}
        <Show when={m().caseId}>
          {(id) => (
            <>
              {' · '}
              <a href={caseHref(id())}>related case</a>
            </>
          )}
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
      </span>
      <div class="held-actions">
        <Show when={actionable(m())}>
          <button type="button" data-testid="release" disabled={busy() !== null} onClick={() => void act('release')}>
            {busy() === 'release' ? 'Releasing…' : m().caseId ? 'Release into case' : 'Release as new case'}
          </button>
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
        <Show when={m().lastError}>{(e) => <p class="error-text">last error: {e()}</p>}</Show>
        <Show when={facts().fallback}>{(text) => <pre class="decision-raw">{text()}</pre>}</Show>
        <Show when={!facts().detail && facts().considered.length === 0 && !facts().fallback && !m().lastError}>
          <p class="muted">No decision details recorded.</p>
        </Show>
      </details>
    </li>
  );
}
