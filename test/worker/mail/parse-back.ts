// Reads composed mail back with postal-mime, bounded like the ingest side, for the mail tests.
import PostalMime from 'postal-mime';
import type { Email } from 'postal-mime';

export async function parseBack(raw: string): Promise<Email> {
  return PostalMime.parse(raw, { maxNestingDepth: 20, maxHeadersSize: 256 * 1024, maxRfc822NestingDepth: 0, attachmentEncoding: 'arraybuffer' });
}

/** Lower-case names of every top-level header. */
export function headerNames(email: Email): string[] {
  return email.headers.map((h) => h.key);
}

export function header(email: Email, name: string): string | undefined {
  return email.headers.find((h) => h.key === name.toLowerCase())?.value;
}

export function bytesOf(content: ArrayBuffer | Uint8Array | string): Uint8Array {
  if (typeof content === 'string') return new TextEncoder().encode(content);
  return content instanceof Uint8Array ? content : new Uint8Array(content);
}

/** The header block of a raw message (up to the first empty line). */
export function headerBlock(raw: string): string {
  return raw.slice(0, raw.indexOf('\r\n\r\n'));
}
