// Showing evidence to a person: re-encoded views that carry no metadata (no EXIF, GPS, ICC or XMP), so
// what reaches the console is only pixels. The blurred view is the default for every analyst; the
// revealed view is a deliberate act that the caller audits.
import sharp from 'sharp';
import { WardenError } from '../errors/index.js';

export type EvidenceView = 'blurred' | 'revealed';

export interface RenderOptions {
  /** Revealed view in greyscale (the blurred view is always greyscale). */
  greyscale: boolean;
}

export interface RenderedImage {
  bytes: Uint8Array;
  mime: string;
}

const displayable = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif']);
/** Longest side of each view, in pixels; smaller images are not enlarged. */
const viewSize: Record<EvidenceView, number> = { blurred: 480, revealed: 1600 };
const minimumBlurSigma = 8;

/**
 * Renders image bytes for display as WebP. Throws 'unsupported_media' for bytes that are not an image in a
 * format Warden decodes, and 'too_large' over `maxPixels`.
 */
export async function renderImage(
  bytes: Uint8Array,
  view: EvidenceView,
  options: RenderOptions,
  maxPixels: number,
): Promise<RenderedImage> {
  const metadata = await sharp(bytes, { limitInputPixels: false })
    .metadata()
    .catch(() => undefined);
  // Only the formats Warden hashes: other decoders (SVG, PDF) are not exposed to stored evidence.
  if (
    metadata === undefined ||
    !displayable.has(metadata.format) ||
    (metadata.format === 'heif' && metadata.compression !== 'av1')
  ) {
    throw new WardenError(
      'unsupported_media',
      'This evidence is not an image Warden can decode, so it cannot be shown as an image.',
    );
  }
  if (metadata.width * metadata.height > maxPixels) {
    throw new WardenError(
      'too_large',
      `This image is ${metadata.width}x${metadata.height}, over the limit of ${maxPixels} pixels (maxPixels), so it is not shown.`,
    );
  }
  // Hashing reads the pixels as stored, without EXIF rotation (as the PDQ reference does). Display is
  // another matter: the metadata is stripped from the output, so the orientation is applied here, or a
  // phone photo would be shown on its side, unlike in any browser.
  const { width, height } = metadata.autoOrient;
  const size = viewSize[view];
  const scale = Math.min(1, size / Math.max(width, height));
  // Broken data is shown as far as it decodes: an analyst may still need to see it. Only the first
  // frame of an animation is shown.
  let image = sharp(bytes, {
    limitInputPixels: maxPixels,
    failOn: 'none',
    pages: 1,
    autoOrient: true,
  }).resize(size, size, { fit: 'inside', withoutEnlargement: true });
  if (view === 'blurred') {
    // Heavy enough that shapes, not details, remain, whatever the size (sharp blurs after resizing).
    image = image.blur(Math.max(minimumBlurSigma, (width * scale) / 25)).greyscale();
  } else if (options.greyscale) {
    image = image.greyscale();
  }
  // sharp writes no metadata unless asked to (withMetadata / keepMetadata), which is never done here.
  const output = await image
    .webp({ quality: 82 })
    .toBuffer()
    .catch((error: unknown) => {
      throw new WardenError(
        'unsupported_media',
        `This image could not be decoded for display (${(error instanceof Error ? error.message : String(error)).split('\n')[0] ?? ''}).`,
      );
    });
  return { bytes: output, mime: 'image/webp' };
}
