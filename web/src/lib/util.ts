import { getOwner, onCleanup } from 'solid-js';

/** Coalesces bursts of calls (e.g. a replay of many events) into one; cancelled with its owner. */
export function createDebounced(fn: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (getOwner()) onCleanup(() => clearTimeout(timer));
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}

/** True when a key press belongs to a form control rather than to the page's shortcuts. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement;
}

/** True when Enter on this element already does something (follows a link, presses a button). */
export function handlesEnter(target: EventTarget | null): boolean {
  return isTyping(target) || target instanceof HTMLAnchorElement || target instanceof HTMLButtonElement;
}
