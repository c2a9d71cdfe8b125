// The Worker bundle as `wrangler deploy` would upload it, built with --dry-run into a temporary
// folder: used by `npm run check` and by the bundle benchmark.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { root, run, tool } from './env.mjs';

/**
 * Builds the bundle and measures its modules (source maps left out): bytes as uploaded and gzipped.
 * @returns {Promise<{ files: string[], bytes: number, gzipBytes: number }>}
 */
export async function workerBundle() {
  // wrangler refuses to build without the static-assets folder; the assets are not part of the bundle.
  mkdirSync(path.join(root, 'web', 'dist'), { recursive: true });
  const out = mkdtempSync(path.join(os.tmpdir(), 'edgecase-bundle-'));
  try {
    await run(tool('wrangler'), ['deploy', '--dry-run', '--outdir', out], { quiet: true });
    const files = readdirSync(out).filter((f) => !f.endsWith('.map') && f !== 'README.md');
    if (files.length === 0) throw new Error('wrangler deploy --dry-run wrote no bundle');
    let bytes = 0;
    let gzipBytes = 0;
    for (const f of files) {
      const content = readFileSync(path.join(out, f));
      bytes += content.length;
      gzipBytes += gzipSync(content, { level: 9 }).length;
    }
    return { files, bytes, gzipBytes };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Bytes in kB (1 kB = 1,000 bytes), one decimal. */
export const kB = (bytes) => Math.round(bytes / 100) / 10;
