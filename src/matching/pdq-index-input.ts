// Checks on what callers hand the PDQ index, each failing with a WardenError that says what was expected.
import { WardenError } from '../errors/index.js';
import { HASH_BYTES } from './pdq-index-plan.js';

/** Checks that `hash` is one PDQ hash as raw bytes. */
export function checkHash(hash: Uint8Array): void {
  if (!(hash instanceof Uint8Array) || hash.length !== HASH_BYTES) {
    throw new WardenError(
      'invalid_argument',
      `A PDQ hash is a Uint8Array of ${HASH_BYTES} bytes; got ${describeBytes(hash)}.`,
    );
  }
}

/**
 * Checks that `bytes` is a Uint8Array holding `count` hashes, or any whole number of hashes when count is
 * undefined. Returns the number of hashes.
 */
export function checkHashes(bytes: Uint8Array, count?: number): number {
  if (!(bytes instanceof Uint8Array)) {
    throw new WardenError(
      'invalid_argument',
      `PDQ hashes must be a Uint8Array of ${HASH_BYTES} bytes per hash; got ${describeBytes(bytes)}.`,
    );
  }
  if (count !== undefined && bytes.length !== count * HASH_BYTES) {
    throw new WardenError(
      'invalid_argument',
      `Expected ${count * HASH_BYTES} bytes of PDQ hashes (${HASH_BYTES} for each of ${count} entries); ` +
        `got ${bytes.length}.`,
    );
  }
  if (bytes.length % HASH_BYTES !== 0) {
    throw new WardenError(
      'invalid_argument',
      `PDQ hashes take ${HASH_BYTES} bytes each, so their length must be a multiple of ${HASH_BYTES}; ` +
        `got ${bytes.length}.`,
    );
  }
  return bytes.length / HASH_BYTES;
}

export function checkThreshold(threshold: number): void {
  if (!Number.isInteger(threshold) || threshold < 0 || threshold > 256) {
    throw new WardenError(
      'invalid_argument',
      `The threshold must be a whole number from 0 to 256; got ${String(threshold)}.`,
    );
  }
}

export function checkEntryId(entryId: number): void {
  if (!Number.isSafeInteger(entryId)) {
    throw new WardenError(
      'invalid_argument',
      `An entry id must be a safe integer (a database id); got ${String(entryId)}.`,
    );
  }
}

/** Checks an optional whole-number option against its range. */
export function checkIntegerOption(name: string, value: number | undefined, min: number, max: number): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
    throw new WardenError(
      'invalid_argument',
      `The PDQ index option ${name} must be a whole number from ${min} to ${max}; got ${String(value)}.`,
    );
  }
}

function describeBytes(value: unknown): string {
  return value instanceof Uint8Array ? `${value.length} bytes` : typeof value;
}
