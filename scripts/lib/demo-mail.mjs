// The demo conversation `npm start` delivers through the real email handler. Fixed Message-IDs make
// it idempotent: starting again delivers duplicates, which the pipeline recognises and ignores.
const MAILBOX = 'support@acme.test';

function message({ from, subject, id, date, body, headers = {}, to = MAILBOX }) {
  const lines = [
    `From: ${from}`,
    `To: ${to}`,
    `Subject: ${subject}`,
    `Date: ${date}`,
    `Message-ID: <${id}>`,
    'MIME-Version: 1.0',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
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
  return out;
}
