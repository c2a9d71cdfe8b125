// transfer: the byte-level helpers recode.ts reads mail with: bytes as Latin-1 characters and back,
// joining byte arrays, and the base64 and quoted-printable content transfer decodings. Pure.

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const TAB = 0x09;

/** Bytes as the characters U+0000–U+00FF, one each (TextDecoder's "latin1" is windows-1252). */
export function binary(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return out;
}

export function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

export function concat(parts: Uint8Array[], max = Number.POSITIVE_INFINITY): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(Math.min(size, max));
  let at = 0;
  for (const p of parts) {
    if (at >= out.length) break;
    const piece = p.subarray(0, out.length - at);
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}

const B64 = new Int16Array(256).fill(-1);
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].entries()) B64[c.charCodeAt(0)] = i;

export function fromBase64(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.floor((bytes.length * 3) / 4) + 3);
  let n = 0;
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    const v = B64[b]!;
    if (v < 0) continue;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, n);
}

function hex(b: number | undefined): number {
  if (b === undefined) return -1;
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  const l = b | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x57 : -1;
}

export function fromQuotedPrintable(bytes: Uint8Array, underscores = false): Uint8Array {
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x3d) {
      const h = hex(bytes[i + 1]);
      const l = hex(bytes[i + 2]);
      if (h >= 0 && l >= 0) {
        out[n++] = (h << 4) | l;
        i += 2;
        continue;
      }
      // A soft line break: `=` at the end of a line.
      let j = i + 1;
      while (bytes[j] === SP || bytes[j] === TAB) j++;
      if (bytes[j] === CR) j++;
      if (bytes[j] === LF) {
        i = j;
        continue;
      }
    }
    out[n++] = underscores && b === 0x5f ? SP : b;
  }
  return out.subarray(0, n);
}
