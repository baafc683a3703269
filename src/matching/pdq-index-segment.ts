// One segment of the PDQ index: up to a few tens of millions of entries sorted by entry id, their hashes in
// one WebAssembly kernel with multi-index tables over them (small segments go without and are scanned), and
// a tombstone flag per entry. A segment never changes but for tombstones; the index rebuilds it to fold new
// entries in or to drop removed ones, on the calling thread or in a worker (pdq-index-worker.ts), which
// shares the segment's memory and entry ids rather than copying them.
import { PdqKernel } from './pdq-index-kernel.js';
import type { KernelState } from './pdq-index-kernel.js';
import type { NearestNeighbours } from './pdq-index-nearest.js';
import { HASH_BYTES, SearchPlan, chooseChunkCount, chunksOf } from './pdq-index-plan.js';

export interface PdqNeighbour {
  entryId: number;
  distance: number;
}

/**
 * How a query is answered: 'auto' takes whichever of the tables and a brute-force scan the cost model
 * expects to be faster; 'index' uses the tables wherever they exist; 'scan' compares every hash.
 */
export type PdqSearchStrategy = 'auto' | 'index' | 'scan';

export interface SegmentSettings {
  /** Chunks for multi-index hashing; undefined chooses from the segment's size. */
  chunkCount: number | undefined;
  /** Segments with fewer entries are only scanned. */
  minIndexedSize: number;
}

// Bounds on the scratch space of one batch call: 2^22 probes or candidates take 64 MiB with their sort
// buffers. More queries per call read the tables more densely, which is what makes batches fast.
const PROBE_BUDGET = 2 ** 22;
const CANDIDATE_BUDGET = 2 ** 22;
// Queries per batch call; the kernels pack the query number into 23 bits.
const MAX_BATCH = 65_536;

/** A segment as a worker thread sees it: shared memory and ids, and a copy of the tombstone flags. */
export interface SharedSegment {
  kernel: KernelState;
  ids: Float64Array;
  alive: Uint8Array;
}

export class PdqSegment {
  private kernel: PdqKernel;
  private plan: SearchPlan | undefined;
  private ids: Float64Array = new Float64Array(0);
  private alive: Uint8Array = new Uint8Array(0);
  private dead = 0;

  /**
   * `ids` ascending and distinct; their hashes are `hashes` in that order, or hashes[order[i]] for id i when
   * `order` is given; or a kernel another thread built over exactly these ids, taken over as it is.
   */
  constructor(
    private readonly settings: SegmentSettings,
    ids: Float64Array,
    hashes: Uint8Array | KernelState,
    order?: Uint32Array,
  ) {
    this.kernel = new PdqKernel(hashes instanceof Uint8Array ? undefined : hashes);
    if (hashes instanceof Uint8Array) this.load(ids, hashes, order);
    else this.setEntries(ids);
  }

  /** What a worker needs to read this segment's live entries while this thread keeps querying it. */
  share(): SharedSegment {
    return { kernel: this.kernel.state(), ids: this.ids, alive: this.alive.slice() };
  }

  get slotCount(): number {
    return this.ids.length;
  }

  get liveCount(): number {
    return this.ids.length - this.dead;
  }

  get deadCount(): number {
    return this.dead;
  }

  get chunkCount(): number {
    return this.plan?.chunks.length ?? 0;
  }

  memoryBytes(): number {
    return this.kernel.byteLength + this.ids.byteLength + this.alive.byteLength;
  }

  /** The slot of a live entry, or -1. */
  find(entryId: number): number {
    let low = 0;
    let high = this.ids.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.ids[middle] ?? 0) < entryId) low = middle + 1;
      else high = middle;
    }
    return this.ids[low] === entryId && this.alive[low] === 1 ? low : -1;
  }

  /** Tombstones a slot: its entry is no longer returned. */
  kill(slot: number): void {
    this.alive[slot] = 0;
    this.dead++;
  }

  query(query: Uint8Array, threshold: number, strategy: PdqSearchStrategy, into: NearestNeighbours): void {
    let pairs: Uint32Array | undefined;
    if (this.usesTables(threshold, strategy) && this.plan !== undefined) {
      const budget = strategy === 'index' ? Number.POSITIVE_INFINITY : this.plan.candidateBudget();
      pairs = this.kernel.searchOne(query, threshold, this.plan.forThreshold(threshold).radii, budget);
    }
    pairs ??= this.kernel.scan(query, this.ids.length, threshold);
    for (let index = 0; index < pairs.length; index += 2) {
      const slot = pairs[index] ?? 0;
      if (this.alive[slot] === 1) into.add(this.ids[slot] ?? 0, pairs[index + 1] ?? 0);
    }
  }

  /** Hands each query's neighbours to into[query number]. */
  queryBatch(
    queries: Uint8Array,
    threshold: number,
    strategy: PdqSearchStrategy,
    into: readonly NearestNeighbours[],
  ): void {
    const queryCount = queries.length / HASH_BYTES;
    const tables = this.usesTables(threshold, strategy) ? this.plan?.forThreshold(threshold) : undefined;
    const perCall =
      tables === undefined
        ? MAX_BATCH
        : Math.max(1, Math.min(MAX_BATCH, Math.floor(PROBE_BUDGET / tables.largestBall)));
    for (let first = 0; first < queryCount; first += perCall) {
      const count = Math.min(perCall, queryCount - first);
      const slice = queries.subarray(first * HASH_BYTES, (first + count) * HASH_BYTES);
      const pairs =
        tables === undefined
          ? this.kernel.scan(slice, this.ids.length, threshold)
          : this.kernel.searchMany(
              slice,
              threshold,
              tables.radii,
              count * tables.largestBall,
              Math.min(CANDIDATE_BUDGET, Math.ceil(count * tables.candidates * 1.25) + 1024),
            );
      for (let index = 0; index < pairs.length; index += 2) {
        const slot = pairs[index] ?? 0;
        const tagged = pairs[index + 1] ?? 0;
        if (this.alive[slot] === 1) {
          into[first + (tagged >>> 9)]?.add(this.ids[slot] ?? 0, tagged & 511);
        }
      }
    }
  }

  /**
   * This segment's live entries merged with `extraIds` (ascending, none of them live here) and their hashes:
   * the contents of the rebuilt segment.
   */
  mergedWith(extraIds: Float64Array, extraHashes: Uint8Array): { ids: Float64Array; hashes: Uint8Array } {
    return mergeEntries(
      this.ids,
      this.alive,
      this.kernel.hashView(0, this.ids.length),
      extraIds,
      extraHashes,
    );
  }

  /** Replaces the contents (as from mergedWith) and rebuilds the tables. */
  rebuild(ids: Float64Array, hashes: Uint8Array): void {
    // WebAssembly memory never shrinks: a segment that lost most of its entries moves to a fresh instance.
    if (ids.length < this.ids.length / 2) this.kernel = new PdqKernel();
    this.load(ids, hashes);
  }

  private load(ids: Float64Array, hashes: Uint8Array, order?: Uint32Array): void {
    this.kernel.loadHashes(hashes, order);
    const chunks = this.chunks(ids.length);
    if (chunks !== undefined) this.kernel.buildTables(chunks);
    this.setEntries(ids);
  }

  private setEntries(ids: Float64Array): void {
    // Entry ids live in shared memory, so that a worker folding this segment reads them without a copy.
    this.ids = ids.buffer instanceof SharedArrayBuffer ? ids : sharedCopy(ids);
    this.alive = new Uint8Array(ids.length).fill(1);
    this.dead = 0;
    const chunks = this.chunks(ids.length);
    this.plan = chunks === undefined ? undefined : new SearchPlan(chunks, ids.length);
  }

  /** The multi-index chunks for a segment of `size` entries, or undefined if it is only scanned. */
  private chunks(size: number) {
    if (size === 0 || size < this.settings.minIndexedSize) return undefined;
    return chunksOf(this.settings.chunkCount ?? chooseChunkCount(size));
  }

  private usesTables(threshold: number, strategy: PdqSearchStrategy): boolean {
    if (this.plan === undefined || strategy === 'scan') return false;
    return strategy === 'index' || this.plan.prefersTables(threshold);
  }
}

/**
 * The live entries of a segment (`ids`, `alive` flags, `hashes` in slot order) merged with `extraIds`
 * (ascending, none of them live in the segment) and `extraHashes`, in id order. The result's ids are in
 * shared memory.
 */
export function mergeEntries(
  ownIds: Float64Array,
  alive: Uint8Array,
  own: Uint8Array,
  extraIds: Float64Array,
  extraHashes: Uint8Array,
): { ids: Float64Array; hashes: Uint8Array } {
  let live = 0;
  for (let slot = 0; slot < ownIds.length; slot++) live += alive[slot] === 1 ? 1 : 0;
  const total = live + extraIds.length;
  const ids = new Float64Array(new SharedArrayBuffer(total * 8));
  const hashes = new Uint8Array(total * HASH_BYTES);
  let slot = 0;
  let extra = 0;
  for (let written = 0; written < total;) {
    while (slot < ownIds.length && alive[slot] !== 1) slot++;
    const nextExtra = extraIds[extra] ?? Number.POSITIVE_INFINITY;
    if (slot < ownIds.length && (ownIds[slot] ?? 0) < nextExtra) {
      // Copy the whole run of live entries that comes before the next extra one in a single call.
      const runStart = slot;
      while (slot < ownIds.length && alive[slot] === 1 && (ownIds[slot] ?? 0) < nextExtra) slot++;
      ids.set(ownIds.subarray(runStart, slot), written);
      hashes.set(own.subarray(runStart * HASH_BYTES, slot * HASH_BYTES), written * HASH_BYTES);
      written += slot - runStart;
    } else {
      ids[written] = nextExtra;
      hashes.set(extraHashes.subarray(extra * HASH_BYTES, (extra + 1) * HASH_BYTES), written * HASH_BYTES);
      extra++;
      written++;
    }
  }
  return { ids, hashes };
}

function sharedCopy(ids: Float64Array): Float64Array {
  const copy = new Float64Array(new SharedArrayBuffer(ids.byteLength));
  copy.set(ids);
  return copy;
}
