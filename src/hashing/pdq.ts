// PDQ, Meta's 256-bit perceptual image hash, bit for bit as the reference computes it
// (../shared/specs/pdq.md). The float-heavy middle (luminance, Jarosz filter, decimation, DCT) runs in
// WebAssembly (pdq-kernels.ts); quality, the median threshold and the dihedral variants are here.
import { WardenError } from '../errors/index.js';
import { filterAndDct } from './pdq-kernels.js';
import type { PdqHash } from './signals.js';

/**
 * How an image is prepared before hashing. `full` hashes every decoded pixel (as HMA, python-threatexchange
 * and the Java reference do); `cli512` first shrinks any image with a side over 512 to exactly 512x512 by
 * nearest neighbour, as Meta's C++ command-line tool does.
 */
export type PdqPipeline = 'full' | 'cli512';

/** The seven rotations and flips computed from the DCT without re-hashing (CSV column names of the vectors). */
export type DihedralName =
  'rotate90' | 'rotate180' | 'rotate270' | 'flipx' | 'flipy' | 'flip_plus1' | 'flip_minus1';

export const dihedralNames: readonly DihedralName[] = [
  'rotate90',
  'rotate180',
  'rotate270',
  'flipx',
  'flipy',
  'flip_plus1',
  'flip_minus1',
];

export interface PdqOptions {
  /** Default `full`. */
  pipeline?: PdqPipeline | undefined;
  /** Also compute the seven dihedral variants. */
  dihedral?: boolean | undefined;
}

export interface PdqResult {
  hash: PdqHash;
  /** 0..100; hashes under 50 are not trusted for automatic action. */
  quality: number;
  dihedral?: Record<DihedralName, PdqHash>;
  /** Size of the luminance plane actually hashed (after the cli512 reduction, if any). */
  hashedWidth: number;
  hashedHeight: number;
}

/** The intermediate buffers of one hash, for tests against the reference's intermediates. */
export interface PdqIntermediates {
  /** The 64x64 image buffer after the two Jarosz passes and decimation, row-major. */
  image64: Float32Array;
  /** B = D·A·Dᵀ, 16x16, row i = vertical frequency i + 1. */
  dct16: Float32Array;
  quality: number;
  hashedWidth: number;
  hashedHeight: number;
}

const CLI_SIDE = 512;
/** Images narrower or shorter than this hash to zero with quality 0, as in the reference. */
const MIN_SIDE = 5;
const ZERO_HASH = '0'.repeat(64) as PdqHash;

/**
 * PDQ of decoded pixels: `channels` bytes per pixel, row-major (1 grey, used as luminance directly; 3 RGB;
 * 4 RGBA, alpha ignored). Throws WardenError 'invalid_argument' when the sizes do not fit the pixels.
 */
export function pdqFromPixels(
  pixels: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  channels: 1 | 3 | 4,
  options: PdqOptions = {},
): PdqResult {
  const intermediates = pdqIntermediates(pixels, width, height, channels, options.pipeline ?? 'full');
  const { hashedWidth, hashedHeight } = intermediates;
  if (hashedWidth < MIN_SIDE || hashedHeight < MIN_SIDE) {
    const zero: PdqResult = { hash: ZERO_HASH, quality: 0, hashedWidth, hashedHeight };
    if (options.dihedral === true) {
      zero.dihedral = Object.fromEntries(dihedralNames.map((name) => [name, ZERO_HASH])) as Record<
        DihedralName,
        PdqHash
      >;
    }
    return zero;
  }
  const { dct16, quality } = intermediates;
  const result: PdqResult = { hash: thresholdHash(dct16), quality, hashedWidth, hashedHeight };
  if (options.dihedral === true) result.dihedral = dihedralHashes(dct16);
  return result;
}

/**
 * The 64x64 buffer, the DCT and the quality of an image (what pdqFromPixels thresholds). Images with a side
 * under 5 pixels have zero buffers and quality 0.
 */
export function pdqIntermediates(
  pixels: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  channels: 1 | 3 | 4,
  pipeline: PdqPipeline,
): PdqIntermediates {
  checkPixels(pixels, width, height, channels);
  if (pipeline !== 'full' && pipeline !== 'cli512') {
    throw new WardenError(
      'invalid_argument',
      `Unknown PDQ pipeline "${String(pipeline)}"; use full or cli512.`,
    );
  }
  const shrink = pipeline === 'cli512' && (width > CLI_SIDE || height > CLI_SIDE);
  const hashedWidth = shrink ? CLI_SIDE : width;
  const hashedHeight = shrink ? CLI_SIDE : height;
  if (hashedWidth < MIN_SIDE || hashedHeight < MIN_SIDE) {
    return {
      image64: new Float32Array(4096),
      dct16: new Float32Array(256),
      quality: 0,
      hashedWidth,
      hashedHeight,
    };
  }
  // The kernels take grey or RGB; alpha is dropped on the way in.
  const kernelChannels = channels === 1 ? 1 : 3;
  const { image64, dct16 } = filterAndDct(hashedWidth, hashedHeight, kernelChannels, (target) => {
    if (shrink || channels === 4)
      samplePixels(pixels, width, height, channels, target, hashedWidth, hashedHeight);
    else target.set(pixels);
  });
  return { image64, dct16, quality: quality(image64), hashedWidth, hashedHeight };
}

function checkPixels(
  pixels: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  channels: number,
): void {
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width < 1 || height < 1) {
    throw new WardenError(
      'invalid_argument',
      `Image sizes must be positive integers; got ${width}x${height}.`,
    );
  }
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new WardenError(
      'invalid_argument',
      `Pixels must have 1 (grey), 3 (RGB) or 4 (RGBA) channels; got ${channels}.`,
    );
  }
  if (pixels.length !== width * height * channels) {
    throw new WardenError(
      'invalid_argument',
      `A ${width}x${height} image with ${channels} channel(s) has ${width * height * channels} bytes of pixels; got ${pixels.length}.`,
    );
  }
}

/**
 * Copies pixels into `target` as grey or RGB, at targetWidth x targetHeight by nearest neighbour: target
 * pixel (x, y) is source pixel (floor(x * width / targetWidth), floor(y * height / targetHeight)). That is
 * the C++ tool's CImg reduction to 512x512 (aspect ratio not kept), and a plain copy at the same size.
 */
function samplePixels(
  source: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  channels: number,
  target: Uint8Array,
  targetWidth: number,
  targetHeight: number,
): void {
  const kept = channels === 1 ? 1 : 3;
  const columnOffsets = new Int32Array(targetWidth);
  for (let x = 0; x < targetWidth; x += 1)
    columnOffsets[x] = Math.floor((x * width) / targetWidth) * channels;
  let to = 0;
  for (let y = 0; y < targetHeight; y += 1) {
    const rowStart = Math.floor((y * height) / targetHeight) * width * channels;
    for (let x = 0; x < targetWidth; x += 1) {
      const from = rowStart + (columnOffsets[x] ?? 0);
      for (let c = 0; c < kept; c += 1) target[to++] = source[from + c] ?? 0;
    }
  }
}

/**
 * Quality 0..100 from the gradients of the 64x64 buffer: each neighbour difference is scaled in float32,
 * truncated to an integer (d = trunc(((u - v) * 100) / 255)), and |d| summed; quality = min(100, sum / 90).
 */
function quality(image64: Float32Array): number {
  const f = Math.fround;
  let sum = 0;
  for (let i = 0; i < 64; i += 1) {
    for (let j = 0; j < 64; j += 1) {
      const u = image64[i * 64 + j] ?? 0;
      if (i < 63) sum += Math.abs(Math.trunc(f(f(f(u - (image64[(i + 1) * 64 + j] ?? 0)) * 100) / 255)));
      if (j < 63) sum += Math.abs(Math.trunc(f(f(f(u - (image64[i * 64 + j + 1] ?? 0)) * 100) / 255)));
    }
  }
  return Math.min(100, Math.floor(sum / 90));
}

/** Bit k = 16i + j is set when B[i][j] is strictly above the median, sorted[127] of the 256 values. */
function thresholdHash(dct16: Float32Array): PdqHash {
  const median = Float32Array.from(dct16).sort()[127] ?? 0;
  const words = new Uint16Array(16);
  for (let k = 0; k < 256; k += 1) {
    if ((dct16[k] ?? 0) > median) words[k >> 4] = (words[k >> 4] ?? 0) | (1 << (k & 15));
  }
  let hex = '';
  for (let word = 15; word >= 0; word -= 1) hex += (words[word] ?? 0).toString(16).padStart(4, '0');
  return hex as PdqHash;
}

/**
 * Where B[i][j] goes, and with which sign, in each variant's matrix (the reference's
 * dct16OriginalTo* functions): `transpose` puts it at [j][i], `negate(i, j)` flips its sign.
 */
const variants: Record<DihedralName, { transpose: boolean; negate: (i: number, j: number) => boolean }> = {
  rotate90: { transpose: true, negate: (_i, j) => (j & 1) === 0 },
  rotate180: { transpose: false, negate: (i, j) => ((i + j) & 1) === 1 },
  rotate270: { transpose: true, negate: (i) => (i & 1) === 0 },
  flipx: { transpose: false, negate: (i) => (i & 1) === 0 },
  flipy: { transpose: false, negate: (_i, j) => (j & 1) === 0 },
  flip_plus1: { transpose: true, negate: () => false },
  flip_minus1: { transpose: true, negate: (i, j) => ((i + j) & 1) === 1 },
};

/** The seven dihedral hashes of a DCT, each thresholded at its own median. */
function dihedralHashes(dct16: Float32Array): Record<DihedralName, PdqHash> {
  const moved = new Float32Array(256);
  const hashes = {} as Record<DihedralName, PdqHash>;
  for (const name of dihedralNames) {
    const { transpose, negate } = variants[name];
    for (let i = 0; i < 16; i += 1) {
      for (let j = 0; j < 16; j += 1) {
        const value = dct16[i * 16 + j] ?? 0;
        moved[transpose ? j * 16 + i : i * 16 + j] = negate(i, j) ? -value : value;
      }
    }
    hashes[name] = thresholdHash(moved);
  }
  return hashes;
}
