// makeDeps: the one place that turns bindings into the narrow things stages and handlers receive.
import { drizzle } from 'drizzle-orm/d1';
import * as schema from './db/schema.ts';
import { DEFAULT_MAX_MESSAGE_BYTES } from './ingest/limits.ts';
import { hubPublisher, type Publisher } from './realtime/publish.ts';

export type Db = ReturnType<typeof drizzle<typeof schema>>;

export interface Deps {
  db: Db;
  raw: R2Bucket;
  hub: Publisher;
  now: () => number;
  secrets: { replyTokenKey: string };
  config: { maxMessageBytes: number };
}

export function makeDb(d1: D1Database): Db {
  return drizzle(d1, { schema });
}

export function makeDeps(env: Env): Deps {
  if (!env.REPLY_TOKEN_KEY) throw new Error('REPLY_TOKEN_KEY is not set: run `wrangler secret put REPLY_TOKEN_KEY` (locally, npm start writes it to .dev.vars)');
  const max = Number(env.MAX_MESSAGE_BYTES);
  return {
    db: makeDb(env.DB),
    raw: env.RAW,
    hub: hubPublisher(env.INBOX_HUB),
    now: () => Date.now(),
    secrets: { replyTokenKey: env.REPLY_TOKEN_KEY },
    config: { maxMessageBytes: Number.isFinite(max) && max > 0 ? max : DEFAULT_MAX_MESSAGE_BYTES },
  };
}
