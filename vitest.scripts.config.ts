// Tests of the Node scripts (npm run import, npm run smtp): plain Node, real processes. The CLI
// tests start their own `wrangler dev` with temporary storage; one file at a time for that reason.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/scripts/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
