// Folds and builds in a worker thread must give the index exactly what a synchronous rebuild gives, and the
// index must keep answering, exactly, while one is under way: adds, removes and re-adds made during a fold
// are not lost or undone when its result is swapped in.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PdqIndex } from './pdq-index.js';

const size = 20_000;
const options = { maxDeltaSize: 2_000, minIndexedSize: 1_000 };

function answers(index: PdqIndex, queries: Uint8Array): string {
  return JSON.stringify(index.queryBatch(queries, 64));
}

/** Queries that hit: copies of some entries' hashes with a few bits flipped, and random ones. */
function queriesNear(hashes: Uint8Array[]): Uint8Array {
  const queries = randomBytes(200 * 32);
  hashes.forEach((hash, position) => {
    const query = hash.slice();
    query[position % 32] = (query[position % 32] ?? 0) ^ 0x0f;
    queries.set(query, position * 32);
  });
  return queries;
}

describe('PdqIndex folding in a worker thread', () => {
  it('answers exactly as a synchronous index before, during and after the fold', async () => {
    const ids = Array.from({ length: size }, (_, position) => position + 1);
    const hashes = randomBytes(size * 32);
    const inline = PdqIndex.build(ids, hashes, options);
    const background = PdqIndex.build(ids, hashes, { ...options, foldInBackground: true });
    const added = Array.from({ length: 3_000 }, () => randomBytes(32));
    const queries = queriesNear([
      ...added.slice(0, 60),
      ...Array.from({ length: 60 }, (_, position) => hashes.subarray(position * 32, position * 32 + 32)),
    ]);
    const both = (change: (index: PdqIndex) => void) => {
      change(inline);
      change(background);
    };

    // The 2,001st add starts a fold; the background index sets its append area aside and returns at once.
    for (let position = 0; position <= options.maxDeltaSize; position++) {
      both((index) => index.add(size + 1 + position, added[position] ?? new Uint8Array(32)));
    }
    expect(background.stats().deltaSize).toBe(options.maxDeltaSize + 1);
    expect(inline.stats().deltaSize).toBe(0);
    expect(answers(background, queries)).toBe(answers(inline, queries));

    // Changes while the fold runs: removals from the folding area and from the segment being rebuilt,
    // re-adds with new hashes, and new entries.
    both((index) => {
      index.remove(size + 5);
      index.remove(7);
      index.add(size + 6, added[2_500] ?? new Uint8Array(32));
      index.add(9, added[2_501] ?? new Uint8Array(32));
      for (let position = 2_100; position < 2_400; position++)
        index.add(size + 1 + position, added[position] ?? new Uint8Array(32));
    });
    expect(answers(background, queries)).toBe(answers(inline, queries));

    await background.settled();
    expect(background.stats().deltaSize).toBeLessThan(options.maxDeltaSize);
    expect(background.size).toBe(inline.size);
    expect(background.has(7)).toBe(false);
    expect(background.has(size + 5)).toBe(false);
    expect(answers(background, queries)).toBe(answers(inline, queries));
  });

  it('builds the same index in a worker as on the calling thread', async () => {
    const ids = Array.from({ length: size }, (_, position) => size - position);
    const hashes = randomBytes(size * 32);
    const queries = queriesNear(
      Array.from({ length: 100 }, (_, position) => hashes.subarray(position * 320, position * 320 + 32)),
    );
    const inline = PdqIndex.build(ids, hashes, options);
    const built = await PdqIndex.buildInBackground(new Float64Array(ids), hashes.slice(), options);
    expect(built.size).toBe(size);
    expect(answers(built, queries)).toBe(answers(inline, queries));
  });
});
