// One WebAssembly instance of assembly/pdq-index.ts and the linear memory it works in: a contiguous array of
// 32-byte hashes, optionally the multi-index tables over it, then scratch space for each call's queries and
// results. Each instance has its own memory, so an index segment can be dropped (and its memory freed) as a
// whole. Results come back as u32 pairs: (hash number, distance), or (hash number, query << 9 | distance)
// for batches.
//
// The memory is shared (a SharedArrayBuffer): a worker thread builds a segment in a kernel of its own and
// hands the memory back whole, without a copy, and reads a live segment's hashes while the main thread
// keeps querying them (pdq-index-worker.ts).
import { WardenError } from '../errors/index.js';
import { instantiateWasm } from '../wasm/index.js';
import { gatherHashes } from './pdq-index-order.js';
import { HASH_BYTES } from './pdq-index-plan.js';
import type { Chunk } from './pdq-index-plan.js';

interface KernelExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  buildTable(
    hashes: number,
    count: number,
    startBit: number,
    bits: number,
    offsets: number,
    slots: number,
    values: number,
  ): void;
  scanMany(
    hashes: number,
    count: number,
    queries: number,
    queryCount: number,
    threshold: number,
    out: number,
    outCapacity: number,
  ): number;
  searchOne(
    hashes: number,
    layout: number,
    chunkCount: number,
    query: number,
    threshold: number,
    radii: number,
    block: number,
    maxCandidates: number,
    out: number,
    outCapacity: number,
  ): number;
  searchMany(
    hashes: number,
    count: number,
    layout: number,
    chunkCount: number,
    queries: number,
    queryCount: number,
    threshold: number,
    radii: number,
    probes: number,
    probeCapacity: number,
    candidates: number,
    candidateCapacity: number,
    histogram: number,
    out: number,
    outCapacity: number,
  ): number;
}

const PAGE_BYTES = 65_536;
// Hash and query arrays are followed by padding: the kernels read a chunk with one 4-byte load, which may
// run up to 3 bytes past the last hash.
const PADDING = 64;
const BLOCK_BYTES = (3 * 1024 + 4096) * 4;
const HISTOGRAM_BYTES = (2 ** 13 + 1) * 4;
const MAX_U32 = 0xffff_ffff;
// The most a memory may grow to (4 GiB, the WebAssembly limit); a shared memory must declare it up front.
const MAX_PAGES = 65_536;

/** What another thread needs to take a kernel over: its memory and the layout written into it. */
export interface KernelState {
  memory: WebAssembly.Memory;
  /** Where the hashes start; the same in every instance of the module. */
  hashesAt: number;
  hashCapacity: number;
  layoutAt: number;
  chunkCount: number;
  scratchAt: number;
}

function align(address: number): number {
  return Math.ceil(address / 64) * 64;
}

export class PdqKernel {
  private readonly exports: KernelExports;
  private readonly hashesAt: number;
  private hashCapacity = 0;
  private layoutAt = 0;
  private chunkCount = 0;
  private scratchAt: number;
  private outCapacity = 1024;

  /** A new kernel with an empty memory, or one taking over `state` from another thread. */
  constructor(state?: KernelState) {
    const memory = state?.memory ?? new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
    this.exports = instantiateWasm('pdq-index', { env: { memory } }).exports as unknown as KernelExports;
    this.hashesAt = align(this.exports.heapBase());
    this.scratchAt = align(this.hashesAt + PADDING);
    if (state !== undefined) {
      this.hashCapacity = state.hashCapacity;
      this.layoutAt = state.layoutAt;
      this.chunkCount = state.chunkCount;
      this.scratchAt = state.scratchAt;
    }
  }

  /** This kernel's memory and layout, for a kernel on another thread (the memory is shared, not copied). */
  state(): KernelState {
    return {
      memory: this.exports.memory,
      hashesAt: this.hashesAt,
      hashCapacity: this.hashCapacity,
      layoutAt: this.layoutAt,
      chunkCount: this.chunkCount,
      scratchAt: this.scratchAt,
    };
  }

  /** Bytes of linear memory this instance holds. */
  get byteLength(): number {
    return this.exports.memory.buffer.byteLength;
  }

  /** Makes room for `capacity` hashes, keeping those already written. Drops the tables. */
  setHashCapacity(capacity: number): void {
    this.hashCapacity = capacity;
    this.chunkCount = 0;
    this.scratchAt = align(this.hashesAt + capacity * HASH_BYTES + PADDING);
    this.reserve(this.scratchAt);
  }

  /** Replaces the hashes with those of `source`, in `order` (indexes into source) if given. */
  loadHashes(source: Uint8Array, order?: Uint32Array): void {
    const count = order === undefined ? source.length / HASH_BYTES : order.length;
    this.setHashCapacity(count);
    const target = new Uint8Array(this.exports.memory.buffer, this.hashesAt, count * HASH_BYTES);
    if (order === undefined) target.set(source);
    else gatherHashes(source, order, target);
  }

  writeHash(slot: number, hash: Uint8Array): void {
    new Uint8Array(this.exports.memory.buffer).set(hash, this.hashesAt + slot * HASH_BYTES);
  }

  copyHash(fromSlot: number, toSlot: number): void {
    const bytes = new Uint8Array(this.exports.memory.buffer);
    const from = this.hashesAt + fromSlot * HASH_BYTES;
    bytes.copyWithin(this.hashesAt + toSlot * HASH_BYTES, from, from + HASH_BYTES);
  }

  /** A view of hashes from..to-1; valid until the next call that may grow memory. */
  hashView(from: number, to: number): Uint8Array {
    return new Uint8Array(
      this.exports.memory.buffer,
      this.hashesAt + from * HASH_BYTES,
      (to - from) * HASH_BYTES,
    );
  }

  /** Builds the multi-index tables over all hashes (counting sort per chunk), after the hash array. */
  buildTables(chunks: readonly Chunk[]): void {
    const count = this.hashCapacity;
    let at = align(this.hashesAt + count * HASH_BYTES + PADDING);
    const records = new Uint32Array(chunks.length * 4);
    chunks.forEach((chunk, index) => {
      records.set([chunk.startBit, chunk.bits, at], index * 4);
      at = align(at + (2 ** chunk.bits + 2) * 4);
    });
    chunks.forEach((_, index) => {
      records[index * 4 + 3] = at;
      at = align(at + count * 4);
    });
    this.layoutAt = at;
    this.scratchAt = align(at + records.byteLength);
    const values = this.scratchAt;
    this.reserve(values + count * 4);
    new Uint32Array(this.exports.memory.buffer, this.layoutAt, records.length).set(records);
    for (let index = 0; index < chunks.length; index++) {
      const [startBit = 0, bits = 0, offsets = 0, slots = 0] = records.subarray(index * 4, index * 4 + 4);
      this.exports.buildTable(this.hashesAt, count, startBit, bits, offsets, slots, values);
    }
    this.chunkCount = chunks.length;
  }

  /**
   * Brute force over hashes 0..count-1: (hash number, query << 9 | distance) pairs, which for one query are
   * (hash number, distance).
   */
  scan(queries: Uint8Array, count: number, threshold: number): Uint32Array {
    const [queriesAt = 0, outAt = 0] = this.scratch(queries.length + PADDING);
    this.writeBytes(queries, queriesAt);
    const queryCount = queries.length / HASH_BYTES;
    return this.collect(outAt, (capacity) =>
      this.exports.scanMany(this.hashesAt, count, queriesAt, queryCount, threshold, outAt, capacity),
    );
  }

  /**
   * Multi-index hashing for one query: (hash number, distance) pairs, or undefined once more than
   * maxCandidates candidates turn up (the caller should scan instead).
   */
  searchOne(
    query: Uint8Array,
    threshold: number,
    radii: Int32Array,
    maxCandidates: number,
  ): Uint32Array | undefined {
    const [queryAt = 0, radiiAt = 0, blockAt = 0, outAt = 0] = this.scratch(
      HASH_BYTES + PADDING,
      radii.byteLength,
      BLOCK_BYTES,
    );
    this.writeBytes(query, queryAt);
    new Int32Array(this.exports.memory.buffer, radiiAt, radii.length).set(radii);
    let gaveUp = false;
    const pairs = this.collect(outAt, (capacity) => {
      const found = this.exports.searchOne(
        this.hashesAt,
        this.layoutAt,
        this.chunkCount,
        queryAt,
        threshold,
        radiiAt,
        blockAt,
        Math.min(maxCandidates, MAX_U32),
        outAt,
        capacity,
      );
      gaveUp = found < 0;
      return Math.max(found, 0);
    });
    return gaveUp ? undefined : pairs;
  }

  /**
   * Multi-index hashing for a batch: (hash number, query << 9 | distance) pairs. probeCapacity must be at least
   * the query count times the largest ball of any chunk; candidateCapacity only bounds the scratch space.
   */
  searchMany(
    queries: Uint8Array,
    threshold: number,
    radii: Int32Array,
    probeCapacity: number,
    candidateCapacity: number,
  ): Uint32Array {
    const [queriesAt = 0, radiiAt = 0, probesAt = 0, candidatesAt = 0, histogramAt = 0, outAt = 0] =
      this.scratch(
        queries.length + PADDING,
        radii.byteLength,
        probeCapacity * 16,
        candidateCapacity * 16,
        HISTOGRAM_BYTES,
      );
    this.writeBytes(queries, queriesAt);
    new Int32Array(this.exports.memory.buffer, radiiAt, radii.length).set(radii);
    return this.collect(outAt, (capacity) =>
      this.exports.searchMany(
        this.hashesAt,
        this.hashCapacity,
        this.layoutAt,
        this.chunkCount,
        queriesAt,
        queries.length / HASH_BYTES,
        threshold,
        radiiAt,
        probesAt,
        probeCapacity,
        candidatesAt,
        candidateCapacity,
        histogramAt,
        outAt,
        capacity,
      ),
    );
  }

  /** Lays out scratch regions of the given sizes, plus the address of the output area after them. */
  private scratch(...sizes: number[]): number[] {
    const addresses: number[] = [];
    let at = this.scratchAt;
    for (const size of sizes) {
      addresses.push(at);
      at = align(at + size);
    }
    addresses.push(at);
    this.reserve(at);
    return addresses;
  }

  /**
   * Runs a kernel that writes u32 pairs at outAt and returns how many it found. When they did not all fit,
   * grows the output area (the last scratch region, so nothing moves) and runs it again.
   */
  private collect(outAt: number, run: (capacity: number) => number): Uint32Array {
    this.reserve(outAt + this.outCapacity * 8);
    let found = run(this.outCapacity);
    if (found > this.outCapacity) {
      this.outCapacity = found;
      this.reserve(outAt + found * 8);
      found = run(found);
    }
    return new Uint32Array(this.exports.memory.buffer, outAt, found * 2).slice();
  }

  private writeBytes(bytes: Uint8Array, at: number): void {
    new Uint8Array(this.exports.memory.buffer).set(bytes, at);
  }

  private reserve(end: number): void {
    const missing = end - this.exports.memory.buffer.byteLength;
    if (missing <= 0) return;
    try {
      this.exports.memory.grow(Math.ceil(missing / PAGE_BYTES));
    } catch (error) {
      throw new WardenError(
        'too_large',
        `The PDQ index needs ${Math.ceil(end / 2 ** 20)} MiB in one WebAssembly memory, more than the ` +
          'runtime allows (4 GiB). Use a smaller segmentCapacity or a smaller batch.',
        { cause: String(error) },
      );
    }
  }
}
