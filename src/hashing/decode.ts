// Decoding image files to the pixels PDQ hashes, through sharp (libvips), bounded against oversized files
// and decompression bombs. The pixels are the file's own: full size (no shrink-on-load), no EXIF rotation,
// no ICC conversion, first frame or page only. Like the reference's decoder, grey images (and colour images
// whose every pixel is grey) come out as one channel, alpha is ignored rather than flattened, and 16-bit
// samples are reduced to 8 bits.
import sharp from 'sharp';
import { WardenError } from '../errors/index.js';

/** Caps on what one image may cost to decode. */
export interface ImageLimits {
  /** Largest file accepted, in bytes. */
  maxBytes: number;
  /** Largest width x height accepted, checked from the header before any pixel is decoded. */
  maxPixels: number;
}

export interface DecodedImage {
  pixels: Buffer;
  width: number;
  height: number;
  /** 1 grey or 3 RGB (4, RGBA with alpha to be ignored, only if a decoder reports no alpha but has one). */
  channels: 1 | 3 | 4;
}

const supportedFormats = 'JPEG, PNG, WebP, GIF, TIFF or AVIF';
const decodable = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif']);
const MEGABYTE = 1024 * 1024;

/** Throws 'invalid_argument' unless both limits are positive whole numbers. */
export function checkLimits(limits: ImageLimits): void {
  for (const key of ['maxBytes', 'maxPixels'] as const) {
    const value = limits[key];
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new WardenError(
        'invalid_argument',
        `Image limit ${key} must be a positive whole number; got ${String(value)}.`,
      );
    }
  }
}

/** Throws 'too_large' when a file of `bytes` bytes is over the limit. */
export function checkFileSize(bytes: number, limits: ImageLimits): void {
  if (bytes > limits.maxBytes) {
    throw new WardenError(
      'too_large',
      `The file is ${describeBytes(bytes)}, over the limit of ${describeBytes(limits.maxBytes)} (maxBytes).`,
      { limit: limits.maxBytes, actual: bytes },
    );
  }
}

/**
 * Refuses ('too_large') an image whose header gives it more than `maxPixels` pixels, without decoding a
 * pixel: the check to make before keeping media from an untrusted source, whose caps are lower than an
 * upload's. Bytes that are not an image sharp can read pass; whether they are one is the decoder's call.
 */
export async function checkImagePixels(bytes: Uint8Array, maxPixels: number): Promise<void> {
  const metadata = await sharp(bytes, { limitInputPixels: false })
    .metadata()
    .catch(() => undefined);
  if (metadata !== undefined) checkPixelCount(metadata.width, metadata.height, maxPixels);
}

function checkPixelCount(width: number, height: number, maxPixels: number): void {
  if (width * height > maxPixels) {
    throw new WardenError(
      'too_large',
      `The image is ${width}x${height} (${width * height} pixels), over the limit of ${maxPixels} pixels (maxPixels).`,
      { limit: maxPixels, actual: width * height, width, height },
    );
  }
}

/**
 * Decodes an image file's bytes. Throws WardenError 'too_large' (file or pixel count over the limits),
 * 'unsupported_media' (not an image in a supported format) or 'corrupt_media' (damaged or truncated).
 */
export async function decodeImage(bytes: Uint8Array, limits: ImageLimits): Promise<DecodedImage> {
  checkLimits(limits);
  if (bytes.length === 0) {
    throw new WardenError('unsupported_media', `The file is empty; expected a ${supportedFormats} image.`);
  }
  checkFileSize(bytes.length, limits);

  const metadata = await sharp(bytes, { limitInputPixels: false, failOn: 'error' })
    .metadata()
    .catch(describeFailure);
  const { format, width, height } = metadata;
  if (!decodable.has(format) || (format === 'heif' && metadata.compression !== 'av1')) {
    const name =
      format === 'heif' ? `HEIF (${metadata.compression ?? 'unknown codec'})` : format.toUpperCase();
    throw new WardenError(
      'unsupported_media',
      `${name} images are not supported; convert the file to ${supportedFormats} and try again.`,
      { format },
    );
  }
  checkPixelCount(width, height, limits.maxPixels);

  // failOn 'error' rejects truncated and broken data but, like the reference's decoder, accepts files that
  // only warn (such as stray bytes between JPEG markers).
  let image = sharp(bytes, {
    limitInputPixels: limits.maxPixels,
    failOn: 'error',
    sequentialRead: true,
    ignoreIcc: true,
    pages: 1,
  });
  // Grey stays one channel (libvips would otherwise widen it to sRGB); alpha is dropped, not flattened.
  if (metadata.space === 'b-w' || metadata.space === 'grey16') image = image.extractChannel(0);
  else if (metadata.hasAlpha) image = image.removeAlpha();
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true }).catch(describeFailure);
  const channels = info.channels;
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new WardenError('unsupported_media', `Images with ${channels} channels are not supported.`);
  }
  const decoded: DecodedImage = { pixels: data, width: info.width, height: info.height, channels };
  return channels === 1 ? decoded : (greyscale(decoded) ?? decoded);
}

/**
 * The image as one channel when every pixel has R = G = B, else undefined. The reference's decoder
 * (ImageMagick) hands such images over as grey, and the float32 RGB weights do not give back the grey
 * value exactly for 35 of the 256 levels, so this keeps those hashes bit-exact.
 */
function greyscale(image: DecodedImage): DecodedImage | undefined {
  const { pixels, channels } = image;
  for (let at = 0; at < pixels.length; at += channels) {
    const red = pixels[at];
    if (red !== pixels[at + 1] || red !== pixels[at + 2]) return undefined;
  }
  const grey = Buffer.allocUnsafe(image.width * image.height);
  for (let at = 0, to = 0; at < pixels.length; at += channels, to += 1) grey[to] = pixels[at] ?? 0;
  return { ...image, pixels: grey, channels: 1 };
}

/** Turns a sharp (libvips) failure into a WardenError a person can act on. */
function describeFailure(error: unknown): never {
  const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0]?.trim() ?? '';
  if (/unsupported image format|not a known file format/i.test(reason)) {
    throw new WardenError(
      'unsupported_media',
      `The file is not an image in a supported format (${supportedFormats}).`,
      { reason },
    );
  }
  if (/pixel limit/i.test(reason)) {
    throw new WardenError('too_large', `The image has more pixels than allowed (maxPixels): ${reason}.`, {
      reason,
    });
  }
  if (/unsupported|not supported|not implemented/i.test(reason)) {
    throw new WardenError(
      'unsupported_media',
      `The image uses a variant this decoder cannot read (${reason}); convert it to ${supportedFormats}.`,
      { reason },
    );
  }
  throw new WardenError(
    'corrupt_media',
    `The image could not be decoded; the file looks damaged or truncated (${reason || 'no detail'}). Try the original file.`,
    { reason },
  );
}

function describeBytes(bytes: number): string {
  return bytes >= MEGABYTE ? `${(bytes / MEGABYTE).toFixed(1)} MiB (${bytes} bytes)` : `${bytes} bytes`;
}
