// The bench Worker: the edgecase Worker as deployed, plus two instruments `npm run bench` starts it
// with (`wrangler dev worker/bench/index.ts`). Nothing here is part of the deployed bundle.
//   DIAGNOSTIC_EMAIL=publish-only  the email handler only publishes an event: the baseline of the
//                                  latency and CPU figures (see diagnostic.ts).
//   BENCH_COUNT_D1=on              every email's D1 round trips are recorded, and listed, newest
//                                  last, at GET /api/bench/d1-calls.
import worker from '../index.ts';
import { makeDeps } from '../deps.ts';
import { countingD1, type D1Call } from './d1-count.ts';
import { publishOnly } from './diagnostic.ts';

export { InboxHub } from '../realtime/hub.ts';

interface BenchEnv extends Env {
  BENCH_COUNT_D1?: string;
}

/** The D1 calls of the last emails, one entry each (the work in the background included as it happens). */
const recorded: Array<{ from: string; to: string; calls: D1Call[] }> = [];
const KEEP = 100;

export default {
  async fetch(request, env, ctx) {
    if (env.BENCH_COUNT_D1 === 'on' && new URL(request.url).pathname === '/api/bench/d1-calls') return Response.json({ items: recorded });
    return worker.fetch(request, env, ctx);
  },
  async email(message, env, ctx) {
    if (env.DIAGNOSTIC_EMAIL === 'publish-only') return publishOnly(message, makeDeps(env, ctx), env.DIAGNOSTIC_WORKSPACE ?? '');
    if (env.BENCH_COUNT_D1 !== 'on') return worker.email(message, env, ctx);
    const entry = { from: message.from, to: message.to, calls: [] as D1Call[] };
    recorded.push(entry);
    if (recorded.length > KEEP) recorded.shift();
    return worker.email(message, { ...env, DB: countingD1(env.DB, entry.calls) }, ctx);
  },
  scheduled: worker.scheduled,
} satisfies ExportedHandler<BenchEnv>;
