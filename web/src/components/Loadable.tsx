// What a page shows for something it fetched: the error with a Retry button once a load failed (a
// retry under way shows "Loading…" again), the thing itself once it is there, "Loading…" until then.
import { Match, Show, Switch, type Accessor, type JSX } from 'solid-js';
import { RequestError, errorMessage } from '../api/errors.ts';

export function Loadable<T>(props: {
  /** The load's error, if it failed (a resource's `.error`). */
  error: unknown;
  /** Whether a load is under way (a resource's `.loading`). */
  loading: boolean;
  /** What was loaded, once there is something to show. */
  value: T | undefined | null | false;
  /** The start of the error line: "Could not load cases". */
  failure: string;
  /** Without it, the error has no Retry button. */
  retry?: () => void;
  /** Said instead of the error when the server answers 404 (no retry: it will not come back). */
  notFound?: string;
  /** Instead of "Loading…". */
  loadingText?: string;
  children: (value: Accessor<T>) => JSX.Element;
}) {
  const missing = () => props.notFound !== undefined && props.error instanceof RequestError && props.error.status === 404;
  return (
    <Switch fallback={<p class="loading">{props.loadingText ?? 'Loading…'}</p>}>
      <Match when={props.error && !props.loading}>
        <div class="error" role="alert">
          <Show when={!missing()} fallback={<p>{props.notFound}</p>}>
            <p>
              {props.failure}: {errorMessage(props.error)}
            </p>
            <Show when={props.retry}>
              {(retry) => (
                <button type="button" onClick={() => retry()()}>
                  Retry
                </button>
              )}
            </Show>
          </Show>
        </div>
      </Match>
      <Match when={props.error ? undefined : props.value}>{(value) => props.children(value as Accessor<T>)}</Match>
    </Switch>
  );
}
