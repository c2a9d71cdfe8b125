// Password hashes for self-hosted sign-in (AUTH_MODE=password): PBKDF2-SHA256 through WebCrypto,
// stored as `pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>`. No bindings, no clock: this
// file also runs under Node (a CLI that sets an agent's password).
import { base64ToBytes, bytesToBase64, constantTimeEqual, utf8 } from './encoding.ts';

/**
 * Workers refuses PBKDF2 above 100,000 iterations (a NotSupportedError), so this is both the floor we
 * want and the ceiling we can have. The count is stored with each hash, so it can change later.
 */
export const PBKDF2_ITERATIONS = 100_000;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
const SCHEME = 'pbkdf2-sha256';
/** Passwords longer than this are refused before hashing: PBKDF2 over megabytes is a free DoS. */
export const MAX_PASSWORD_LENGTH = 1024;

async function derive(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number, bytes: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', utf8(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, bytes * 8);
  return new Uint8Array(bits);
}

export async function hashPassword(password: string): Promise<string> {
  if (password.length === 0) throw new Error('empty password');
  if (password.length > MAX_PASSWORD_LENGTH) throw new Error(`password longer than ${MAX_PASSWORD_LENGTH} characters`);
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, PBKDF2_ITERATIONS, HASH_BYTES);
  return `${SCHEME}$${PBKDF2_ITERATIONS}$${bytesToBase64(salt)}$${bytesToBase64(hash)}`;
}

/** False for a wrong password and for anything that is not a hash this file wrote (never throws). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (password.length === 0 || password.length > MAX_PASSWORD_LENGTH) return false;
  const parts = stored.split('$');
  if (parts.length !== 4 || parts[0] !== SCHEME || !/^[1-9][0-9]{0,6}$/.test(parts[1]!)) return false;
  const iterations = Number(parts[1]);
  // Above the Workers cap deriveBits would throw; below 1,000 the hash was not written by us.
  if (iterations < 1_000 || iterations > PBKDF2_ITERATIONS) return false;
  let salt: Uint8Array<ArrayBuffer>;
  let expected: Uint8Array;
  try {
    salt = new Uint8Array(base64ToBytes(parts[2]!));
    expected = base64ToBytes(parts[3]!);
  } catch {
    return false;
  }
  if (salt.length < 8 || expected.length < 16 || expected.length > 64) return false;
  return constantTimeEqual(await derive(password, salt, iterations, expected.length), expected);
}

/**
 * A stored hash in the same shape as real ones, for sign-in attempts with an unknown address: the
 * answer then takes as long as a wrong password does, so the time does not tell which addresses exist.
 */
export const DUMMY_HASH = `${SCHEME}$${PBKDF2_ITERATIONS}$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=`;
