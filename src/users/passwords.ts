// Password hashing. scrypt is memory-hard, so guessing a stolen hash costs memory as well as time; the
// stored form names its own parameters (`scrypt$N$r$p$salt$hash`), so they can be raised later while
// old hashes keep verifying.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { ScryptOptions } from 'node:crypto';
import { WardenError } from '../errors/index.js';

export const passwordLength = { min: 12, max: 256 } as const;

const current = { N: 2 ** 15, r: 8, p: 1 } as const;
const saltBytes = 16;
const keyBytes = 32;

/**
 * Verified when the username is unknown, so that a wrong username costs the same time as a wrong
 * password and timing does not tell which usernames exist. No password hashes to it.
 */
const dummyHash = 'scrypt$32768$8$1$Hq0Yb0m8q2a9oF3xv7UQ6A$3Wq8m1cKJ2h8o0kX9v5s3ZpQn7yT1bD4eR6fG2hJ8kA';

function derive(password: string, salt: Buffer, length: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, length, options, (error, key) => (error === null ? resolve(key) : reject(error)));
  });
}

/** scrypt needs 128·N·r bytes; Node's default ceiling (32 MiB) is exactly that for N=2^15, r=8. */
const scryptOptions = (N: number, r: number, p: number): ScryptOptions => ({
  N,
  r,
  p,
  maxmem: 256 * N * r + 1024 * 1024,
});

/** The same text however it was typed: composed and decomposed accents hash alike. */
const normalise = (password: string) => password.normalize('NFC');

/** Throws invalid_argument unless the password is 12 to 256 characters long. */
export function checkPassword(password: string): void {
  const length = [...password].length;
  if (length < passwordLength.min || length > passwordLength.max) {
    throw new WardenError(
      'invalid_argument',
      `Passwords must be ${passwordLength.min} to ${passwordLength.max} characters long (this one has ${length}).`,
    );
  }
}

/** Hashes a password with a fresh salt, in the self-describing stored form. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(saltBytes);
  const key = await derive(
    normalise(password),
    salt,
    keyBytes,
    scryptOptions(current.N, current.r, current.p),
  );
  return [
    'scrypt',
    current.N,
    current.r,
    current.p,
    salt.toString('base64url'),
    key.toString('base64url'),
  ].join('$');
}

/**
 * Whether the password hashes to the stored hash; compared in constant time. Pass `undefined` for an
 * unknown user: the work is done anyway, against a hash that nothing matches, and the answer is false.
 */
export async function verifyPassword(password: string, stored: string | undefined): Promise<boolean> {
  // A damaged stored hash is treated like an unknown user: same work, and no way in.
  const parsed = stored === undefined ? undefined : parseHash(stored);
  const target = parsed ?? dummy;
  const key = await derive(
    normalise(password),
    target.salt,
    target.hash.length,
    scryptOptions(target.N, target.r, target.p),
  );
  return timingSafeEqual(key, target.hash) && parsed !== undefined;
}

function parseHash(
  stored: string,
): { N: number; r: number; p: number; salt: Buffer; hash: Buffer } | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map((part) => (/^\d{1,9}$/.test(part) ? Number(part) : NaN));
  // Bounds keep a damaged row from asking for unbounded memory or time.
  if (N === undefined || r === undefined || p === undefined) return undefined;
  if (!(N >= 2 ** 10 && N <= 2 ** 22 && (N & (N - 1)) === 0)) return undefined;
  if (!(r >= 1 && r <= 32 && p >= 1 && p <= 16)) return undefined;
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const hash = Buffer.from(parts[5] ?? '', 'base64url');
  if (salt.length < 8 || hash.length < 16 || hash.length > 64) return undefined;
  return { N, r, p, salt, hash };
}

const dummy =
  parseHash(dummyHash) ??
  (() => {
    throw new Error('the dummy password hash is malformed');
  })();

/** A random password of 20 characters (120 bits), for accounts created without one. */
export function generatePassword(): string {
  return randomBytes(15).toString('base64url');
}
