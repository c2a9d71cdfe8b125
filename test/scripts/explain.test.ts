// `npm run explain` as a user runs it: the real command in a child process, on real files, against
// its throwaway database. Two files are one conversation: a new case with attachments, then the
// customer's reply to it, which must thread to the case the first file opened.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Explanation } from '../../worker/ingest/explain-types.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const NODE = path.join(ROOT, 'node_modules', '.bin', 'node');
const FIRST = path.join(ROOT, 'test', 'fixtures', 'attachments-inline.eml');
// Thursday 12 June 2025, 15:40 in Berlin: the demo mailbox counts office hours (Mon–Fri 09:00–17:00
// Berlin), so its 4-hour first response falls due on Friday at 11:40 Berlin, 09:40 UTC.
const NOW = '2025-06-12T13:40:00Z';

const REPLY = [
  'From: Erin Example <erin@example.com>',
  'To: Acme Support <support@acme.test>',
  'Subject: Re: Wrong logo on my invoice',
  'Date: Thu, 12 Jun 2025 16:05:00 +0200',
  'Message-ID: <inline-att-0612-reply@example.com>',
  'In-Reply-To: <inline-att-0612@example.com>',
  'References: <inline-att-0612@example.com>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b1"',
  '',
  '--b1',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Here is the logo we should have.',
  '',
  '--b1',
  'Content-Type: image/svg+xml; name="our-logo.svg"',
  'Content-Disposition: attachment; filename="our-logo.svg"',
  '',
  '<svg xmlns="http://www.w3.org/2000/svg"/>',
  '--b1--',
  '',
].join('\r\n');

let work = '';
let reply = '';

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'edgecase-explain-test-'));
  reply = path.join(work, 'reply.eml');
  await writeFile(reply, REPLY);
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

function explain(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, ['--no-warnings', 'scripts/explain.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The labelled lines of one message's block, by label (continuation lines joined to their label's). */
function block(stdout: string, file: string): Record<string, string[]> {
  const start = stdout.indexOf(`── ${file} (`);
  expect(start, `a block for ${file} in:\n${stdout}`).toBeGreaterThanOrEqual(0);
  const end = stdout.indexOf('\n── ', start + 1);
  const lines = stdout
    .slice(start, end === -1 ? undefined : end)
    .split('\n')
    .slice(1);
  const out: Record<string, string[]> = {};
  let label = '';
  for (const l of lines) {
    const m = /^ {2}(\S+)\s+(.*)$/.exec(l);
    if (m && !l.startsWith('    ')) (out[(label = m[1]!)] ??= []).push(m[2]!);
    else if (label && l.trim()) out[label]!.push(l.trim());
  }
  return out;
}

describe('npm run explain', () => {
  test('a new case, then a reply that threads to it', { timeout: 120_000 }, async () => {
    const run = await explain(FIRST, reply, '--now', NOW);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    const first = block(run.stdout, FIRST);
    expect(first.from).toEqual(['Erin Example <erin@example.com>']);
    expect(first.subject).toEqual(['Wrong logo on my invoice']);
    expect(first.html).toEqual(['yes']);
    expect(first.attachments).toEqual(['logo.png  image/png  80 B  inline  stored', 'invoice-2025-0612.pdf  application/pdf  591 B  stored']);
    expect(first.triage?.[0]).toMatch(/^human\b/);
    expect(first.thread).toEqual(['new case #1 (no threading headers, token or tag)']);
    expect(first.ack).toEqual(['sent: queued to erin@example.com']);
    expect(first.sla?.[0]).toBe('Standard (sla_standard), office hours: first response due 2025-06-13 09:40 UTC');
    expect(first.assignee).toEqual(['nobody: the mailbox names no default assignee or team']);
    expect(first.outgoing).toEqual(['ack-create to erin@example.com']);

    const second = block(run.stdout, reply);
    expect(second.subject).toEqual(['Re: Wrong logo on my invoice']);
    expect(second.text).toEqual(['"Here is the logo we should have." (34 characters)']);
    expect(second.attachments).toEqual(['our-logo.svg  image/svg+xml  42 B  stored']);
    expect(second.thread?.[0]).toBe('appended to #1 by in-reply-to (In-Reply-To <inline-att-0612@example.com>)');
    // The demo mailbox acknowledges new cases only.
    expect(second.ack).toEqual(['not sent: the mailbox does not acknowledge replies']);
    // The case's clock, unchanged by the reply: nobody has answered yet.
    expect(second.sla?.[0]).toBe('Standard (sla_standard), office hours: first response due 2025-06-13 09:40 UTC');
    expect(second.events).toEqual(['message.added']);
  });

  test('--json prints the same decisions as data', { timeout: 120_000 }, async () => {
    const run = await explain('--json', '--now', NOW, FIRST, reply);
    expect(run.code).toBe(0);
    const [first, second] = JSON.parse(run.stdout) as Explanation[];
    expect(first?.thread).toMatchObject({ outcome: 'new-case', case: { number: 1 }, rule: 'new' });
    expect(first?.acknowledgement).toEqual({ sent: true, detail: 'queued to erin@example.com' });
    expect(first?.sla?.firstResponseDue?.iso).toBe('2025-06-13T09:40:00.000Z');
    expect(first?.message?.attachments.map((a) => a.filename)).toEqual(['logo.png', 'invoice-2025-0612.pdf']);
    expect(second?.thread).toMatchObject({ outcome: 'append', case: { number: 1 }, rule: 'in-reply-to', status: 'processed' });
    expect(second?.acknowledgement.sent).toBe(false);
    expect(second?.committed).toBe(true);
  });

  test('bad input: a clear message and a failing exit code', { timeout: 120_000 }, async () => {
    const missing = await explain(path.join(work, 'nowhere.eml'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nowhere.eml: no such file');

    const notMail = path.join(work, 'notes.txt');
    await writeFile(notMail, 'just some notes\nwithout any headers\n');
    const wrong = await explain(FIRST, notMail);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('notes.txt: not a mail message');
    // Every file is checked before anything runs: nothing was explained.
    expect(wrong.stdout).toBe('');

    const flag = await explain('--frobnicate', FIRST);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('unknown option --frobnicate');
    expect(flag.stderr).toContain('usage: npm run explain');

    const none = await explain();
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no message file given');

    const when = await explain('--now', 'yesterday', FIRST);
    expect(when.code).toBe(2);
    expect(when.stderr).toContain('--now yesterday: not a time');
  });
});
