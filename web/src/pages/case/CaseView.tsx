// One case: header with status, priority and assignee controls (changed at once, undone if refused),
// who else is on it, participants, the thread (text, or HTML in a sandboxed frame), and the composer.
import { For, Match, Show, Switch, createEffect, createResource, createSignal, onCleanup } from 'solid-js';
import type { Accessor, ResourceFetcherInfo } from 'solid-js';
import type { AttachmentView, AuthVerdict, CaseDetail, CasePriority, CaseStatus, MessageView } from '../../../../worker/protocol/api.ts';
import { assignTarget, changeCase, onCaseSaved, withPending } from '../../stores/caseActions.ts';
import { ActionNotice } from '../../components/ActionNotice.tsx';
import { getCase } from '../../api/cases.ts';
import { RequestError, errorMessage } from '../../api/errors.ts';
import { Composer, type ComposerApi } from '../../components/composer/Composer.tsx';
import { DeliveryList } from '../../components/Deliveries.tsx';
import { PRIORITY_LABELS, STATUS_LABELS, STATUS_ORDER, addressList, caseHref, formatAddress, formatDate, formatSize, isoDate, safeApiUrl } from '../../lib/format.ts';
import { MessageBody } from '../../components/HtmlBody.tsx';
import { onResync, onServerEvent } from '../../realtime/live.ts';
import { CasePresence } from '../../components/Presence.tsx';
import { SlaBadge } from '../../components/SlaBadge.tsx';
import { authMode as currentMode } from '../../stores/session.ts';
import { createDeepSignal } from '../../stores/resource.ts';
import { createDebounced, isTyping } from '../../lib/util.ts';

/** Kinds that are machine-made: shown muted so the human conversation stands out. */
const MUTED_KINDS = new Set<MessageView['kind']>(['auto-reply', 'bounce', 'list', 'loop']);

async function fetchCase(id: string, info: ResourceFetcherInfo<CaseDetail>): Promise<CaseDetail> {
  try {
    return await getCase(id);
  } catch (err) {
    // A failed background refresh keeps the thread on screen (a 404 means it really is gone).
    if (info.refetching && info.value?.case.id === id && !(err instanceof RequestError && err.status === 404)) {
      console.warn('refreshing the case failed', err);
      return info.value;
    }
    throw err;
  }
}

export function CaseView(props: { id: string }) {
  const [detail, { refetch, mutate }] = createResource(() => props.id, fetchCase, { storage: createDeepSignal });
  const refresh = createDebounced(() => void refetch(), 150);

  onServerEvent((event) => {
    if (event.caseId === props.id) refresh();
  });
  onResync(refresh);

  const loaded = (): CaseDetail | undefined => {
    if (detail.error) return undefined;
    const d = detail();
    return d && d.case.id === props.id ? d : undefined;
  };

  createEffect(() => {
    const d = loaded();
    if (d) document.title = `#${d.case.number} ${d.case.subject} · edgecase`;
  });

  let composer: ComposerApi | undefined;

  /** A reply, note or forward this page just wrote: shown at once, then the refetch brings the rest. */
  function posted(view: MessageView): void {
    mutate((prev) => (prev && prev.case.id === props.id && !prev.messages.some((m) => m.id === view.id) ? { ...prev, messages: [...prev.messages, view] } : prev));
    refresh();
  }

  // The server's copy after a change made here (status, priority, assignee).
  onCleanup(onCaseSaved((saved) => mutate((prev) => (prev && prev.case.id === saved.id ? { ...prev, case: saved } : prev))));

  // Outside form controls: Escape goes back to the inbox, r writes a reply, n a note, a assigns the
  // case to the agent, e closes it.
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || isTyping(e.target)) return;
    if (e.key === 'Escape') location.hash = '#/';
    else if ((e.key === 'r' || e.key === 'n') && composer && loaded()) {
      e.preventDefault();
      composer.focus(e.key === 'r' ? 'reply' : 'note');
    } else if (e.key === 'e' || e.key === 'a') {
      const d = loaded();
      if (!d) return;
      const shown = withPending(d.case);
      if (e.key === 'e') {
        e.preventDefault();
        if (shown.status !== 'closed') void changeCase(d.case, { status: 'closed' }, 'close');
        return;
      }
      const me = assignTarget();
      if (!me) return;
      e.preventDefault();
      if (shown.assignee?.id !== me.id) void changeCase(d.case, { assignee: me }, 'assign');
    }
  };
  document.addEventListener('keydown', onKeyDown);
  onCleanup(() => document.removeEventListener('keydown', onKeyDown));

  return (
    <section class="case">
      <a class="back" href="#/" data-testid="back-link">
        ← Inbox
      </a>
      <Switch>
        <Match when={detail.error && !detail.loading}>
          <div class="error" role="alert">
            <Show
              when={detail.error instanceof RequestError && detail.error.status === 404}
              fallback={
                <>
                  <p>Could not load this case: {errorMessage(detail.error)}</p>
                  <button type="button" onClick={() => void refetch()}>
                    Retry
                  </button>
                </>
              }
            >
              <p>Case not found.</p>
            </Show>
          </div>
        </Match>
        <Match when={loaded()}>{(d) => <CaseBody detail={d} onPosted={posted} composer={(api) => (composer = api)} />}</Match>
        <Match when={true}>
          <p class="loading">Loading…</p>
        </Match>
      </Switch>
    </section>
  );
}

const PRIORITY_ORDER = Object.keys(PRIORITY_LABELS) as CasePriority[];

function CaseBody(props: { detail: Accessor<CaseDetail>; onPosted: (view: MessageView) => void; composer: (api: ComposerApi) => void }) {
  /** The case as shown: a change on its way shows at once (stores/caseActions.ts). */
  const c = () => withPending(props.detail().case);

  function changeStatus(select: HTMLSelectElement): void {
    const next = select.value as CaseStatus;
    if (next !== c().status) void changeCase(c(), { status: next }, 'change the status of');
  }

  function changePriority(select: HTMLSelectElement): void {
    const next = select.value as CasePriority;
    if (next !== c().priority) void changeCase(c(), { priority: next }, 'change the priority of');
  }

  return (
    <>
      <header class="case-head">
        <h2 class="case-title">
          <span class="num">#{c().number}</span> <span class="subject">{c().subject || '(no subject)'}</span>
        </h2>
        <div class="case-meta">
          <span class={`badge status status-${c().status}`} data-testid="case-status">
            {STATUS_LABELS[c().status]}
          </span>
          <label class="field">
            Status{' '}
            <select data-testid="status-select" onChange={(e) => changeStatus(e.currentTarget)}>
              <For each={STATUS_ORDER}>
                {(s) => (
                  <option value={s} selected={s === c().status}>
                    {STATUS_LABELS[s]}
                  </option>
                )}
              </For>
            </select>
          </label>
          <span class={`badge prio prio-${c().priority}`} title="Priority" data-testid="case-priority">
            {PRIORITY_LABELS[c().priority]}
          </span>
          <label class="field">
            Priority{' '}
            <select data-testid="priority-select" onChange={(e) => changePriority(e.currentTarget)}>
              <For each={PRIORITY_ORDER}>
                {(p) => (
                  <option value={p} selected={p === c().priority}>
                    {PRIORITY_LABELS[p]}
                  </option>
                )}
              </For>
            </select>
          </label>
          <SlaBadge caseId={c().id} sla={c().sla} long />
          <span class="muted" data-testid="case-assignee">
            {c().assignee ? `Assigned to ${c().assignee?.name}` : 'Unassigned'}
          </span>
          <Show when={assignTarget()}>
            {(me) => (
              <Show when={c().assignee?.id !== me().id}>
                <button type="button" class="link-button" data-testid="assign-me" title="Shortcut: a" onClick={() => void changeCase(c(), { assignee: me() }, 'assign')}>
                  {/* Open mode has no "me": say whom it names. */}
                  {currentMode() === 'open' ? `Assign to ${me().name}` : 'Assign to me'}
                </button>
              </Show>
            )}
          </Show>
          <span class="muted" title={formatDate(c().createdAt)}>
            Opened {formatDate(c().createdAt)}
          </span>
          <Show when={c().linkedCaseId}>
            {(id) => (
              <a href={caseHref(id())} class="muted">
                linked case
              </a>
            )}
          </Show>
        </div>
        <ActionNotice />
      </header>
      <CasePresence caseId={c().id} />

      <section class="participants" aria-label="Participants">
        <h3>Participants</h3>
        <ul data-testid="participants">
          <For each={props.detail().participants} fallback={<li class="muted">None recorded.</li>}>
            {(p) => (
              <li>
                <span class="name">{p.name || p.email}</span>
                <Show when={p.name && p.name !== p.email}>
                  <span class="email"> {p.email}</span>
                </Show>{' '}
                <span class={`badge role role-${p.role}`}>{p.role}</span>
              </li>
            )}
          </For>
        </ul>
      </section>

      <section class="thread" aria-label="Messages">
        <For each={props.detail().messages} fallback={<p class="empty">No messages.</p>}>
          {(m) => (
            <Show when={m.direction === 'system'} fallback={<Message message={m} />}>
              <SystemLine message={m} />
            </Show>
          )}
        </For>
      </section>

      <Composer detail={props.detail} onPosted={props.onPosted} renderMessage={(m) => <Message message={m} />} controls={props.composer} />
    </>
  );
}

/** Who wrote a message: the agent for replies and notes, otherwise the sender. */
function authorName(m: MessageView): string | null {
  if (m.direction !== 'outbound' && m.direction !== 'note') return null;
  return m.author?.name || m.from.name || null;
}

function Message(props: { message: MessageView }) {
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
function SystemLine(props: { message: MessageView }) {
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
