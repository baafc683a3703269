// The reference PDQ search: every hash compared with the query, in plain JavaScript a byte at a time. It
// shares no code with the index (no WebAssembly, no chunking), so the tests can hold the index to it; it
// is also the slowest baseline in the benchmark.
import { matchingDefaults } from '../config/index.js';
import { checkHash, checkHashes, checkThreshold } from './pdq-index-input.js';
import type { PdqNeighbour } from './pdq-index-segment.js';

const bitsInByte = new Uint8Array(256);
for (let byte = 1; byte < 256; byte++) bitsInByte[byte] = (byte & 1) + (bitsInByte[byte >>> 1] ?? 0);

/**
 * Every entry whose hash is within `threshold` bits of `query`, sorted by distance, then entry id. Position i
 * of `entryIds` goes with bytes 32i..32i+31 of `hashes`; each position counts as one entry.
 */
export function bruteForceSearch(
  entryIds: ArrayLike<number>,
  hashes: Uint8Array,
  query: Uint8Array,
  threshold: number = matchingDefaults.pdqThreshold,
): PdqNeighbour[] {
  checkHashes(hashes, entryIds.length);
  checkHash(query);
  checkThreshold(threshold);
  const found: PdqNeighbour[] = [];
  for (let entry = 0; entry < entryIds.length; entry++) {
    let distance = 0;
    for (let byte = 0; byte < 32; byte++) {
      distance += bitsInByte[(hashes[entry * 32 + byte] ?? 0) ^ (query[byte] ?? 0)] ?? 0;
    }
    if (distance <= threshold) found.push({ entryId: entryIds[entry] ?? 0, distance });
  }
  return found.sort(compareNeighbours);
}

/** Order of every result list: nearest first, then by entry id. */
export function compareNeighbours(a: PdqNeighbour, b: PdqNeighbour): number {
  return a.distance - b.distance || a.entryId - b.entryId;
}
