// The hashing domain: the signals Warden derives from content. PDQ perceptual hashes bit-compatible with
// Meta's reference, MD5 and SHA-256 digests, image decoding within limits, and a worker pool that hashes
// many files on every core. Other domains import only from here.
export {
  parsePdqHash,
  parseMd5,
  parseSha256,
  parseSignal,
  pdqHashToBytes,
  pdqBytesToHash,
  pdqDistance,
} from './signals.js';
export type { PdqHash, Md5Digest, Sha256Digest, HashSignalType } from './signals.js';
export { pdqFromPixels, dihedralNames } from './pdq.js';
export type { PdqPipeline, PdqOptions, PdqResult, DihedralName } from './pdq.js';
export { checkImagePixels, decodeImage } from './decode.js';
export type { ImageLimits, DecodedImage } from './decode.js';
export { hashImage, hashFile } from './hash-image.js';
export type { ContentHashes, HashImageOptions } from './hash-image.js';
export { createHashingPool, hashingPoolOptions } from './pool.js';
export type {
  HashingPool,
  HashingPoolOptions,
  HashFilesOptions,
  HashFileResult,
  HashFileError,
} from './pool.js';
