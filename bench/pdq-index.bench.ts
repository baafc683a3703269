// PDQ index benchmark: build time, memory, and radius-31 lookups (single and batched) over random hashes
// with planted near-duplicates, against anchors run in the same bench run on the same hashes and queries:
// the WebAssembly brute-force scan, and FAISS (Debian's python3-faiss, one thread) with HMA's
// IndexBinaryMultiHash and the exact IndexBinaryFlat. Rounds of Warden and FAISS alternate; the table
// gives the median and the best round. Also checks that the index returns exactly what the scans and
// FAISS return. `npx tsx bench/run.ts pdq-index [--index-sizes 1000000,10000000] [--chunk-count N]
// [--rounds 3]`
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PdqIndex, bruteForceSearch } from '../src/matching/index.js';
import type { PdqNeighbour } from '../src/matching/index.js';
import { FaissAnchor, faissMissing, findFaissPython } from './support/faiss.js';
import type { FaissIndexKind } from './support/faiss.js';
import { median, printTable } from './table.js';
import type { Cell } from './table.js';
const THRESHOLD = 31;
const SINGLE_QUERIES = 2000;
const BATCH_SIZE = 1000;
const PLANTED_QUERIES = 100;
// Each planted query gets bank entries at these distances: both sides of the threshold.
const PLANTED_DISTANCES = [0, 1, THRESHOLD - 1, THRESHOLD, THRESHOLD + 1];

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

/** One method's lookups over the rounds: milliseconds per single query, and per batch. */
interface Method {
  name: string;
  singleMs: number[][];
  batchMs: number[];
  batchSize: number;
  /** Matching row numbers per query, from the first round. */
  rows: number[][];
}

function method(name: string, batchSize: number): Method {
  return { name, singleMs: [], batchMs: [], batchSize, rows: [] };
}

const rowOf = (entryId: number): number => (entryId - 1) / 3;
const rowsOf = (results: PdqNeighbour[][]): number[][] =>
  results.map((list) => list.map((match) => rowOf(match.entryId)).sort((a, b) => a - b));

function wardenSingles(index: PdqIndex, queries: Uint8Array, count: number, strategy: 'auto' | 'scan') {
  const times: number[] = [];
  const results: PdqNeighbour[][] = [];
  for (let query = 0; query < count; query++) {
    const hash = queries.subarray(query * 32, query * 32 + 32);
    const start = performance.now();
    results.push(index.query(hash, THRESHOLD, { strategy }));
    times.push(performance.now() - start);
  }
  return { times, results };
}

function wardenBatch(index: PdqIndex, queries: Uint8Array, count: number, strategy: 'auto' | 'scan') {
  const start = performance.now();
  const results = index.queryBatch(queries.subarray(0, count * 32), THRESHOLD, { strategy });
  return { ms: performance.now() - start, results };
}

async function faissRound(
  faiss: FaissAnchor,
  into: Method,
  kind: FaissIndexKind,
  count: number,
  first: boolean,
) {
  const singles = await faiss.query(kind, 'single', count, first);
  into.singleMs.push(singles.times);
  if (first) into.rows = singles.results ?? [];
  const batch = await faiss.query(kind, 'batch', into.batchSize);
  into.batchMs.push(batch.times[0] ?? Number.NaN);
}

/** Queries per second of each round, from the total time of its single queries. */
const singleRates = (m: Method): number[] =>
  m.singleMs.map((times) => (times.length / times.reduce((sum, time) => sum + time, 0)) * 1000);
const batchRates = (m: Method): number[] => m.batchMs.map((ms) => (m.batchSize / ms) * 1000);
const medianAndBest = (rates: number[]): string =>
  rates.length === 0 ? '-' : `${Math.round(median(rates))} (${Math.round(Math.max(...rates))})`;

function lookupRow(size: number, m: Method, anchor: Method | undefined, anchorName: string): Cell[] {
  const all = m.singleMs.flat().sort((a, b) => a - b);
  const ratio =
    anchor === undefined || anchor.singleMs.length === 0
      ? anchorName
      : `${(median(singleRates(m)) / median(singleRates(anchor))).toFixed(1)}× ${anchorName}`;
  return [
    size.toLocaleString('en-GB'),
    m.name,
    median(all).toFixed(3),
    (all[Math.floor(all.length * 0.99)] ?? Number.NaN).toFixed(3),
    medianAndBest(singleRates(m)),
    `${medianAndBest(batchRates(m))} (${m.batchSize})`,
    ratio,
  ];
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const megabytes = (bytes: number): number => bytes / 2 ** 20;
const yesNo = (value: boolean): string => (value ? 'yes' : 'NO');

function numberFlag(args: string[], name: string): number[] | undefined {
  const at = args.indexOf(name);
  const value = at >= 0 ? args[at + 1] : undefined;
  return value?.split(',').map(Number);
}

export async function run(args: string[]): Promise<void> {
  const sizes = numberFlag(args, '--index-sizes') ?? [1_000_000, 10_000_000];
  const chunkCount = numberFlag(args, '--chunk-count')?.[0];
  const [rounds = 3] = numberFlag(args, '--rounds') ?? [];
  const options: Parameters<typeof PdqIndex.build>[2] = chunkCount === undefined ? {} : { chunkCount };
  const python = findFaissPython();
  const buildRows: Cell[][] = [];
  const lookupRows: Cell[][] = [];
  const checkRows: Cell[][] = [];
  const folder = mkdtempSync(join(tmpdir(), 'warden-bench-pdq-'));

  try {
    for (const size of sizes) {
      const data = makeDataset(size);
      const hashesPath = join(folder, 'hashes.bin');
      const queriesPath = join(folder, 'queries.bin');
      writeFileSync(hashesPath, data.hashes);
      writeFileSync(queriesPath, data.queries);
      const faiss =
        python === undefined
          ? undefined
          : await FaissAnchor.start(python, hashesPath, queriesPath, THRESHOLD);
      try {
        const start = performance.now();
        const index = PdqIndex.build(data.entryIds, data.hashes, options);
        const buildSeconds = (performance.now() - start) / 1000;
        buildRows.push([
          size.toLocaleString('en-GB'),
          'Warden index',
          buildSeconds,
          index.stats().chunkCounts.join(','),
          megabytes(index.memoryBytes()),
          megabytes(process.memoryUsage().rss),
        ]);
        if (faiss !== undefined) {
          for (const [kind, seconds] of Object.entries(faiss.buildSeconds)) {
            buildRows.push([
              size.toLocaleString('en-GB'),
              `FAISS ${faiss.version} ${kind}`,
              seconds,
              '-',
              '-',
              '-',
            ]);
          }
        }

        // The scans are much slower: fewer queries, the planted ones first, so the checks still cover them.
        const scanCount = Math.max(PLANTED_QUERIES, Math.min(SINGLE_QUERIES, Math.round(2e9 / size)));
        const scanBatch = Math.min(BATCH_SIZE, Math.round(2e8 / size));
        const warden = method('Warden index', BATCH_SIZE);
        const scan = method('Warden wasm brute-force scan', scanBatch);
        const multihash = method('FAISS IndexBinaryMultiHash 16×16, nflip 1', BATCH_SIZE);
        const flat = method('FAISS IndexBinaryFlat', scanBatch);
        let wardenResults: PdqNeighbour[][] = [];
        let scanResults: PdqNeighbour[][] = [];
        let batchResults: PdqNeighbour[][] = [];
        let scanBatchResults: PdqNeighbour[][] = [];
        for (let round = 0; round < rounds; round++) {
          const first = round === 0;
          const singles = wardenSingles(index, data.queries, SINGLE_QUERIES, 'auto');
          warden.singleMs.push(singles.times);
          const batch = wardenBatch(index, data.queries, BATCH_SIZE, 'auto');
          warden.batchMs.push(batch.ms);
          if (faiss !== undefined) await faissRound(faiss, multihash, 'multihash', SINGLE_QUERIES, first);
          const scanned = wardenSingles(index, data.queries, scanCount, 'scan');
          scan.singleMs.push(scanned.times);
          const scannedBatch = wardenBatch(index, data.queries, scanBatch, 'scan');
          scan.batchMs.push(scannedBatch.ms);
          if (faiss !== undefined) await faissRound(faiss, flat, 'flat', scanCount, first);
          if (first) {
            wardenResults = singles.results;
            batchResults = batch.results;
            scanResults = scanned.results;
            scanBatchResults = scannedBatch.results;
          }
        }
        const anchorName = faiss === undefined ? faissMissing : 'FAISS';
        lookupRows.push(
          lookupRow(size, warden, faiss && multihash, anchorName),
          ...(faiss === undefined ? [] : [lookupRow(size, multihash, multihash, 'FAISS')]),
          lookupRow(size, scan, faiss && flat, anchorName),
          ...(faiss === undefined ? [] : [lookupRow(size, flat, flat, 'FAISS')]),
        );

        // Exactness: the index against the scan on every scanned query, the batch against the singles, the
        // plain-JavaScript reference on a few planted queries, and FAISS's answers against Warden's.
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
        const planted = (lists: unknown[][]) =>
          lists.slice(0, PLANTED_QUERIES).reduce((total, list) => total + list.length, 0);
        const faissCheck = (rows: number[][], against: PdqNeighbour[][]): string =>
          faiss === undefined ? '-' : yesNo(same(rows, rowsOf(against)));
        checkRows.push([
          size.toLocaleString('en-GB'),
          `${scanCount} singles, ${scanBatch} batched`,
          yesNo(same(wardenResults.slice(0, scanCount), scanResults)),
          yesNo(same(batchResults.slice(0, scanBatch), scanBatchResults)),
          yesNo(same(batchResults, wardenResults.slice(0, BATCH_SIZE))),
          yesNo(same(wardenResults.slice(0, referenceCount), reference)),
          faissCheck(multihash.rows, wardenResults),
          faissCheck(flat.rows, scanResults),
          `${planted(wardenResults)} (FAISS ${faiss === undefined ? '-' : planted(multihash.rows)}) of ${data.plantedMatches}`,
        ]);
      } finally {
        faiss?.close();
      }
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }

  printTable(
    'PDQ index: build and memory',
    ['hashes', 'index', 'build s', 'chunks', 'index MiB', 'process RSS MiB'],
    buildRows,
  );
  printTable(
    `PDQ index: lookups at radius ${THRESHOLD}, one core, ${rounds} rounds alternating Warden and FAISS (median, best in brackets)`,
    ['hashes', 'method', 'median ms', 'p99 ms', 'single/s', 'batch/s (size)', 'single/s vs FAISS'],
    lookupRows,
  );
  printTable(
    'PDQ index: results equal brute force and FAISS',
    [
      'hashes',
      'scanned',
      'singles = scan',
      'batch = scan',
      'batch = singles',
      '= JS reference',
      'FAISS multi-hash = index',
      'FAISS flat = scan',
      'planted found',
    ],
    checkRows,
  );
}
