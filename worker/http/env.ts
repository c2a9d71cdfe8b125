// The Hono environment of every route: the bindings and what the middleware puts on the context.
// Its own module, so that routes can name it without importing the app that mounts them.
import type { AgentIdentity, AuthMode } from '../protocol/session.ts';
import type { Deps } from '../deps.ts';

export type AppEnv = {
  Bindings: Env;
  Variables: {
    deps: Deps;
    requestId: string;
    workspaceId: string;
    /** Recorded on changes: the agent's id, or 'local' in open mode. */
    actor: string;
    /** The signed-in agent; null only in open mode when the workspace has no admin to show. */
    agent: AgentIdentity | null;
    authMode: AuthMode;
  };
};
