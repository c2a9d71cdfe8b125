// Signing in and out. A 401 from these is an answer ("nobody is signed in", "wrong password"), not
// the end of a session, so they handle it themselves rather than the unauthorized handler.
import type { SessionInfo, SignInRequest } from '../../../worker/protocol/session.ts';
import { RequestError } from './errors.ts';
import { request, sendJson } from './request.ts';

/** Who is signed in; a 401 here is "nobody", which the caller handles. */
export function getSession(): Promise<SessionInfo> {
  return request('/api/session', {}, { own401: true });
}

export function signIn(body: SignInRequest): Promise<SessionInfo> {
  return sendJson('POST', '/api/session', body, { own401: true });
}

/** Ends the session; one that had already ended (401) is just as good. */
export async function signOut(): Promise<void> {
  try {
    await request<void>('/api/session', { method: 'DELETE' }, { own401: true });
  } catch (err) {
    if (!(err instanceof RequestError && err.status === 401)) throw err;
  }
}
