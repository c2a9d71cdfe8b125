// Resource storage backed by a store: a refetch is reconciled into the previous value (matching
// array items by `id`), so rows and messages that did not change keep their DOM nodes.
import type { Accessor, Setter } from 'solid-js';
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
