// Content codings of response bodies. undici's `request` hands over the body exactly as it came off the
// wire, so a page or image sent with `Content-Encoding: gzip` (which many servers do whether or not they
// were asked) would reach the crawler's parser and hashers as compressed bytes. The guard decodes it
// instead, as a stream, so that the size limit applies to the decoded output: a few kilobytes of gzip that
// inflate to gigabytes (a decompression bomb) are cut off at the limit, not inflated in memory.
import { pipeline, Transform } from 'node:stream';
import type { Readable } from 'node:stream';
import { constants, createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

/** Codings the guard decodes; others (rare: compress, zstd) are passed on as they came. */
const decoders: Record<string, () => Transform> = {
  // Like browsers, accept a stream that ends without its trailer: servers cut them off more often than not.
  gzip: () => createGunzip({ flush: constants.Z_SYNC_FLUSH, finishFlush: constants.Z_SYNC_FLUSH }),
  'x-gzip': () => createGunzip({ flush: constants.Z_SYNC_FLUSH, finishFlush: constants.Z_SYNC_FLUSH }),
  deflate: () => createInflate({ flush: constants.Z_SYNC_FLUSH, finishFlush: constants.Z_SYNC_FLUSH }),
  br: () =>
    createBrotliDecompress({
      flush: constants.BROTLI_OPERATION_FLUSH,
      finishFlush: constants.BROTLI_OPERATION_FLUSH,
    }),
};

/** More layers than this is no real server's doing; it is refused rather than unwrapped. */
export const maxContentCodings = 2;

/**
 * The codings of a `Content-Encoding` header, in the order they must be undone. Unknown codings and
 * `identity` give an empty list (the body is used as it is); more than {@link maxContentCodings} give
 * undefined.
 */
export function contentCodings(header: string | null): string[] | undefined {
  const codings = (header ?? '')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  if (codings.length > maxContentCodings) return undefined;
  return codings.every((coding) => coding in decoders) ? codings.reverse() : [];
}

/**
 * The body with its codings undone, as a stream. `countRaw` sees every byte as it came off the wire (and
 * may throw to stop); `decodeFailed` tells whether an error came from a decoder (the body is not what its
 * header says) rather than from the network.
 */
export function decodeBody(
  body: Readable,
  codings: readonly string[],
  countRaw: (chunk: Buffer) => void,
): { stream: AsyncIterable<Buffer> & { destroy(): void }; decodeFailed: () => boolean } {
  let failed = false;
  const stages = codings.map((coding) => {
    const create = decoders[coding];
    if (create === undefined) throw new Error(`no decoder for the content coding ${coding}`);
    const decoder = create();
    decoder.once('error', () => (failed = true));
    return decoder;
  });
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      try {
        countRaw(chunk);
        done(null, chunk);
      } catch (error) {
        done(error as Error);
      }
    },
  });
  // The callback form returns the last stream; an error anywhere destroys all of them and surfaces there.
  const stream = pipeline([body, counter, ...stages], () => undefined) as unknown as Readable;
  return { stream, decodeFailed: () => failed };
}
