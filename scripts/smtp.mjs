// npm run smtp -- [--port 2525] [--url http://127.0.0.1:8787]
//
// A real SMTP server on 127.0.0.1 that hands every message to the running local Worker's email
// handler (wrangler dev's /cdn-cgi/handler/email), once per recipient, and answers with the
// Worker's verdict: 250 accepted, 550 5.7.1 <reason> when the Worker refuses it (setReject), 451
// 4.3.0 when the Worker is not there or fails (the client tries again later). No AUTH, no TLS:
// for this machine only.
import { commandOptions } from './lib/env.mjs';
import { MAX_SIZE, startBridge } from './lib/smtp-bridge.mjs';

const USAGE = `Usage: npm run smtp -- [--port 2525] [--url http://127.0.0.1:8787]

  --port <n>   where to listen on 127.0.0.1 (default 2525; 0 picks a free port)
  --url <url>  the running edgecase Worker (default http://127.0.0.1:8787, as started by npm start)
`;

const values = commandOptions(
  {
    port: { type: 'string', default: '2525' },
    url: { type: 'string', default: 'http://127.0.0.1:8787' },
  },
  USAGE,
);
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`--port: not a port number: ${values.port}\n`);
  process.exit(2);
}
let url;
try {
  url = new URL(values.url).toString().replace(/\/+$/, '');
} catch {
  process.stderr.write(`--url: not a URL: ${values.url}\n`);
  process.exit(2);
}

const stamp = () => new Date().toISOString().slice(11, 19);
let bridge;
try {
  bridge = await startBridge({ port, url, log: (line) => console.log(`${stamp()} ${line}`) });
} catch (err) {
  const hint = err.code === 'EADDRINUSE' ? ` (port ${port} is taken: pick another with --port)` : '';
  process.stderr.write(`Cannot listen on 127.0.0.1:${port}: ${err.message}${hint}\n`);
  process.exit(1);
}
console.log(`SMTP on 127.0.0.1:${bridge.port} (no auth, no TLS, up to ${MAX_SIZE / 1024 / 1024} MiB), delivering to ${url}/cdn-cgi/handler/email`);
try {
  const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) console.log(`warning: ${url}/api/health answered ${res.status}; is that edgecase?`);
} catch {
  console.log(`warning: nothing answers at ${url} yet: start it with \`npm start\`. Until then mail is answered 451 (try again later).`);
}

let closing = false;
const stop = async () => {
  if (closing) process.exit(1);
  closing = true;
  await bridge.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
