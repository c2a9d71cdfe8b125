// One case: the header (CaseHeader.tsx), who else is on it, participants, the thread (Message.tsx,
// with the acknowledgements sent on the case laid in by time: AckLine.tsx) and the composer. Live:
// any event about the case refetches it (stores/caseDetail.ts).
import { DraftingLine } from '../../components/Drafting.tsx';
import { For, Show, createEffect, createMemo, onCleanup } from 'solid-js';
import type { Accessor } from 'solid-js';
import type { AckView, CaseDetail, MessageView } from '../../../../worker/protocol/api.ts';
import { Composer, type ComposerApi } from '../../components/composer/Composer.tsx';
import { Loadable } from '../../components/Loadable.tsx';
import { MergePanel } from '../../components/MergeDialog.tsx';
import { CasePresence } from '../../components/Presence.tsx';
import { isTyping } from '../../lib/util.ts';
import { assignTarget, changeCase, withPending } from '../../stores/caseActions.ts';
import { createCaseDetail } from '../../stores/caseDetail.ts';
import { AckLine } from './AckLine.tsx';
import { CaseHeader } from './CaseHeader.tsx';
import { CustomerPanel } from './CustomerPanel.tsx';
import { History } from './History.tsx';
import { Message, SystemLine } from './Message.tsx';

export function CaseView(props: { id: string }) {
  const { detail, loaded, refetch, posted } = createCaseDetail(() => props.id);

  createEffect(() => {
    const d = loaded();
    if (d) document.title = `#${d.case.number} ${d.case.subject} · edgecase`;
  });

  let composer: ComposerApi | undefined;

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
      <Loadable error={detail.error} loading={detail.loading} value={loaded()} failure="Could not load this case" notFound="Case not found." retry={() => void refetch()}>
        {(d) => <CaseBody detail={d} onPosted={posted} composer={(api) => (composer = api)} />}
      </Loadable>
    </section>
  );
}

const isAck = (x: MessageView | AckView): x is AckView => 'outboxId' in x;

/** The thread as it happened: the case's messages and the acknowledgements sent on it, by time (a message before an acknowledgement of the same moment, which answers it). */
function threadOf(d: CaseDetail): Array<MessageView | AckView> {
  const at = (x: MessageView | AckView) => x.createdAt;
  return [...d.messages, ...d.acknowledgements].sort((x, y) => at(x) - at(y));
}

function CaseBody(props: { detail: Accessor<CaseDetail>; onPosted: (view: MessageView) => void; composer: (api: ComposerApi) => void }) {
  const thread = createMemo(() => threadOf(props.detail()));
  return (
    <>
      <CaseHeader case={props.detail().case} />
      <CasePresence caseId={props.detail().case.id} />
      <DraftingLine caseId={props.detail().case.id} />
      <MergePanel detail={props.detail} />
      <History caseId={props.detail().case.id} seq={props.detail().seq} />

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

      <CustomerPanel caseId={props.detail().case.id} />

      <section class="thread" aria-label="Messages">
        <For each={thread()} fallback={<p class="empty">No messages.</p>}>
          {(item) => (isAck(item) ? <AckLine ack={item} /> : item.direction === 'system' ? <SystemLine message={item} /> : <Message message={item} />)}
        </For>
      </section>

      <Composer detail={props.detail} onPosted={props.onPosted} renderMessage={(m) => <Message message={m} />} controls={props.composer} />
    </>
  );
}
