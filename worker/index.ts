// The switchboard: each entry point hands off to its module. No logic lives here.
import { makeDeps } from './deps.ts';
import { createApp } from './http/app.ts';
import { receiveEmail } from './ingest/receive.ts';
import { runScheduled } from './scheduled.ts';

export { InboxHub } from './realtime/hub.ts';

const app = createApp();

export default {
  fetch: app.fetch,
  async email(message, env) {
    await receiveEmail(message, makeDeps(env));
  },
  async scheduled(controller, env) {
    await runScheduled(makeDeps(env), controller.scheduledTime);
  },
} satisfies ExportedHandler<Env>;
