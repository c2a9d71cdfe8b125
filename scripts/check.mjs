// npm run check [-- <step> …]: the checks that need no server, each run even when one before failed.
//   types   tsc over every TypeScript file: the Worker and its tests (tsconfig.json), the web app
//           (web/tsconfig.json), the Node side (tsconfig.node.json); a file none of them covers fails
//   biome   format and lint (biome.json), nothing written: `npx biome check --write <files>` fixes
//   deps    import rules (.dependency-cruiser.cjs)
//   bundle  the Worker bundle from `wrangler deploy --dry-run`, and its size gzipped
// Ends with "check: passed" or "check: failed (<steps>)" and the matching exit code.
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { kB, workerBundle } from './lib/bundle.mjs';
import { checkNode, childEnv, root, run, tool } from './lib/env.mjs';

checkNode();

const PROGRAMS = ['tsconfig.json', 'web/tsconfig.json', 'tsconfig.node.json'];
const TS_FILE = /\.(ts|tsx|mts|cts)$/;

/** Runs a command to its end and keeps its standard output; standard error goes to ours. */
function capture(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, env: childEnv(), stdio: ['ignore', 'pipe', 'inherit'] });
    const out = [];
    child.stdout.on('data', (d) => out.push(d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout: Buffer.concat(out).toString() }));
  });
}

/** The project's TypeScript files: tracked, or new and not ignored. Null outside a git checkout. */
function projectTsFiles() {
  try {
    const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.split('\0').filter((f) => TS_FILE.test(f));
  } catch {
    return null;
  }
}

const steps = {
  async types() {
    // --listFiles names each program's files, so a file that no tsconfig reaches is found too.
    const results = await Promise.all(PROGRAMS.map((p) => capture(tool('tsc'), ['-p', p, '--listFiles'])));
    const covered = new Set();
    const failed = [];
    results.forEach(({ code, stdout }, i) => {
      const diagnostics = [];
      for (const line of stdout.split('\n')) {
        if (path.isAbsolute(line)) covered.add(path.relative(root, line));
        else if (line.trim()) diagnostics.push(line);
      }
      if (diagnostics.length) process.stdout.write(`${diagnostics.join('\n')}\n`);
      if (code !== 0) failed.push(PROGRAMS[i]);
    });
    const files = projectTsFiles();
    const missed = files?.filter((f) => !covered.has(f)) ?? [];
    if (missed.length) console.log(`Not type-checked by any of ${PROGRAMS.join(', ')}:\n  ${missed.join('\n  ')}`);
    if (failed.length) throw new Error(`type errors in ${failed.join(', ')}`);
    if (missed.length) throw new Error(`${missed.length} TypeScript file(s) outside every tsconfig`);
    console.log(`${files ? files.length : covered.size} TypeScript files type-checked`);
  },
  async biome() {
    // The summary names the files and the rules; `npx biome check <file>` shows each finding.
    await run(tool('biome'), ['ci', '--error-on-warnings', '--reporter=summary', ...(process.stdout.isTTY ? [] : ['--colors=off']), '.']);
  },
  async deps() {
    await run(tool('depcruise'), ['worker', 'web/src', 'scripts', 'test']);
  },
  async bundle() {
    const b = await workerBundle();
    console.log(`Worker bundle (${b.files.join(', ')}): ${kB(b.bytes)} kB, gzip ${kB(b.gzipBytes)} kB`);
  },
};

const wanted = process.argv.slice(2);
for (const name of wanted) {
  if (!steps[name]) {
    console.error(`unknown check "${name}"; there are: ${Object.keys(steps).join(', ')}`);
    process.exit(2);
  }
}
const failed = [];
for (const name of wanted.length ? wanted : Object.keys(steps)) {
  console.log(`\n── check: ${name}`);
  try {
    await steps[name]();
  } catch (err) {
    failed.push(name);
    console.error(`✗ ${name}: ${err.message}`);
  }
}
console.log(failed.length ? `\ncheck: failed (${failed.join(', ')})` : '\ncheck: passed');
process.exit(failed.length ? 1 : 0);
