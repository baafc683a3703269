// The upstream PDQ reference lists (ThreatExchange pdq/data/reg-test-input): every needle against the
// haystack must give exactly the pairs of needles-vs-haystack-d63.csv, through every search method.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { vectorPath } from '../../test/support/index.js';
import { PdqIndex, bruteForceSearch } from './pdq-index.js';
import type { PdqIndexOptions, PdqSearchStrategy } from './pdq-index.js';

/** Non-empty lines of a hash list; fails with where the vectors are expected when they are missing. */
function readVector(name: string): string[] {
  return readFileSync(vectorPath(`pdq/hashlists/${name}`), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
}

/** 64-hex lines to 32 bytes each: byte 0 is the first two hex digits. */
function hashBytes(lines: string[]): Uint8Array {
  const bytes = new Uint8Array(lines.length * 32);
  lines.forEach((line, index) => bytes.set(Buffer.from(line.trim(), 'hex'), index * 32));
  return bytes;
}

const needles = hashBytes(readVector('needles.txt'));
const haystack = hashBytes(readVector('haystack.txt'));
// Entry id = 1-based haystack line, as in the CSV.
const haystackLines = Array.from({ length: haystack.length / 32 }, (_, index) => index + 1);
const expectedPairs = readVector('needles-vs-haystack-d63.csv')
  .slice(1)
  .map((row) => row.split(',').map(Number) as [number, number, number]);

function pairsOf(results: { entryId: number; distance: number }[][]): string[] {
  return results.flatMap((list, needle) =>
    list.map((found) => `${needle + 1},${found.entryId},${found.distance}`),
  );
}

function expectedAt(threshold: number): string[] {
  return expectedPairs
    .filter(([, , distance]) => distance <= threshold)
    .sort((a, b) => a[0] - b[0] || a[2] - b[2] || a[1] - b[1])
    .map((pair) => pair.join(','));
}

describe('PDQ index on the reference hash lists', () => {
  it('has the pair counts the vectors README states', () => {
    expect(expectedAt(63)).toHaveLength(352);
    expect(expectedAt(31)).toHaveLength(250);
  });

  const layouts: [string, PdqIndexOptions][] = [
    ['default options (a scanned segment: 1,350 entries)', {}],
    ['tables forced, chosen chunk count', { minIndexedSize: 0 }],
    ['tables forced, 11 chunks', { minIndexedSize: 0, chunkCount: 11 }],
    ['tables forced, 32 chunks, three segments', { minIndexedSize: 0, chunkCount: 32, segmentCapacity: 500 }],
  ];
  const strategies: PdqSearchStrategy[] = ['auto', 'index', 'scan'];

  for (const [name, options] of layouts) {
    it(`finds exactly the listed pairs at thresholds 63 and 31: ${name}`, () => {
      const index = PdqIndex.build(haystackLines, haystack, options);
      for (const threshold of [63, 31]) {
        for (const strategy of strategies) {
          const batch = index.queryBatch(needles, threshold, { strategy });
          expect(pairsOf(batch)).toEqual(expectedAt(threshold));
          const singles = Array.from({ length: needles.length / 32 }, (_, needle) =>
            index.query(needles.subarray(needle * 32, needle * 32 + 32), threshold, { strategy }),
          );
          expect(singles).toEqual(batch);
        }
      }
    });
  }

  it('agrees with the brute-force reference', () => {
    const found = Array.from({ length: needles.length / 32 }, (_, needle) =>
      bruteForceSearch(haystackLines, haystack, needles.subarray(needle * 32, needle * 32 + 32), 63),
    );
    expect(pairsOf(found)).toEqual(expectedAt(63));
  });
});
