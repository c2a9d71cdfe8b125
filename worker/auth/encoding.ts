// Byte helpers for tokens and hashes. Plain functions over Uint8Array so they run in workerd, in
// Node and in the browser alike (no Buffer).

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** Throws on anything that is not base64 (atob's own check). */
export function base64ToBytes(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export function bytesToBase64Url(bytes: Uint8Array): string {
  return bytesToBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** RFC 4648 §5 without padding, as JWTs use it. Throws on characters outside the alphabet. */
export function base64UrlToBytes(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('not base64url');
  const std = text.replace(/-/g, '+').replace(/_/g, '/');
  return base64ToBytes(std + '='.repeat((4 - (std.length % 4)) % 4));
}

export function utf8(text: string): Uint8Array<ArrayBuffer> {
  // Copied so the type says ArrayBuffer (what WebCrypto's BufferSource wants), not ArrayBufferLike.
  return new Uint8Array(new TextEncoder().encode(text));
}

/**
 * Compares in time that depends only on the length, so a mismatch position never leaks. (Workers has
 * crypto.subtle.timingSafeEqual, Node does not; this file runs in both.)
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export async function sha256Base64Url(text: string): Promise<string> {
  return bytesToBase64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(text))));
}
