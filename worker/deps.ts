// makeDeps: the one place that turns bindings into the narrow things stages and handlers receive.
import type { CommitDeps } from './changes/commit.ts';
import { makeDb } from './db/client.ts';
import { DEFAULT_MAX_MESSAGE_BYTES } from './ingest/limits.ts';
import { deliverOutbox } from './mail/outbox.ts';
import { hubPresence, hubPublisher } from './realtime/publish.ts';
import { searchIndexOf } from './search/sync.ts';
import type { Presence } from './cases/assign.ts';
import { cloudflareMailer, type Mailer } from './mail/mailer.ts';

export type { Db } from './db/client.ts';
export { makeDb } from './db/client.ts';

export interface Deps extends CommitDeps {
  mailer: Mailer;
  /** Which agents are connected to the live hub (least-open assignment only). */
  presence: Presence;
  /**
   * Work that may finish after the response (sending mail): ctx.waitUntil in the Worker. Without an
   * execution context (tests, scripts) the tasks are kept, and `settle()` waits for them.
   */
  background(task: Promise<unknown>): void;
  settle(): Promise<void>;
  now: () => number;
  secrets: { replyTokenKey: string };
  config: { maxMessageBytes: number; appUrl: string | null };
}

export function makeDeps(env: Env, ctx?: { waitUntil(p: Promise<unknown>): void }): Deps {
  if (!env.REPLY_TOKEN_KEY) throw new Error('REPLY_TOKEN_KEY is not set: run `wrangler secret put REPLY_TOKEN_KEY` (locally, npm start writes it to .dev.vars)');
  const max = Number(env.MAX_MESSAGE_BYTES);
  const pending: Promise<unknown>[] = [];
  const logged = (p: Promise<unknown>) => p.catch((err) => console.error('background task failed', err));
  const deps: Deps = {
    db: makeDb(env.DB),
    raw: env.RAW,
    search: searchIndexOf(env),
    hub: hubPublisher(env.INBOX_HUB),
    presence: hubPresence(env.INBOX_HUB),
    mailer: cloudflareMailer(env.SEND_EMAIL),
    background: (task) => (ctx ? ctx.waitUntil(logged(task)) : void pending.push(logged(task))),
    settle: async () => {
      while (pending.length) await Promise.all(pending.splice(0));
    },
    now: () => Date.now(),
    secrets: { replyTokenKey: env.REPLY_TOKEN_KEY },
    config: { maxMessageBytes: Number.isFinite(max) && max > 0 ? max : DEFAULT_MAX_MESSAGE_BYTES, appUrl: env.APP_URL ? env.APP_URL.replace(/\/+$/, '') : null },
    send: (mail) => deliverOutbox(deps, mail),
  };
  return deps;
}
