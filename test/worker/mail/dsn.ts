// Delivery reports as receiving servers write them (RFC 3464), for the tests of what a bounce does.
import { DEMO } from '../helpers.ts';

/** An RFC 3464 report refusing `recipient`, quoting the original's headers. */
export function dsn(recipient: string, originalHeaders: string[], status = '5.1.1', diagnostic = '550 5.1.1 user unknown'): string {
  return [
    'From: Mail Delivery System <MAILER-DAEMON@mx.example.com>',
    `To: ${DEMO.mailbox}`,
    'Subject: Undelivered Mail Returned to Sender',
    `Message-ID: <${crypto.randomUUID()}@mx.example.com>`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="r"',
    '',
    '--r',
    'Content-Type: text/plain',
    '',
    'I could not deliver your message.',
    '--r',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.com',
    '',
    `Final-Recipient: rfc822; ${recipient}`,
    'Action: failed',
    `Status: ${status}`,
    `Diagnostic-Code: smtp; ${diagnostic}`,
    '',
    '--r',
    'Content-Type: text/rfc822-headers',
    '',
    ...originalHeaders,
    '--r--',
    '',
  ].join('\r\n');
}
