// The PDQ index's append area: entries added since the segments were last rebuilt. Adding, replacing and
// removing here cost O(1); queries scan it by brute force, which is why the index folds it into a segment
// once it grows past a small fraction of the index.
import { PdqKernel } from './pdq-index-kernel.js';
import { gatherHashes, sortEntries } from './pdq-index-order.js';
import type { NearestNeighbours } from './pdq-index-nearest.js';
import { HASH_BYTES } from './pdq-index-plan.js';

export class PdqDelta {
  private readonly kernel = new PdqKernel();
  private ids: Float64Array = new Float64Array(0);
  /** Entry id to slot; slots 0..size-1 are always filled (removal moves the last entry into the gap). */
  private readonly slots = new Map<number, number>();

  get size(): number {
    return this.slots.size;
  }

  memoryBytes(): number {
    // A Map entry costs about 30 bytes in V8.
    return this.kernel.byteLength + this.ids.byteLength + this.slots.size * 30;
  }

  has(entryId: number): boolean {
    return this.slots.has(entryId);
  }

  /** Adds an entry, or replaces the hash of one already here. */
  set(entryId: number, hash: Uint8Array): void {
    let slot = this.slots.get(entryId);
    if (slot === undefined) {
      slot = this.slots.size;
      if (slot === this.ids.length) this.grow(Math.max(64, slot * 2));
      this.ids[slot] = entryId;
      this.slots.set(entryId, slot);
    }
    this.kernel.writeHash(slot, hash);
  }

  remove(entryId: number): boolean {
    const slot = this.slots.get(entryId);
    if (slot === undefined) return false;
    const last = this.slots.size - 1;
    if (slot !== last) {
      const movedId = this.ids[last] ?? 0;
      this.kernel.copyHash(last, slot);
      this.ids[slot] = movedId;
      this.slots.set(movedId, slot);
    }
    this.slots.delete(entryId);
    return true;
  }

  query(query: Uint8Array, threshold: number, into: NearestNeighbours): void {
    if (this.size === 0) return;
    const pairs = this.kernel.scan(query, this.size, threshold);
    for (let index = 0; index < pairs.length; index += 2) {
      into.add(this.ids[pairs[index] ?? 0] ?? 0, pairs[index + 1] ?? 0);
    }
  }

  /** Hands each query's neighbours to into[query number]. */
  queryBatch(queries: Uint8Array, threshold: number, into: readonly NearestNeighbours[]): void {
    if (this.size === 0) return;
    const pairs = this.kernel.scan(queries, this.size, threshold);
    for (let index = 0; index < pairs.length; index += 2) {
      const tagged = pairs[index + 1] ?? 0;
      into[tagged >>> 9]?.add(this.ids[pairs[index] ?? 0] ?? 0, tagged & 511);
    }
  }

  /** Every entry, sorted by entry id, with their hashes in that order (copies). */
  sorted(): { ids: Float64Array; hashes: Uint8Array } {
    const { ids, sources } = sortEntries(this.ids.slice(0, this.size));
    const stored = this.kernel.hashView(0, this.size);
    const hashes = new Uint8Array(ids.length * HASH_BYTES);
    if (sources === undefined) hashes.set(stored);
    else gatherHashes(stored, sources, hashes);
    return { ids, hashes };
  }

  clear(): void {
    this.slots.clear();
  }

  private grow(capacity: number): void {
    const ids = new Float64Array(capacity);
    ids.set(this.ids);
    this.ids = ids;
    this.kernel.setHashCapacity(capacity);
  }
}
