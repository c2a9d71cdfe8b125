// npm run explain -- <file.eml> [more.eml …] [options]
// What the Worker does with each message and why: the Worker's own planner (worker/ingest/explain.ts)
// against a real D1 database, printed per message: sender, subject, text, attachments, triage,
// thread decision, acknowledgement, SLA clock and assignee. Several files are one conversation, in
// order: each message's change is committed, so a reply threads to an earlier file.
//
// The database is a throwaway one with the demo workspace `npm start` creates, or with --local a copy
// of the local dev database (`npm start`'s .wrangler/state), which is never written.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ExplainModule, Explanation } from '../worker/ingest/explain-types.ts';
import { headerValue, prescan, stripMboxFromLine } from '../worker/ingest/prescan.ts';
import { type ForwardedD1, openLocalD1, readBindings, readDevVars, root } from './lib/local-d1.ts';

const USAGE = `usage: npm run explain -- <file.eml> [more.eml …] [options]

  Several files are one conversation, in order: a later file can thread to an earlier one.

  --to <address>      the envelope recipient (default support@acme.test, the demo mailbox)
  --from <address>    the envelope sender (default: Return-Path, else From)
  --now <time>        the clock, as an ISO 8601 time (default: now); due times depend on it
  --local             run against a copy of the local dev database (npm start's), never written
  --persist-to <dir>  with --local: the wrangler state folder (default .wrangler/state)
  --key <key>         the reply-token key (default: REPLY_TOKEN_KEY of .dev.vars)
  --json              print the decisions as JSON (an array, one object per file)
  -h, --help          this text`;

class UsageError extends Error {}

const VALUE_FLAGS = new Set(['to', 'from', 'now', 'key', 'persist-to']);
const BOOLEAN_FLAGS = new Set(['local', 'json']);

function parseArgs(argv: string[]): { files: string[]; opts: Record<string, string>; flags: Set<string> } {
  const files: string[] = [];
  const opts: Record<string, string> = {};
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      files.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      files.push(a);
      continue;
    }
    const [name = '', inline] = a.replace(/^--?/, '').split(/=(.*)/s, 2);
    if (VALUE_FLAGS.has(name)) {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`--${name} needs a value`);
      opts[name] = v;
    } else if (BOOLEAN_FLAGS.has(name) && inline === undefined) flags.add(name);
    else throw new UsageError(`unknown option ${a}`);
  }
  if (files.length === 0) throw new UsageError('no message file given');
  return { files, opts, flags };
}

/** Header names that only a mail message starts with; a file without one of them is something else. */
const MAIL_HEADERS = ['from', 'to', 'subject', 'date', 'message-id', 'received', 'return-path', 'mime-version', 'sender', 'delivered-to'];

/** The file's bytes, or why it cannot be explained. */
function readMessage(file: string): Uint8Array {
  if (!existsSync(file)) throw new Error(`${file}: no such file`);
  if (!statSync(file).isFile()) throw new Error(`${file}: not a file`);
  const bytes = readFileSync(file);
  if (bytes.byteLength === 0) throw new Error(`${file}: empty file, not a mail message`);
  const headers = prescan(stripMboxFromLine(bytes)).headers;
  if (!MAIL_HEADERS.some((h) => headerValue(headers, h) !== null)) throw new Error(`${file}: not a mail message (no header such as From, To, Subject or Date at the top)`);
  return bytes;
}

function clock(now: string | undefined): () => number {
  if (now === undefined) return () => Date.now();
  const at = Date.parse(now);
  if (!Number.isFinite(at)) throw new UsageError(`--now ${now}: not a time (use ISO 8601, e.g. 2025-06-12T13:40:00Z)`);
  return () => at;
}

async function main(argv: string[]): Promise<number> {
  if (argv.some((a) => a === '-h' || a === '--help')) {
    console.log(USAGE);
    return 0;
  }
  const { files, opts, flags } = parseArgs(argv);
  const now = clock(opts.now);
  if (opts['persist-to'] && !flags.has('local')) throw new UsageError('--persist-to goes with --local');
  const messages = files.map((f) => ({ file: f, bytes: readMessage(f) }));

  const vars = { ...readBindings().vars, ...readDevVars() };
  const local = flags.has('local');
  // An empty database has no mail signed with any key; the local one needs the key npm start uses.
  const key = opts.key ?? vars.REPLY_TOKEN_KEY ?? (local ? undefined : 'explain-throwaway-key');
  if (!key) throw new Error('no reply-token key: .dev.vars has no REPLY_TOKEN_KEY (npm start writes it); give --key');
  const max = Number(vars.MAX_MESSAGE_BYTES);

  const db = await openLocalD1(local ? { copyOf: path.resolve(opts['persist-to'] ?? path.join(root, '.wrangler', 'state')) } : {});
  try {
    // Loaded by URL: explain.ts is type-checked with the Worker (its imports need the Workers types).
    const core = (await import(pathToFileURL(path.join(root, 'worker/ingest/explain.ts')).href)).explainModule as ExplainModule<ForwardedD1, unknown>;
    const desk = await core.openDesk(
      { DB: db.DB, RAW: db.RAW },
      {
        replyTokenKey: key,
        appUrl: vars.APP_URL ? vars.APP_URL.replace(/\/+$/, '') : null,
        maxMessageBytes: Number.isFinite(max) && max > 0 ? max : 25 * 1024 * 1024,
        now,
        commit: true,
        seed: !local,
      },
    );
    const json = flags.has('json');
    if (!json) {
      const where = local
        ? `a copy of the local database${db.migrated.length ? ` (${db.migrated.length} migration(s) it lacked applied to the copy)` : ''}`
        : 'an empty database with the demo workspace';
      console.log(`explain: ${files.length} message(s) against ${where}; changes are committed to it, never to your dev database\n`);
    }
    const out: Explanation[] = [];
    for (const m of messages) {
      const e = await desk.explain({ bytes: m.bytes, file: m.file, recipient: opts.to ?? 'support@acme.test', ...(opts.from ? { envelopeFrom: opts.from } : {}) });
      if (json) out.push(e);
      else console.log(`${core.renderExplanation(e)}\n`);
    }
    if (json) console.log(JSON.stringify(out, null, 2));
    return 0;
  } finally {
    await db.dispose();
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof UsageError) {
    console.error(`explain: ${err.message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else {
    console.error(`explain: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}
