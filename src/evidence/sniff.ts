// What kind of bytes these are, from their first few bytes: the media types evidence is stored under,
// and what tells an image or an HTML page apart when a server's Content-Type cannot be trusted.

/** The image types Warden can hash and show; anything else is stored as it is. */
export const imageMimeTypes = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/tiff',
  'image/avif',
] as const;

const htmlStarts = ['<!doctype html', '<html', '<head', '<body', '<meta', '<title'];

function startsWith(bytes: Uint8Array, prefix: readonly number[], at = 0): boolean {
  if (bytes.length < at + prefix.length) return false;
  return prefix.every((byte, index) => bytes[at + index] === byte);
}

function ascii(text: string): number[] {
  return [...text].map((character) => character.charCodeAt(0));
}

/**
 * The media type of some bytes by their signature: png, jpeg, gif, webp, tiff, avif, html, else
 * application/octet-stream. Only the first bytes are looked at.
 */
export function sniffMime(bytes: Uint8Array): string {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'image/gif';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'image/webp';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a]))
    return 'image/tiff';
  if (startsWith(bytes, ascii('ftyp'), 4) && isAvifBox(bytes)) return 'image/avif';
  if (looksLikeHtml(bytes)) return 'text/html';
  return 'application/octet-stream';
}

/** Whether the bytes are one of the image types in `imageMimeTypes`. */
export function isImageMime(mime: string): boolean {
  return (imageMimeTypes as readonly string[]).includes(mime);
}

/** An ISO media `ftyp` box whose major or a compatible brand is AVIF (many encoders write `mif1` first). */
function isAvifBox(bytes: Uint8Array): boolean {
  const boxSize = Buffer.from(bytes.subarray(0, 4)).readUInt32BE(0);
  const end = Math.min(boxSize, bytes.length, 256);
  // The major brand at 8, the minor version at 12, compatible brands from 16.
  for (let at = 8; at + 4 <= end; at += at === 8 ? 8 : 4) {
    if (startsWith(bytes, ascii('avif'), at) || startsWith(bytes, ascii('avis'), at)) return true;
  }
  return false;
}

function looksLikeHtml(bytes: Uint8Array): boolean {
  // A byte order mark and leading white space are common before the first tag.
  const head = Buffer.from(bytes.subarray(0, 512))
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase();
  return htmlStarts.some((start) => head.startsWith(start));
}
