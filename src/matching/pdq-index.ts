// The PDQ index: which bank entries lie within Hamming distance T of a 256-bit PDQ hash, exactly as a
// brute-force scan would answer, in well under a millisecond at millions of entries.
//
// Entries live in segments (pdq-index-segment.ts), each a sorted-by-id hash array in WebAssembly memory with
// multi-index hashing tables over it, plus an append area (pdq-index-delta.ts) that takes single adds and is
// scanned by brute force. When the append area passes a small fraction of the index it is folded into a
// segment by a rebuild; removals are tombstones, and a segment with many of them is rebuilt without them.
// With foldInBackground, rebuilds run in a worker thread (pdq-index-background.ts): the full append area is
// set aside (still queried), new adds go to a fresh one, and the rebuilt segment is swapped in whole when
// it is ready, with the removals and replacements made meanwhile applied to it.
// Each query takes, per segment, whichever of the tables and a scan the cost model (pdq-index-plan.ts)
// expects to be faster, so every threshold from 0 to 256 is answered exactly.
import { matchingDefaults } from '../config/index.js';
import { runIndexJob } from './pdq-index-background.js';
import { PdqDelta } from './pdq-index-delta.js';
import { NearestNeighbours } from './pdq-index-nearest.js';
import {
  checkEntryId,
  checkHash,
  checkHashes,
  checkIntegerOption,
  checkThreshold,
} from './pdq-index-input.js';
import { sortEntries } from './pdq-index-order.js';
import { HASH_BYTES, MAX_CHUNK_COUNT, MIN_CHUNK_COUNT } from './pdq-index-plan.js';
import { PdqSegment } from './pdq-index-segment.js';
import type { PdqNeighbour, PdqSearchStrategy, SegmentSettings, SharedSegment } from './pdq-index-segment.js';

export { bruteForceSearch } from './pdq-index-brute-force.js';
export type { PdqNeighbour, PdqSearchStrategy } from './pdq-index-segment.js';

export interface PdqIndexOptions {
  /** Chunks per hash for multi-index hashing, 11 to 32. Default: chosen from each segment's size. */
  chunkCount?: number;
  /**
   * Fold the append area into a segment once it holds more entries than this. Default: 1/128 of the index,
   * at least 4,096 and at most 65,536. Every query scans the append area, and every fold rebuilds a segment
   * (about 8 s at 10M entries): a larger area makes adds cheaper and queries dearer.
   */
  maxDeltaSize?: number;
  /** Most entries in one segment (one WebAssembly memory, at most 4 GiB). Default 2^24. */
  segmentCapacity?: number;
  /** Segments with fewer entries are scanned instead of getting tables. Default 4,096. */
  minIndexedSize?: number;
  /**
   * Rebuild segments (folds, tombstone clean-ups) in a worker thread, keeping the event loop free and
   * answering queries from the old segments meanwhile. Default false: rebuilds happen within add/remove.
   */
  foldInBackground?: boolean;
}

export interface PdqQueryOptions {
  /** Default 'auto'. 'index' and 'scan' force one method, for benchmarks and tests. */
  strategy?: PdqSearchStrategy;
  /** Return only the nearest this many neighbours of each query (a whole number from 1). Default: all. */
  limit?: number;
}

export interface PdqIndexStats {
  segments: number;
  /** Entries in the append area. */
  deltaSize: number;
  /** Removed entries still taking space in segments. */
  tombstones: number;
  /** Chunks per segment (0 for a segment without tables). */
  chunkCounts: number[];
}

const DEFAULT_THRESHOLD = matchingDefaults.pdqThreshold;
const MAX_SEGMENT_CAPACITY = 2 ** 25;
const MAX_BATCH = 65_536;

/** A rebuild under way in a worker: the entries it works from stay queryable until it is swapped in. */
interface BackgroundRebuild {
  /** The segment being rebuilt, still answering queries; none when the result is a new segment. */
  target: PdqSegment | undefined;
  /** The append area being folded in, still answering queries. */
  folding: PdqDelta;
  /** Entry ids removed or re-added since the rebuild began: stale in its result. */
  touched: Set<number>;
  done: Promise<void>;
}

export class PdqIndex {
  private segments: PdqSegment[] = [];
  private delta = new PdqDelta();
  private background: BackgroundRebuild | undefined;
  private readonly segmentSettings: SegmentSettings;
  private readonly segmentCapacity: number;
  private readonly maxDeltaSize: number | undefined;
  private readonly foldInBackground: boolean;

  private constructor(options: PdqIndexOptions) {
    checkIntegerOption('chunkCount', options.chunkCount, MIN_CHUNK_COUNT, MAX_CHUNK_COUNT);
    checkIntegerOption('segmentCapacity', options.segmentCapacity, 1, MAX_SEGMENT_CAPACITY);
    checkIntegerOption('maxDeltaSize', options.maxDeltaSize, 1, MAX_SEGMENT_CAPACITY);
    checkIntegerOption('minIndexedSize', options.minIndexedSize, 0, MAX_SEGMENT_CAPACITY);
    this.segmentSettings = { chunkCount: options.chunkCount, minIndexedSize: options.minIndexedSize ?? 4096 };
    this.segmentCapacity = options.segmentCapacity ?? 2 ** 24;
    this.maxDeltaSize = options.maxDeltaSize;
    this.foldInBackground = options.foldInBackground ?? false;
  }

  /**
   * Builds an index over `hashes` (32 bytes per entry, in the order of `entryIds`). Entry ids are safe
   * integers; if one appears twice, its later hash wins, as with add.
   */
  static build(entryIds: ArrayLike<number>, hashes: Uint8Array, options: PdqIndexOptions = {}): PdqIndex {
    const index = new PdqIndex(options);
    checkHashes(hashes, entryIds.length);
    const givenIds = new Float64Array(entryIds.length);
    for (let position = 0; position < entryIds.length; position++) {
      const entryId = entryIds[position] ?? Number.NaN;
      checkEntryId(entryId);
      givenIds[position] = entryId;
    }
    const { ids, sources } = sortEntries(givenIds);
    // Equal segments, each a contiguous range of ids.
    const segmentCount = Math.ceil(ids.length / index.segmentCapacity);
    for (let segment = 0; segment < segmentCount; segment++) {
      const start = Math.floor((segment * ids.length) / segmentCount);
      const end = Math.floor(((segment + 1) * ids.length) / segmentCount);
      const segmentIds = ids.slice(start, end);
      index.segments.push(
        sources === undefined
          ? new PdqSegment(
              index.segmentSettings,
              segmentIds,
              hashes.subarray(start * HASH_BYTES, end * HASH_BYTES),
            )
          : new PdqSegment(index.segmentSettings, segmentIds, hashes, sources.subarray(start, end)),
      );
    }
    return index;
  }

  /**
   * build(), run in a worker thread: the event loop stays free while the tables are built. `entryIds` and
   * `hashes` are moved to the worker, not copied: do not use them afterwards.
   */
  static async buildInBackground(
    entryIds: Float64Array,
    hashes: Uint8Array,
    options: PdqIndexOptions = {},
  ): Promise<PdqIndex> {
    const index = new PdqIndex(options);
    checkHashes(hashes, entryIds.length);
    for (const entryId of entryIds) checkEntryId(entryId);
    const segments = await runIndexJob({ kind: 'build', options, ids: entryIds, hashes });
    index.segments = segments.map(
      (shared) => new PdqSegment(index.segmentSettings, shared.ids, shared.kernel),
    );
    return index;
  }

  /** The segments as another thread can take them over (see buildInBackground). */
  shareSegments(): SharedSegment[] {
    return this.segments.map((segment) => segment.share());
  }

  /** Resolves once no background rebuild is under way (at once without foldInBackground). */
  async settled(): Promise<void> {
    while (this.background !== undefined) await this.background.done;
  }

  /** Live entries. */
  get size(): number {
    let size = this.delta.size + (this.background?.folding.size ?? 0);
    for (const segment of this.segments) size += segment.liveCount;
    return size;
  }

  /** Adds an entry, matchable at once; re-adding an entry id replaces its hash. */
  add(entryId: number, hash: Uint8Array): void {
    checkEntryId(entryId);
    checkHash(hash);
    if (!this.delta.has(entryId)) this.removeOlder(entryId);
    this.delta.set(entryId, hash);
    if (this.delta.size > this.deltaLimit()) this.fold();
  }

  /** Removes an entry; returns whether it was there. */
  remove(entryId: number): boolean {
    checkEntryId(entryId);
    return this.delta.remove(entryId) || this.removeOlder(entryId);
  }

  has(entryId: number): boolean {
    checkEntryId(entryId);
    return (
      this.delta.has(entryId) ||
      (this.background?.folding.has(entryId) ?? false) ||
      this.segments.some((segment) => segment.find(entryId) >= 0)
    );
  }

  /** Every entry within `threshold` bits of `hash` (the nearest `limit`), sorted by distance, then entry id. */
  query(hash: Uint8Array, threshold = DEFAULT_THRESHOLD, options: PdqQueryOptions = {}): PdqNeighbour[] {
    checkHash(hash);
    checkThreshold(threshold);
    checkIntegerOption('limit', options.limit, 1, Number.MAX_SAFE_INTEGER);
    const found = new NearestNeighbours(options.limit);
    for (const segment of this.segments) segment.query(hash, threshold, options.strategy ?? 'auto', found);
    this.background?.folding.query(hash, threshold, found);
    this.delta.query(hash, threshold, found);
    return found.sorted();
  }

  /**
   * query() for each hash of `hashes` (32 bytes each), in one pass: tables and hashes are read in address
   * order for the whole batch, which is several times faster per hash than single queries.
   */
  queryBatch(
    hashes: Uint8Array,
    threshold = DEFAULT_THRESHOLD,
    options: PdqQueryOptions = {},
  ): PdqNeighbour[][] {
    const queryCount = checkHashes(hashes);
    checkThreshold(threshold);
    checkIntegerOption('limit', options.limit, 1, Number.MAX_SAFE_INTEGER);
    const results = Array.from({ length: queryCount }, () => new NearestNeighbours(options.limit));
    for (let first = 0; first < queryCount; first += MAX_BATCH) {
      const slice = hashes.subarray(first * HASH_BYTES, Math.min(queryCount, first + MAX_BATCH) * HASH_BYTES);
      // The collectors are shared, so the segments fill `results` through this window.
      const window = results.slice(first, first + MAX_BATCH);
      for (const segment of this.segments)
        segment.queryBatch(slice, threshold, options.strategy ?? 'auto', window);
      this.background?.folding.queryBatch(slice, threshold, window);
      this.delta.queryBatch(slice, threshold, window);
    }
    return results.map((found) => found.sorted());
  }

  /** Bytes held: WebAssembly memories (hashes, tables, scratch), entry ids, tombstones, the append area. */
  memoryBytes(): number {
    let bytes = this.delta.memoryBytes() + (this.background?.folding.memoryBytes() ?? 0);
    for (const segment of this.segments) bytes += segment.memoryBytes();
    return bytes;
  }

  stats(): PdqIndexStats {
    return {
      segments: this.segments.length,
      deltaSize: this.delta.size + (this.background?.folding.size ?? 0),
      tombstones: this.segments.reduce((total, segment) => total + segment.deadCount, 0),
      chunkCounts: this.segments.map((segment) => segment.chunkCount),
    };
  }

  private deltaLimit(): number {
    const limit = this.maxDeltaSize ?? Math.min(65_536, Math.max(4096, Math.floor(this.size / 128)));
    return Math.min(limit, this.segmentCapacity);
  }

  /** Removes an entry from the segments or the append area being folded; returns whether it was there. */
  private removeOlder(entryId: number): boolean {
    const background = this.background;
    // Whatever the rebuild under way holds for this entry is stale now.
    background?.touched.add(entryId);
    if (background?.folding.remove(entryId) === true) return true;
    for (const segment of this.segments) {
      const slot = segment.find(entryId);
      if (slot < 0) continue;
      segment.kill(slot);
      if (background === undefined && tooManyTombstones(segment)) this.rebuild(segment, undefined);
      return true;
    }
    return false;
  }

  /** Moves the append area into the smallest segment with room for it, or into a new segment. */
  private fold(): void {
    if (this.background !== undefined) return; // the append area waits for the fold under way
    let target: PdqSegment | undefined;
    for (const segment of this.segments) {
      if (segment.liveCount + this.delta.size > this.segmentCapacity) continue;
      if (target === undefined || segment.liveCount < target.liveCount) target = segment;
    }
    this.rebuild(target, this.delta);
    if (this.foldInBackground) this.delta = new PdqDelta();
  }

  /**
   * Rebuilds `target` (or makes a new segment when undefined) with the entries of `extra` added and its
   * tombstones dropped: at once, or in a worker with the result swapped in when it is ready.
   */
  private rebuild(target: PdqSegment | undefined, extra: PdqDelta | undefined): void {
    const { ids, hashes } = extra?.sorted() ?? { ids: new Float64Array(0), hashes: new Uint8Array(0) };
    if (!this.foldInBackground) {
      extra?.clear();
      if (target === undefined) this.segments.push(new PdqSegment(this.segmentSettings, ids, hashes));
      else this.replace(target, target.mergedWith(ids, hashes));
      return;
    }
    const job = runIndexJob({
      kind: 'fold',
      settings: this.segmentSettings,
      target: target?.share(),
      extraIds: ids,
      extraHashes: hashes,
    });
    const background: BackgroundRebuild = {
      target,
      folding: extra ?? new PdqDelta(),
      touched: new Set(),
      done: job.then(
        (built) => this.swapIn(background, built),
        // A worker that fails (out of memory, say) leaves the index as it was: the entries it was folding
        // go back to the append area, and the next add tries again.
        () => this.restore(background),
      ),
    };
    this.background = background;
  }

  private swapIn(background: BackgroundRebuild, built: SharedSegment[]): void {
    const segments = built.map((shared) => new PdqSegment(this.segmentSettings, shared.ids, shared.kernel));
    for (const segment of segments) {
      for (const entryId of background.touched) {
        const slot = segment.find(entryId);
        if (slot >= 0) segment.kill(slot);
      }
    }
    const others = this.segments.filter((segment) => segment !== background.target);
    this.segments = [...others, ...segments];
    this.background = undefined;
    this.afterRebuild();
  }

  private restore(background: BackgroundRebuild): void {
    const { ids, hashes } = background.folding.sorted();
    this.background = undefined;
    ids.forEach((entryId, position) => {
      if (!this.delta.has(entryId))
        this.delta.set(entryId, hashes.subarray(position * 32, position * 32 + 32));
    });
  }

  /** Starts the next rebuild if one waited for the last: a full append area or a segment of tombstones. */
  private afterRebuild(): void {
    if (this.delta.size > this.deltaLimit()) {
      this.fold();
      return;
    }
    const worn = this.segments.find(tooManyTombstones);
    if (worn !== undefined) this.rebuild(worn, undefined);
  }

  private replace(segment: PdqSegment, merged: { ids: Float64Array; hashes: Uint8Array }): void {
    if (merged.ids.length === 0) this.segments = this.segments.filter((other) => other !== segment);
    else segment.rebuild(merged.ids, merged.hashes);
  }
}

/** Tombstones cost scan and verify time and memory: past 1 in 8, a segment is rebuilt without them. */
function tooManyTombstones(segment: PdqSegment): boolean {
  return segment.deadCount * 8 > segment.slotCount;
}
