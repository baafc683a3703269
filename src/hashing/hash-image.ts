// All the hash signals of one image: PDQ of its decoded pixels, MD5 and SHA-256 of its bytes.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { WardenError } from '../errors/index.js';
import { checkFileSize, checkLimits, decodeImage } from './decode.js';
import type { ImageLimits } from './decode.js';
import { pdqFromPixels } from './pdq.js';
import type { DihedralName, PdqOptions } from './pdq.js';
import type { Md5Digest, PdqHash, Sha256Digest } from './signals.js';

/** The signals of one image. */
export interface ContentHashes {
  pdq: PdqHash;
  /** PDQ quality, 0..100; under 50 the hash is not trusted for automatic action. */
  quality: number;
  md5: Md5Digest;
  sha256: Sha256Digest;
  /** Decoded size of the image (before any cli512 reduction). */
  width: number;
  height: number;
  /** The seven dihedral PDQ variants, when asked for. */
  dihedral?: Record<DihedralName, PdqHash>;
}

export interface HashImageOptions extends PdqOptions {
  limits: ImageLimits;
}

/**
 * Hashes an image file's bytes. Throws WardenError 'too_large', 'unsupported_media' or 'corrupt_media' when
 * the bytes are not an image that can be hashed within the limits.
 */
export async function hashImage(bytes: Uint8Array, options: HashImageOptions): Promise<ContentHashes> {
  const image = await decodeImage(bytes, options.limits);
  const pdq = pdqFromPixels(image.pixels, image.width, image.height, image.channels, options);
  return {
    pdq: pdq.hash,
    quality: pdq.quality,
    md5: createHash('md5').update(bytes).digest('hex') as Md5Digest,
    sha256: createHash('sha256').update(bytes).digest('hex') as Sha256Digest,
    width: image.width,
    height: image.height,
    ...(pdq.dihedral === undefined ? {} : { dihedral: pdq.dihedral }),
  };
}

/**
 * Reads and hashes an image file. The size is checked before reading, so an oversized file is never loaded.
 * Throws WardenError 'not_found', 'forbidden' or 'invalid_argument' for files that cannot be read, and as
 * hashImage for their content.
 */
export async function hashFile(path: string, options: HashImageOptions): Promise<ContentHashes> {
  checkLimits(options.limits);
  return hashImage(await readBounded(path, options.limits), options);
}

async function readBounded(path: string, limits: ImageLimits): Promise<Buffer> {
  const file = await open(path, 'r').catch((error: unknown) => {
    throw fileError(path, error);
  });
  try {
    const { size } = await file.stat();
    checkFileSize(size, limits);
    // Read at most one byte past the limit: a file that grew since stat() is still caught.
    const buffer = Buffer.allocUnsafe(size + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await file.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    checkFileSize(length, limits);
    return buffer.subarray(0, length);
  } catch (error) {
    throw error instanceof WardenError ? error : fileError(path, error);
  } finally {
    await file.close();
  }
}

function fileError(path: string, error: unknown): WardenError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  if (code === 'ENOENT') return new WardenError('not_found', `File not found: ${path}.`);
  if (code === 'EACCES' || code === 'EPERM')
    return new WardenError('forbidden', `No permission to read ${path}.`);
  if (code === 'EISDIR')
    return new WardenError('invalid_argument', `${path} is a directory, not an image file.`);
  return new WardenError('unavailable', `Could not read ${path} (${code || String(error)}).`);
}
