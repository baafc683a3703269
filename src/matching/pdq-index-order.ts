// Puts index entries in entry-id order. A segment of the PDQ index stores its hashes sorted by entry id, so
// that finding an entry (for remove, has, re-add) is a binary search over a Float64Array instead of a hash
// map: no per-entry objects, and no Map size limit (2^24 entries in V8) at tens of millions of entries.
import { HASH_BYTES } from './pdq-index-plan.js';

const DIGIT_BITS = 16;
const DIGIT_VALUES = 2 ** DIGIT_BITS;
const TWO_TO_32 = 2 ** 32;
// Safe integers lie within ±2^53, so their upper part (id / 2^32, rounded down) lies within ±2^21.
const HIGH_OFFSET = 2 ** 21;

export interface EntryOrder {
  /** The distinct entry ids, ascending. */
  ids: Float64Array;
  /** For each id in `ids`, the input position it came from (its last occurrence); undefined if the input
   * was already strictly ascending. */
  sources: Uint32Array | undefined;
}

/**
 * Sorts entry ids (safe integers) and removes duplicates, keeping the last occurrence of each, as a sequence
 * of adds would. LSD radix sort on 16-bit digits: linear time, and skips the digits every id shares (the
 * upper ones, for database ids).
 */
export function sortEntries(entryIds: Float64Array): EntryOrder {
  const count = entryIds.length;
  let ascending = true;
  for (let index = 1; index < count && ascending; index++) {
    ascending = (entryIds[index - 1] ?? 0) < (entryIds[index] ?? 0);
  }
  if (ascending) return { ids: entryIds, sources: undefined };

  const low = new Uint32Array(count);
  const high = new Uint32Array(count);
  for (let index = 0; index < count; index++) {
    const id = entryIds[index] ?? 0;
    const upper = Math.floor(id / TWO_TO_32);
    low[index] = id - upper * TWO_TO_32;
    high[index] = upper + HIGH_OFFSET;
  }
  let order = new Uint32Array(count);
  for (let index = 0; index < count; index++) order[index] = index;
  let spare = new Uint32Array(count);
  const counts = new Uint32Array(DIGIT_VALUES + 1);
  for (const [keys, shift] of [
    [low, 0],
    [low, DIGIT_BITS],
    [high, 0],
    [high, DIGIT_BITS],
  ] as const) {
    counts.fill(0);
    for (let index = 0; index < count; index++) {
      const digit = ((keys[index] ?? 0) >>> shift) & (DIGIT_VALUES - 1);
      counts[digit + 1] = (counts[digit + 1] ?? 0) + 1;
    }
    // A digit shared by every id would leave the order as it is.
    if (counts.includes(count)) continue;
    for (let digit = 1; digit <= DIGIT_VALUES; digit++) {
      counts[digit] = (counts[digit] ?? 0) + (counts[digit - 1] ?? 0);
    }
    for (let position = 0; position < count; position++) {
      const index = order[position] ?? 0;
      const digit = ((keys[index] ?? 0) >>> shift) & (DIGIT_VALUES - 1);
      const target = counts[digit] ?? 0;
      spare[target] = index;
      counts[digit] = target + 1;
    }
    [order, spare] = [spare, order];
  }

  // The sort is stable, so the last of a run of equal ids is the one given last.
  let distinct = 0;
  for (let position = 0; position < count; position++) {
    const index = order[position] ?? 0;
    const next = order[position + 1];
    if (next !== undefined && entryIds[next] === entryIds[index]) continue;
    order[distinct++] = index;
  }
  const sources = order.slice(0, distinct);
  const ids = new Float64Array(distinct);
  for (let position = 0; position < distinct; position++)
    ids[position] = entryIds[sources[position] ?? 0] ?? 0;
  return { ids, sources };
}

/** Copies hash order[i] of `source` to position i of `target`. */
export function gatherHashes(source: Uint8Array, order: Uint32Array, target: Uint8Array): void {
  if (source.byteOffset % 4 === 0 && target.byteOffset % 4 === 0) {
    // Eight 4-byte copies per hash: far cheaper than a subarray object per hash.
    const from = new Uint32Array(source.buffer, source.byteOffset, source.length >>> 2);
    const to = new Uint32Array(target.buffer, target.byteOffset, target.length >>> 2);
    for (let position = 0; position < order.length; position++) {
      const start = (order[position] ?? 0) * 8;
      for (let word = 0; word < 8; word++) to[position * 8 + word] = from[start + word] ?? 0;
    }
  } else {
    for (let position = 0; position < order.length; position++) {
      const start = (order[position] ?? 0) * HASH_BYTES;
      target.set(source.subarray(start, start + HASH_BYTES), position * HASH_BYTES);
    }
  }
}
