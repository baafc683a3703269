// Hash signals as text: parsing and checking what users and files give us (PDQ, MD5, SHA-256), the byte
// form of a PDQ hash that indexes store, and the PDQ distance.
import { WardenError } from '../errors/index.js';

/** A PDQ hash: 64 lowercase hex digits, most significant first (the first four are bits 255..240). */
export type PdqHash = string & { readonly __brand: 'PdqHash' };
/** An MD5 digest: 32 lowercase hex digits. */
export type Md5Digest = string & { readonly __brand: 'Md5Digest' };
/** A SHA-256 digest: 64 lowercase hex digits. */
export type Sha256Digest = string & { readonly __brand: 'Sha256Digest' };

/** The hash signal types Warden computes from content. */
export type HashSignalType = 'pdq' | 'md5' | 'sha256';

interface HexFormat {
  name: string;
  digits: number;
  example: string;
}

const formats: Record<HashSignalType, HexFormat> = {
  pdq: {
    name: 'PDQ hash',
    digits: 64,
    example: 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22',
  },
  md5: { name: 'MD5 digest', digits: 32, example: 'd41d8cd98f00b204e9800998ecf8427e' },
  sha256: {
    name: 'SHA-256 digest',
    digits: 64,
    example: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  },
};

/** Trims and lowercases `text`, or throws 'invalid_hash' saying what is wrong with it. */
function parseHex(type: HashSignalType, text: string): string {
  const { name, digits, example } = formats[type];
  if (typeof text !== 'string') {
    throw new WardenError('invalid_hash', `A ${name} must be text of ${digits} hex digits.`);
  }
  const value = text.trim().toLowerCase();
  const shown = value.length > 80 ? `${value.slice(0, 80)}…` : value;
  if (value.length !== digits) {
    throw new WardenError(
      'invalid_hash',
      `A ${name} has ${digits} hex digits; "${shown}" has ${value.length} characters. Example: ${example}.`,
      { type, expectedLength: digits, actualLength: value.length },
    );
  }
  const bad = /[^0-9a-f]/.exec(value);
  if (bad !== null) {
    throw new WardenError(
      'invalid_hash',
      `A ${name} may contain only the hex digits 0-9 and a-f; "${shown}" has "${bad[0]}" at position ${bad.index + 1}.`,
      { type, position: bad.index + 1 },
    );
  }
  return value;
}

/** Parses a PDQ hash, accepting upper case and surrounding whitespace; throws WardenError 'invalid_hash'. */
export function parsePdqHash(text: string): PdqHash {
  return parseHex('pdq', text) as PdqHash;
}

/** Parses an MD5 digest (32 hex digits); throws WardenError 'invalid_hash'. */
export function parseMd5(text: string): Md5Digest {
  return parseHex('md5', text) as Md5Digest;
}

/** Parses a SHA-256 digest (64 hex digits); throws WardenError 'invalid_hash'. */
export function parseSha256(text: string): Sha256Digest {
  return parseHex('sha256', text) as Sha256Digest;
}

/** Parses a hash signal of the given type into its canonical text; throws WardenError 'invalid_hash'. */
export function parseSignal(type: 'pdq', text: string): PdqHash;
export function parseSignal(type: 'md5', text: string): Md5Digest;
export function parseSignal(type: 'sha256', text: string): Sha256Digest;
export function parseSignal(type: HashSignalType, text: string): PdqHash | Md5Digest | Sha256Digest;
export function parseSignal(type: HashSignalType, text: string): PdqHash | Md5Digest | Sha256Digest {
  if (!Object.hasOwn(formats, type)) {
    throw new WardenError(
      'invalid_argument',
      `Unknown hash signal type "${String(type)}"; expected one of ${Object.keys(formats).join(', ')}.`,
    );
  }
  return parseHex(type, text) as PdqHash | Md5Digest | Sha256Digest;
}

/** The 32 bytes of a PDQ hash in text order: byte 0 is the first two hex digits (bits 255..248). */
export function pdqHashToBytes(hash: PdqHash): Uint8Array {
  const bytes = Uint8Array.from(Buffer.from(hash, 'hex'));
  // Buffer.from stops silently at the first bad digit, so a mislabelled string would lose bytes.
  if (bytes.length !== 32) parsePdqHash(hash);
  return bytes;
}

/** The PDQ hash of the 32 bytes at `offset` (the inverse of pdqHashToBytes). */
export function pdqBytesToHash(bytes: Uint8Array, offset = 0): PdqHash {
  if (!Number.isInteger(offset) || offset < 0 || offset + 32 > bytes.length) {
    throw new WardenError(
      'invalid_argument',
      `A PDQ hash is 32 bytes; there are not 32 bytes at offset ${offset} of ${bytes.length}.`,
    );
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset + offset, 32).toString('hex') as PdqHash;
}

/** Number of differing bits between two PDQ hashes (0..256). */
export function pdqDistance(a: PdqHash, b: PdqHash): number {
  let distance = 0;
  // Eight hex digits at a time fit a 32-bit integer exactly.
  for (let at = 0; at < 64; at += 8) {
    let bits = (parseInt(a.slice(at, at + 8), 16) ^ parseInt(b.slice(at, at + 8), 16)) >>> 0;
    bits -= (bits >>> 1) & 0x55555555;
    bits = (bits & 0x33333333) + ((bits >>> 2) & 0x33333333);
    distance += (((bits + (bits >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }
  return distance;
}
