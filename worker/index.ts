// The switchboard: each entry point hands off to its module. No logic lives here.
import { makeDeps } from './deps.ts';
import { createApp } from './http/app.ts';
import { receiveEmail } from './ingest/receive.ts';
import { runScheduled } from './scheduled.ts';

export { InboxHub } from './realtime/hub.ts';

const app = createApp();

export default {
  fetch: app.fetch,
  async email(message, env, ctx) {
    await receiveEmail(message, makeDeps(env, ctx));
  },
  async scheduled(controller, env, ctx) {
    await runScheduled(makeDeps(env, ctx), controller.scheduledTime);
  },
} satisfies ExportedHandler<Env>;
