// One row of held mail: what it is and why it was held, what was tried, and the actions it offers
// (release, discard, reprocess, the raw message); what it says folded under "Message", its decision
// record under "Details".
import { For, Match, Show, Switch, createMemo, createSignal } from 'solid-js';
import type { InboundView } from '../../../../worker/protocol/api.ts';
import { RequestError, errorMessage } from '../../api/errors.ts';
import { discardInbound, rawInboundUrl, releaseInbound, reprocessInbound } from '../../api/inbound.ts';
import { caseHref, decisionFacts, formatDate, formatSize, now, relativeTime } from '../../lib/format.ts';
import { HeldBody } from './HeldBody.tsx';
import { REASON_HINTS, discardable, releasable, reprocessable } from './reasons.ts';

type Action = 'release' | 'discard' | 'reprocess';

export function HeldRow(props: { item: InboundView; result: boolean; onResolved: (id: string) => void; onReprocessed: (row: InboundView) => void; onStale: () => void }) {
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
      <HeldBody id={m().id} />
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
