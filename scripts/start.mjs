// npm start: edgecase on this machine, with demo data. Everything is local: D1, R2 and the Durable
// Object live under .wrangler/, and mail sent by the Worker is captured there rather than delivered.
import { checkNode } from './lib/env.mjs';
import { buildWeb, ensureDevVars, migrateLocal, seedDemo, startWrangler, tickCron } from './lib/devserver.mjs';

checkNode();
const port = Number(process.env.PORT ?? 8787);
const vars = ensureDevVars();
if (vars.created) console.log('Created .dev.vars with a new reply-token key (local only).');
console.log('Building the web inbox…');
await buildWeb();
console.log('Applying migrations to the local D1 database…');
await migrateLocal();
const server = await startWrangler({ port });
const seed = await seedDemo(server.url);
const stopCron = tickCron(server.url, { onError: (err) => console.log(`scheduled run failed: ${err.message}`) });
console.log(`
  edgecase is running.

  Inbox        ${server.url}/
  API          ${server.url}/api/cases
  Mailbox      ${seed.mailbox} (demo agents: ${seed.agents.map((a) => `${a.name} <${a.email}>, ${a.role}`).join('; ')})

  Send it a message (the way Cloudflare Email Routing would):
    curl -X POST '${server.url}/cdn-cgi/handler/email?from=you@example.com&to=${seed.mailbox}' \\
      --data-binary $'From: You <you@example.com>\\r\\nTo: ${seed.mailbox}\\r\\nSubject: Hello\\r\\nMessage-ID: <hello-1@example.com>\\r\\n\\r\\nMy first case.\\r\\n'

  Or over SMTP: \`npm run smtp\` listens on 127.0.0.1:2525, and \`npm run demo:traffic\` sends it a
  steady stream of customer mail so the inbox keeps moving.

  The SLA sweep runs every minute, as the cron trigger does once deployed.

  Mail edgecase sends (acknowledgements, replies) is captured, not delivered: wrangler prints the
  file of each message below, and the inbox's "Sent mail" page lists them.

  Stop with Ctrl+C.
`);
const shutdown = async () => {
  stopCron();
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
const code = await server.exited;
process.exit(code ?? 0);
