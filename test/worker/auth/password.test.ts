// worker/auth/password.ts: PBKDF2-SHA256 hashes in `pbkdf2-sha256$<iterations>$<salt>$<hash>`.
import { describe, expect, it } from 'vitest';
import { DUMMY_HASH, hashPassword, MAX_PASSWORD_LENGTH, PBKDF2_ITERATIONS, verifyPassword } from '../../../worker/auth/password.ts';

describe('hashPassword / verifyPassword', () => {
  it('round-trips, in the documented format with 100,000 iterations', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(PBKDF2_ITERATIONS).toBe(100_000);
    expect(stored).toMatch(/^pbkdf2-sha256\$100000\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
  });

  it('refuses a wrong password, including near misses', async () => {
    const stored = await hashPassword('Tr0ub4dor&3');
    for (const wrong of ['Tr0ub4dor&4', 'tr0ub4dor&3', 'Tr0ub4dor&3 ', '', 'Tr0ub4dor']) {
      expect(await verifyPassword(wrong, stored)).toBe(false);
    }
  });

  it('salts: the same password hashes differently each time, and both verify', async () => {
    const a = await hashPassword('same');
    const b = await hashPassword('same');
    expect(a).not.toBe(b);
    expect(await verifyPassword('same', a)).toBe(true);
    expect(await verifyPassword('same', b)).toBe(true);
  });

  it('handles non-ASCII passwords', async () => {
    const stored = await hashPassword('pässwörd 🔑');
    expect(await verifyPassword('pässwörd 🔑', stored)).toBe(true);
    expect(await verifyPassword('passwort 🔑', stored)).toBe(false);
  });

  it('answers false (never throws) for stored values it did not write', async () => {
    const good = await hashPassword('x');
    const [, iter, salt, hash] = good.split('$');
    for (const stored of [
      '',
      'plaintext',
      `bcrypt$${iter}$${salt}$${hash}`,
      `pbkdf2-sha256$1000000$${salt}$${hash}`, // above the Workers cap
      `pbkdf2-sha256$10$${salt}$${hash}`,
      `pbkdf2-sha256$abc$${salt}$${hash}`,
      `pbkdf2-sha256$${iter}$***$${hash}`,
      `pbkdf2-sha256$${iter}$${salt}`,
      `pbkdf2-sha256$${iter}$${salt}$${hash}$extra`,
    ]) {
      expect(await verifyPassword('x', stored)).toBe(false);
    }
  });

  it('refuses empty and overlong passwords', async () => {
    await expect(hashPassword('')).rejects.toThrow();
    await expect(hashPassword('a'.repeat(MAX_PASSWORD_LENGTH + 1))).rejects.toThrow();
    expect(await verifyPassword('a'.repeat(MAX_PASSWORD_LENGTH + 1), await hashPassword('a'))).toBe(false);
  });

  it('the dummy hash is well-formed but matches no ordinary password', async () => {
    expect(await verifyPassword('', DUMMY_HASH)).toBe(false);
    expect(await verifyPassword('password', DUMMY_HASH)).toBe(false);
  });
});
