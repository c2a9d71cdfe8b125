// Peak memory of ingesting one 24 MiB message with one large attachment, divided by the message size.
// Run in a fresh process (see scripts/bench.mjs) so the peak RSS belongs to this work alone.
import { analyze } from '../../worker/ingest/analyze.ts';
import { idempotencyKey } from '../../worker/ingest/dedupe.ts';
import { prescan } from '../../worker/ingest/prescan.ts';

function bigMessage(total: number): Uint8Array {
  const head =
    'From: Big <big@example.com>\r\nTo: support@acme.test\r\nSubject: big attachment\r\nMessage-ID: <big-1@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n--B\r\nContent-Type: application/octet-stream; name="data.bin"\r\nContent-Disposition: attachment; filename="data.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n';
  const tail = '\r\n--B--\r\n';
  const lines = Math.floor((total - head.length - tail.length) / 78);
  const line = 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\r\n';
  const out = new Uint8Array(head.length + lines * 78 + tail.length);
  const enc = new TextEncoder();
  out.set(enc.encode(head), 0);
  const l = enc.encode(line);
  for (let i = 0; i < lines; i++) out.set(l, head.length + i * 78);
  out.set(enc.encode(tail), head.length + lines * 78);
  return out;
}

const raw = bigMessage(24 * 1024 * 1024);
globalThis.gc?.();
const before = process.memoryUsage().rss;
const beforePeak = process.resourceUsage().maxRSS * 1024;
const a = await analyze({ raw, envelopeFrom: 'big@example.com', recipient: 'support@acme.test', ownAddresses: ['support@acme.test'] });
await idempotencyKey(prescan(raw), raw, 'big@example.com');
if (!a.ok || a.mail.attachments.length !== 1) throw new Error('the big message did not parse as expected');
const peak = process.resourceUsage().maxRSS * 1024;
// Growth of the peak over what the process held with the raw message already in memory.
const grew = Math.max(0, peak - Math.max(before, beforePeak));
console.log(JSON.stringify({ size: raw.byteLength, peakGrowth: grew, ratio: grew / raw.byteLength }));
