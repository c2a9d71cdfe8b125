// npm start: edgecase on this machine, with demo data. Everything is local: D1, R2 and the Durable
// Object live under .wrangler/, and mail sent by the Worker is captured there rather than delivered.
// Seeding works whatever AUTH_MODE .dev.vars sets; a start that fails stops what it started.
import { checkNode } from './lib/env.mjs';
import { ensureDevVars, startLocal, tickCron } from './lib/devserver.mjs';

checkNode();
const port = Number(process.env.PORT ?? 8787);
const vars = ensureDevVars();
if (vars.created) console.log('Created .dev.vars with a new reply-token key (local only).');

let started;
try {
  started = await startLocal({ port });
} catch (err) {
  console.error(`\nnpm start failed: ${err.message}\nNothing is left running.`);
  process.exit(1);
}
const { server, seed, demoPassword } = started;
const stopCron = tickCron(server.url, { onError: (err) => console.log(`scheduled run failed: ${err.message}`) });

/** How to get in, by the mode the Worker runs in. */
function signingIn() {
  const agents = seed.agents.map((a) => `${a.name} <${a.email}>, ${a.role}`).join('; ');
  switch (seed.authMode) {
    case 'password':
      return `Sign in      AUTH_MODE=password: ${seed.agents.map((a) => a.email).join(' or ')}, password ${demoPassword}
               (the demo password, unless an admin changed it on the Agents page)`;
    case 'access':
      return `Sign in      AUTH_MODE=access: through Cloudflare Access (ACCESS_TEAM_DOMAIN, ACCESS_AUD) as one of ${agents}`;
    case 'open':
      return `Sign in      none (AUTH_MODE=open): each browser is one of the demo agents (${agents});
               a private window or another browser profile is the next one`;
    default:
      return `Sign in      AUTH_MODE is not set to a mode; set access, password or open in .dev.vars`;
  }
}

console.log(`
  edgecase is running.

  Inbox        ${server.url}/
  API          ${server.url}/api/cases
  Mailbox      ${seed.mailbox}
  ${signingIn()}

  Send it a message (the way Cloudflare Email Routing would):
    curl -X POST '${server.url}/cdn-cgi/handler/email?from=you@example.com&to=${seed.mailbox}' \\
      --data-binary $'From: You <you@example.com>\\r\\nTo: ${seed.mailbox}\\r\\nSubject: Hello\\r\\nMessage-ID: <hello-1@example.com>\\r\\n\\r\\nMy first case.\\r\\n'
  (A "+" in an address in that URL is written %2B: to=support%2Bbilling@acme.test.)

  Or over SMTP: \`npm run smtp\` listens on 127.0.0.1:2525, and \`npm run demo:traffic\` sends it a
  steady stream of customer mail so the inbox keeps moving.

  The SLA sweep runs every minute, as the cron trigger does once deployed.

  Mail edgecase sends (acknowledgements, replies) is captured, not delivered: wrangler prints the
  file of each message below, and in local mode the inbox's "Sent mail" page lists them.

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
stopCron();
await server.stop();
process.exit(code ?? 0);
