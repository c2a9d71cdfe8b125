import { Match, Show, Switch, createEffect, createSignal, onMount } from 'solid-js';
import { AdminPage, isAdmin, type AdminRoute } from './pages/admin/AdminPage.tsx';
import { CaseView } from './pages/case/CaseView.tsx';
import { errorMessage } from './api/errors.ts';
import { FloodBanners } from './components/FloodBanner.tsx';
import { NotificationBell } from './components/NotificationBell.tsx';
import { Inbox } from './pages/inbox/Inbox.tsx';
import { connectionState } from './realtime/live.ts';
import { Outbox } from './pages/Outbox.tsx';
import { openCaseId, route } from './lib/route.ts';
import { auth, currentSession, loadSession, signOutNow } from './stores/session.ts';
import { SignIn } from './pages/SignIn.tsx';
import { SlaReport } from './pages/reports/SlaReport.tsx';
import { Snippets } from './pages/Snippets.tsx';
import { SearchBox } from './components/SearchBox.tsx';

const CONNECTION_LABELS = {
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'reconnecting…',
} as const;

function ConnectionIndicator() {
  return (
    <span class={`conn conn-${connectionState()}`} data-testid="connection" data-state={connectionState()} role="status" title="Updates arrive without reloading while live">
      <span class="dot" aria-hidden="true" />
      {CONNECTION_LABELS[connectionState()]}
    </span>
  );
}

/** Who is signed in, and the way out. */
function SessionBox() {
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  async function signOut(): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      await signOutNow();
    } catch (err) {
      setError(`Signing out failed: ${errorMessage(err)}`);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Show when={currentSession()}>
      {(s) => (
        <span class="session">
          <Switch>
            <Match when={s().mode === 'open'}>
              <span
                class="session-name"
                data-testid="session-name"
                title="Local mode: each browser is one of the workspace's agents. Open a private window or another browser profile to be someone else."
              >
                {s().name}
              </span>
              <span class="session-mode" data-testid="session-mode" title="AUTH_MODE=open: anyone on this machine can use the API">
                Local mode (no sign-in)
              </span>
            </Match>
            <Match when={s().mode === 'password'}>
              <span class="session-name" data-testid="session-name" title={s().email}>
                {s().name}
              </span>
              <button type="button" class="link-button" data-testid="signout" disabled={busy()} onClick={() => void signOut()}>
                Sign out
              </button>
            </Match>
            <Match when={s().mode === 'access'}>
              <span class="session-name" data-testid="session-name" title={s().email}>
                {s().name}
              </span>
              <a href="/cdn-cgi/access/logout" data-testid="signout">
                Sign out
              </a>
            </Match>
          </Switch>
          <Show when={error()}>
            {(msg) => (
              <span class="error-text" role="alert">
                {msg()}
              </span>
            )}
          </Show>
        </span>
      )}
    </Show>
  );
}

function Shell() {
  const localMode = () => currentSession()?.mode === 'open';
  createEffect(() => {
    if (route().name === 'inbox') document.title = 'edgecase';
  });
  return (
    <div class="app">
      <header class="topbar">
        <div class="topbar-left">
          <h1 class="brand">
            <a href="#/">edgecase</a>
          </h1>
          <nav class="topnav" aria-label="Pages">
            <a href="#/" classList={{ current: route().name === 'inbox' }}>
              Inbox
            </a>
            <a href="#/reports" data-testid="reports-link" classList={{ current: route().name === 'reports' }}>
              Reports
            </a>
            <a href="#/snippets" data-testid="snippets-link" classList={{ current: route().name === 'snippets' }}>
              Canned replies
            </a>
            <Show when={isAdmin()}>
              <a href="#/admin/mailboxes" data-testid="admin-link" classList={{ current: route().name.startsWith('admin-') }}>
                Admin
              </a>
            </Show>
            <Show when={localMode()}>
              <a href="#/outbox" data-testid="outbox-link" classList={{ current: route().name === 'outbox' }}>
                Sent mail
              </a>
            </Show>
          </nav>
          <SearchBox />
        </div>
        <div class="topbar-right">
          <NotificationBell />
          <SessionBox />
          <ConnectionIndicator />
        </div>
      </header>
      <FloodBanners />
      <main>
        <Switch fallback={<Inbox />}>
          <Match when={openCaseId()} keyed>
            {(id) => <CaseView id={id} />}
          </Match>
          <Match when={route().name === 'reports'}>
            <SlaReport />
          </Match>
          <Match when={route().name === 'snippets'}>
            <Snippets />
          </Match>
          <Match when={route().name.startsWith('admin-')}>
            <AdminPage page={route().name as AdminRoute} />
          </Match>
          <Match when={route().name === 'outbox'}>
            <Show when={localMode()} fallback={<p class="empty">Sent mail is listed only in local mode (AUTH_MODE=open).</p>}>
              <Outbox />
            </Show>
          </Match>
        </Switch>
      </main>
    </div>
  );
}

export function App() {
  onMount(() => void loadSession());
  return (
    <Switch>
      <Match when={auth().kind === 'signed-in'}>
        <Shell />
      </Match>
      <Match
        when={(() => {
          const a = auth();
          return a.kind === 'signed-out' ? a : undefined;
        })()}
      >
        {(a) => <SignIn why={a().why} email={a().email} />}
      </Match>
      <Match
        when={(() => {
          const a = auth();
          return a.kind === 'error' ? a : undefined;
        })()}
      >
        {(a) => (
          <div class="app">
            <div class="error" role="alert">
              <p>{a().message}</p>
              <button type="button" onClick={() => void loadSession()}>
                Retry
              </button>
            </div>
          </div>
        )}
      </Match>
      <Match when={true}>
        <p class="loading">Loading…</p>
      </Match>
    </Switch>
  );
}
