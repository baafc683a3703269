// PDQ index benchmark: build time, memory, and radius-31 lookups (single and batched) over random hashes
// with planted near-duplicates, against the WebAssembly brute-force scan measured in the same run and the
// FAISS anchors measured on this machine class. Also checks that the index returns exactly what the scans
// return. `npx tsx bench/run.ts pdq-index [--index-sizes 1000000,10000000] [--chunk-count N]`
import { PdqIndex, bruteForceSearch } from '../src/matching/index.js';
import type { PdqNeighbour } from '../src/matching/index.js';
import { median, printTable } from './table.js';
import type { Cell } from './table.js';

const THRESHOLD = 31;
const SINGLE_QUERIES = 2000;
const BATCH_SIZE = 1000;
const PLANTED_QUERIES = 100;
// Each planted query gets bank entries at these distances: both sides of the threshold.
const PLANTED_DISTANCES = [0, 1, THRESHOLD - 1, THRESHOLD, THRESHOLD + 1];
// FAISS IndexBinaryMultiHash (16 tables x 16 bits, as HMA configures it), one query at radius 31.
const FAISS_SINGLE_MS: Record<number, number> = { 1_000_000: 2.6, 10_000_000: 27.3 };

/** A 32-bit mix (the murmur3 finalizer), so that nearby seeds start unrelated generators. */
function mix(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85eb_ca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2_ae35);
  return (h ^ (h >>> 16)) >>> 0 || 1;
}

/** xorshift128: fills 10M hashes (320 MB) in well under a second, and the same ones every run. */
function randomBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  const words = new Uint32Array(bytes.buffer, 0, length >>> 2);
  let x = mix(seed);
  let y = mix(x);
  let z = mix(y);
  let w = mix(z);
  for (let index = 0; index < words.length; index++) {
    const t = x ^ (x << 11);
    x = y;
    y = z;
    z = w;
    w = (w ^ (w >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
    words[index] = w;
  }
  return bytes;
}

/** A copy of `hash` with `count` distinct bits flipped. */
function flipBits(hash: Uint8Array, count: number, random: Uint8Array): Uint8Array {
  const copy = hash.slice();
  const bits = Array.from({ length: 256 }, (_, bit) => bit);
  for (let flipped = 0; flipped < count; flipped++) {
    const pick = flipped + ((random[flipped] ?? 0) % (256 - flipped));
    const bit = bits[pick] ?? 0;
    bits[pick] = bits[flipped] ?? 0;
    copy[bit >>> 3] = (copy[bit >>> 3] ?? 0) ^ (1 << (bit & 7));
  }
  return copy;
}

interface Dataset {
  entryIds: Float64Array;
  hashes: Uint8Array;
  /** Queries, 32 bytes each: the planted ones first, then random ones. */
  queries: Uint8Array;
  /** Planted entries within the threshold, which every method must find. */
  plantedMatches: number;
}

function makeDataset(size: number): Dataset {
  const hashes = randomBytes(size * 32, size);
  // Database ids: ascending with gaps.
  const entryIds = new Float64Array(size);
  for (let index = 0; index < size; index++) entryIds[index] = 3 * index + 1;
  const queries = randomBytes(SINGLE_QUERIES * 32, size + 1);
  const random = randomBytes(PLANTED_QUERIES * PLANTED_DISTANCES.length * 256, size + 2);
  let slot = 0;
  for (let query = 0; query < PLANTED_QUERIES; query++) {
    PLANTED_DISTANCES.forEach((distance, which) => {
      const offset = (query * PLANTED_DISTANCES.length + which) * 256;
      const planted = flipBits(
        queries.subarray(query * 32, query * 32 + 32),
        distance,
        random.subarray(offset),
      );
      // Spread over the whole array, as entries of a real bank would be.
      slot = (slot + 7_919_993) % size;
      hashes.set(planted, slot * 32);
    });
  }
  const plantedMatches =
    PLANTED_QUERIES * PLANTED_DISTANCES.filter((distance) => distance <= THRESHOLD).length;
  return { entryIds, hashes, queries, plantedMatches };
}

interface Timing {
  medianMs: number;
  p99Ms: number;
  perSecond: number;
  results: PdqNeighbour[][];
}

function timeSingles(index: PdqIndex, queries: Uint8Array, count: number, strategy: 'auto' | 'scan'): Timing {
  const times: number[] = [];
  const results: PdqNeighbour[][] = [];
  for (let query = 0; query < count; query++) {
    const hash = queries.subarray(query * 32, query * 32 + 32);
    const start = performance.now();
    results.push(index.query(hash, THRESHOLD, { strategy }));
    times.push(performance.now() - start);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const total = times.reduce((sum, time) => sum + time, 0);
  return {
    medianMs: median(times),
    p99Ms: sorted[Math.floor(sorted.length * 0.99)] ?? Number.NaN,
    perSecond: (count / total) * 1000,
    results,
  };
}

function timeBatch(index: PdqIndex, queries: Uint8Array, count: number, strategy: 'auto' | 'scan') {
  const batch = queries.subarray(0, count * 32);
  const times: number[] = [];
  let results: PdqNeighbour[][] = [];
  for (let round = 0; round < (strategy === 'scan' ? 1 : 3); round++) {
    const start = performance.now();
    results = index.queryBatch(batch, THRESHOLD, { strategy });
    times.push(performance.now() - start);
  }
  return { perSecond: (count / median(times)) * 1000, results };
}

const same = (a: PdqNeighbour[][], b: PdqNeighbour[][]): boolean => JSON.stringify(a) === JSON.stringify(b);
const megabytes = (bytes: number): number => bytes / 2 ** 20;
const yesNo = (value: boolean): string => (value ? 'yes' : 'NO');

function numberFlag(args: string[], name: string): number[] | undefined {
  const at = args.indexOf(name);
  const value = at >= 0 ? args[at + 1] : undefined;
  return value?.split(',').map(Number);
}

// The runner's contract is asynchronous; this benchmark is not.
// eslint-disable-next-line @typescript-eslint/require-await
export async function run(args: string[]): Promise<void> {
  const sizes = numberFlag(args, '--index-sizes') ?? [1_000_000, 10_000_000];
  const chunkCount = numberFlag(args, '--chunk-count')?.[0];
  const options: Parameters<typeof PdqIndex.build>[2] = chunkCount === undefined ? {} : { chunkCount };
  const buildRows: Cell[][] = [];
  const lookupRows: Cell[][] = [];
  const checkRows: Cell[][] = [];

  for (const size of sizes) {
    const data = makeDataset(size);
    const start = performance.now();
    const index = PdqIndex.build(data.entryIds, data.hashes, options);
    const buildSeconds = (performance.now() - start) / 1000;

    // The scan is much slower: fewer queries, the planted ones first, so the check still covers them.
    const scanCount = Math.max(PLANTED_QUERIES, Math.min(SINGLE_QUERIES, Math.round(2e9 / size)));
    const scanBatch = Math.min(BATCH_SIZE, Math.round(2e8 / size));
    const singles = timeSingles(index, data.queries, SINGLE_QUERIES, 'auto');
    const batch = timeBatch(index, data.queries, BATCH_SIZE, 'auto');
    const scanSingles = timeSingles(index, data.queries, scanCount, 'scan');
    const scanBatched = timeBatch(index, data.queries, scanBatch, 'scan');
    buildRows.push([
      size.toLocaleString('en-GB'),
      buildSeconds,
      index.stats().chunkCounts.join(','),
      megabytes(index.memoryBytes()),
      megabytes(process.memoryUsage().rss),
    ]);

    const faiss = FAISS_SINGLE_MS[size];
    const vsFaiss = (ms: number): Cell => (faiss === undefined ? '-' : `${(faiss / ms).toFixed(1)}x faster`);
    lookupRows.push(
      [
        size.toLocaleString('en-GB'),
        'index',
        singles.medianMs.toFixed(3),
        singles.p99Ms.toFixed(3),
        Math.round(singles.perSecond),
        `${Math.round(batch.perSecond)} (${BATCH_SIZE})`,
        `${(scanSingles.medianMs / singles.medianMs).toFixed(0)}x faster`,
        vsFaiss(singles.medianMs),
      ],
      [
        size.toLocaleString('en-GB'),
        'wasm brute-force scan',
        scanSingles.medianMs.toFixed(3),
        scanSingles.p99Ms.toFixed(3),
        Math.round(scanSingles.perSecond),
        `${Math.round(scanBatched.perSecond)} (${scanBatch})`,
        '1x',
        vsFaiss(scanSingles.medianMs),
      ],
    );

    // Exactness: the index against the scan on every scanned query, the batch against the singles, and the
    // plain-JavaScript reference on a few planted queries.
    const referenceCount = Math.max(3, Math.min(20, Math.round(3e7 / size)));
    const reference = Array.from({ length: referenceCount }, (_, query) =>
      bruteForceSearch(
        data.entryIds,
        data.hashes,
        data.queries.subarray(query * 32, query * 32 + 32),
        THRESHOLD,
      ),
    );
    // Random hashes are never within 31 bits of each other, so every match of a planted query is planted.
    const planted = singles.results.slice(0, PLANTED_QUERIES).reduce((total, list) => total + list.length, 0);
    checkRows.push([
      size.toLocaleString('en-GB'),
      `${scanCount} singles, ${scanBatch} batched`,
      yesNo(same(singles.results.slice(0, scanCount), scanSingles.results)),
      yesNo(same(batch.results.slice(0, scanBatch), scanBatched.results)),
      yesNo(same(batch.results, singles.results.slice(0, BATCH_SIZE))),
      yesNo(same(singles.results.slice(0, referenceCount), reference)),
      `${planted} of ${data.plantedMatches}`,
    ]);
  }

  printTable(
    'PDQ index: build and memory',
    ['hashes', 'build s', 'chunks', 'index MiB', 'process RSS MiB'],
    buildRows,
  );
  printTable(
    `PDQ index: lookups at radius ${THRESHOLD}, one core`,
    ['hashes', 'method', 'median ms', 'p99 ms', 'single/s', 'batch/s (size)', 'vs scan', 'vs FAISS'],
    lookupRows,
  );
  printTable(
    'PDQ index: results equal brute force',
    [
      'hashes',
      'scanned',
      'singles = scan',
      'batch = scan',
      'batch = singles',
      '= JS reference',
      'planted found',
    ],
    checkRows,
  );
}
