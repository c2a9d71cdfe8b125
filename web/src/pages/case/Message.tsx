// One message of a thread: who wrote it and how it came (badges for its kind, the sender's
// authentication, a release), its recipients, why it is on this case, its body (text, or HTML in a
// sandboxed frame), attachments and deliveries. System messages are one compact line.
import { For, Match, Show, Switch, createSignal } from 'solid-js';
import type { AttachmentView, AuthVerdict, MessageView } from '../../../../worker/protocol/api.ts';
import { DeliveryList } from '../../components/Deliveries.tsx';
import { MessageBody } from '../../components/HtmlBody.tsx';
import { addressList, formatAddress, formatDate, formatSize, isoDate, safeApiUrl } from '../../lib/format.ts';

/** Kinds that are machine-made: shown muted so the human conversation stands out. */
const MUTED_KINDS = new Set<MessageView['kind']>(['auto-reply', 'bounce', 'list', 'loop']);

/** Who wrote a message: the agent for replies and notes, otherwise the sender. */
function authorName(m: MessageView): string | null {
  if (m.direction !== 'outbound' && m.direction !== 'note') return null;
  return m.author?.name || m.from.name || null;
}

export function Message(props: { message: MessageView }) {
  const m = () => props.message;
  const at = () => m().sentAt ?? m().createdAt;
  // Auto-replies ("I am out of office…") are folded away until asked for.
  const [unfolded, setUnfolded] = createSignal(false);
  const folded = () => m().kind === 'auto-reply' && !unfolded();
  return (
    <article
      data-testid="message"
      data-message-id={m().id}
      data-kind={m().kind}
      data-direction={m().direction}
      classList={{ message: true, [`dir-${m().direction}`]: true, muted: MUTED_KINDS.has(m().kind), spam: m().kind === 'spam-flagged' }}
    >
      <header class="msg-head">
        <Switch
          fallback={
            <span class="from" title={m().from.email}>
              {formatAddress(m().from)}
            </span>
          }
        >
          <Match when={m().direction === 'note'}>
            <span class="badge internal" data-testid="note-label">
              Internal note
            </span>
            <span class="from" data-testid="author">
              {authorName(m()) ?? 'an agent'}
            </span>
          </Match>
          <Match when={m().direction === 'outbound'}>
            <span class="from" data-testid="author" title={`sent as ${m().from.email}`}>
              {authorName(m()) ?? m().from.email}
            </span>
            <span class="via">via {m().from.email}</span>
          </Match>
        </Switch>
        <Show when={m().direction !== 'note'}>
          <span class={`badge dir dir-${m().direction}`}>{m().direction}</span>
        </Show>
        {/* What agents wrote is human by definition; the badge matters for what arrived. */}
        <Show when={m().direction === 'inbound' || m().kind !== 'human'}>
          <KindBadge message={m()} />
        </Show>
        <AuthBadge message={m()} />
        <Show when={m().threadRule === 'released'}>
          <span class="badge released" title="Held by the ingest rules, then released into this case by an agent">
            released
          </span>
        </Show>
        <time class="date" datetime={isoDate(at())}>
          {formatDate(at())}
        </time>
      </header>
      <Show when={m().to.length > 0 || m().cc.length > 0}>
        <p class="recipients">
          <Show when={m().to.length > 0}>to: {addressList(m().to)}</Show>
          <Show when={m().cc.length > 0}>
            {m().to.length > 0 ? ' · ' : ''}cc: {addressList(m().cc)}
          </Show>
        </p>
      </Show>
      <p class="why" data-testid="why-here">
        why here: {m().threadRule} — {m().threadReason}
      </p>
      <Show when={m().kind === 'auto-reply'}>
        <button type="button" class="link-button fold" data-testid="toggle-auto-reply" aria-expanded={!folded()} onClick={() => setUnfolded(!unfolded())}>
          {folded() ? 'Show auto-reply' : 'Hide auto-reply'}
        </button>
      </Show>
      <Show when={!folded()}>
        <MessageBody message={m()} />
        <Show when={m().attachments.length > 0}>
          <ul class="attachments" aria-label="Attachments">
            <For each={m().attachments}>{(a) => <Attachment attachment={a} />}</For>
          </ul>
        </Show>
      </Show>
      <DeliveryList deliveries={m().deliveries} />
    </article>
  );
}

const AUTH_LABELS: Record<AuthVerdict, string> = {
  verified: 'verified',
  unverified: 'unverified',
  failed: 'auth failed',
};

const AUTH_HINTS: Record<AuthVerdict, string> = {
  verified: 'The sender passed authentication (DMARC, or DKIM aligned with the From domain)',
  unverified: 'The sender could not be verified',
  failed: 'The sender failed authentication: the From address may be forged',
};

/** The message's kind, with the signs that made it so on hover. */
function KindBadge(props: { message: MessageView }) {
  const m = () => props.message;
  const title = () => (m().kindReasons.length > 0 ? `${m().kind}: ${m().kindReasons.join(', ')}` : m().kind === 'human' ? 'human: no signs of automated mail' : `${m().kind}: no reasons recorded`);
  return (
    <span class={`badge kind kind-${m().kind}`} data-testid="kind-badge" data-kind={m().kind} title={title()}>
      {m().kind}
    </span>
  );
}

/** What Cloudflare's mail servers found about the sender; nothing for mail we wrote ourselves. */
function AuthBadge(props: { message: MessageView }) {
  return (
    <Show when={props.message.authVerdict}>
      {(v) => (
        <span
          class={`badge auth auth-${v()}`}
          data-testid="auth-verdict"
          data-verdict={v()}
          title={`${AUTH_HINTS[v()] ?? v()}${props.message.authReasons.length > 0 ? ` (${props.message.authReasons.join(', ')})` : ''}`}
        >
          {AUTH_LABELS[v()] ?? v()}
        </span>
      )}
    </Show>
  );
}

/** A message the system wrote on the case (e.g. a bounce notice): one compact line, not a card. */
export function SystemLine(props: { message: MessageView }) {
  const m = () => props.message;
  const at = () => m().sentAt ?? m().createdAt;
  return (
    <div class="system-line" role="note" data-testid="system-message" data-message-id={m().id} data-kind={m().kind} title={`why here: ${m().threadRule} — ${m().threadReason}`}>
      <KindBadge message={m()} />
      <span class="system-text">{m().text.trim() || m().subject || '(system message)'}</span>
      <time class="date" datetime={isoDate(at())} title={formatDate(at())}>
        {formatDate(at())}
      </time>
    </div>
  );
}

function Attachment(props: { attachment: AttachmentView }) {
  const a = () => props.attachment;
  const name = () => a().filename || 'unnamed attachment';
  return (
    <li data-testid="attachment" classList={{ skipped: !a().stored }}>
      <Show
        when={a().stored ? safeApiUrl(a().url) : null}
        fallback={
          <>
            <span class="filename">{name()}</span> <span class="skip-reason">{a().stored ? 'download unavailable' : `skipped: ${a().skippedReason ?? 'not stored'}`}</span>
          </>
        }
      >
        {(url) => (
          <a href={url()} download={name()}>
            {name()}
          </a>
        )}
      </Show>{' '}
      <span class="size">{formatSize(a().size)}</span>
      <Show when={a().inline}>
        <span class="badge">inline</span>
      </Show>
    </li>
  );
}
