// The sign-in page (AUTH_MODE=password). One message for a wrong address or password, as the server
// gives; a throttled address is told when to try again.
import { Show, createSignal, onMount } from 'solid-js';
import { RequestError, errorMessage } from '../api/errors.ts';
import { signIn } from '../api/session.ts';
import { completeSignIn } from '../stores/session.ts';

function minutes(seconds: number): string {
  const n = Math.max(1, Math.ceil(seconds / 60));
  return `${n} minute${n === 1 ? '' : 's'}`;
}

export function SignIn(props: { why: 'none' | 'expired' | 'signed-out'; email: string }) {
  const [email, setEmail] = createSignal(props.email);
  const [password, setPassword] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  /** The server has no password sign-in: this deployment signs agents in through Cloudflare Access. */
  const [noPasswords, setNoPasswords] = createSignal(false);
  let emailEl: HTMLInputElement | undefined;
  let passwordEl: HTMLInputElement | undefined;

  onMount(() => {
    document.title = 'Sign in · edgecase';
    (props.email ? passwordEl : emailEl)?.focus();
  });

  async function submit(): Promise<void> {
    if (busy()) return;
    if (!email().trim() || !password()) {
      setError('Enter your email address and password.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const session = await signIn({ email: email().trim(), password: password() });
      setPassword('');
      completeSignIn(session);
    } catch (err) {
      setPassword('');
      if (err instanceof RequestError && err.status === 401) setError('Wrong email or password.');
      else if (err instanceof RequestError && err.status === 429)
        setError(err.retryAfter !== null ? `Too many attempts, try again in ${minutes(err.retryAfter)}.` : 'Too many attempts, try again later.');
      else if (err instanceof RequestError && err.status === 404) setNoPasswords(true);
      else setError(`Could not sign in: ${errorMessage(err)}`);
      passwordEl?.focus();
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="signin">
      <h1 class="brand">edgecase</h1>
      <Show
        when={!noPasswords()}
        fallback={
          <div class="signin-card">
            <p>This helpdesk signs agents in through Cloudflare Access, not with a password here.</p>
            <button type="button" onClick={() => location.reload()}>
              Reload to sign in
            </button>
          </div>
        }
      >
        <form
          class="signin-card"
          data-testid="signin-form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <h2>Sign in</h2>
          <Show when={props.why !== 'none'}>
            <p class="muted">{props.why === 'expired' ? 'Your session has ended. Sign in again to continue; your drafts are kept.' : 'You have signed out.'}</p>
          </Show>
          <label class="signin-field">
            <span>Email</span>
            <input ref={emailEl} type="email" name="email" autocomplete="username" required data-testid="signin-email" value={email()} onInput={(e) => setEmail(e.currentTarget.value)} />
          </label>
          <label class="signin-field">
            <span>Password</span>
            <input
              ref={passwordEl}
              type="password"
              name="password"
              autocomplete="current-password"
              required
              data-testid="signin-password"
              value={password()}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </label>
          <Show when={error()}>
            {(msg) => (
              <p class="error-text" role="alert" data-testid="signin-error">
                {msg()}
              </p>
            )}
          </Show>
          <button type="submit" class="primary" data-testid="signin-submit" disabled={busy()}>
            {busy() ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </Show>
    </main>
  );
}
