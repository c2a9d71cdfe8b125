// Runs once before any browser test file: they all serve the same web build from their own
// `wrangler dev`, so it is built here, once per run, rather than by each file.
import { buildWeb } from '../../scripts/lib/devserver.mjs';

export default async function buildWebOnce(): Promise<void> {
  await buildWeb({ quiet: true });
}
