import { applyD1Migrations, env } from 'cloudflare:test';

// Setup files run before each test file, outside per-test storage; applying is idempotent.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
await applyD1Migrations(env.SEARCH, env.TEST_SEARCH_MIGRATIONS);
