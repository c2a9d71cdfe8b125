// The demo conversation `npm start` delivers through the real email handler. Fixed Message-IDs make
// it idempotent: starting again delivers duplicates, which the pipeline recognises and ignores.
export const MAILBOX = 'support@acme.test';

export function message({ from, subject, id, date, body, headers = {}, to = MAILBOX }) {
  const lines = [`From: ${from}`, `To: ${to}`, `Subject: ${subject}`, `Date: ${date}`, `Message-ID: <${id}>`, 'MIME-Version: 1.0', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  if (!headers['Content-Type']) lines.push('Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit');
  return `${lines.join('\r\n')}\r\n\r\n${body.replace(/\r?\n/g, '\r\n')}\r\n`;
}

export function demoMessages() {
  const out = [];
  const add = (envelopeFrom, fields) => out.push({ from: envelopeFrom, to: fields.to ?? MAILBOX, subject: fields.subject, raw: message(fields) });

  add('maria@example.com', {
    from: 'María Fernández <maria@example.com>',
    subject: 'Order #4411 arrived damaged',
    id: 'demo-1@example.com',
    date: 'Mon, 23 Nov 2026 08:12:00 +0100',
    headers: { Cc: 'Lars Berg <lars@example.com>' },
    body: 'Hello,\n\nthe lamp from order #4411 arrived with a cracked shade. Could you send a replacement?\n\nThanks,\nMaría',
  });
  add('maria@example.com', {
    from: 'María Fernández <maria@example.com>',
    subject: 'Re: Order #4411 arrived damaged',
    id: 'demo-2@example.com',
    date: 'Mon, 23 Nov 2026 08:40:00 +0100',
    headers: { 'In-Reply-To': '<demo-1@example.com>', References: '<demo-1@example.com>' },
    body: 'Forgot to say: the box itself was fine, so it probably broke before packing.\n\nMaría',
  });
  add('kenji@example.org', {
    from: 'Kenji Watanabe <kenji@example.org>',
    subject: 'Invoice address change',
    id: 'demo-3@example.org',
    date: 'Mon, 23 Nov 2026 09:05:00 +0900',
    headers: { 'Content-Type': 'multipart/mixed; boundary="demo-b"' },
    body: [
      '--demo-b',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Hi, our company moved. Please put the new address (attached) on future invoices.',
      '--demo-b',
      'Content-Type: text/plain; charset=utf-8; name="new-address.txt"',
      'Content-Disposition: attachment; filename="new-address.txt"',
      '',
      'Watanabe Trading KK, 1-2-3 Shibuya, Tokyo',
      '--demo-b--',
    ].join('\n'),
  });
  add('lars@example.com', {
    from: 'Lars Berg <lars@example.com>',
    subject: 'Automatic reply: Order #4411 arrived damaged',
    id: 'demo-4@example.com',
    date: 'Mon, 23 Nov 2026 08:13:00 +0100',
    headers: { 'Auto-Submitted': 'auto-replied', 'In-Reply-To': '<demo-1@example.com>' },
    body: 'I am out of the office until Monday.',
  });
  add('newsletter@example.net', {
    from: 'Example Weekly <newsletter@example.net>',
    subject: 'This week in widgets',
    id: 'demo-5@example.net',
    date: 'Mon, 23 Nov 2026 07:00:00 +0000',
    headers: { 'List-Id': '<weekly.example.net>', 'List-Unsubscribe': '<mailto:unsubscribe@example.net>', Precedence: 'bulk' },
    body: 'Ten widgets you should know about.',
  });
  // The case whose first response falls due a few minutes after start (the seed's finish step moves
  // it back in time: it has waited almost four business hours).
  add('priya@example.com', {
    from: 'Priya Raman <priya@example.com>',
    subject: 'Cannot log in after password reset',
    id: 'demo-6@example.com',
    date: 'Mon, 23 Nov 2026 10:02:00 +0530',
    body: 'Hi,\n\nI reset my password this morning and now the shop says my account is locked. I have an order to place today; could someone unlock it?\n\nPriya',
  });
  // Someone who is not part of María's case replies into it: held, not filed (quarantine view).
  add('sam@example.net', {
    from: 'Sam Okafor <sam@example.net>',
    subject: 'Re: Order #4411 arrived damaged',
    id: 'demo-7@example.net',
    date: 'Mon, 23 Nov 2026 09:31:00 +0100',
    headers: { 'In-Reply-To': '<demo-1@example.com>', References: '<demo-1@example.com>' },
    body: 'Hi, María forwarded me this thread. My lamp from the same batch is cracked too. Can you add me to the replacement and send me the tracking number?\n\nSam',
  });
  // A customer who mistyped their own address: the acknowledgement bounces (see demoBounce).
  add('tom@exmaple.com', {
    from: 'Tom Hughes <tom@exmaple.com>',
    subject: 'Exchange for a smaller size',
    id: 'demo-8@exmaple.com',
    date: 'Mon, 23 Nov 2026 11:20:00 +0000',
    body: 'Hello,\n\nthe rain jacket (order #4502) is too large. Can I exchange it for a size M?\n\nTom',
  });
  return out;
}

/** The header block of a raw message (up to the first empty line), with CRLF line ends. */
export function headerBlock(raw) {
  const text = raw.replace(/\r?\n/g, '\r\n');
  const end = text.indexOf('\r\n\r\n');
  return end < 0 ? text : text.slice(0, end + 2);
}

/**
 * An RFC 3464 delivery report, as a receiving mail server sends it back about a message that could
 * not be delivered: prose, the machine-readable status, and the headers of the original.
 */
export function deliveryReport({ id, date, mta = 'mx.example.net', recipient, status, diagnostic, prose, originalHeaders, to = MAILBOX }) {
  const boundary = `dsn-${id.replace(/[^a-z0-9]/gi, '').slice(0, 24)}`;
  const body = [
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    `This is the mail system at host ${mta}.`,
    '',
    "I'm sorry to have to inform you that your message could not be delivered to one or more recipients.",
    '',
    `<${recipient}>: ${prose}`,
    '',
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    `Reporting-MTA: dns; ${mta}`,
    `Arrival-Date: ${date}`,
    '',
    `Final-Recipient: rfc822; ${recipient}`,
    `Original-Recipient: rfc822;${recipient}`,
    'Action: failed',
    `Status: ${status}`,
    `Diagnostic-Code: smtp; ${diagnostic}`,
    '',
    `--${boundary}`,
    'Content-Type: text/rfc822-headers',
    '',
    headerBlock(originalHeaders).replace(/\r\n$/, ''),
    '',
    `--${boundary}--`,
  ].join('\n');
  return message({
    from: `Mail Delivery System <MAILER-DAEMON@${mta}>`,
    to,
    subject: 'Undelivered Mail Returned to Sender',
    id,
    date,
    headers: { 'Auto-Submitted': 'auto-replied', 'Content-Type': `multipart/report; report-type=delivery-status; boundary="${boundary}"` },
    body,
  });
}

/** The bounce of the demo's acknowledgement to tom@exmaple.com, given that acknowledgement. */
export function demoBounce(ackRaw) {
  const raw = deliveryReport({
    id: 'demo-9@mx.example.net',
    date: 'Mon, 23 Nov 2026 11:21:00 +0000',
    recipient: 'tom@exmaple.com',
    status: '5.1.2',
    diagnostic: '550 5.1.2 Host or domain name not found. Name service error for name=exmaple.com type=MX: Host not found',
    prose: 'Host or domain name not found. Name service error for name=exmaple.com type=MX: Host not found',
    originalHeaders: ackRaw,
  });
  return { from: 'MAILER-DAEMON@mx.example.net', to: MAILBOX, subject: 'Undelivered Mail Returned to Sender', raw };
}
