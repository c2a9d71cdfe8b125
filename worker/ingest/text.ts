// Small text helpers shared by the ingest stages. Pure.
import { decodeHTML } from 'entities/decode';

// C0 controls other than tab, LF and CR (and DEL) never belong in stored text: a NUL in particular
// truncates strings in some SQLite clients and terminals.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

export function cleanText(value: string | null | undefined): string {
  return (value ?? '').replace(CONTROL, '');
}

/** A header value on one line: controls and line breaks become spaces, runs of space collapse. */
export function cleanLine(value: string | null | undefined, max = 998): string {
  return cleanText(value)
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim()
    .slice(0, max);
}

export function normalizeEmail(address: string | null | undefined): string {
  return cleanLine(address).replace(/^<|>$/g, '').toLowerCase();
}

/** Message-IDs as they appear in Message-ID, In-Reply-To and References: bare, in order, unique. */
export function extractMessageIds(value: string | null | undefined): string[] {
  if (!value) return [];
  const out: string[] = [];
  const bracketed = value.match(/<[^<>\s]+>/g);
  const raw = bracketed ? bracketed.map((s) => s.slice(1, -1)) : value.split(/[\s,]+/);
  for (const id of raw) {
    const clean = cleanLine(id, 400);
    if (clean?.includes('@') && !out.includes(clean)) out.push(clean);
  }
  return out;
}

/** Plain text from HTML for previews and for mail that has no text part. Not a sanitizer. */
export function htmlToText(html: string): string {
  const text = html
    .replace(/<(script|style|head)[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|tr|li|h[1-6]|blockquote)\s*>/gi, '\n')
    .replace(/<[^>]*>/g, '');
  // Entities after the tags are gone, so an escaped `&lt;b&gt;` stays text. Every named entity of
  // HTML (the legacy ones without a semicolon too, as browsers read them in text), decimal and hex,
  // with the spec's replacements for the C1 range and invalid code points.
  return cleanText(decodeHTML(text))
    .replace(/\u00a0/g, ' ')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
