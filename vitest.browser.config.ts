// Browser tests: a real `wrangler dev` with its own temporary storage, driven through headless
// Chromium (playwright-core); the shared setup is test/browser/harness.ts. The web app is built once
// per run, before the first file. Plain Node environment; one file at a time, since each starts a server.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['test/browser/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
