// The PDQ index must answer exactly as a brute-force scan: same entries, same distances, same order, at every
// threshold, through tables, scans and batches, and across adds, removes, re-adds, folds and compactions.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WardenError } from '../errors/index.js';
import { PdqIndex, bruteForceSearch } from './pdq-index.js';
import type { PdqIndexOptions, PdqNeighbour, PdqSearchStrategy } from './pdq-index.js';

const strategies: PdqSearchStrategy[] = ['auto', 'index', 'scan'];
const thresholdArbitrary = fc.oneof(
  fc.constantFrom(0, 1, 31, 32, 63, 64, 100, 255, 256),
  fc.integer({ min: 0, max: 256 }),
);
const hashArbitrary = fc.uint8Array({ minLength: 32, maxLength: 32 });

/** Small deterministic generator for the bits a test flips. */
function generator(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>>= 0);
  };
}

/** A copy of `hash` exactly `distance` bits away. */
function nearCopy(hash: Uint8Array, distance: number, seed: number): Uint8Array {
  const next = generator(seed);
  const bits = Array.from({ length: 256 }, (_, bit) => bit);
  const copy = hash.slice();
  for (let flipped = 0; flipped < distance; flipped++) {
    const pick = flipped + (next() % (256 - flipped));
    const bit = bits[pick] ?? 0;
    bits[pick] = bits[flipped] ?? 0;
    copy[bit >>> 3] = (copy[bit >>> 3] ?? 0) ^ (1 << (bit & 7));
  }
  return copy;
}

function concat(hashes: Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(hashes.length * 32);
  hashes.forEach((hash, index) => bytes.set(hash, index * 32));
  return bytes;
}

/** Entries as the tests model them: entry id to hash, in insertion order. */
function reference(model: Map<number, Uint8Array>, query: Uint8Array, threshold: number): PdqNeighbour[] {
  return bruteForceSearch([...model.keys()], concat([...model.values()]), query, threshold);
}

// Index options that make small tests exercise tables, several segments and folds. Chunks of at most 16
// bits keep forced table searches at threshold 256 (every value of every chunk) quick.
const optionsArbitrary: fc.Arbitrary<PdqIndexOptions> = fc.record(
  {
    chunkCount: fc.integer({ min: 16, max: 32 }),
    segmentCapacity: fc.integer({ min: 1, max: 60 }),
    maxDeltaSize: fc.integer({ min: 1, max: 12 }),
    minIndexedSize: fc.constantFrom(0, 5, 4096),
  },
  { requiredKeys: ['minIndexedSize'] },
);

describe('PdqIndex against brute force', () => {
  it('finds planted near-duplicates at distance 0, 1, T-1, T and T+1, and nothing else', () => {
    fc.assert(
      fc.property(
        hashArbitrary,
        fc.array(hashArbitrary, { maxLength: 200 }),
        thresholdArbitrary,
        optionsArbitrary,
        fc.integer(),
        (query, randoms, threshold, options, seed) => {
          const distances = [0, 1, threshold - 1, threshold, threshold + 1].filter((d) => d >= 0 && d <= 256);
          const planted = distances.map((distance, index) => nearCopy(query, distance, seed + index));
          const hashes = concat([...randoms, ...planted]);
          // Ids in no particular order, negative ones and large ones included.
          const ids = Array.from(
            { length: randoms.length + planted.length },
            (_, index) => (index * 7_919 - 500) * (index % 3 === 0 ? 1 : 1_000_003),
          );
          const index = PdqIndex.build(ids, hashes, options);
          const expected = bruteForceSearch(ids, hashes, query, threshold);
          for (const strategy of strategies)
            expect(index.query(query, threshold, { strategy })).toEqual(expected);
          const plantedIds = new Set(ids.slice(randoms.length));
          const foundPlanted = expected
            .filter((found) => plantedIds.has(found.entryId))
            .map((found) => found.distance);
          expect(foundPlanted).toEqual(distances.filter((d) => d <= threshold).sort((a, b) => a - b));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('answers a batch exactly as one query at a time', () => {
    fc.assert(
      fc.property(
        fc.array(hashArbitrary, { minLength: 1, maxLength: 120 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 64 })), { minLength: 1, maxLength: 40 }),
        thresholdArbitrary,
        optionsArbitrary,
        (hashes, queryPicks, threshold, options) => {
          const ids = hashes.map((_, position) => position + 1);
          const index = PdqIndex.build(ids, concat(hashes), options);
          // Queries near entries of the index, so that batches have something to find.
          const queries = queryPicks.map(([pick, distance]) =>
            nearCopy(hashes[pick % hashes.length] ?? new Uint8Array(32), distance, pick),
          );
          for (const strategy of strategies) {
            const batch = index.queryBatch(concat(queries), threshold, { strategy });
            expect(batch).toEqual(queries.map((query) => index.query(query, threshold, { strategy })));
            expect(batch).toEqual(
              queries.map((query) => bruteForceSearch(ids, concat(hashes), query, threshold)),
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('returns only the nearest `limit` neighbours, the same ones brute force ranks first', () => {
    fc.assert(
      fc.property(
        hashArbitrary,
        fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer()), { minLength: 1, maxLength: 150 }),
        fc.integer({ min: 1, max: 20 }),
        optionsArbitrary,
        (query, near, limit, options) => {
          // Many entries close to the query, with repeated distances, so the cut falls inside a tie.
          const hashes = concat(near.map(([distance, seed]) => nearCopy(query, distance, seed)));
          const ids = near.map((_, position) => (position * 7_919) % 1_009);
          const unique = [...new Set(ids)];
          const index = PdqIndex.build(ids, hashes, options);
          const expected = index.query(query, 40).slice(0, limit);
          expect(expected.length).toBe(Math.min(limit, unique.length));
          for (const strategy of strategies) {
            expect(index.query(query, 40, { strategy, limit })).toEqual(expected);
            expect(index.queryBatch(concat([query, query]), 40, { strategy, limit })).toEqual([
              expected,
              expected,
            ]);
          }
          // Entries added since the last fold (the append area) count among the nearest too.
          index.add(-1, query);
          expect(index.query(query, 40, { limit })[0]).toEqual({ entryId: -1, distance: 0 });
        },
      ),
      { numRuns: 200 },
    );
    expect(() => PdqIndex.build([], new Uint8Array(0)).query(new Uint8Array(32), 31, { limit: 0 })).toThrow(
      WardenError,
    );
  });

  it('stays exact through adds, removes, re-adds, folds and compactions', () => {
    const anchors = Array.from({ length: 6 }, (_, anchor) => nearCopy(new Uint8Array(32), 128, anchor + 1));
    // Hashes near a few anchors, so that queries find several entries at small distances.
    const nearAnchor = fc
      .tuple(fc.nat({ max: anchors.length - 1 }), fc.integer({ min: 0, max: 70 }), fc.integer())
      .map(([anchor, distance, seed]) => nearCopy(anchors[anchor] ?? new Uint8Array(32), distance, seed));
    const entryId = fc.integer({ min: -5, max: 40 });
    const operation = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), entryId, hash: nearAnchor }),
      fc.record({ kind: fc.constant('remove' as const), entryId }),
      fc.record({ kind: fc.constant('query' as const), hash: nearAnchor, threshold: thresholdArbitrary }),
      fc.record({
        kind: fc.constant('batch' as const),
        hashes: fc.array(nearAnchor, { maxLength: 5 }),
        threshold: thresholdArbitrary,
      }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(entryId, nearAnchor), { maxLength: 30 }),
        fc.array(operation, { maxLength: 60 }),
        optionsArbitrary,
        (initial, operations, options) => {
          const model = new Map<number, Uint8Array>();
          for (const [id, hash] of initial) model.set(id, hash);
          const index = PdqIndex.build(
            initial.map(([id]) => id),
            concat(initial.map(([, hash]) => hash)),
            options,
          );
          for (const step of operations) {
            if (step.kind === 'add') {
              model.set(step.entryId, step.hash);
              index.add(step.entryId, step.hash);
            } else if (step.kind === 'remove') {
              expect(index.remove(step.entryId)).toBe(model.delete(step.entryId));
            } else if (step.kind === 'query') {
              const expected = reference(model, step.hash, step.threshold);
              for (const strategy of strategies) {
                expect(index.query(step.hash, step.threshold, { strategy })).toEqual(expected);
              }
            } else {
              const expected = step.hashes.map((hash) => reference(model, hash, step.threshold));
              expect(index.queryBatch(concat(step.hashes), step.threshold)).toEqual(expected);
            }
            expect(index.size).toBe(model.size);
          }
          for (let id = -5; id <= 40; id++) expect(index.has(id)).toBe(model.has(id));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('PdqIndex at realistic sizes', () => {
  it('uses tables by default and stays exact across a fold and many removals', () => {
    const next = generator(99);
    const randomHash = (): Uint8Array => Uint8Array.from({ length: 32 }, () => next() & 255);
    const queries = Array.from({ length: 40 }, randomHash);
    const model = new Map<number, Uint8Array>();
    for (let id = 0; id < 30_000; id++) model.set(id * 2, randomHash());
    queries.forEach((query, number) => {
      for (const distance of [0, 1, 30, 31, 32, 62, 63, 64])
        model.set(1_000_000 + number * 100 + distance, nearCopy(query, distance, distance));
    });
    const index = PdqIndex.build([...model.keys()], concat([...model.values()]));
    expect(index.stats().chunkCounts).toEqual([17]);

    const check = (): void => {
      for (const threshold of [0, 31, 63]) {
        const expected = queries.map((query) => reference(model, query, threshold));
        for (const strategy of strategies) {
          expect(queries.map((query) => index.query(query, threshold, { strategy }))).toEqual(expected);
          expect(index.queryBatch(concat(queries), threshold, { strategy })).toEqual(expected);
        }
      }
    };
    check();
    // 5,000 adds pass the default limit of the append area (4,096): one fold.
    for (let id = 0; id < 5_000; id++) {
      const hash = id % 10 === 0 ? nearCopy(queries[id % 40] ?? randomHash(), id % 40, id) : randomHash();
      model.set(id * 2 + 1, hash);
      index.add(id * 2 + 1, hash);
    }
    expect(index.stats()).toMatchObject({ segments: 1, deltaSize: 5_000 - 4_097 });
    check();
    // Removing a seventh of the entries passes the tombstone limit (one in eight): the segment is compacted.
    for (let id = 0; id < 5_000; id++) {
      expect(index.remove(id * 6)).toBe(true);
      model.delete(id * 6);
    }
    expect(index.stats().tombstones).toBeLessThan(5_000);
    expect(index.size).toBe(model.size);
    check();
  });
});

describe('PdqIndex on skewed data', () => {
  it('stays exact when thousands of entries share buckets', () => {
    // Near-copies of one hash: every query near it finds thousands of candidates, far more than the uniform
    // estimate, so single queries give up on the tables and scan, and batches verify in many rounds.
    const anchor = nearCopy(new Uint8Array(32), 128, 5);
    const hashes = Array.from({ length: 6_000 }, (_, id) => nearCopy(anchor, id % 8, id));
    const ids = hashes.map((_, id) => id);
    const index = PdqIndex.build(ids, concat(hashes));
    const queries = Array.from({ length: 30 }, (_, number) => nearCopy(anchor, number, number + 100));
    for (const threshold of [3, 31]) {
      const expected = queries.map((query) => bruteForceSearch(ids, concat(hashes), query, threshold));
      for (const strategy of strategies) {
        expect(queries.map((query) => index.query(query, threshold, { strategy }))).toEqual(expected);
        expect(index.queryBatch(concat(queries), threshold, { strategy })).toEqual(expected);
      }
    }
  });
});

describe('PdqIndex basics', () => {
  it('keeps the last hash of a repeated entry id, as add would', () => {
    const [first, second, third] = [
      nearCopy(new Uint8Array(32), 100, 1),
      nearCopy(new Uint8Array(32), 100, 2),
      nearCopy(new Uint8Array(32), 100, 3),
    ];
    const index = PdqIndex.build(
      [5, 6, 5],
      concat([first ?? new Uint8Array(32), second ?? new Uint8Array(32), third ?? new Uint8Array(32)]),
    );
    expect(index.size).toBe(2);
    expect(index.query(third ?? new Uint8Array(32), 0)).toEqual([{ entryId: 5, distance: 0 }]);
    expect(index.query(first ?? new Uint8Array(32), 0)).toEqual([]);
  });

  it('starts empty and takes adds', () => {
    const index = PdqIndex.build([], new Uint8Array(0));
    const hash = nearCopy(new Uint8Array(32), 50, 7);
    expect(index.query(hash)).toEqual([]);
    index.add(Number.MAX_SAFE_INTEGER, hash);
    expect(index.query(hash, 256)).toEqual([{ entryId: Number.MAX_SAFE_INTEGER, distance: 0 }]);
    expect(index.has(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(index.remove(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(index.remove(Number.MAX_SAFE_INTEGER)).toBe(false);
    expect(index.size).toBe(0);
  });
});

describe('PdqIndex input checks', () => {
  const hash = new Uint8Array(32);
  const index = PdqIndex.build([1], hash);
  const cases: [string, () => unknown, string][] = [
    ['too few hash bytes for the ids', () => PdqIndex.build([1, 2], hash), 'Expected 64 bytes of PDQ hashes'],
    ['a fractional entry id', () => PdqIndex.build([1.5], hash), 'must be a safe integer'],
    ['an unsafe entry id', () => index.add(2 ** 53, hash), 'must be a safe integer'],
    ['a bad option', () => PdqIndex.build([], new Uint8Array(0), { chunkCount: 10 }), 'chunkCount must be'],
    [
      'a short hash to add',
      () => index.add(2, new Uint8Array(31)),
      'A PDQ hash is a Uint8Array of 32 bytes; got 31 bytes',
    ],
    [
      'a long query',
      () => index.query(new Uint8Array(33)),
      'A PDQ hash is a Uint8Array of 32 bytes; got 33 bytes',
    ],
    ['a ragged batch', () => index.queryBatch(new Uint8Array(33)), 'multiple of 32'],
    ['a negative threshold', () => index.query(hash, -1), 'from 0 to 256; got -1'],
    ['a threshold above 256', () => index.queryBatch(hash, 257), 'from 0 to 256; got 257'],
    ['a fractional threshold', () => index.query(hash, 1.5), 'from 0 to 256; got 1.5'],
    [
      'a reference search with mismatched input',
      () => bruteForceSearch([1], new Uint8Array(64), hash),
      'Expected 32 bytes',
    ],
  ];
  it.each(cases)('rejects %s', (_, call, message) => {
    expect(call).toThrow(WardenError);
    expect(call).toThrow(message);
    try {
      call();
    } catch (error) {
      expect((error as WardenError).code).toBe('invalid_argument');
    }
  });
});
