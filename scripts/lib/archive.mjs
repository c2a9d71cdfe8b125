// The three kinds of archive `npm run import` reads, behind one interface:
//   mbox     one file, read as a stream (scripts/lib/mbox-reader.mjs); resumes at a byte offset
//   maildir  a folder with cur/ and new/; the files in name order; resumes after a file name
//   eml      a folder of *.eml files in name order; resumes after a file name
// A single file that is not an mbox is one message.
import { existsSync, statSync } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { MAX_MESSAGE_BYTES, readMbox } from './mbox-reader.mjs';

/** Names in the order they are imported; digits compare as numbers ("2.eml" before "10.eml"). */
const byName = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' }).compare;

/** A maildir file's stable part: clients append flags after ":2," (or "!2," / ";2,") when mail is read. */
function maildirKey(name) {
  return name.replace(/[:!;]2,[^/]*$/, '');
}

export class ArchiveError extends Error {}

/**
 * Opens `input` (an mbox file, a maildir, or a folder of .eml files). The result has
 *   kind, path, name
 *   count(resume)      → { total, remaining }, a quick pass that keeps no message
 *   messages(resume)   → async iterator of { index, label, envelopeFrom, raw, size, oversize, error?, resume }
 *                        where `resume` is what to save once that message is done and `error`
 *                        says why a message cannot be sent (raw is null then, as when oversize)
 *   checkResume(resume) → null, or why a saved position does not fit this archive any more
 * `resume` is what an earlier run saved ({ done, offset } for mbox, { done, lastKey } for folders),
 * or null to start at the beginning.
 */
export async function openArchive(input) {
  if (!existsSync(input)) throw new ArchiveError(`${input}: no such file or folder`);
  const info = statSync(input);
  const name = path.basename(path.resolve(input));
  if (info.isFile()) return mboxArchive(input, name);
  if (!info.isDirectory()) throw new ArchiveError(`${input}: neither a file nor a folder`);
  const isMaildir = ['cur', 'new'].some((d) => existsSync(path.join(input, d)) && statSync(path.join(input, d)).isDirectory());
  return isMaildir ? folderArchive(input, name, 'maildir', await maildirEntries(input)) : folderArchive(input, name, 'eml', await emlEntries(input));
}

function mboxArchive(file, name) {
  return {
    kind: 'mbox',
    path: file,
    name,
    async checkResume(resume) {
      if (!resume?.offset) return null;
      const now = (await stat(file)).size;
      if (resume.offset > now) return `the file is shorter (${now} bytes) than where the last run stopped (byte ${resume.offset})`;
      if (resume.offset === now) return null;
      const fh = await open(file, 'r');
      try {
        const buf = Buffer.alloc(5);
        await fh.read(buf, 0, 5, resume.offset);
        if (buf.toString('latin1') !== 'From ') return `byte ${resume.offset}, where the last run stopped, is not the start of a message any more`;
      } finally {
        await fh.close();
      }
      return null;
    },
    async count(resume) {
      const from = resume?.offset ?? 0;
      let total = 0;
      let remaining = 0;
      for await (const m of readMbox(file, { collect: false })) {
        total++;
        if (m.offset >= from) remaining++;
      }
      return { total, remaining };
    },
    async *messages(resume) {
      const done = resume?.done ?? 0;
      for await (const m of readMbox(file, { start: resume?.offset ?? 0 })) {
        yield {
          index: done + m.index,
          label: `message ${done + m.index + 1} (byte ${m.offset})`,
          envelopeFrom: m.envelopeFrom,
          raw: m.raw,
          size: m.size,
          oversize: m.oversize,
          resume: { done: done + m.index + 1, offset: m.end },
        };
      }
    },
  };
}

async function maildirEntries(dir) {
  const seen = new Map();
  for (const sub of ['new', 'cur']) {
    const folder = path.join(dir, sub);
    if (!existsSync(folder)) continue;
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      if (!entry.isFile() || entry.name.startsWith('.')) continue;
      const key = maildirKey(entry.name);
      // A message moved from new/ to cur/ while we listed: once is enough.
      if (!seen.has(key)) seen.set(key, { key, file: path.join(folder, entry.name), label: `${sub}/${entry.name}` });
    }
  }
  return [...seen.values()].sort((a, b) => byName(a.key, b.key));
}

async function emlEntries(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isFile() || !/\.eml$/i.test(entry.name)) continue;
    out.push({ key: entry.name, file: path.join(dir, entry.name), label: entry.name });
  }
  if (!out.length) throw new ArchiveError(`${dir}: no .eml files here, and it is not a maildir (no cur/ or new/)`);
  return out.sort((a, b) => byName(a.key, b.key));
}

function folderArchive(dir, name, kind, entries) {
  const after = (resume) => (resume?.lastKey == null ? entries : entries.filter((e) => byName(e.key, resume.lastKey) > 0));
  return {
    kind,
    path: dir,
    name,
    async checkResume() {
      return null;
    },
    async count(resume) {
      return { total: entries.length, remaining: after(resume).length };
    },
    async *messages(resume) {
      let done = resume?.done ?? 0;
      for (const entry of after(resume)) {
        const size = (await stat(entry.file)).size;
        let raw = null;
        let envelopeFrom = null;
        let error = null;
        const oversize = size > MAX_MESSAGE_BYTES;
        if (!oversize) {
          // The reader also takes a file saved with an mbox "From " line in front of the message.
          for await (const m of readMbox(entry.file)) {
            if (m.index > 0) {
              error = 'the file holds more than one message (an mbox?): import it on its own';
              raw = null;
              break;
            }
            raw = m.raw;
            envelopeFrom = m.envelopeFrom;
          }
          if (!raw && !error) error = 'the file is empty';
        }
        done++;
        yield { index: done - 1, label: entry.label, envelopeFrom, raw, size, oversize, error, resume: { done, lastKey: entry.key } };
      }
    },
  };
}
