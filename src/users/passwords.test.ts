import { scrypt } from 'node:crypto';
import type * as Crypto from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { checkPassword, generatePassword, hashPassword, verifyPassword } from './passwords.js';

// scrypt is watched, not timed: the work a check does is the scrypt calls it makes and their cost.
vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof Crypto>();
  return { ...original, scrypt: vi.fn(original.scrypt) };
});

describe('passwords', () => {
  it('stores scrypt hashes that name their parameters, with a fresh salt each time', async () => {
    const first = await hashPassword('correct horse battery');
    const second = await hashPassword('correct horse battery');
    expect(first).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(first).not.toBe(second);
    expect(first).not.toContain('correct');
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('treats composed and decomposed accents alike', async () => {
    const stored = await hashPassword('caf\u00e9 au lait s\u00fbr');
    expect(await verifyPassword('cafe\u0301 au lait su\u0302r', stored)).toBe(true);
  });

  it('does the same work for an unknown user or a damaged hash, and says no', async () => {
    const stored = await hashPassword('correct horse battery');
    const work = async (hash: string | undefined) => {
      vi.mocked(scrypt).mockClear();
      const verified = await verifyPassword('correct horse battery', hash);
      // One scrypt call each, at the cost parameters (N, r, p) and key length of a real check.
      const calls = vi.mocked(scrypt).mock.calls.map((call) => [call[2], call[3]]);
      return { verified, calls };
    };
    const known = await work(stored);
    expect(known.verified).toBe(true);
    expect(known.calls).toHaveLength(1);
    for (const hash of [undefined, 'scrypt$1$1$1$x$y', 'plain text']) {
      expect(await work(hash)).toEqual({ verified: false, calls: known.calls });
    }
  });

  it('explains the length rule', () => {
    expect(() => checkPassword('short')).toThrow(/12 to 256 characters/);
    expect(() => checkPassword('x'.repeat(257))).toThrow(/12 to 256 characters/);
    expect(() => checkPassword('\u{1F600}'.repeat(12))).not.toThrow();
    expect(() => checkPassword('twelve chars')).not.toThrow();
  });

  it('generates 20-character passwords that pass the rules', () => {
    const password = generatePassword();
    expect(password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(() => checkPassword(password)).not.toThrow();
    expect(generatePassword()).not.toBe(password);
  });
});
