// Who is signed in, as the API reports it. Part of the protocol: imports nothing of ours.

export const AUTH_MODES = ['access', 'password', 'open'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export const AGENT_ROLES = ['admin', 'agent'] as const;
export type AgentRole = (typeof AGENT_ROLES)[number];

/** The agent behind a request (c.var.agent). */
export interface AgentIdentity {
  id: string;
  email: string;
  name: string;
  role: AgentRole;
  workspaceId: string;
}

/**
 * GET /api/session. In open mode each browser is one of the workspace's agents (the first the first
 * admin, the next another agent); a request from outside a browser (a script), or with no active
 * agent to be, is nobody in particular: `id` is then 'local' (the actor recorded for changes),
 * `name` 'Local', `role` 'admin' (open mode lets it do everything) and `email` empty.
 */
export interface SessionInfo extends AgentIdentity {
  mode: AuthMode;
}

/** POST /api/session. */
export interface SignInRequest {
  email: string;
  password: string;
}
