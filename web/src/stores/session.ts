// Who is using the app. GET /api/session on load decides between the app and the sign-in page; any
// 401 later ends the session (AUTH_MODE=password: the sign-in page again; access: a reload, so that
// Cloudflare Access signs the agent in). The live connection runs only while someone is signed in.
import { createSignal } from 'solid-js';
import type { AuthMode, SessionInfo } from '../../../worker/protocol/session.ts';
import { RequestError, errorMessage } from '../api/errors.ts';
import { setUnauthorizedHandler } from '../api/request.ts';
import { getSession, signOut } from '../api/session.ts';
import { resetPrivate } from '../lib/privateState.ts';
import { setHandshakeFailedHandler, startLive, stopLive } from '../realtime/live.ts';

export type AuthState =
  | { kind: 'loading' }
  | { kind: 'signed-in'; session: SessionInfo }
  /** `why`: nobody was signed in yet, the session ended under us, or the agent signed out. */
  | { kind: 'signed-out'; why: 'none' | 'expired' | 'signed-out'; email: string }
  | { kind: 'error'; message: string };

const [auth, setAuth] = createSignal<AuthState>({ kind: 'loading' });
export { auth };

export function currentSession(): SessionInfo | null {
  const a = auth();
  return a.kind === 'signed-in' ? a.session : null;
}

export function authMode(): AuthMode | null {
  return currentSession()?.mode ?? null;
}

const AGENT_KEY = 'edgecase.agent';
const RELOADED_KEY = 'edgecase.access-reload';
/** An Access reload that comes back to another 401 this soon is not retried (no reload loops). */
const RELOAD_GUARD_MS = 30_000;

function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

function agentKey(s: SessionInfo): string {
  return `${s.workspaceId}/${s.id}`;
}

function signedIn(session: SessionInfo): void {
  const store = storage();
  // Someone else than last time in this tab: nothing of the previous agent's may show.
  if (store?.getItem(AGENT_KEY) !== agentKey(session)) {
    resetPrivate();
    store?.setItem(AGENT_KEY, agentKey(session));
  }
  store?.removeItem(RELOADED_KEY);
  setAuth({ kind: 'signed-in', session });
  startLive();
}

export async function loadSession(): Promise<void> {
  setAuth({ kind: 'loading' });
  try {
    signedIn(await getSession());
  } catch (err) {
    if (err instanceof RequestError && err.status === 401) setAuth({ kind: 'signed-out', why: 'none', email: '' });
    else setAuth({ kind: 'error', message: errorMessage(err) });
  }
}

/** After POST /api/session succeeded. */
export function completeSignIn(session: SessionInfo): void {
  signedIn(session);
}

function sessionEnded(): void {
  const a = auth();
  if (a.kind !== 'signed-in') return;
  if (a.session.mode === 'access') {
    const store = storage();
    const last = Number(store?.getItem(RELOADED_KEY) ?? 0);
    if (Date.now() - last > RELOAD_GUARD_MS) {
      store?.setItem(RELOADED_KEY, String(Date.now()));
      location.reload();
      return;
    }
    stopLive();
    setAuth({ kind: 'error', message: 'Cloudflare Access did not sign you in again. Reload the page to sign in.' });
    return;
  }
  stopLive();
  // Drafts stay: the same agent signing in again finds them where they were.
  setAuth({ kind: 'signed-out', why: 'expired', email: a.session.email });
}

export async function signOutNow(): Promise<void> {
  await signOut();
  stopLive();
  resetPrivate();
  storage()?.removeItem(AGENT_KEY);
  setAuth({ kind: 'signed-out', why: 'signed-out', email: '' });
}

let checking = false;
/** The live socket was refused: ask whether the session is still there (a 401 ends it). */
async function recheck(): Promise<void> {
  if (checking || auth().kind !== 'signed-in') return;
  checking = true;
  try {
    await getSession();
  } catch (err) {
    if (err instanceof RequestError && err.status === 401) sessionEnded();
  } finally {
    checking = false;
  }
}

setUnauthorizedHandler(() => sessionEnded());
setHandshakeFailedHandler(() => void recheck());
