// npm run search:rebuild [-- --persist-to <dir>]
// Rebuilds the full-text index (the SEARCH database) of the local dev databases from the main one
// (DB): empties it, then writes every case again the way a commit would. For a deployed Worker, an
// admin calls POST /api/search/rebuild instead.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type ForwardedD1, openLocalState, root } from './lib/local-d1.ts';

/** The Worker's own rebuild, loaded at run time: its modules are typed against the Workers runtime, not Node. */
interface RebuildModules {
  makeDb(d1: ForwardedD1): unknown;
  rebuildSearch(db: unknown, search: ForwardedD1, onPage?: (cases: number) => void): Promise<number>;
}

async function modules(): Promise<RebuildModules> {
  const load = (file: string) => import(pathToFileURL(path.join(root, file)).href);
  const [client, sync] = await Promise.all([load('worker/db/client.ts'), load('worker/search/sync.ts')]);
  return { makeDb: client.makeDb, rebuildSearch: sync.rebuildSearch };
}

const USAGE = `usage: npm run search:rebuild [-- --persist-to <dir>]

  --persist-to <dir>  the wrangler state folder (default .wrangler/state, npm start's)
  -h, --help          this text`;

async function main(argv: string[]): Promise<number> {
  let state = path.join(root, '.wrangler', 'state');
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') {
      console.log(USAGE);
      return 0;
    }
    if (a === '--persist-to' && argv[i + 1]) state = path.resolve(argv[++i]!);
    else {
      console.error(`unknown argument ${a}\n${USAGE}`);
      return 2;
    }
  }
  const { makeDb, rebuildSearch } = await modules();
  const local = await openLocalState(state);
  try {
    const t0 = performance.now();
    const total = await rebuildSearch(makeDb(local.DB), local.SEARCH, (n) => process.stdout.write(`\r${n} cases`));
    console.log(`\rsearch index rebuilt: ${total} case(s) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return 0;
  } finally {
    await local.dispose();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
