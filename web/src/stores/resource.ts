// What the stores build their resources from. Storage backed by a store: a refetch is reconciled
// into the previous value (matching array items by `id`), so rows and messages that did not change
// keep their DOM nodes. A fetcher whose failed background refresh keeps what is on screen. And how a
// store follows the live events.
import type { Accessor, ResourceFetcherInfo, Setter } from 'solid-js';
import { createStore, reconcile, unwrap } from 'solid-js/store';
import type { ServerEvent, ServerEventType } from '../../../worker/protocol/events.ts';
import { onResync, onServerEvent } from '../realtime/live.ts';

export function createDeepSignal<T>(initial: T | undefined): [Accessor<T | undefined>, Setter<T | undefined>] {
  const [store, setStore] = createStore<{ value: T | undefined }>({ value: initial });
  const get: Accessor<T | undefined> = () => store.value;
  const set = (next: unknown) => {
    const value = typeof next === 'function' ? (next as (prev: T | undefined) => T | undefined)(unwrap(store.value)) : (next as T | undefined);
    setStore('value', reconcile(value, { key: 'id' }) as never);
    return store.value;
  };
  return [get, set as Setter<T | undefined>];
}

/**
 * `fetcher`, except that a failed refetch answers what is shown (and logs why) when `keeps` says it
 * still belongs there; the next event or resync tries again. A first load fails as it is.
 */
export function keepingOnFailedRefresh<S, T>(
  what: string,
  fetcher: (source: S) => Promise<T>,
  keeps: (shown: T, source: S, err: unknown) => boolean = () => true,
): (source: S, info: ResourceFetcherInfo<T>) => Promise<T> {
  return async (source, info) => {
    try {
      return await fetcher(source);
    } catch (err) {
      if (info.refetching && info.value !== undefined && keeps(info.value, source, err)) {
        console.warn(`refreshing ${what} failed`, err);
        return info.value;
      }
      throw err;
    }
  };
}

/**
 * Which events make a store refetch, written out for every event type (`{ … } satisfies RefetchOn`):
 * a new event type in the protocol is a type error until each store has said what it does with it.
 */
export type RefetchOn = Record<ServerEventType, boolean>;

/** Hands every live event to the store's `applyEvent`, and calls `resync` when some may have been missed. */
export function followLive(applyEvent: (event: ServerEvent) => void, resync: () => void): void {
  onServerEvent(applyEvent);
  onResync(resync);
}
