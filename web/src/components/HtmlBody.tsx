// A message's body: plain text, or its HTML in a sandboxed frame (no scripts, opaque origin, a policy
// that loads nothing remote until the agent asks). Images the mail carries itself (`cid:`) are fetched
// here, with the agent's session, and handed to the frame as data: URLs, since the frame cannot fetch
// anything from us. The frame has no scripts, so its height is estimated, not measured: it scrolls,
// and the agent can drag it taller.
import { Show, createMemo, createResource, createSignal, onCleanup, onMount, untrack } from 'solid-js';
import type { AttachmentView, MessageView } from '../../../worker/protocol/api.ts';
import { fetchAttachment } from '../api/attachments.ts';
import { safeApiUrl } from '../lib/format.ts';
import { INLINE_IMAGE_TYPES, estimateHeight, inlineImageRefs, prepareHtml, type InlineImages } from '../lib/mailhtml.ts';
import { onPrivateReset } from '../lib/privateState.ts';

export type BodyView = 'text' | 'html';

const VIEW_KEY = 'edgecase.body-view';
function readView(): BodyView {
  try {
    return window.localStorage.getItem(VIEW_KEY) === 'html' ? 'html' : 'text';
  } catch {
    return 'text';
  }
}
/** What the agent chose last: new messages open that way. Plain text unless they chose HTML. */
const [preferredView, setPreferredView] = createSignal<BodyView>(readView());
function rememberView(view: BodyView): void {
  setPreferredView(view);
  try {
    window.localStorage.setItem(VIEW_KEY, view);
  } catch {
    // a preference, nothing more
  }
}

/** Inline images above this size stay placeholders (a data: URL of them would be too heavy). */
export const MAX_INLINE_BYTES = 2 * 1024 * 1024;
const CACHE_ENTRIES = 40;
/** attachment id → data: URL (or null: could not be had). Private: forgotten on sign-out. */
const inlineCache = new Map<string, Promise<string | null>>();
onPrivateReset(() => inlineCache.clear());

function usableInline(a: AttachmentView, refs: Set<string>): boolean {
  return a.stored && a.contentId !== null && refs.has(a.contentId.toLowerCase()) && INLINE_IMAGE_TYPES.has(a.contentType.toLowerCase()) && a.size <= MAX_INLINE_BYTES && safeApiUrl(a.url) !== null;
}

async function fetchInline(a: AttachmentView): Promise<string | null> {
  const url = safeApiUrl(a.url);
  if (!url) return null;
  try {
    const bytes = await fetchAttachment(url);
    if (bytes.byteLength === 0 || bytes.byteLength > MAX_INLINE_BYTES) return null;
    // The server says octet-stream (attachments are downloads); the type is the one the mail declared.
    const blob = new Blob([bytes], { type: a.contentType.toLowerCase() });
    const data = await new Promise<string | null>((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(typeof reader.result === 'string' ? reader.result : null);
      reader.onerror = () => resolve(null);
      reader.readAsDataURL(blob);
    });
    return data?.startsWith(`data:${a.contentType.toLowerCase()};base64,`) ? data : null;
  } catch {
    return null;
  }
}

function inlineData(a: AttachmentView): Promise<string | null> {
  let p = inlineCache.get(a.id);
  if (!p) {
    p = fetchInline(a);
    inlineCache.set(a.id, p);
    while (inlineCache.size > CACHE_ENTRIES) {
      const oldest = inlineCache.keys().next().value;
      if (oldest === undefined) break;
      inlineCache.delete(oldest);
    }
  }
  return p;
}

const NO_IMAGES: InlineImages = new Map();

/** What a body needs of a message: a case message, or held mail read from its raw message. */
export type BodyOf = Pick<MessageView, 'text' | 'html' | 'attachments' | 'quotedFrom'>;

/**
 * Plain text with the quoted history folded behind "…" (where the server found it starts,
 * MessageView.quotedFrom): what the sender wrote now first, the rest on demand.
 */
function TextBody(props: { message: BodyOf; empty: string }) {
  const [open, setOpen] = createSignal(false);
  const at = () => {
    const q = props.message.quotedFrom;
    return q !== null && q > 0 && q < props.message.text.length ? q : null;
  };
  return (
    <Show when={at()} fallback={<pre class="body">{props.message.text || props.empty}</pre>}>
      {(q) => (
        <>
          <pre class="body">{props.message.text.slice(0, q()).trimEnd()}</pre>
          <button
            type="button"
            class="quote-toggle"
            data-testid="quote-toggle"
            aria-expanded={open()}
            title={open() ? 'Hide the quoted text' : 'Show the quoted text'}
            aria-label={open() ? 'Hide the quoted text' : 'Show the quoted text'}
            onClick={() => setOpen(!open())}
          >
            …
          </button>
          <Show when={open()}>
            <pre class="body quoted" data-testid="quoted-text">
              {props.message.text.slice(q())}
            </pre>
          </Show>
        </>
      )}
    </Show>
  );
}

/** The text, or the HTML, with a switch between them when there is HTML. */
export function MessageBody(props: { message: BodyOf }) {
  const hasHtml = () => typeof props.message.html === 'string' && props.message.html.trim() !== '';
  const [view, setView] = createSignal<BodyView>(untrack(preferredView));
  const shown = (): BodyView => (hasHtml() ? view() : 'text');
  const choose = (v: BodyView) => {
    setView(v);
    rememberView(v);
  };
  return (
    <>
      <Show when={hasHtml()}>
        {/* biome-ignore lint/a11y/useSemanticElements: a fieldset would bring a border and legend to a row of toggle buttons */}
        <div class="body-views" role="group" aria-label="Show the message as">
          <button type="button" class="body-view" data-testid="view-text" aria-pressed={shown() === 'text'} classList={{ active: shown() === 'text' }} onClick={() => choose('text')}>
            Plain text
          </button>
          <button type="button" class="body-view" data-testid="view-html" aria-pressed={shown() === 'html'} classList={{ active: shown() === 'html' }} onClick={() => choose('html')}>
            HTML
          </button>
        </div>
      </Show>
      <Show when={shown() === 'html'} fallback={<TextBody message={props.message} empty={hasHtml() ? '(no plain-text version)' : '(empty message)'} />}>
        <HtmlBody message={props.message} />
      </Show>
    </>
  );
}

export function HtmlBody(props: { message: Pick<MessageView, 'html' | 'attachments'> }) {
  const [allowRemote, setAllowRemote] = createSignal(false);
  const html = () => props.message.html ?? '';
  const inlineAttachments = createMemo(() => {
    const refs = inlineImageRefs(html());
    return refs.size === 0 ? [] : props.message.attachments.filter((a) => usableInline(a, refs));
  });
  const inlineKey = () =>
    inlineAttachments()
      .map((a) => a.id)
      .join(',');
  // Never fails: an image that cannot be had stays a placeholder.
  const [inline] = createResource(
    () => inlineKey() || false,
    async (): Promise<InlineImages> => {
      const map = new Map<string, string>();
      await Promise.all(
        untrack(inlineAttachments).map(async (a) => {
          const data = await inlineData(a);
          if (data && a.contentId) map.set(a.contentId.toLowerCase(), data);
        }),
      );
      return map;
    },
  );
  // With inline images, the frame waits for them: one render, not one without and one with.
  const prepared = createMemo(() => {
    if (inlineKey() && inline.state !== 'ready') return null;
    return prepareHtml(html(), { allowRemote: allowRemote(), inline: (inlineKey() ? inline() : undefined) ?? NO_IMAGES });
  });

  let wrap: HTMLDivElement | undefined;
  const [width, setWidth] = createSignal(720);
  onMount(() => {
    if (!wrap) return;
    setWidth(wrap.clientWidth || 720);
    const observer = new ResizeObserver(() => {
      if (wrap && wrap.clientWidth > 0) setWidth(wrap.clientWidth);
    });
    observer.observe(wrap);
    onCleanup(() => observer.disconnect());
  });

  return (
    <div class="html-body" data-testid="html-body" ref={wrap}>
      <Show when={prepared()} fallback={<p class="muted loading-inline">Loading the images in this message…</p>}>
        {(p) => (
          <>
            <Show when={p().remoteImages > 0}>
              <div class="remote-bar" data-testid="remote-images" data-state={allowRemote() ? 'loaded' : 'blocked'}>
                <Show when={!allowRemote()} fallback={<span>Remote images are shown: their senders can tell that this message was opened.</span>}>
                  <span>{p().remoteImages === 1 ? '1 remote image was' : `${p().remoteImages} remote images were`} not loaded, so the sender cannot tell that this message was opened.</span>
                  <button type="button" data-testid="load-remote" onClick={() => setAllowRemote(true)}>
                    Load remote images
                  </button>
                </Show>
              </div>
            </Show>
            <div class="html-frame-wrap" style={{ height: `${estimateHeight(p().measure, width())}px` }}>
              <iframe class="html-frame" data-testid="html-frame" sandbox="" referrerpolicy="no-referrer" title="The message as HTML" srcdoc={p().doc} />
            </div>
          </>
        )}
      </Show>
    </div>
  );
}
