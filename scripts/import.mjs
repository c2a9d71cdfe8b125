// npm run import -- <mbox file | maildir | folder of .eml> --mailbox <address> [--url URL] [--yes]
//                    [--batch NAME] [--restart]
//
// Imports an archive of old mail into a running edgecase, one message per POST to
// /api/admin/import (the ingest pipeline in import mode: filed closed in its own time, threads
// rebuilt, never answered). Archives of any size are read as a stream. Progress is saved after
// every message in .edgecase-import/<batch>.json, so running the same command again continues
// where the last run stopped; the server's duplicate detection covers the rest.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { ArchiveError, openArchive } from './lib/archive.mjs';
import { importMessage, preflight, StopImport } from './lib/import-client.mjs';
import { MAX_MESSAGE_BYTES } from './lib/mbox-reader.mjs';
import { createProgress, formatCount, formatDuration } from './lib/progress.mjs';

const USAGE = `Usage: npm run import -- <mbox file | maildir | folder of .eml> --mailbox <address> [options]

  --mailbox <address>  the edgecase mailbox the mail belongs to (required)
  --url <url>          the running edgecase (default http://127.0.0.1:8787, as started by npm start)
  --batch <name>       a name for this import, stored on every message (default: the archive's name)
  --yes                do not ask before importing
  --restart            forget where an earlier run stopped and send everything again
`;

const STATE_VERSION = 1;
const FIRST_ERRORS = 10;

function fail(message, code = 1) {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

function parse() {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        mailbox: { type: 'string' },
        url: { type: 'string', default: 'http://127.0.0.1:8787' },
        batch: { type: 'string' },
        yes: { type: 'boolean', short: 'y', default: false },
        restart: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    fail(`${err.message}\n\n${USAGE}`, 2);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  if (positionals.length !== 1) fail(`Name one archive to import.\n\n${USAGE}`, 2);
  if (!values.mailbox) fail(`--mailbox is required: the address the archived mail was sent to, e.g. --mailbox support@acme.test\n\n${USAGE}`, 2);
  // npm runs scripts in the project folder; a relative path means the folder npm was started in.
  const archive = path.resolve(process.env.INIT_CWD ?? process.cwd(), positionals[0]);
  const batch = values.batch ?? defaultBatch(archive);
  if (!/^[\w.:-]{1,100}$/.test(batch)) fail(`--batch: use 1 to 100 letters, digits and . _ : - (got "${batch}")`, 2);
  let url;
  try {
    url = new URL(values.url).toString().replace(/\/+$/, '');
  } catch {
    fail(`--url: not a URL: ${values.url}`, 2);
  }
  return { archive, mailbox: values.mailbox.trim().toLowerCase(), url, batch, yes: values.yes, restart: values.restart };
}

/** The archive's name, reduced to what a batch name may hold. */
export function defaultBatch(archive) {
  const name = path
    .basename(archive)
    .replace(/[^\w.:-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 100);
  return name || 'import';
}

// ---------------------------------------------------------------------------------------------
// State: where the last run stopped

function stateFile(batch) {
  // Relative to the project, where npm runs its scripts.
  return path.join(process.cwd(), '.edgecase-import', `${batch}.json`);
}

function loadState(file) {
  if (!existsSync(file)) return null;
  try {
    const state = JSON.parse(readFileSync(file, 'utf8'));
    return state?.version === STATE_VERSION ? state : null;
  } catch {
    return null;
  }
}

function saveState(file, state) {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ ...state, updatedAt: new Date().toISOString() }, null, 2)}\n`);
  renameSync(tmp, file);
}

// ---------------------------------------------------------------------------------------------

async function confirm(question) {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(question);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

function mib(n) {
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function summary({ opts, archive, tally, total, skipped, elapsed, stopped }) {
  const out = [];
  const heldTotal = Object.values(tally.held).reduce((a, b) => a + b, 0);
  const processed = tally.imported + tally.duplicates + heldTotal + tally.failed;
  out.push('');
  out.push(
    `${stopped ? 'Stopped' : 'Done'}: ${formatCount(processed)} message${processed === 1 ? '' : 's'} from ${archive.name} (${archive.kind}) into ${opts.mailbox}, batch ${opts.batch}, in ${formatDuration(elapsed)}`,
  );
  out.push(`  imported     ${formatCount(tally.imported)}  (${formatCount(tally.newCases)} new case${tally.newCases === 1 ? '' : 's'}, ${formatCount(tally.appended)} added to a case)`);
  out.push(`  duplicates   ${formatCount(tally.duplicates)}`);
  out.push(`  held         ${formatCount(heldTotal)}`);
  for (const [reason, n] of Object.entries(tally.held).sort((a, b) => b[1] - a[1])) out.push(`    ${reason}: ${formatCount(n)}`);
  out.push(`  failed       ${formatCount(tally.failed)}`);
  for (const e of tally.errors) out.push(`    ${e}`);
  if (tally.failed > tally.errors.length) out.push(`    … and ${formatCount(tally.failed - tally.errors.length)} more`);
  if (skipped) out.push(`  skipped      ${formatCount(skipped)}  (done by an earlier run)`);
  out.push(`  ${formatCount(skipped + processed)} of ${formatCount(total)} done`);
  return `${out.join('\n')}\n`;
}

async function main() {
  const opts = parse();
  let archive;
  try {
    archive = await openArchive(opts.archive);
  } catch (err) {
    if (err instanceof ArchiveError) fail(err.message);
    throw err;
  }

  const file = stateFile(opts.batch);
  const shownFile = path.relative(process.cwd(), file);
  let state = opts.restart ? null : loadState(file);
  if (state && (state.archive !== archive.path || state.mailbox !== opts.mailbox)) {
    fail(`${shownFile} belongs to an import of ${state.archive} into ${state.mailbox}. Give this one its own --batch name, or pass --restart to start this batch over.`);
  }
  if (state) {
    const problem = await archive.checkResume(state.resume);
    if (problem) fail(`${archive.path} changed since the last run: ${problem}. Pass --restart to import it from the start (what was imported already comes back as duplicates).`);
  }
  const resume = state?.resume ?? null;

  try {
    await preflight(opts.url);
  } catch (err) {
    if (err instanceof StopImport) fail(err.message);
    throw err;
  }

  process.stderr.write(`Counting the messages in ${archive.path}…\n`);
  const { total, remaining } = await archive.count(resume);
  const skipped = total - remaining;
  if (total === 0) fail(`No messages found in ${archive.path}.`);
  if (remaining === 0) {
    process.stdout.write(
      `Nothing to import: all ${formatCount(total)} messages of ${archive.name} were imported into ${opts.mailbox} already (batch ${opts.batch}, ${shownFile}). --restart sends them again; the server recognises them as duplicates.\n`,
    );
    return 0;
  }
  const what = skipped
    ? `the remaining ${formatCount(remaining)} of ${formatCount(total)} messages (an earlier run did ${formatCount(skipped)})`
    : `${formatCount(remaining)} message${remaining === 1 ? '' : 's'}`;
  if (!opts.yes) {
    if (!process.stdin.isTTY) fail(`Not importing: this would import ${what} into ${opts.mailbox}, and there is no terminal to ask. Pass --yes to go ahead.`);
    if (!(await confirm(`Import ${what} into ${opts.mailbox}? [y/N] `))) {
      process.stderr.write('Nothing imported.\n');
      return 1;
    }
  } else {
    process.stderr.write(`Importing ${what} into ${opts.mailbox} (batch ${opts.batch}).\n`);
  }

  state = { version: STATE_VERSION, archive: archive.path, kind: archive.kind, mailbox: opts.mailbox, batch: opts.batch, total, resume: resume ?? { done: 0 }, complete: false };
  saveState(file, state);

  const tally = { imported: 0, newCases: 0, appended: 0, duplicates: 0, held: {}, failed: 0, errors: [] };
  const casesSeen = new Set();
  const started = Date.now();
  const progress = createProgress({ total, already: skipped });
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    progress.log('Stopping after this message (Ctrl-C again to quit at once)…');
  };
  process.on('SIGINT', onSigint);

  const failed = (item, reason) => {
    tally.failed++;
    if (tally.errors.length < FIRST_ERRORS) tally.errors.push(`${item.label}: ${reason}`);
  };

  let stopped = null;
  try {
    for await (const item of archive.messages(resume)) {
      if (item.oversize) failed(item, `too large: ${mib(item.size)}, the limit is ${mib(MAX_MESSAGE_BYTES)}`);
      else if (item.error) failed(item, item.error);
      else {
        const answer = await importMessage(opts.url, { mailbox: opts.mailbox, batch: opts.batch, from: item.envelopeFrom }, item.raw, {
          onRetry: (text) => progress.log(`${item.label}: ${text}`),
        });
        if (!answer.ok) failed(item, `${answer.status} ${answer.message}`);
        else {
          const r = answer.result;
          if (r.duplicate) tally.duplicates++;
          else if (r.status === 'processed') {
            tally.imported++;
            // Whether the message started its case. The server may say so (action); otherwise the
            // first message of this run to land in a case counts as starting it.
            const isNew = r.action ? r.action === 'new-case' : r.caseId ? !casesSeen.has(r.caseId) : false;
            if (isNew) tally.newCases++;
            else if (r.caseId) tally.appended++;
            if (r.caseId) casesSeen.add(r.caseId);
          } else {
            const key = r.reason ? `${r.status}: ${r.reason}` : r.status;
            tally.held[key] = (tally.held[key] ?? 0) + 1;
          }
        }
      }
      state.resume = item.resume;
      saveState(file, state);
      progress.update(item.resume.done);
      if (interrupted) {
        stopped = `interrupted. Run the same command again to continue.`;
        break;
      }
    }
  } catch (err) {
    if (!(err instanceof StopImport)) {
      progress.end();
      throw err;
    }
    stopped = `${err.message} Where the import stopped is saved in ${shownFile}: run the same command again to continue.`;
  }
  progress.end();
  process.off('SIGINT', onSigint);
  if (!stopped) {
    state.complete = true;
    saveState(file, state);
  }
  process.stdout.write(summary({ opts, archive, tally, total, skipped, elapsed: Date.now() - started, stopped: !!stopped }));
  if (stopped) {
    process.stderr.write(`\n${stopped}\n`);
    return 1;
  }
  return tally.failed ? 1 : 0;
}

process.exitCode = await main();
