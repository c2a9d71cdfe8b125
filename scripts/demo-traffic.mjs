// npm run demo:traffic -- [--rate 20] [--count n] [--host 127.0.0.1] [--port 2525] [--url http://127.0.0.1:8787]
//
// Sends a steady stream of customer mail to the demo mailbox through the SMTP bridge (`npm run smtp`),
// so the inbox keeps moving: new questions from different customers, their replies to the
// acknowledgements edgecase sent them, now and then an out-of-office reply and a bounce. One line per
// message with the bridge's answer. Ctrl+C stops after the message under way.
import { createConnection } from 'node:net';
import { randomBytes } from 'node:crypto';
import { deliveryReport, MAILBOX, message } from './lib/demo-mail.mjs';
import { commandOptions } from './lib/env.mjs';

const USAGE = `Usage: npm run demo:traffic -- [--rate 20] [--count <n>] [--host 127.0.0.1] [--port 2525] [--url <worker>]

  --rate <n>    mails per minute (default 20)
  --count <n>   stop after n mails (default: until Ctrl+C)
  --host, --port  the SMTP bridge (default 127.0.0.1:2525, as started by npm run smtp)
  --url <url>   the running edgecase Worker, read for the acknowledgements customers reply to
                (default http://127.0.0.1:8787, as started by npm start)
`;

const values = commandOptions(
  {
    rate: { type: 'string', default: '20' },
    count: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '2525' },
    url: { type: 'string', default: 'http://127.0.0.1:8787' },
  },
  USAGE,
);
const fail = (text) => {
  process.stderr.write(`${text}\n`);
  process.exit(2);
};
const rate = Number(values.rate);
if (!Number.isFinite(rate) || rate <= 0 || rate > 6000) fail(`--rate: mails per minute, more than 0 and at most 6000: ${values.rate}`);
const count = values.count === undefined ? Infinity : Number(values.count);
if (!(count === Infinity || (Number.isInteger(count) && count > 0))) fail(`--count: a whole number above 0: ${values.count}`);
const port = Number(values.port);
if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`--port: not a port number: ${values.port}`);
const host = values.host;
let workerUrl;
try {
  workerUrl = new URL(values.url).toString().replace(/\/+$/, '');
} catch {
  fail(`--url: not a URL: ${values.url}`);
}

// ---------------------------------------------------------------------------------------------
// A small SMTP client: one connection per message, each command answered before the next.

class SmtpError extends Error {}

function smtpSession() {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port });
    socket.setEncoding('utf8');
    socket.setTimeout(60_000, () => socket.destroy(new SmtpError('the bridge stopped answering (60 s)')));
    let buffer = '';
    let waiting = null;
    const flush = () => {
      // A reply ends with a line "NNN text"; "NNN-text" lines continue it.
      const m = /(^|\r\n)(\d{3}) [^\r\n]*\r\n/.exec(buffer);
      if (!m || !waiting) return;
      const end = m.index + m[0].length;
      const reply = buffer.slice(0, end).trimEnd();
      buffer = buffer.slice(end);
      const w = waiting;
      waiting = null;
      w.resolve(reply.split('\r\n').pop());
    };
    const reply = () =>
      new Promise((res, rej) => {
        waiting = { resolve: res, reject: rej };
        flush();
      });
    socket.on('data', (d) => {
      buffer += d;
      flush();
    });
    socket.on('error', (err) => {
      if (waiting) waiting.reject(err);
      else reject(err);
    });
    socket.on('close', () => waiting?.reject(new SmtpError('the bridge closed the connection')));
    socket.once('connect', async () => {
      const cmd = (line) => {
        socket.write(`${line}\r\n`);
        return reply();
      };
      try {
        const greeting = await reply();
        if (!greeting.startsWith('220')) throw new SmtpError(`unexpected greeting: ${greeting}`);
        resolve({
          cmd,
          async data(raw) {
            const go = await cmd('DATA');
            if (!go.startsWith('354')) return go;
            // Dot-stuffing (RFC 5321 4.5.2), then the end-of-data line.
            const body = raw.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
            socket.write(`${body}${body.endsWith('\r\n') ? '' : '\r\n'}.\r\n`);
            return reply();
          },
          close() {
            socket.end();
          },
        });
      } catch (err) {
        socket.destroy();
        reject(err);
      }
    });
  });
}

/** Sends one message; answers the reply that decides it (the first refusal, or the answer to DATA). */
async function send({ envelopeFrom, raw }) {
  const s = await smtpSession();
  try {
    const steps = [
      ['EHLO demo-traffic.localhost', '250'],
      [`MAIL FROM:<${envelopeFrom}>`, '250'],
      [`RCPT TO:<${MAILBOX}>`, '250'],
    ];
    for (const [line, ok] of steps) {
      const r = await s.cmd(line);
      if (!r.startsWith(ok)) return r;
    }
    const verdict = await s.data(raw);
    await s.cmd('QUIT').catch(() => {});
    return verdict;
  } finally {
    s.close();
  }
}

// ---------------------------------------------------------------------------------------------
// What customers write

const CUSTOMERS = [
  ['Amara Nwosu', 'amara.nwosu@example.com'],
  ['Björn Lindqvist', 'bjorn@example.se'],
  ['Chloé Martin', 'chloe.martin@example.fr'],
  ['Diego Alvarez', 'diego@example.mx'],
  ['Elif Yılmaz', 'elif.yilmaz@example.com.tr'],
  ['Fatima Khan', 'fatima.k@example.co.uk'],
  ['Grace Liu', 'grace@example.ca'],
  ['Hiroshi Sato', 'h.sato@example.jp'],
  ['Ines Costa', 'ines.costa@example.pt'],
  ['Jonas Weber', 'jonas.weber@example.de'],
  ['Kofi Mensah', 'kofi@example.com.gh'],
  ['Lucía Romero', 'lucia.romero@example.es'],
];

const QUESTIONS = [
  ['Where is my order #{n}?', 'Hi,\n\nI ordered on {day} and the tracking page still says "label created". Could you check what is going on with order #{n}?\n\nThanks,\n{first}'],
  ['Wrong colour delivered (order #{n})', 'Hello,\n\nI ordered the blue one and received grey. Can I send it back and get the right colour?\n\n{first}'],
  ['Charged twice for order #{n}', 'Hi there,\n\nmy card statement shows two payments for the same order. Please refund one of them.\n\nRegards,\n{first}'],
  ['Question about the warranty', 'Hello,\n\nhow long is the warranty on the desk lamp, and does it cover the dimmer switch?\n\nBest,\n{first}'],
  ['Cannot apply discount code', 'Hi,\n\nthe code WINTER15 from your newsletter says "not valid" at checkout. Is it still running?\n\n{first}'],
  ['Change delivery address for #{n}', 'Hello,\n\nI will be away next week. Could you deliver order #{n} to my office instead? The address is in my account.\n\nThanks,\n{first}'],
  ['Invoice with VAT number', 'Hi,\n\nfor our bookkeeping I need the invoice for order #{n} with our company VAT number on it. Can you reissue it?\n\n{first}'],
  ['Missing part in the package', 'Hello,\n\nthe shelf arrived without the wall brackets. Could you send them separately?\n\nKind regards,\n{first}'],
  ['Do you ship to Norway?', 'Hi,\n\nI could not find Norway in the country list at checkout. Do you ship there, and what does it cost?\n\n{first}'],
  ['Cancel my order please', 'Hello,\n\nI ordered the same chair twice by mistake. Please cancel order #{n} if it has not shipped yet.\n\n{first}'],
];

const REPLIES = [
  'Thanks for the quick answer! One more thing: can you send the return label by email?',
  'I have attached nothing, sorry: the order number is #{n}. Does that help?',
  'Any news on this? I still have not heard back.',
  'Never mind the last part, I found it in my account. The main question still stands.',
  'Great, that works for me. Please go ahead.',
  'I just checked again and the problem is still there.',
];

const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'last weekend'];
const pick = (list) => list[Math.floor(Math.random() * list.length)];
const fill = (text, vars) => text.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ''));
const run = randomBytes(4).toString('hex');
let serial = 0;
const nextId = (domain) => `traffic-${run}-${++serial}@${domain}`;
const domainOf = (email) => email.slice(email.indexOf('@') + 1);

/** Conversations this run started: { name, email, subject, ids: Message-IDs of the thread so far }. */
const threads = [];

/** The acknowledgement edgecase sent for a thread, when the Worker can be asked (/api/dev/outbox). */
async function acknowledgementOf(thread) {
  try {
    const res = await fetch(`${workerUrl}/api/dev/outbox`, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) return null;
    const { items } = await res.json();
    const ack = items.find((i) => i.kind === 'ack-create' && i.recipients.some((r) => r.recipient === thread.email) && i.subject.includes(thread.subject));
    if (!ack) return null;
    const raw = await (await fetch(`${workerUrl}${ack.rawUrl}`, { signal: AbortSignal.timeout(5000) })).text();
    const messageId = /^Message-ID:\s*<([^>]+)>/im.exec(raw)?.[1] ?? null;
    const references = (/^References:\s*((?:.*\r?\n[ \t].*)*.*)$/im.exec(raw)?.[1] ?? '').match(/<[^>]+>/g) ?? [];
    return { subject: ack.subject, messageId, references: references.map((r) => r.slice(1, -1)), raw };
  } catch {
    return null;
  }
}

function newQuestion() {
  const [name, email] = pick(CUSTOMERS);
  const [subjectT, bodyT] = pick(QUESTIONS);
  const vars = { n: 4000 + Math.floor(Math.random() * 6000), day: pick(DAYS), first: name.split(' ')[0] };
  const subject = fill(subjectT, vars);
  const id = nextId(domainOf(email));
  threads.push({ name, email, subject, vars, ids: [id], acked: null });
  if (threads.length > 50) threads.shift();
  return { kind: 'new question', envelopeFrom: email, subject, raw: message({ from: `${name} <${email}>`, subject, id, date: new Date().toUTCString(), body: fill(bodyT, vars) }) };
}

async function reply() {
  const t = pick(threads);
  t.acked ??= await acknowledgementOf(t);
  // A mail client answers the newest message it has: the acknowledgement when it came, with its
  // [#n] subject tag; otherwise the customer follows up on their own message.
  const parentIds = t.acked?.messageId ? [...t.ids, ...t.acked.references, t.acked.messageId] : t.ids;
  const parent = parentIds[parentIds.length - 1];
  const subject = `Re: ${t.acked?.subject ?? t.subject}`.replace(/^(Re: )+/i, 'Re: ');
  const id = nextId(domainOf(t.email));
  const raw = message({
    from: `${t.name} <${t.email}>`,
    subject,
    id,
    date: new Date().toUTCString(),
    headers: { 'In-Reply-To': `<${parent}>`, References: [...new Set(parentIds)].map((x) => `<${x}>`).join(' ') },
    body: `${fill(pick(REPLIES), t.vars)}\n\n${t.vars.first}`,
  });
  t.ids.push(id);
  return { kind: t.acked ? 'reply to ack' : 'follow-up', envelopeFrom: t.email, subject, raw };
}

function outOfOffice() {
  const t = pick(threads);
  const parent = t.acked?.messageId ?? t.ids[t.ids.length - 1];
  const subject = `Automatic reply: ${t.acked?.subject ?? t.subject}`;
  const raw = message({
    from: `${t.name} <${t.email}>`,
    subject,
    id: nextId(domainOf(t.email)),
    date: new Date().toUTCString(),
    headers: { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All', 'In-Reply-To': `<${parent}>` },
    body: `Thank you for your message. I am out of the office until ${pick(DAYS.slice(0, 5))} with limited access to email.\n\n${t.name}`,
  });
  return { kind: 'out-of-office', envelopeFrom: t.email, subject, raw };
}

async function bounce() {
  const candidates = threads.filter((t) => t.acked?.raw);
  if (candidates.length === 0) return null;
  const t = pick(candidates);
  const mta = `mx.${domainOf(t.email)}`;
  const full = Math.random() < 0.5;
  const raw = deliveryReport({
    id: nextId(mta),
    date: new Date().toUTCString(),
    mta,
    recipient: t.email,
    status: full ? '5.2.2' : '5.1.1',
    diagnostic: full ? `552 5.2.2 <${t.email}>: mailbox full` : `550 5.1.1 <${t.email}>: Recipient address rejected: User unknown`,
    prose: full ? 'mailbox full' : 'host said: 550 5.1.1 User unknown',
    originalHeaders: t.acked.raw,
  });
  threads.splice(threads.indexOf(t), 1);
  // The null sender, as RFC 5321 6.1 has it for delivery reports.
  return { kind: 'bounce', envelopeFrom: '', subject: `Undelivered Mail Returned to Sender (${t.email})`, raw };
}

async function nextMail() {
  const roll = Math.random();
  if (threads.length >= 3) {
    if (roll < 0.08) {
      const b = await bounce();
      if (b) return b;
    } else if (roll < 0.18) return outOfOffice();
    else if (roll < 0.5) return reply();
  }
  return newQuestion();
}

// ---------------------------------------------------------------------------------------------

const stamp = () => new Date().toISOString().slice(11, 19);
const tally = { accepted: 0, refused: 0, deferred: 0 };
let stopping = false;
let wake = null;
process.on('SIGINT', () => {
  if (stopping) process.exit(130);
  stopping = true;
  process.stdout.write('\nStopping after this message (Ctrl+C again to quit at once)…\n');
  wake?.();
});

const gapMs = 60_000 / rate;
console.log(`Sending ${count === Infinity ? 'mail' : `${count} mail${count === 1 ? '' : 's'}`} to ${MAILBOX} through ${host}:${port}, ${rate} a minute. Ctrl+C stops.`);
let sent = 0;
let hinted = false;
const started = Date.now();
while (sent < count && !stopping) {
  const mail = await nextMail();
  let verdict;
  try {
    verdict = await send(mail);
  } catch (err) {
    if (sent === 0 && (err.code === 'ECONNREFUSED' || err.code === 'ECONNRESET')) {
      process.stderr.write(
        `No SMTP bridge answers at ${host}:${port} (${err.code}).\n` +
          'Start it with `npm run smtp` in another terminal. It hands mail to edgecase itself, which\n' +
          '`npm start` runs (at http://127.0.0.1:8787 by default): start that first, then the bridge, then this.\n',
      );
      process.exit(1);
    }
    verdict = `failed: ${err.message}`;
  }
  sent++;
  const code = verdict.slice(0, 1);
  if (code === '2') tally.accepted++;
  else if (code === '5') tally.refused++;
  else tally.deferred++;
  console.log(`${stamp()} ${String(sent).padStart(4)}  ${mail.kind.padEnd(13)} from=<${mail.envelopeFrom}> "${mail.subject}" → ${verdict}`);
  if (code === '4' && !hinted) {
    hinted = true;
    console.log('      (4xx: the bridge could not hand the mail to edgecase. Is `npm start` running?)');
  }
  if (sent >= count || stopping) break;
  // Paced from the start, so slow answers do not lower the rate; a little jitter looks less robotic.
  const due = started + sent * gapMs * (0.8 + Math.random() * 0.4);
  const wait = Math.max(0, due - Date.now());
  if (wait > 0) await new Promise((r) => ((wake = r), setTimeout(r, wait)));
}
console.log(`Sent ${sent}: ${tally.accepted} accepted, ${tally.refused} refused, ${tally.deferred} deferred or failed.`);
process.exit(tally.accepted === sent ? 0 : 1);
