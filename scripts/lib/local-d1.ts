// A real D1 database (and R2 bucket) for the Node commands explain and corpus, run by Miniflare, the
// engine behind `wrangler dev` and wrangler's getPlatformProxy, with the bindings wrangler.toml names.
// It lives in a temporary folder: empty with the migrations applied, or a consistent copy of the local
// dev database (`--local`), never the dev database itself.
//
// Why not getPlatformProxy's bindings: every call on them is a round trip from Node to workerd, and
// D1's prepare() and bind() are calls too, so one facts batch of 16 statements takes ~250 ms here
// (33 round trips) and the corpus would take minutes. This module hands the planner a D1 whose
// prepare() and bind() stay in Node and whose batch() is one request to a small Worker that runs it
// on the real binding: one round trip per batch, as inside workerd.
import { backup, DatabaseSync } from 'node:sqlite';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';

export const root = path.resolve(import.meta.dirname, '..', '..');

// ---- wrangler.toml ---------------------------------------------------------------------------

interface Bindings {
  compatibilityDate: string;
  d1: Array<{ binding: string; id: string }>;
  r2: Array<{ binding: string; bucket: string }>;
  vars: Record<string, string>;
}

/** The tables of wrangler.toml this needs: [[d1_databases]], [[r2_buckets]], [vars], and compatibility_date (string values only). */
export function readBindings(file = path.join(root, 'wrangler.toml')): Bindings {
  const tables: Array<{ name: string; values: Record<string, string> }> = [{ name: '', values: {} }];
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const text = raw.replace(/^\s+|\s+$/g, '');
    if (!text || text.startsWith('#')) continue;
    const header = /^\[\[?([^\]]+)\]\]?$/.exec(text);
    if (header) {
      tables.push({ name: header[1]!.trim(), values: {} });
      continue;
    }
    const kv = /^([A-Za-z0-9_]+)\s*=\s*"((?:[^"\\]|\\.)*)"/.exec(text);
    if (kv) tables.at(-1)!.values[kv[1]!] = kv[2]!;
  }
  const all = (name: string) => tables.filter((t) => t.name === name).map((t) => t.values);
  // wrangler dev keys a local D1 database by preview_database_id, else database_id.
  const d1 = all('d1_databases').flatMap((t) => (t.binding ? [{ binding: t.binding, id: t.preview_database_id ?? t.database_id ?? t.binding }] : []));
  const r2 = all('r2_buckets').flatMap((t) => (t.binding ? [{ binding: t.binding, bucket: t.bucket_name ?? t.binding }] : []));
  return { compatibilityDate: tables[0]!.values.compatibility_date ?? '2026-01-01', d1, r2, vars: Object.assign({}, ...all('vars')) };
}

/** KEY=value lines of .dev.vars (the local secrets `npm start` writes). */
export function readDevVars(file = path.join(root, '.dev.vars')): Record<string, string> {
  if (!existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const l of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*([A-Za-z0-9_]+)\s*=\s*(.*?)\s*$/.exec(l);
    if (m) out[m[1]!] = m[2]!.replace(/^"(.*)"$/, '$1');
  }
  return out;
}

// ---- D1 over one request per call ------------------------------------------------------------

/** Values cross as JSON: bytes and undefined are tagged, so D1 sees what it would have been given. */
type Wire = null | boolean | number | string | { $bytes: string } | { $undefined: true } | Wire[] | { [k: string]: Wire };

function toWire(v: unknown): Wire {
  if (v === undefined) return { $undefined: true };
  if (v instanceof ArrayBuffer) return { $bytes: Buffer.from(v).toString('base64') };
  if (ArrayBuffer.isView(v)) return { $bytes: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  return v as Wire;
}

function fromWire(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(fromWire);
  if (v && typeof v === 'object') {
    if ('$bytes' in v && typeof v.$bytes === 'string') return new Uint8Array(Buffer.from(v.$bytes, 'base64')).buffer;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromWire(x)]));
  }
  return v;
}

/** The Worker that runs each request on the real binding (the request's, else the first). Answers { ok, result } or { ok: false, error }. */
function forwarder(binding: string): string {
  return `
const b64 = (bytes) => { let s = ''; for (const x of bytes) s += String.fromCharCode(x); return btoa(s); };
const unb64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const inbound = (v) => v && typeof v === 'object' && !Array.isArray(v) ? ('$undefined' in v ? undefined : '$bytes' in v ? unb64(v.$bytes) : v) : v;
const outbound = (v) => {
  if (v instanceof ArrayBuffer) return { $bytes: b64(new Uint8Array(v)) };
  if (ArrayBuffer.isView(v)) return { $bytes: b64(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
  if (Array.isArray(v)) return v.map(outbound);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, outbound(x)]));
  return v;
};
export default {
  async fetch(request, env) {
    const q = await request.json();
    const db = env[q.binding ?? ${JSON.stringify(binding)}];
    try {
      const bound = (q.statements ?? []).map((s) => db.prepare(s.sql).bind(...s.params.map(inbound)));
      let result;
      if (q.op === 'batch') result = await db.batch(bound);
      else if (q.op === 'exec') result = await db.exec(q.sql);
      else if (q.op === 'all') result = await bound[0].all();
      else if (q.op === 'run') result = await bound[0].run();
      else if (q.op === 'raw') result = await bound[0].raw(q.options);
      else if (q.op === 'first') result = q.column === undefined ? await bound[0].first() : await bound[0].first(q.column);
      else throw new Error('unknown operation ' + q.op);
      return Response.json({ ok: true, result: outbound(result ?? null) });
    } catch (err) {
      return Response.json({ ok: false, error: { name: err?.name ?? 'Error', message: String(err?.message ?? err), cause: err?.cause ? String(err.cause.message ?? err.cause) : null } });
    }
  },
};`;
}

type Call = { op: 'batch' | 'all' | 'run' | 'raw' | 'first'; statements: Array<{ sql: string; params: Wire[] }>; options?: unknown; column?: string } | { op: 'exec'; sql: string };

class ForwardedStatement {
  readonly d1: ForwardedD1;
  readonly sql: string;
  readonly params: unknown[];
  constructor(d1: ForwardedD1, sql: string, params: unknown[] = []) {
    this.d1 = d1;
    this.sql = sql;
    this.params = params;
  }
  bind(...params: unknown[]): ForwardedStatement {
    return new ForwardedStatement(this.d1, this.sql, params);
  }
  wire() {
    return { sql: this.sql, params: this.params.map(toWire) };
  }
  all() {
    return this.d1.call({ op: 'all', statements: [this.wire()] });
  }
  run() {
    return this.d1.call({ op: 'run', statements: [this.wire()] });
  }
  raw(options?: { columnNames?: boolean }) {
    return this.d1.call({ op: 'raw', statements: [this.wire()], options });
  }
  first(column?: string) {
    return this.d1.call({ op: 'first', statements: [this.wire()], ...(column === undefined ? {} : { column }) });
  }
}

/** The D1Database methods drizzle and the planner use; each call is one request to the forwarder. */
export class ForwardedD1 {
  readonly mf: Miniflare;
  /** Which D1 binding of the forwarder answers; the first of wrangler.toml when absent. */
  readonly binding: string | undefined;
  constructor(mf: Miniflare, binding?: string) {
    this.mf = mf;
    this.binding = binding;
  }
  prepare(sql: string): ForwardedStatement {
    return new ForwardedStatement(this, sql);
  }
  batch(statements: ForwardedStatement[]) {
    return this.call({ op: 'batch', statements: statements.map((s) => s.wire()) });
  }
  exec(sql: string) {
    return this.call({ op: 'exec', sql });
  }
  async call(q: Call): Promise<unknown> {
    // Uncompressed: the answers stay on this machine, and gzip costs more CPU than it saves.
    const res = await this.mf.dispatchFetch('http://d1.local/', {
      method: 'POST',
      body: JSON.stringify(this.binding ? { ...q, binding: this.binding } : q),
      headers: { 'accept-encoding': 'identity' },
    });
    const answer = (await res.json()) as { ok: true; result: unknown } | { ok: false; error: { name: string; message: string; cause: string | null } };
    if (answer.ok) return fromWire(answer.result);
    // The error D1 raised, message and cause, so callers that read them (a UNIQUE collision) see the same.
    const err = new Error(answer.error.message, answer.error.cause ? { cause: new Error(answer.error.cause) } : undefined);
    err.name = answer.error.name;
    throw err;
  }
}

// ---- migrations ------------------------------------------------------------------------------

/**
 * Applies the migrations the database lacks, each as one batch, recorded in d1_migrations as
 * `wrangler d1 migrations apply` records them (so wrangler sees the same state). Returns their names.
 */
export async function applyMigrations(d1: ForwardedD1, dir = path.join(root, 'migrations')): Promise<string[]> {
  await d1.exec('CREATE TABLE IF NOT EXISTS d1_migrations(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL);');
  const done = new Set(((await d1.prepare('SELECT name FROM d1_migrations').all()) as { results: Array<{ name: string }> }).results.map((r) => r.name));
  const applied: string[] = [];
  for (const name of readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    if (done.has(name)) continue;
    // drizzle-kit separates the statements of a migration with `--> statement-breakpoint`.
    const queries = readFileSync(path.join(dir, name), 'utf8')
      .split('--> statement-breakpoint')
      .map((q) => q.trim())
      .filter(Boolean);
    await d1.batch([...queries.map((q) => d1.prepare(q)), d1.prepare('INSERT INTO d1_migrations (name) VALUES (?1)').bind(name)]);
    applied.push(name);
  }
  return applied;
}

// ---- the database ----------------------------------------------------------------------------

export interface LocalD1 {
  DB: ForwardedD1;
  /** The R2 bucket (a binding proxied from workerd: attachments and raw mail of committed changes). */
  RAW: unknown;
  /** Migrations applied on opening (all of them for an empty database; those a copy lacked). */
  migrated: string[];
  dispose(): Promise<void>;
}

/** Where `wrangler dev` (npm start) keeps local D1 databases under a --persist-to folder. */
function d1Folder(state: string): string {
  return path.join(state, 'v3', 'd1', 'miniflare-D1DatabaseObject');
}

/**
 * A database in a new temporary folder: empty (migrations applied), or with `copyOf` (a wrangler
 * state folder such as .wrangler/state) a consistent copy of its D1 databases, read through SQLite's
 * backup API while `npm start` may be writing. The original is opened read-only and never written.
 */
export async function openLocalD1(options: { copyOf?: string } = {}): Promise<LocalD1> {
  const config = readBindings();
  const db = config.d1[0];
  if (!db) throw new Error('wrangler.toml declares no D1 database');
  const dir = mkdtempSync(path.join(tmpdir(), 'edgecase-explain-'));
  let mf: Miniflare | null = null;
  try {
    if (options.copyOf) {
      const from = d1Folder(options.copyOf);
      const files = existsSync(from) ? readdirSync(from).filter((f) => f.endsWith('.sqlite') && f !== 'metadata.sqlite') : [];
      if (files.length === 0) throw new Error(`no local database in ${path.relative(process.cwd(), options.copyOf) || '.'}: \`npm start\` creates it`);
      const to = path.join(dir, 'd1', 'miniflare-D1DatabaseObject');
      mkdirSync(to, { recursive: true });
      for (const f of files) {
        const source = new DatabaseSync(path.join(from, f), { readOnly: true });
        try {
          await backup(source, path.join(to, f));
        } finally {
          source.close();
        }
      }
    }
    mf = new Miniflare(
      convertV4MiniflareOptions({
        resourcePersistencePath: dir,
        workers: [
          {
            name: 'edgecase-d1',
            modules: true,
            compatibilityDate: config.compatibilityDate,
            script: forwarder(db.binding),
            d1Databases: Object.fromEntries(config.d1.map((d) => [d.binding, d.id])),
            r2Buckets: Object.fromEntries(config.r2.map((r) => [r.binding, r.bucket])),
          },
        ],
      }),
    );
    await mf.ready;
    const d1 = new ForwardedD1(mf);
    const r2Binding = config.r2[0]?.binding;
    const RAW = r2Binding ? await mf.getR2Bucket(r2Binding) : null;
    const migrated = await applyMigrations(d1);
    const running = mf;
    return {
      DB: d1,
      RAW,
      migrated,
      async dispose() {
        await running.dispose();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await mf?.dispose();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * The local dev databases themselves (a wrangler state folder such as .wrangler/state), opened in
 * place to be written: what `npm run search:rebuild` rebuilds. Both databases get the migrations
 * they lack. `npm start` may be running meanwhile: SQLite serialises the writers.
 */
export async function openLocalState(state: string): Promise<{ DB: ForwardedD1; SEARCH: ForwardedD1; dispose(): Promise<void> }> {
  const config = readBindings();
  const db = config.d1.find((d) => d.binding === 'DB');
  const search = config.d1.find((d) => d.binding === 'SEARCH');
  if (!db || !search) throw new Error('wrangler.toml declares no DB and SEARCH databases');
  if (!existsSync(d1Folder(state))) throw new Error(`no local database in ${path.relative(process.cwd(), state) || '.'}: \`npm start\` creates it`);
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      resourcePersistencePath: path.join(state, 'v3'),
      workers: [
        {
          name: 'edgecase-d1',
          modules: true,
          compatibilityDate: config.compatibilityDate,
          script: forwarder(db.binding),
          d1Databases: Object.fromEntries(config.d1.map((d) => [d.binding, d.id])),
        },
      ],
    }),
  );
  try {
    await mf.ready;
    const DB = new ForwardedD1(mf, 'DB');
    const SEARCH = new ForwardedD1(mf, 'SEARCH');
    await applyMigrations(DB);
    await applyMigrations(SEARCH, path.join(root, 'migrations-search'));
    return { DB, SEARCH, dispose: () => mf.dispose() };
  } catch (err) {
    await mf.dispose();
    throw err;
  }
}
