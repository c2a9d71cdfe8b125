// What the stores build their resources from. Storage backed by a store: a refetch is reconciled
// into the previous value (matching array items by `id`), so rows and messages that did not change
// keep their DOM nodes. And a fetcher whose failed background refresh keeps what is on screen.
import type { Accessor, ResourceFetcherInfo, Setter } from 'solid-js';
import { createStore, reconcile, unwrap } from 'solid-js/store';

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
