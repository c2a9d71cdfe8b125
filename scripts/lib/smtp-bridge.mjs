// A local SMTP server in front of the running Worker's email handler: every message it receives is
// POSTed to wrangler's local endpoint, once per recipient, the way Email Routing calls the Worker, and
// the Worker's answer becomes the SMTP reply. For trying edgecase with a real mail client or MTA;
// no AUTH, no TLS, loopback only.
import { SMTPServer } from 'smtp-server';

/** Email Routing's limit, and the local handler's (it refuses bigger bodies). */
export const MAX_SIZE = 25 * 1024 * 1024;

/**
 * The local handler needs a `from`; a bounce has none (MAIL FROM:<>). This stands in for the null
 * sender, the way mail systems name it: the Worker reads mailer-daemon senders as bounces too.
 */
export const NULL_SENDER = 'MAILER-DAEMON@localhost';

// wrangler 4.x (miniflare's core entry worker), without ?format=json: 200 "Worker successfully
// processed email"; after setReject 400 "Worker rejected email with the following reason: <reason>";
// other 400s are the local handler refusing the request itself (no Message-ID, unparsable, over 25
// MiB); when the Worker throws, the error propagates and the answer is a 500.
const REJECTED = /^Worker rejected email with the following reason: ?/;

function oneLine(text, max = 300) {
  const line = String(text).replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/**
 * What the Worker made of one message for one recipient:
 *   { kind: 'accepted' } | { kind: 'rejected', code, reply } | { kind: 'temporary', reply }
 */
export async function deliverToWorker(url, raw, { from, to }, timeoutMs = 60_000) {
  const q = new URLSearchParams({ from, to });
  let res;
  let body;
  try {
    res = await fetch(`${url}/cdn-cgi/handler/email?${q}`, { method: 'POST', body: raw, signal: AbortSignal.timeout(timeoutMs) });
    body = await res.text();
  } catch (err) {
    const why = err?.name === 'TimeoutError' ? 'no answer in time' : (err?.cause?.code ?? err?.cause?.message ?? err?.message);
    return { kind: 'temporary', reply: `4.3.0 edgecase at ${url} is not reachable (${why}); try again later` };
  }
  if (res.status >= 200 && res.status < 300) return { kind: 'accepted' };
  if (res.status >= 400 && res.status < 500) {
    if (REJECTED.test(body)) return { kind: 'rejected', code: 550, reply: `5.7.1 ${oneLine(body.replace(REJECTED, '')) || 'rejected'}` };
    // The local handler refused the request before the Worker saw it.
    return { kind: 'rejected', code: 554, reply: `5.6.0 ${oneLine(body) || `refused (${res.status})`}` };
  }
  // The Worker threw (its storage failed, say): Email Routing would tell the sender to try later.
  const first = oneLine(body.split('\n').find((l) => l.trim()) ?? '', 200);
  return { kind: 'temporary', reply: `4.3.0 the Worker failed (${res.status}${first ? `: ${first}` : ''}); try again later` };
}

function smtpError(code, reply) {
  const err = new Error(reply);
  err.responseCode = code;
  return err;
}

function size(n) {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * Starts the bridge on host:port (port 0: any free one). `log` gets one line per message.
 * Returns { port, close() }.
 */
export async function startBridge({ port = 2525, host = '127.0.0.1', url, log = (line) => console.log(line) }) {
  const server = new SMTPServer({
    name: 'edgecase.localhost',
    banner: 'edgecase local SMTP, delivering to the Worker',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: MAX_SIZE,
    // Replies carry our own enhanced codes (550 5.7.1 …), so smtp-server must not add its own.
    hideENHANCEDSTATUSCODES: true,
    logger: false,
    // Loopback only: no DNS look-up of the client's name.
    disableReverseLookup: true,
    // Stopping waits this long for open connections before it closes them.
    closeTimeout: 2000,
    onData(stream, session, callback) {
      const chunks = [];
      stream.on('data', (chunk) => {
        if (!stream.sizeExceeded) chunks.push(chunk);
      });
      stream.on('error', (err) => callback(err));
      stream.on('end', () => {
        handle(session, stream.sizeExceeded ? null : Buffer.concat(chunks), stream.byteLength ?? 0).then(
          (reply) => callback(null, reply),
          (err) => callback(err),
        );
      });
    },
  });

  async function handle(session, raw, bytes) {
    const mailFrom = session.envelope.mailFrom?.address ?? '';
    const from = mailFrom || NULL_SENDER;
    const rcpts = session.envelope.rcptTo.map((r) => r.address);
    const head = `from=<${mailFrom}> to=${rcpts.map((r) => `<${r}>`).join(',')} size=${size(raw?.length ?? bytes)}`;
    if (!raw) {
      log(`${head}: 552 too large`);
      throw smtpError(552, `5.3.4 message too large: ${size(bytes)}, the limit is ${size(MAX_SIZE)}`);
    }
    // One call per recipient, as Email Routing makes one per address it routes to the Worker.
    const results = [];
    for (const to of rcpts) results.push({ to, ...(await deliverToWorker(url, raw, { from, to })) });
    const accepted = results.filter((r) => r.kind === 'accepted');
    const temporary = results.filter((r) => r.kind === 'temporary');
    const rejected = results.filter((r) => r.kind === 'rejected');
    const verdicts = results.map((r) => (r.kind === 'accepted' ? `250 accepted <${r.to}>` : `${r.kind === 'temporary' ? 451 : r.code} ${r.reply} <${r.to}>`));
    log(`${head}: ${verdicts.join('; ')}`);
    // SMTP has one reply for the whole message. A temporary failure for anyone asks the client to
    // send it all again, which is safe: the Worker recognises the copies it already took.
    if (temporary.length) throw smtpError(451, temporary[0].reply);
    if (!accepted.length) {
      const first = rejected[0];
      const reply = rejected.length === 1 ? first.reply : `${first.reply.split(' ')[0]} ${rejected.map((r) => `<${r.to}> ${r.reply.replace(/^\S+ /, '')}`).join('; ')}`;
      throw smtpError(first.code, reply);
    }
    const refused = rejected.length ? `; refused for ${rejected.map((r) => `<${r.to}> (${r.reply.replace(/^\S+ /, '')})`).join(', ')}` : '';
    return `2.0.0 delivered to ${accepted.map((r) => `<${r.to}>`).join(', ')}${refused}`;
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => log(`smtp error: ${err.message}`));
  return {
    port: server.server.address().port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
