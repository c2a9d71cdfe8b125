// npm test: every test there is, in the order a failure is cheapest to find.
//   1. npm run check (types, format and lint, import rules, the Worker bundle)
//   2. Worker tests inside workerd (units, pipeline, API, corpus)
//   3. script tests (import, SMTP bridge) against wrangler dev
//   4. browser tests: the web build served by wrangler dev, driven in headless Chromium.
// Ends with one line "tests: N passed, N failed".
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { checkNode, root, run, tool } from './lib/env.mjs';

checkNode();
const CHROMIUM = '/usr/bin/chromium';
const out = path.join(root, '.tmp');
mkdirSync(out, { recursive: true });

function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = existsSync('/usr/bin/apt-get');
  if (!isRoot || !hasApt) {
    console.error(`The browser tests need Chromium at ${CHROMIUM}. On Debian or Ubuntu: sudo apt-get install chromium`);
    process.exit(1);
  }
  console.log('Installing Chromium for the browser tests (Debian package "chromium")…');
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

function counts(file) {
  try {
    const r = JSON.parse(readFileSync(file, 'utf8'));
    return { passed: r.numPassedTests ?? 0, failed: (r.numFailedTests ?? 0) + (r.numFailedTestSuites ?? 0), skipped: (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0) };
  } catch {
    return { passed: 0, failed: 1, skipped: 0 };
  }
}

const total = { passed: 0, failed: 0, skipped: 0 };
let failedStep = null;
async function step(name, fn) {
  console.log(`\n── ${name}`);
  try {
    await fn();
  } catch (err) {
    failedStep ??= name;
    console.error(`✗ ${name}: ${err.message}`);
  }
}
function add(c) {
  total.passed += c.passed;
  total.failed += c.failed;
  total.skipped += c.skipped;
}

await step('check (types, format and lint, imports, bundle)', async () => {
  await run(process.execPath, [path.join(root, 'scripts', 'check.mjs')]);
});

await step('worker tests (workerd)', async () => {
  const json = path.join(out, 'vitest-worker.json');
  rmSync(json, { force: true });
  try {
    await run(tool('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${json}`]);
  } finally {
    add(counts(json));
  }
});

await step('script tests (import, SMTP bridge)', async () => {
  const json = path.join(out, 'vitest-scripts.json');
  rmSync(json, { force: true });
  try {
    await run(tool('vitest'), ['run', '--config', 'vitest.scripts.config.ts', '--reporter=default', '--reporter=json', `--outputFile.json=${json}`]);
  } finally {
    add(counts(json));
  }
});

await step('browser tests (Chromium)', async () => {
  ensureChromium();
  const json = path.join(out, 'vitest-browser.json');
  rmSync(json, { force: true });
  try {
    await run(tool('vitest'), ['run', '--config', 'vitest.browser.config.ts', '--reporter=default', '--reporter=json', `--outputFile.json=${json}`]);
  } finally {
    add(counts(json));
  }
});

console.log(`\ntests: ${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`);
if (failedStep || total.failed > 0) {
  console.error(`failed: ${failedStep ?? 'see above'}`);
  process.exit(1);
}
