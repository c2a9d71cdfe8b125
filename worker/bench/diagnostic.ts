// A diagnostic email handler for the latency benchmark's baseline: it publishes an event for each
// message and stores nothing, so `npm run bench` can tell the cost of our pipeline from the cost of
// the path around it (the local email trigger, the Worker, the Durable Object, the socket). Enabled
// only in the bench Worker (worker/bench/index.ts), by DIAGNOSTIC_EMAIL=publish-only.
import type { Deps } from '../deps.ts';
import type { IncomingEmail } from '../ingest/receive.ts';
import { headerValue, prescan } from '../ingest/prescan.ts';

export async function publishOnly(message: IncomingEmail, deps: Deps, workspaceId: string): Promise<void> {
  const bytes = new Uint8Array(await new Response(message.raw).arrayBuffer());
  const subject = headerValue(prescan(bytes).headers, 'subject') ?? '';
  await deps.hub.publish(workspaceId, [{ type: 'inbound.held', seq: 0, at: deps.now(), caseId: null, inboundId: 'diagnostic', status: 'received', reason: `diagnostic:${subject}` }]);
}
