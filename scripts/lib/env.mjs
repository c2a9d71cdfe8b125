// Shared by the Node scripts: where the project is, and how to run its own tools.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(root, 'node_modules', '.bin');

/** Environment for child processes: the project's pinned Node first on PATH, no telemetry. */
export function childEnv(extra = {}) {
  return {
    ...process.env,
    PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`,
    WRANGLER_SEND_METRICS: 'false',
    ...extra,
  };
}

export function tool(name) {
  const p = path.join(bin, name);
  if (!existsSync(p)) throw new Error(`${name} is not installed: run npm install first`);
  return p;
}

/**
 * Runs a command to completion; rejects on a non-zero exit. With `quiet`, its output is kept and
 * shown only when it fails.
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ env?: Record<string, string>, quiet?: boolean } & import('node:child_process').SpawnOptions} [options]
 * @returns {Promise<void>}
 */
export function run(cmd, args, { env, quiet = false, ...opts } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit', ...opts, env: childEnv(env) });
    const kept = [];
    if (quiet) {
      child.stdout.on('data', (d) => kept.push(d));
      child.stderr.on('data', (d) => kept.push(d));
    }
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) return resolve();
      if (quiet) process.stderr.write(Buffer.concat(kept));
      reject(new Error(`${path.basename(cmd)} ${args.join(' ')} exited with ${signal ?? code}`));
    });
  });
}

export function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 22 || (major === 22 && minor < 12)) {
    console.error(`edgecase needs Node 22.12 or newer; this is ${process.version}. Run it through npm (npm start, npm test), which uses the Node that npm install put in node_modules.`);
    process.exit(1);
  }
}

/**
 * A command's options (node:util parseArgs, plus -h/--help): a bad option prints the message and the
 * usage and exits 2; --help prints the usage and exits 0.
 */
export function commandOptions(options, usage) {
  let values;
  try {
    ({ values } = parseArgs({ options: { ...options, help: { type: 'boolean', short: 'h', default: false } } }));
  } catch (err) {
    process.stderr.write(`${err.message}\n\n${usage}`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(usage);
    process.exit(0);
  }
  return values;
}
