// Writing on a case: a reply to the customer, an internal note, or a forward to someone outside.
// Replies and notes carry the seq the agent has seen; when the server answers that something new
// arrived meanwhile (409), the draft stays, the new messages are shown above it, and sending needs a
// second, deliberate click. Nothing here says "delivered": the message's delivery rows tell.
import { For, Show, createMemo, createSignal } from 'solid-js';
import type { Accessor, JSX } from 'solid-js';
import type { CaseDetail, MessageView } from '../../../../worker/protocol/api.ts';
import { addNote, sendReply } from '../../api/cases.ts';
import { CollisionError, errorMessage } from '../../api/errors.ts';
import { draftFor, updateDraft, type ComposerTab, type Draft } from '../../lib/drafts.ts';
import { STATUS_LABELS, STATUS_ORDER } from '../../lib/format.ts';
import { currentSession } from '../../stores/session.ts';
import { BounceWarning } from './BounceWarning.tsx';
import { type Collision, CollisionNotice } from './CollisionNotice.tsx';
import { Forward } from './Forward.tsx';
import { followSeen, newsSince, postedHere } from './seen.ts';
import { useServerDraft } from './serverDraft.ts';
import { isSnippetKey, SNIPPET_KEY_LABEL, SnippetPicker } from './SnippetPicker.tsx';

export interface ComposerApi {
  focus(tab: ComposerTab): void;
}

/** "a@x.test, b@y.test; c@z.test" → the addresses, in order, without blanks or repeats. */
export function parseAddresses(input: string): string[] {
  const out: string[] = [];
  for (const part of input.split(/[,;\n]/)) {
    const a = part.trim();
    if (a && !out.some((x) => x.toLowerCase() === a.toLowerCase())) out.push(a);
  }
  return out;
}

const SEND_KEY = /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘' : 'Ctrl';

export function Composer(props: { detail: Accessor<CaseDetail>; onPosted: (view: MessageView) => void; renderMessage: (m: MessageView) => JSX.Element; controls?: (api: ComposerApi) => void }) {
  const caseId = () => props.detail().case.id;
  const draft = (): Draft => draftFor(caseId());
  const update = (fn: (d: Draft) => void) => updateDraft(caseId(), fn);

  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const [done, setDone] = createSignal<string | null>(null);
  const [collision, setCollision] = createSignal<Collision | null>(null);
  /** Where the canned reply goes: the selection when the picker opened. */
  const [picking, setPicking] = createSignal<{ start: number; end: number } | null>(null);
  let textEl: HTMLTextAreaElement | undefined;
  let noticeEl: HTMLElement | undefined;

  const requester = () => props.detail().participants.find((p) => p.role === 'requester')?.email ?? props.detail().case.contact?.email ?? '';
  const toValue = () => draft().to ?? requester();

  const me = () => currentSession()?.id ?? null;
  followSeen(() => props.detail(), me);
  const draftProblem = useServerDraft(
    () => props.detail(),
    () => me() !== null,
  );
  /** Messages on screen from others that arrived after the agent started writing (a hint before they send). */
  const arrivedMeanwhile = createMemo(() => newsSince(draft(), props.detail(), me()));

  function focus(tab: ComposerTab): void {
    update((d) => {
      d.tab = tab;
    });
    setError(null);
    textEl?.focus();
  }
  props.controls?.({ focus });

  function setText(value: string): void {
    const tab = draft().tab;
    update((d) => {
      if (tab === 'reply') d.reply = value;
      else d.note = value;
    });
    setDone(null);
  }

  async function submit(force: boolean, tab: ComposerTab = draft().tab): Promise<void> {
    if (busy()) return;
    const id = caseId();
    const d = draftFor(id);
    const text = tab === 'reply' ? d.reply : d.note;
    setDone(null);
    if (!text.trim()) {
      setError(tab === 'reply' ? 'Write the reply first.' : 'Write the note first.');
      return;
    }
    let to: string[] | undefined;
    let cc: string[] = [];
    if (tab === 'reply') {
      const list = parseAddresses(toValue());
      if (list.length === 0) {
        setError(requester() ? 'Add at least one recipient in To.' : 'This case has no requester: add a recipient in To.');
        return;
      }
      // The default (the requester alone) is left to the server, which knows their name too.
      to = list.length === 1 && list[0]!.toLowerCase() === requester().toLowerCase() ? undefined : list;
      cc = parseAddresses(d.cc);
    }
    const status = d.status || undefined;
    const attempt = (seenSeq: number) => (tab === 'reply' ? sendReply(id, { text, ...(to ? { to } : {}), cc, ...(status ? { status } : {}), seenSeq, force }) : addNote(id, { text, seenSeq, force }));
    setBusy(true);
    setError(null);
    try {
      let view: MessageView;
      try {
        view = await attempt(d.seenSeq ?? props.detail().seq);
      } catch (err) {
        // Only messages written from this page are "new"? Then nothing new to read: try again, with the
        // guard still on, from where the server says the case is. (Open mode counts an agent's own
        // messages as news, because nobody is signed in to tell whose they are.)
        if (err instanceof CollisionError && !force && err.newMessages.length > 0 && err.newMessages.every((m) => postedHere.has(m.id))) view = await attempt(err.lastSeq);
        else throw err;
      }
      postedHere.add(view.id);
      updateDraft(id, (x) => {
        if (tab === 'reply') {
          x.reply = '';
          x.to = null;
          x.cc = '';
          x.status = '';
        } else {
          x.note = '';
        }
        x.seen = [...x.seen, view.id];
      });
      setCollision(null);
      setDone(tab === 'reply' ? 'Reply queued for sending; its delivery shows on the message.' : 'Note added. Only agents see it.');
      props.onPosted(view);
    } catch (err) {
      if (err instanceof CollisionError) {
        updateDraft(id, (x) => {
          x.seenSeq = Math.max(x.seenSeq ?? 0, err.lastSeq);
          x.seen = [...new Set([...x.seen, ...err.newMessages.map((m) => m.id)])];
        });
        setCollision({ tab, messages: err.newMessages, message: err.message });
        requestAnimationFrame(() => {
          noticeEl?.scrollIntoView({ block: 'nearest' });
          noticeEl?.focus({ preventScroll: true });
        });
      } else {
        setError(`Could not ${tab === 'reply' ? 'send the reply' : 'add the note'}: ${errorMessage(err)}`);
      }
    } finally {
      setBusy(false);
    }
  }

  function openPicker(): void {
    if (busy()) return;
    setPicking({ start: textEl?.selectionStart ?? 0, end: textEl?.selectionEnd ?? 0 });
  }

  function insertSnippet(text: string): void {
    const at = picking() ?? { start: 0, end: 0 };
    const current = draft().tab === 'reply' ? draft().reply : draft().note;
    setText(current.slice(0, at.start) + text + current.slice(at.end));
    setPicking(null);
    const cursor = at.start + text.length;
    requestAnimationFrame(() => {
      textEl?.focus();
      textEl?.setSelectionRange(cursor, cursor);
    });
  }

  function onKeyDown(e: KeyboardEvent): void {
    if (isSnippetKey(e)) {
      e.preventDefault();
      openPicker();
      return;
    }
    if (picking()) return;
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey) {
      e.preventDefault();
      void submit(false);
    }
  }

  return (
    <>
      <Show when={collision()}>
        {(c) => (
          <CollisionNotice
            collision={c()}
            busy={busy()}
            renderMessage={props.renderMessage}
            noticeRef={(el) => (noticeEl = el)}
            onSendAnyway={() => void submit(true, c().tab)}
            onKeepEditing={() => {
              setCollision(null);
              textEl?.focus();
            }}
          />
        )}
      </Show>

      <section class={`composer composer-${draft().tab}`} data-testid="composer" data-tab={draft().tab} aria-label="Write on this case">
        <div class="composer-bar">
          <div class="composer-tabs" role="tablist" aria-label="What to write">
            <button
              type="button"
              role="tab"
              data-testid="composer-tab-reply"
              aria-selected={draft().tab === 'reply'}
              classList={{ tab: true, active: draft().tab === 'reply' }}
              onClick={() => focus('reply')}
              title="Reply to the customer (r)"
            >
              Reply
            </button>
            <button
              type="button"
              role="tab"
              data-testid="composer-tab-note"
              aria-selected={draft().tab === 'note'}
              classList={{ tab: true, active: draft().tab === 'note' }}
              onClick={() => focus('note')}
              title="A note only agents see (n)"
            >
              Internal note
            </button>
          </div>
          <Forward
            caseId={caseId()}
            onPosted={(view, to) => {
              postedHere.add(view.id);
              setDone(`Forward to ${to} queued for sending; its delivery shows on the message.`);
              props.onPosted(view);
            }}
          />
        </div>

        <form
          class="composer-form"
          onSubmit={(e) => {
            e.preventDefault();
            void submit(false);
          }}
          onKeyDown={onKeyDown}
        >
          <Show
            when={draft().tab === 'reply'}
            fallback={
              <p class="composer-note-hint">
                <span class="badge internal">Internal note</span> Only agents see notes; nothing is mailed.
              </p>
            }
          >
            <div class="composer-fields">
              <AddressField label="To" testId="composer-to" value={toValue()} placeholder="customer@example.com" busy={busy()} onInput={(v) => update((d) => void (d.to = v))} />
              <AddressField label="Cc" testId="composer-cc" value={draft().cc} placeholder="optional, comma-separated" busy={busy()} onInput={(v) => update((d) => void (d.cc = v))} />
            </div>
            <BounceWarning addresses={[...parseAddresses(toValue()), ...parseAddresses(draft().cc)]} undeliverable={props.detail().undeliverable} />
          </Show>

          <textarea
            ref={textEl}
            data-testid="composer-text"
            class="composer-text"
            rows={6}
            value={draft().tab === 'reply' ? draft().reply : draft().note}
            placeholder={draft().tab === 'reply' ? 'Write a reply to the customer…' : 'Write a note for the other agents…'}
            aria-label={draft().tab === 'reply' ? 'Reply text' : 'Note text'}
            readOnly={busy()}
            onInput={(e) => setText(e.currentTarget.value)}
          />

          <Show when={picking()}>
            <SnippetPicker
              caseId={caseId()}
              onInsert={insertSnippet}
              onClose={() => {
                setPicking(null);
                textEl?.focus();
              }}
            />
          </Show>

          <Show when={arrivedMeanwhile() > 0 && !collision()}>
            <p class="composer-hint-new" data-testid="arrived-meanwhile">
              {arrivedMeanwhile() === 1 ? 'A new message arrived' : `${arrivedMeanwhile()} new messages arrived`} while you were writing; you will be asked to confirm before sending.
            </p>
          </Show>

          <div class="composer-actions">
            <Show when={draft().tab === 'reply'}>
              <label class="field">
                Status after sending{' '}
                <select
                  data-testid="composer-status"
                  disabled={busy()}
                  onChange={(e) => {
                    const v = e.currentTarget.value as Draft['status'];
                    update((d) => {
                      d.status = v;
                    });
                  }}
                >
                  <option value="" selected={draft().status === ''}>
                    {props.detail().case.status === 'new' ? 'Keep (New becomes Open)' : `Keep (${STATUS_LABELS[props.detail().case.status]})`}
                  </option>
                  <For each={STATUS_ORDER}>
                    {(s) => (
                      <option value={s} selected={draft().status === s}>
                        {STATUS_LABELS[s]}
                      </option>
                    )}
                  </For>
                </select>
              </label>
            </Show>
            <span class="spacer" />
            <button type="button" class="link-button" data-testid="snippet-open" disabled={busy()} onClick={openPicker} title={`Insert a canned reply (${SNIPPET_KEY_LABEL})`}>
              Canned reply <kbd>{SNIPPET_KEY_LABEL}</kbd>
            </button>
            <span class="hint">
              <kbd>{SEND_KEY}</kbd>+<kbd>Enter</kbd> {draft().tab === 'reply' ? 'sends' : 'adds'}
            </span>
            <button type="submit" class="primary" data-testid="composer-send" disabled={busy()}>
              {busy() ? (draft().tab === 'reply' ? 'Sending…' : 'Adding…') : draft().tab === 'reply' ? 'Send reply' : 'Add note'}
            </button>
          </div>
          <Show when={draftProblem()}>
            {(msg) => (
              <p class="composer-hint-new" data-testid="draft-problem">
                {msg()}
              </p>
            )}
          </Show>
          <Show when={error()}>
            {(msg) => (
              <p class="error-text" role="alert" data-testid="composer-error">
                {msg()}
              </p>
            )}
          </Show>
          <p class="composer-done" role="status" data-testid="composer-done">
            {done() ?? ''}
          </p>
        </form>
      </section>
    </>
  );
}

/** One line of addresses (To, Cc): plain text, read-only while sending. */
function AddressField(props: { label: string; testId: string; value: string; placeholder: string; busy: boolean; onInput: (value: string) => void }) {
  return (
    <label class="composer-field">
      <span>{props.label}</span>
      <input
        type="text"
        data-testid={props.testId}
        value={props.value}
        placeholder={props.placeholder}
        autocomplete="off"
        spellcheck={false}
        readOnly={props.busy}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
    </label>
  );
}
