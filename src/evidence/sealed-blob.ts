// The on-disk form of one evidence blob: AES-256-GCM under the evidence key. The blob's name (the
// SHA-256 of the plain bytes) is authenticated with it, so a blob copied or renamed to another name
// fails to decrypt rather than passing for other evidence.
//
//   1 byte version (1) | 12 bytes random IV | ciphertext | 16 bytes GCM tag
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

const version = 1;
const ivLength = 12;
const tagLength = 16;

/** Authenticated data: the format version and the blob's name, so neither can be changed unnoticed. */
function associatedData(sha256: string): Buffer {
  return Buffer.concat([Buffer.of(version), Buffer.from(sha256, 'ascii')]);
}

/** Encrypts plain bytes into the blob stored under `sha256`. */
export function sealBlob(key: KeyObject, sha256: string, plain: Uint8Array): Buffer {
  const iv = randomBytes(ivLength);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: tagLength });
  cipher.setAAD(associatedData(sha256));
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([Buffer.of(version), iv, ciphertext, cipher.getAuthTag()]);
}

export type OpenOutcome =
  { ok: true; plain: Buffer } | { ok: false; reason: 'format' | 'version' | 'authentication' };

/**
 * Decrypts a blob stored under `sha256`. Fails with 'authentication' when the key is not the one that
 * sealed it, or the blob was altered or belongs to another name: GCM cannot tell these apart.
 */
export function openBlob(key: KeyObject, sha256: string, sealed: Uint8Array): OpenOutcome {
  if (sealed.length < 1 + ivLength + tagLength) return { ok: false, reason: 'format' };
  if (sealed[0] !== version) return { ok: false, reason: 'version' };
  const iv = sealed.subarray(1, 1 + ivLength);
  const tag = sealed.subarray(sealed.length - tagLength);
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: tagLength });
  decipher.setAAD(associatedData(sha256));
  decipher.setAuthTag(tag);
  try {
    const plain = Buffer.concat([
      decipher.update(sealed.subarray(1 + ivLength, sealed.length - tagLength)),
      decipher.final(),
    ]);
    return { ok: true, plain };
  } catch {
    return { ok: false, reason: 'authentication' };
  }
}
