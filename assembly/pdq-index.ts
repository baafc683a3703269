// asc-flags: --importMemory --sharedMemory --maximumMemory 65536 --enable threads
// Hot loops of the PDQ index (src/matching/pdq-index*.ts): building multi-index hashing tables, answering one
// query or a batch through them, and brute-force scans. The JavaScript side lays memory out; every function
// here takes pointers into linear memory and allocates nothing.
//
// A hash is 32 bytes as pdqHashToBytes gives them (byte 0 holds bits 255..248). Distances only need the
// popcount of an XOR, so bit order does not matter: hashes are compared as four 64-bit words as they lie
// in memory.
//
// The table layout is one 16-byte record per chunk: start bit, bit count (at most 24), address of the chunk's
// offsets (2^bits + 2 u32; bucket v holds slots offsets[v] .. offsets[v + 1]) and address of its slots (hash
// numbers sorted by chunk value, then by number). Radii are one i32 per chunk; -1 skips the chunk.
// Hash arrays and queries must be followed by 4 readable bytes: a chunk is read with one unaligned u32 load.
// Results are u32 pairs written to `out` while there is room; the return value counts them all, so a caller
// seeing more than outCapacity grows `out` and asks again.

/** Where the JavaScript side may start laying out memory. */
export function heapBase(): usize {
  return __heap_base;
}

// ---- Memory access (small enough for binaryen to inline) --------------------------------------------------

function wordAt(base: usize, index: u32): u32 {
  return load<u32>(base + ((<usize>index) << 2));
}

function setWord(base: usize, index: u32, value: u32): void {
  store<u32>(base + ((<usize>index) << 2), value);
}

function pairAt(base: usize, index: u32): usize {
  return base + ((<usize>index) << 3);
}

function setPair(base: usize, index: u32, first: u32, second: u32): void {
  store<u32>(pairAt(base, index), first);
  store<u32>(pairAt(base, index), second, 4);
}

function hashAt(base: usize, index: u32): usize {
  return base + ((<usize>index) << 5);
}

function recordAt(layout: usize, chunk: u32): usize {
  return layout + ((<usize>chunk) << 4);
}

function distance(a: usize, b: usize): u32 {
  return <u32>(
    (popcnt<u64>(load<u64>(a) ^ load<u64>(b)) +
      popcnt<u64>(load<u64>(a, 8) ^ load<u64>(b, 8)) +
      popcnt<u64>(load<u64>(a, 16) ^ load<u64>(b, 16)) +
      popcnt<u64>(load<u64>(a, 24) ^ load<u64>(b, 24)))
  );
}

function chunkValue(hash: usize, startBit: u32, bits: u32): u32 {
  return (load<u32>(hash + (startBit >> 3)) >>> (startBit & 7)) & (((<u32>1) << bits) - 1);
}

/** The next larger mask with as many set bits (Gosper's hack, its division done as a shift). */
function nextMask(mask: u32): u32 {
  const ripple = mask + (mask & -mask);
  return (((ripple ^ mask) >>> 2) >>> ctz(mask)) | ripple;
}

/**
 * A hash within the threshold is found by every chunk within that chunk's radius of the query. Only the first
 * such chunk reports it, which removes duplicates without a set.
 */
function firstFinder(layout: usize, radii: usize, query: usize, hash: usize, chunk: u32): bool {
  for (let earlier: u32 = 0; earlier < chunk; earlier++) {
    const radius = <i32>wordAt(radii, earlier);
    if (radius < 0) continue;
    const startBit = load<u32>(recordAt(layout, earlier));
    const bits = load<u32>(recordAt(layout, earlier), 4);
    if (<i32>popcnt<u32>(chunkValue(query, startBit, bits) ^ chunkValue(hash, startBit, bits)) <= radius) {
      return false;
    }
  }
  return true;
}

// ---- Building ---------------------------------------------------------------------------------------------

/**
 * Counting sort of hash numbers 0..count-1 by one chunk's value: fills offsets and slots. `values` is scratch
 * for count u32, so that the 32-byte hashes are read once rather than twice.
 */
export function buildTable(
  hashes: usize,
  count: u32,
  startBit: u32,
  bits: u32,
  offsets: usize,
  slots: usize,
  values: usize,
): void {
  const buckets = (<u32>1) << bits;
  memory.fill(offsets, 0, (<usize>buckets + 2) << 2);
  // Counts go two places ahead: after the prefix sum offsets[v + 1] is where bucket v starts, and the scatter
  // advances it to where bucket v ends, which is where bucket v + 1 starts.
  for (let i: u32 = 0; i < count; i++) {
    const value = chunkValue(hashAt(hashes, i), startBit, bits);
    setWord(values, i, value);
    setWord(offsets, value + 2, wordAt(offsets, value + 2) + 1);
  }
  let sum: u32 = 0;
  for (let v: u32 = 2; v < buckets + 2; v++) {
    sum += wordAt(offsets, v);
    setWord(offsets, v, sum);
  }
  for (let i: u32 = 0; i < count; i++) {
    const value = wordAt(values, i);
    const position = wordAt(offsets, value + 1);
    setWord(slots, position, i);
    setWord(offsets, value + 1, position + 1);
  }
}

// ---- Brute force ------------------------------------------------------------------------------------------

// Hashes per tile of the batch scan: 64 KiB stay in the L2 cache while every query of the batch passes over
// them, so memory is read once per batch instead of once per query.
const SCAN_TILE: u32 = 2048;

/**
 * Queries against hashes 0..count-1: writes (hash number, query << 9 | distance) pairs, which for a single
 * query are (hash number, distance).
 */
export function scanMany(
  hashes: usize,
  count: u32,
  queries: usize,
  queryCount: u32,
  threshold: u32,
  out: usize,
  outCapacity: u32,
): u32 {
  let found: u32 = 0;
  for (let tile: u32 = 0; tile < count; tile += SCAN_TILE) {
    const tileEnd = min(tile + SCAN_TILE, count);
    for (let q: u32 = 0; q < queryCount; q++) {
      const query = hashAt(queries, q);
      const q0 = load<u64>(query);
      const q1 = load<u64>(query, 8);
      const q2 = load<u64>(query, 16);
      const q3 = load<u64>(query, 24);
      for (let i = tile; i < tileEnd; i++) {
        const h = hashAt(hashes, i);
        // Half a hash already rules out almost every random hash at small thresholds: skip the other half.
        const half = <u32>(popcnt<u64>(load<u64>(h) ^ q0) + popcnt<u64>(load<u64>(h, 8) ^ q1));
        if (half > threshold) continue;
        const d = half + <u32>(popcnt<u64>(load<u64>(h, 16) ^ q2) + popcnt<u64>(load<u64>(h, 24) ^ q3));
        if (d <= threshold) {
          if (found < outCapacity) setPair(out, found, i, (q << 9) | d);
          found++;
        }
      }
    }
  }
  return found;
}

// ---- One query through the tables -------------------------------------------------------------------------

// Probes are handled in blocks, in three loops: read the bucket ranges of the block, gather their slots, then
// verify those hashes. Each loop's loads are independent of one another, so the CPU overlaps their cache
// misses; a single loop doing all three would wait for each miss in turn (measured 1.6 times slower at 1M).
const BLOCK: u32 = 1024;
const CANDIDATE_BLOCK: u32 = 4096;

// The query in progress (an instance answers one call at a time).
let oneHashes: usize = 0;
let oneLayout: usize = 0;
let oneQuery: usize = 0;
let oneThreshold: u32 = 0;
let oneRadii: usize = 0;
let oneBlock: usize = 0;
let oneCandidates: u64 = 0;
let oneMaxCandidates: u64 = 0;
let oneOut: usize = 0;
let oneOutCapacity: u32 = 0;
let oneFound: u32 = 0;

function verifyCandidates(candidates: usize, count: u32, chunk: u32): void {
  for (let i: u32 = 0; i < count; i++) {
    const slot = wordAt(candidates, i);
    const hash = hashAt(oneHashes, slot);
    const d = distance(oneQuery, hash);
    if (d <= oneThreshold && firstFinder(oneLayout, oneRadii, oneQuery, hash, chunk)) {
      if (oneFound < oneOutCapacity) setPair(oneOut, oneFound, slot, d);
      oneFound++;
    }
  }
}

/** Looks up `count` probe values of one chunk; false once the candidates pass the budget. */
function probeBlock(chunk: u32, count: u32): bool {
  const offsets = <usize>load<u32>(recordAt(oneLayout, chunk), 8);
  const slots = <usize>load<u32>(recordAt(oneLayout, chunk), 12);
  const values = oneBlock;
  const starts = values + ((<usize>BLOCK) << 2);
  const ends = starts + ((<usize>BLOCK) << 2);
  const candidates = ends + ((<usize>BLOCK) << 2);
  let total: u64 = 0;
  for (let i: u32 = 0; i < count; i++) {
    const value = wordAt(values, i);
    const start = wordAt(offsets, value);
    const end = wordAt(offsets, value + 1);
    setWord(starts, i, start);
    setWord(ends, i, end);
    total += end - start;
  }
  oneCandidates += total;
  if (oneCandidates > oneMaxCandidates) return false;
  let gathered: u32 = 0;
  for (let i: u32 = 0; i < count; i++) {
    const end = wordAt(ends, i);
    for (let s = wordAt(starts, i); s < end; s++) {
      setWord(candidates, gathered, wordAt(slots, s));
      if (++gathered == CANDIDATE_BLOCK) {
        verifyCandidates(candidates, gathered, chunk);
        gathered = 0;
      }
    }
  }
  verifyCandidates(candidates, gathered, chunk);
  return true;
}

/**
 * Multi-index hashing for one query: probes every bucket within each chunk's radius of the query's chunk value
 * and verifies the hashes found there; writes (hash number, distance) pairs. `block` is scratch for
 * 3 * 1024 + 4096 u32. Returns -1 as soon as more than maxCandidates hashes would need verifying: a scan is
 * then cheaper.
 */
export function searchOne(
  hashes: usize,
  layout: usize,
  chunkCount: u32,
  query: usize,
  threshold: u32,
  radii: usize,
  block: usize,
  maxCandidates: u32,
  out: usize,
  outCapacity: u32,
): i32 {
  oneHashes = hashes;
  oneLayout = layout;
  oneQuery = query;
  oneThreshold = threshold;
  oneRadii = radii;
  oneBlock = block;
  oneCandidates = 0;
  oneMaxCandidates = maxCandidates;
  oneOut = out;
  oneOutCapacity = outCapacity;
  oneFound = 0;
  for (let chunk: u32 = 0; chunk < chunkCount; chunk++) {
    const radius = <i32>wordAt(radii, chunk);
    if (radius < 0) continue;
    const bits = load<u32>(recordAt(layout, chunk), 4);
    const value = chunkValue(query, load<u32>(recordAt(layout, chunk)), bits);
    setWord(block, 0, value);
    let count: u32 = 1;
    for (let flips: u32 = 1; flips <= min(<u32>radius, bits); flips++) {
      for (let mask: u32 = ((<u32>1) << flips) - 1; mask < (<u32>1) << bits; mask = nextMask(mask)) {
        setWord(block, count, value ^ mask);
        if (++count == BLOCK) {
          if (!probeBlock(chunk, count)) return -1;
          count = 0;
        }
      }
    }
    if (count > 0 && !probeBlock(chunk, count)) return -1;
  }
  return <i32>oneFound;
}

// ---- A batch of queries through the tables ----------------------------------------------------------------

/** One stable counting pass over (key, payload) u32 pairs by `bits` bits of the key from `shift` up. */
function countingPass(from: usize, to: usize, count: u32, shift: u32, bits: u32, histogram: usize): void {
  const mask = ((<u32>1) << bits) - 1;
  memory.fill(histogram, 0, (<usize>mask + 2) << 2);
  for (let i: u32 = 0; i < count; i++) {
    const digit = ((load<u32>(pairAt(from, i)) >>> shift) & mask) + 1;
    setWord(histogram, digit, wordAt(histogram, digit) + 1);
  }
  for (let digit: u32 = 1; digit <= mask; digit++) {
    setWord(histogram, digit, wordAt(histogram, digit) + wordAt(histogram, digit - 1));
  }
  for (let i: u32 = 0; i < count; i++) {
    const digit = (load<u32>(pairAt(from, i)) >>> shift) & mask;
    const position = wordAt(histogram, digit);
    store<u64>(pairAt(to, position), load<u64>(pairAt(from, i)));
    setWord(histogram, digit, position + 1);
  }
}

/**
 * Sorts (key, payload) pairs by the low keyBits (at most 26) bits of the key: two counting passes, through
 * `buffer` and back. A full sort rather than one pass by the top bits: strictly increasing addresses let the
 * hardware prefetcher stream tables and hashes (measured 1.3 to 1.6 times faster for a 1,000-query batch).
 */
function sortPairs(pairs: usize, buffer: usize, count: u32, keyBits: u32, histogram: usize): void {
  const low = keyBits >>> 1;
  countingPass(pairs, buffer, count, 0, low, histogram);
  countingPass(buffer, pairs, count, low, keyBits - low, histogram);
}

// The batch in progress (an instance answers one call at a time).
let manyHashes: usize = 0;
let manyLayout: usize = 0;
let manyQueries: usize = 0;
let manyThreshold: u32 = 0;
let manyRadii: usize = 0;
let manySlotBits: u32 = 0;
let manyHistogram: usize = 0;
let manyOut: usize = 0;
let manyOutCapacity: u32 = 0;
let manyFound: u32 = 0;

/** Sorts candidates (hash number, query << 5 | chunk) by hash number and verifies them in that order. */
function verifySorted(candidates: usize, buffer: usize, count: u32): void {
  sortPairs(candidates, buffer, count, manySlotBits, manyHistogram);
  for (let i: u32 = 0; i < count; i++) {
    const slot = load<u32>(pairAt(candidates, i));
    const tag = load<u32>(pairAt(candidates, i), 4);
    const query = hashAt(manyQueries, tag >>> 5);
    const hash = hashAt(manyHashes, slot);
    const d = distance(query, hash);
    if (d <= manyThreshold && firstFinder(manyLayout, manyRadii, query, hash, tag & 31)) {
      if (manyFound < manyOutCapacity) setPair(manyOut, manyFound, slot, ((tag >>> 5) << 9) | d);
      manyFound++;
    }
  }
}

/**
 * Multi-index hashing for many queries at once, so that tables and hashes are read in address order rather
 * than at random. For each chunk the (probe value, query) pairs of all queries are sorted and the buckets
 * walked in order, collecting (hash number, query << 5 | chunk) candidates; whenever candidateCapacity of
 * them are collected, and at the end, they are sorted by hash number and verified. Writes (hash number,
 * query << 9 | distance) pairs. `probes` is scratch for 2 * probeCapacity u64 (at least queryCount times the
 * largest ball of any chunk), `candidates` for 2 * candidateCapacity u64, `histogram` for 2^13 + 1 u32.
 */
export function searchMany(
  hashes: usize,
  count: u32,
  layout: usize,
  chunkCount: u32,
  queries: usize,
  queryCount: u32,
  threshold: u32,
  radii: usize,
  probes: usize,
  probeCapacity: u32,
  candidates: usize,
  candidateCapacity: u32,
  histogram: usize,
  out: usize,
  outCapacity: u32,
): u32 {
  manyHashes = hashes;
  manyLayout = layout;
  manyQueries = queries;
  manyThreshold = threshold;
  manyRadii = radii;
  manySlotBits = 32 - clz(count);
  manyHistogram = histogram;
  manyOut = out;
  manyOutCapacity = outCapacity;
  manyFound = 0;
  const probeBuffer = pairAt(probes, probeCapacity);
  const candidateBuffer = pairAt(candidates, candidateCapacity);
  let candidateCount: u32 = 0;
  for (let chunk: u32 = 0; chunk < chunkCount; chunk++) {
    const radius = <i32>wordAt(radii, chunk);
    if (radius < 0) continue;
    const startBit = load<u32>(recordAt(layout, chunk));
    const bits = load<u32>(recordAt(layout, chunk), 4);
    const offsets = <usize>load<u32>(recordAt(layout, chunk), 8);
    const slots = <usize>load<u32>(recordAt(layout, chunk), 12);
    let probeCount: u32 = 0;
    for (let q: u32 = 0; q < queryCount; q++) {
      const value = chunkValue(hashAt(queries, q), startBit, bits);
      setPair(probes, probeCount++, value, q);
      for (let flips: u32 = 1; flips <= min(<u32>radius, bits); flips++) {
        for (let mask: u32 = ((<u32>1) << flips) - 1; mask < (<u32>1) << bits; mask = nextMask(mask)) {
          setPair(probes, probeCount++, value ^ mask, q);
        }
      }
    }
    sortPairs(probes, probeBuffer, probeCount, bits, histogram);
    for (let i: u32 = 0; i < probeCount; i++) {
      const value = load<u32>(pairAt(probes, i));
      const tag = (load<u32>(pairAt(probes, i), 4) << 5) | chunk;
      const end = wordAt(offsets, value + 1);
      for (let s = wordAt(offsets, value); s < end; s++) {
        if (candidateCount == candidateCapacity) {
          verifySorted(candidates, candidateBuffer, candidateCount);
          candidateCount = 0;
        }
        setPair(candidates, candidateCount++, wordAt(slots, s), tag);
      }
    }
  }
  verifySorted(candidates, candidateBuffer, candidateCount);
  return manyFound;
}
