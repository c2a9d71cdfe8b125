// npm run explain -- <file.eml> [more.eml …] [--to support@acme.test] [--from envelope@sender] [--key K]
// Runs the ingest stages on raw messages and prints, per message, what edgecase would do and why.
// Several files are read as one conversation, in order, so a reply can thread to an earlier file.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MemoryInbox } from '../worker/ingest/explain.ts';

function usage(): never {
  console.error('usage: npm run explain -- <file.eml> [more.eml …] [--to <mailbox address>] [--from <envelope sender>] [--key <reply-token key>]');
  process.exit(2);
}

const files: string[] = [];
const opts: Record<string, string> = {};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i]!;
  if (a === '--help' || a === '-h') usage();
  if (a.startsWith('--')) {
    const v = argv[++i];
    if (v === undefined) usage();
    opts[a.slice(2)] = v;
  } else files.push(a);
}
if (files.length === 0) usage();

let key = opts.key;
const devVars = path.resolve(import.meta.dirname, '..', '.dev.vars');
if (!key && existsSync(devVars)) key = /^REPLY_TOKEN_KEY=(.*)$/m.exec(readFileSync(devVars, 'utf8'))?.[1];
const to = (opts.to ?? 'support@acme.test').toLowerCase();
const inbox = new MemoryInbox({ recipient: to, envelopeFrom: opts.from, ownAddresses: [to], replyTokenKey: key, now: () => Date.now() });

let failed = false;
for (const file of files) {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    console.error(`cannot read ${file}: ${(err as Error).message}`);
    failed = true;
    continue;
  }
  console.log(JSON.stringify(await inbox.explain(bytes, file), null, 2));
}
process.exit(failed ? 1 : 0);
