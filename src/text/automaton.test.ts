// Tests of the term automaton: the textbook cases, then a property test against a naive search, with the
// dense table alone and with the sparse path for rare symbols forced on by a small table budget.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TermAutomaton } from './automaton.js';
import type { TermAutomatonOptions } from './automaton.js';

function codesOf(text: string): Uint16Array {
  return Uint16Array.from(text, (_, index) => text.charCodeAt(index));
}

/** Every match as "pattern@end", sorted; also checks that count() agrees with scan(). */
function matches(automaton: TermAutomaton, text: string): string[] {
  const codes = Uint16Array.from({ length: text.length }, (_, index) => text.charCodeAt(index));
  const found: string[] = [];
  automaton.scan(codes, codes.length, (pattern, end) => found.push(`${pattern}@${end}`));
  expect(automaton.count(codes, codes.length)).toBe(found.length);
  return found.sort();
}

/** The same with indexOf, overlapping occurrences included. */
function naive(patterns: readonly string[], text: string): string[] {
  const found: string[] = [];
  patterns.forEach((pattern, index) => {
    for (let at = text.indexOf(pattern); at !== -1; at = text.indexOf(pattern, at + 1)) {
      found.push(`${index}@${at + pattern.length}`);
    }
  });
  return found.sort();
}

/** Budgets that leave exactly 0, 1 and 2 symbols in dense columns (the others go to the sparse path). */
function sparseBudgets(patterns: readonly string[]): TermAutomatonOptions[] {
  const states = TermAutomaton.build(patterns).stateCount;
  return [0, 1, 2].map((dense) => ({ maxTableBytes: states * (dense + 2) * 4 }));
}

describe('TermAutomaton', () => {
  it('finds he, she, his and hers', () => {
    const patterns = ['he', 'she', 'his', 'hers'];
    const automaton = TermAutomaton.build(patterns);
    expect(automaton.patternCount).toBe(4);
    expect(automaton.patternLength(3)).toBe(4);
    // "ushers": she ends at 4, he at 4, hers at 6.
    expect(matches(automaton, 'ushers')).toEqual(['0@4', '1@4', '3@6']);
    expect(matches(automaton, 'ahishers')).toEqual(naive(patterns, 'ahishers'));
  });

  it('reports longer patterns first at one end, then their suffixes', () => {
    const automaton = TermAutomaton.build(['c', 'abc', 'bc']);
    const found: number[] = [];
    automaton.scan(codesOf('abc'), 3, (pattern) => found.push(pattern));
    expect(found).toEqual([1, 2, 0]);
  });

  it('reports overlapping occurrences', () => {
    expect(matches(TermAutomaton.build(['aa']), 'aaaa')).toEqual(['0@2', '0@3', '0@4']);
    expect(matches(TermAutomaton.build(['aba', 'bab']), 'ababab')).toEqual(['0@3', '0@5', '1@4', '1@6']);
  });

  it('reports patterns that are prefixes or suffixes of others', () => {
    const patterns = ['abcd', 'ab', 'abc', 'bcd', 'cd', 'd'];
    expect(matches(TermAutomaton.build(patterns), 'xabcdx')).toEqual(naive(patterns, 'xabcdx'));
    expect(matches(TermAutomaton.build(patterns), 'xabcdx')).toHaveLength(6);
  });

  it('reports each duplicate pattern', () => {
    expect(matches(TermAutomaton.build(['ab', 'x', 'ab']), 'abab')).toEqual(['0@2', '0@4', '2@2', '2@4']);
  });

  it('handles empty input, no patterns, and a length shorter than the buffer', () => {
    const automaton = TermAutomaton.build(['a']);
    expect(matches(automaton, '')).toEqual([]);
    expect(automaton.count(codesOf('aaaa'), 2)).toBe(2);
    expect(automaton.count(codesOf('aaaa'), 10)).toBe(4);
    const none = TermAutomaton.build([]);
    expect(none.patternCount).toBe(0);
    expect(matches(none, 'anything')).toEqual([]);
  });

  it('rejects an empty pattern', () => {
    expect(() => TermAutomaton.build(['a', ''])).toThrow(RangeError);
  });

  it('matches non-ASCII text: accents, CJK, surrogate pairs', () => {
    const patterns = ['café', '東京', '京都', '🙂x', 'ü'];
    const text = 'un café à 東京都 and 京都, 🙂x🙂 über';
    const automaton = TermAutomaton.build(patterns);
    expect(matches(automaton, text)).toEqual(naive(patterns, text));
    // 東京都 holds both 東京 and 京都; 🙂 is two code units.
    expect(matches(automaton, text)).toEqual(['0@7', '1@12', '2@13', '2@20', '3@25', '4@29']);
  });

  it('keeps a large alphabet within the table budget and still finds everything', () => {
    // 2,000 patterns over 3,000 CJK characters: dense, the table would be about 6,000 × 3,000 entries.
    let seed = 7;
    const random = (limit: number): number => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
      return (seed >>> 8) % limit;
    };
    const character = (): string => String.fromCharCode(0x4e00 + random(3000));
    const patterns = Array.from({ length: 2000 }, () =>
      Array.from({ length: 2 + random(3) }, character).join(''),
    );
    const text = Array.from({ length: 20_000 }, () => (random(4) === 0 ? 'a' : character())).join('');
    const planted = text + patterns.slice(0, 50).join('');
    const automaton = TermAutomaton.build(patterns, { maxTableBytes: 1 << 20 });
    expect(automaton.byteSize).toBeLessThan(1.5 * (1 << 20));
    const found = matches(automaton, planted);
    expect(found.length).toBeGreaterThanOrEqual(50);
    expect(found).toEqual(naive(patterns, planted));
    // By default, characters on so few edges get no dense column either.
    const byDefault = TermAutomaton.build(patterns);
    expect(byDefault.byteSize).toBeLessThan(4 * (1 << 20));
    expect(matches(byDefault, planted)).toEqual(found);
  });

  // Build time is measured in bench/text.bench.ts; here, the size it is linear in.
  it('builds 10,000 patterns into one state per distinct prefix at most', () => {
    let seed = 1;
    const word = (): string => {
      let text = '';
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
      const length = 4 + ((seed >>> 8) % 12);
      for (let index = 0; index < length; index++) {
        seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
        text += String.fromCharCode(97 + ((seed >>> 8) % 26));
      }
      return text;
    };
    const patterns = Array.from({ length: 10_000 }, word);
    const automaton = TermAutomaton.build(patterns);
    const prefixes = new Set(
      patterns.flatMap((pattern) => [...pattern].map((_, end) => pattern.slice(0, end + 1))),
    );
    expect(automaton.stateCount).toBe(prefixes.size + 1);
    const text = patterns.slice(0, 100).join(' ');
    expect(matches(automaton, text)).toEqual(naive(patterns, text));
  });

  it('finds what a naive search finds (property)', () => {
    const alphabet = fc.constantFrom('a', 'b', 'c', 'é');
    const pattern = fc.string({ unit: alphabet, minLength: 1, maxLength: 5 });
    // The text also has characters in no pattern ('x', a space).
    const text = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'é', 'x', ' '), maxLength: 200 });
    fc.assert(
      fc.property(fc.array(pattern, { maxLength: 12 }), text, (patterns, input) => {
        const expected = naive(patterns, input);
        expect(matches(TermAutomaton.build(patterns), input)).toEqual(expected);
        for (const options of sparseBudgets(patterns)) {
          expect(matches(TermAutomaton.build(patterns, options), input)).toEqual(expected);
        }
      }),
      { numRuns: 300 },
    );
  });
});
