// How the PDQ index cuts a 256-bit hash into chunks for multi-index hashing, which radius each chunk is
// searched with for a given threshold, and what a search costs, so that every query takes the cheaper of
// the tables and a brute-force scan.
//
// Multi-index hashing rests on the pigeonhole principle: if two hashes differ in at most T bits and the hash
// is cut into m chunks, some chunk differs in at most floor(T / m) bits. Sharper: with T = m * r + a
// (0 <= a < m), either one of any a + 1 chosen chunks is within r, or one of the others is within r - 1
// (otherwise the distance would be at least (a + 1)(r + 1) + (m - a - 1) r = T + 1). So the search probes,
// in each chunk, every value within that chunk's radius of the query's value.

export const HASH_BYTES = 32;
const HASH_BITS = 256;

/** Chunks of at most 24 bits keep each chunk's offsets table at 64 MiB or less. */
export const MIN_CHUNK_COUNT = 11;
/** Chunks of at least 8 bits. */
export const MAX_CHUNK_COUNT = 32;

export interface Chunk {
  startBit: number;
  bits: number;
}

// Cost model, in nanoseconds, fitted on the benchmark machine (bench/pdq-index.bench.ts): a scan compares a
// hash in about 1.5 ns; each probe or candidate of the tables is a cache miss whose cost grows with the
// working set, about 25 ns at 1M hashes and 40 ns at 10M. It puts the switch from tables to scan at
// threshold 50 for 1M hashes and 55 for 10M, where the measured times cross.
const SCAN_NS_PER_HASH = 1.5;
function missNs(size: number): number {
  return 10 + 4 * Math.log2(Math.max(size, 65_536) / 65_536);
}

/**
 * The number of chunks for a segment of `size` hashes: chunks of about log2(size) bits, so that a bucket
 * holds about one hash. Measured at 10M hashes, 11 chunks (about 1 hash per bucket) answered single queries
 * twice as fast as 12 (about 5) and batches 1.2 times as fast, for 1.3 GiB instead of 1.05 GiB; at 1M, 13
 * chunks (0.09 ms) sat between 12 (0.086 ms, 230 MiB) and 14 (0.107 ms, 155 MiB) at 163 MiB.
 */
export function chooseChunkCount(size: number): number {
  const chunks = Math.round(HASH_BITS / Math.log2(Math.max(size, 2)));
  return Math.min(MAX_CHUNK_COUNT, Math.max(MIN_CHUNK_COUNT, chunks));
}

/** Cuts the 256 bits into `chunkCount` contiguous chunks, the wider ones first. */
export function chunksOf(chunkCount: number): Chunk[] {
  const narrow = Math.floor(HASH_BITS / chunkCount);
  const wide = HASH_BITS % chunkCount;
  const chunks: Chunk[] = [];
  let startBit = 0;
  for (let index = 0; index < chunkCount; index++) {
    const bits = narrow + (index < wide ? 1 : 0);
    chunks.push({ startBit, bits });
    startBit += bits;
  }
  return chunks;
}

/** How many values lie within Hamming distance `radius` of a `bits`-bit value (0 for a negative radius). */
export function ballSize(bits: number, radius: number): number {
  let total = 0;
  let binomial = 1;
  for (let flips = 0; flips <= Math.min(radius, bits); flips++) {
    total += binomial;
    binomial = (binomial * (bits - flips)) / (flips + 1);
  }
  return total;
}

/** What a search at one threshold needs from the tables: radii, probes, expected candidates. */
export interface ThresholdPlan {
  /** Radius per chunk; -1 skips the chunk. */
  radii: Int32Array;
  probes: number;
  /** Expected candidates for uniformly random hashes. */
  candidates: number;
  /** The most probes of any one chunk, which sizes the batch scratch space. */
  largestBall: number;
}

/** Search plans for one segment of the index, per threshold, with the cost model's verdicts. */
export class SearchPlan {
  private readonly byThreshold = new Map<number, ThresholdPlan>();

  constructor(
    readonly chunks: readonly Chunk[],
    /** Hashes in the segment. */
    readonly size: number,
  ) {}

  forThreshold(threshold: number): ThresholdPlan {
    let plan = this.byThreshold.get(threshold);
    if (plan === undefined) {
      plan = this.computePlan(threshold);
      this.byThreshold.set(threshold, plan);
    }
    return plan;
  }

  /** True when probing the tables should beat scanning every hash. */
  prefersTables(threshold: number): boolean {
    const plan = this.forThreshold(threshold);
    return (plan.probes + plan.candidates) * missNs(this.size) < this.size * SCAN_NS_PER_HASH;
  }

  /** Past this many candidates a single query is cheaper as a scan: the tables give up and say so. */
  candidateBudget(): number {
    return Math.floor((this.size * SCAN_NS_PER_HASH) / missNs(this.size));
  }

  private computePlan(threshold: number): ThresholdPlan {
    const chunkCount = this.chunks.length;
    const radius = Math.floor(threshold / chunkCount);
    const extra = threshold - radius * chunkCount;
    // Any extra + 1 chunks may take the full radius (see the header); give it where it costs least.
    const increase = this.chunks.map((chunk, index) => ({
      index,
      cost:
        (ballSize(chunk.bits, radius) - ballSize(chunk.bits, radius - 1)) * (1 + this.size / 2 ** chunk.bits),
    }));
    increase.sort((a, b) => a.cost - b.cost || a.index - b.index);
    const radii = new Int32Array(chunkCount).fill(radius - 1);
    for (const { index } of increase.slice(0, extra + 1)) radii[index] = radius;

    let probes = 0;
    let candidates = 0;
    let largestBall = 0;
    this.chunks.forEach((chunk, index) => {
      const ball = ballSize(chunk.bits, radii[index] ?? -1);
      probes += ball;
      candidates += (ball * this.size) / 2 ** chunk.bits;
      largestBall = Math.max(largestBall, ball);
    });
    return { radii, probes, candidates, largestBall };
  }
}
