import { applyD1Migrations, env, reset } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { makeDeps, type Deps } from '../../worker/deps.ts';
import { mailboxes } from '../../worker/db/schema.ts';
import { seedDemo, DEMO } from '../../worker/db/seed.ts';
import type { IncomingEmail } from '../../worker/ingest/receive.ts';

export { DEMO };

/**
 * A fresh database (storage is shared by the tests of a file) with the demo workspace in it.
 * Acknowledgements are off unless asked for: they add outgoing mail and events that most tests
 * are not about (the outbound tests turn them on).
 */
export async function seeded(options: { d1?: D1Database; acks?: boolean } = {}): Promise<Deps> {
  await reset();
  await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
  await applyD1Migrations(env.SEARCH, env.TEST_SEARCH_MIGRATIONS);
  const deps = makeDeps({ ...env, DB: options.d1 ?? env.DB });
  const plain = makeDeps(env).db;
  await seedDemo(plain, Date.now());
  if (!options.acks) await plain.update(mailboxes).set({ ackOnCreate: false, ackOnUpdate: false }).where(eq(mailboxes.id, DEMO.mailboxId));
  return deps;
}

/**
 * The real D1 database, except that its next `failures` batches that write (a store; not the batched
 * lookups before it, nor the email handler's insert of the inbound row) fail as if D1 were unavailable.
 */
export function flakyD1(failures: number): D1Database {
  let left = failures;
  const writes = new WeakSet<object>();
  return new Proxy(env.DB, {
    get(target, prop) {
      if (prop === 'prepare') {
        return (query: string) => {
          const stmt = target.prepare(query);
          if (!/^\s*(insert|update|delete)\b/i.test(query) || /^\s*insert into "inbound"/i.test(query)) return stmt;
          // bind() answers a new statement: it writes too.
          const tag = (s: D1PreparedStatement): D1PreparedStatement => {
            writes.add(s);
            const bind = s.bind.bind(s);
            s.bind = (...values: unknown[]) => tag(bind(...values));
            return s;
          };
          return tag(stmt);
        };
      }
      if (prop === 'batch' && left > 0) {
        return async (stmts: D1PreparedStatement[]) => {
          if (!stmts.some((s) => writes.has(s))) return target.batch(stmts);
          left--;
          throw new Error('D1_ERROR: simulated outage');
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export interface FakeEmail extends IncomingEmail {
  rejected: string | null;
}

/** What the Email Routing runtime hands the Worker, built from raw bytes. */
export function incoming(raw: Uint8Array | string, opts: { from?: string; to?: string; rawSize?: number } = {}): FakeEmail {
  const bytes = typeof raw === 'string' ? new TextEncoder().encode(raw) : raw;
  const msg: FakeEmail = {
    from: opts.from ?? 'alice@example.com',
    to: opts.to ?? DEMO.mailbox,
    raw: new Blob([bytes]).stream(),
    rawSize: opts.rawSize ?? bytes.byteLength,
    rejected: null,
    setReject(reason: string) {
      msg.rejected = reason;
    },
  };
  return msg;
}

/** A small RFC 5322 message; headers override the defaults, `null` removes one. */
export function mail(headers: Record<string, string | null> = {}, body = 'Hello, my order has not arrived.'): string {
  const all: Record<string, string | null> = {
    From: 'Alice Example <alice@example.com>',
    To: DEMO.mailbox,
    Subject: 'Where is my order?',
    Date: 'Mon, 23 Nov 2026 10:00:00 +0000',
    'Message-ID': `<${crypto.randomUUID()}@example.com>`,
    'MIME-Version': '1.0',
    'Content-Type': 'text/plain; charset=utf-8',
    ...headers,
  };
  const lines = Object.entries(all)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k}: ${v}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}\r\n`;
}
