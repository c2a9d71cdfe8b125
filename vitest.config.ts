// Worker tests: they run inside workerd with the bindings of wrangler.toml (D1, R2, the Durable
// Object), each test file with its own storage. Migrations (DB's and SEARCH's) are read here and applied in test/setup.ts.
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

const root = import.meta.dirname;
// Real mail from other projects' test suites, beside the project when it is there (see test/worker/corpus.test.ts).
const corpusDir = path.resolve(root, process.env.EDGECASE_CORPUS ?? '../shared/corpus');

/** Serves the corpus to tests in workerd, which cannot read the host's files: GET /manifest, GET /file?path=. */
async function corpus(request: Request): Promise<Response> {
  const url = new URL(request.url);
  try {
    if (url.pathname === '/manifest') return new Response(await readFile(path.join(corpusDir, 'MANIFEST.tsv')));
    if (url.pathname === '/file') {
      const file = path.resolve(corpusDir, url.searchParams.get('path') ?? '');
      if (!file.startsWith(corpusDir + path.sep) || !(await stat(file)).isFile()) return new Response('not found', { status: 404 });
      return new Response(await readFile(file));
    }
  } catch {
    return new Response('not found', { status: 404 });
  }
  return new Response('not found', { status: 404 });
}

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(root, 'migrations'));
  const searchMigrations = await readD1Migrations(path.join(root, 'migrations-search'));
  const hasCorpus = await readdir(corpusDir).then(
    () => true,
    () => false,
  );
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            TEST_SEARCH_MIGRATIONS: searchMigrations,
            REPLY_TOKEN_KEY: 'test-reply-token-key',
            AUTH_MODE: 'open',
            HAS_CORPUS: hasCorpus ? 'yes' : 'no',
          },
          serviceBindings: { CORPUS: corpus },
        },
      }),
    ],
    test: {
      include: ['test/worker/**/*.test.ts'],
      setupFiles: ['test/worker/setup.ts'],
      testTimeout: 30_000,
    },
  };
});
