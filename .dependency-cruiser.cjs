// Import rules, checked by `npm run check` (depcruise worker web/src scripts test).
// Only imports that remain at run time count (tsPreCompilationDeps: false): a pure module may name
// a schema type; it may not load the database client.

/** Modules that decide without touching the runtime: no D1, no drizzle, no cloudflare:*. */
const pure = [
  '^worker/ingest/(plan|classify|decide|thread|analyze|parse|prescan|text|bounce|limits)[.]ts$',
  '^worker/sla/transition[.]ts$',
  '^worker/mail/stage[.]ts$',
  '^worker/mail/subject[.]ts$',
  '^worker/changes/change[.]ts$',
  '^worker/cases/plan[.]ts$',
];

const { builtinModules } = require('node:module');

/** Code that needs Node: never bundled into the Worker. Node's own modules resolve to their bare names (fs, not node:fs). */
const nodeOnly = ['^worker/ingest/(explain|corpus)[.]ts$', `^(node:)?(${builtinModules.join('|')})$`];

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules import each other in one direction only.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'protocol-is-a-leaf',
      severity: 'error',
      comment: 'worker/protocol is shared with the web app: it imports only itself and npm packages.',
      from: { path: '^worker/protocol/' },
      to: { pathNot: ['^worker/protocol/', '^node_modules/'] },
    },
    {
      name: 'web-uses-only-the-protocol',
      severity: 'error',
      comment: 'The web app may import from worker/ only worker/protocol.',
      from: { path: '^web/src/' },
      to: { path: '^worker/', pathNot: '^worker/protocol/' },
    },
    {
      name: 'pure-modules-stay-pure',
      severity: 'error',
      comment: 'Pure modules load neither cloudflare:*, drizzle-orm nor the D1 client, directly or through what they import.',
      from: { path: pure },
      to: { path: ['^cloudflare:', '^node_modules/drizzle-orm/', '^worker/db/client[.]ts$'], reachable: true },
    },
    {
      name: 'routes-go-through-queries',
      severity: 'error',
      comment: 'HTTP routes reach the database through worker/db/queries and the domain modules, not drizzle-orm or the schema.',
      from: { path: '^worker/http/routes/' },
      to: { path: ['^node_modules/drizzle-orm/', '^worker/db/schema([.]ts$|/)'] },
    },
    {
      name: 'no-node-in-the-worker',
      severity: 'error',
      comment: 'Node-only code (the explain and corpus tools, node:* modules) is not reachable from the Worker entry.',
      from: { path: '^worker/index[.]ts$' },
      to: { path: nodeOnly, reachable: true },
    },
    {
      name: 'no-bench-in-the-worker',
      severity: 'error',
      comment: 'The bench Worker (publish-only baseline, counted D1 calls) wraps the deployed Worker; the deployed Worker never reaches it.',
      from: { path: '^worker/index[.]ts$' },
      to: { path: '^worker/bench/', reachable: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'Every import resolves to a file or a package.',
      from: {},
      to: { couldNotResolve: true, pathNot: '^cloudflare:' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^web/dist/', '^[.]wrangler/'] },
    tsPreCompilationDeps: false,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.mts', '.mjs', '.js', '.json', '.d.ts'],
    },
    skipAnalysisNotInRules: true,
  },
};
