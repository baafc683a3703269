// The JavaScript pattern reader and the RE2 writer: every character class, escape and repeat means on
// RE2 exactly what it means to V8, checked code point by code point against V8 itself.
import fc from 'fast-check';
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { complementSet, parseRegex, setOf, writeRe2 } from './regex-syntax.js';
import type { CharSet, RegexNode } from './regex-syntax.js';

function charsOf(pattern: string): CharSet {
  const node = parseRegex(pattern);
  if (node.kind !== 'chars') throw new Error(`${pattern} is a ${node.kind}`);
  return node.set;
}

/** Code points worth probing for a set: its range ends and their neighbours, and a few anywhere. */
function probes(set: CharSet, extra: readonly number[]): number[] {
  const points = new Set(extra);
  for (const end of set)
    for (const near of [end - 1, end, end + 1]) if (near >= 0 && near <= 0x10ffff) points.add(near);
  return [...points];
}

function isValid(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

function engineHas(pattern: string, code: number): boolean {
  return new RegExp(`^(?:${pattern})$`, 'u').test(String.fromCodePoint(code));
}

/** The pattern, translated, compiled for RE2: does it match exactly this one code point? */
function re2Has(pattern: string): (code: number) => boolean {
  const program = RE2JS.compile(writeRe2(parseRegex(pattern)));
  return (code) => program.testExact(String.fromCodePoint(code));
}

const classPieces = [
  'a',
  'z',
  '0',
  'a-f',
  'x-z',
  '\\d',
  '\\D',
  '\\w',
  '\\W',
  '\\s',
  '\\S',
  '\\-',
  '\\]',
  '\\\\',
  '\\x41-\\x5a',
  '\\u00e0-\\u00ff',
  '\\u{1f600}-\\u{1f64f}',
  '😀',
  '\\uD83D\\uDE00',
  '\\t',
  '\\n',
  '\\0',
  '\\cJ',
  '\\b',
  '.',
  '$',
  '\\p{L}',
  '\\P{L}',
  '\\p{Script=Greek}',
  '\\p{Nd}',
];

describe('character sets on RE2', () => {
  it('agree with V8 on every code point of the Basic Multilingual Plane for \\s, . and \\w', () => {
    for (const pattern of ['\\s', '.', '\\w', '\\W', '[^\\s\\d]']) {
      const has = re2Has(pattern);
      const disagreements: number[] = [];
      for (let code = 0; code <= 0xffff; code += 1) {
        if (has(code) !== engineHas(pattern, code)) disagreements.push(code);
      }
      expect({ pattern, disagreements: disagreements.slice(0, 5) }).toEqual({ pattern, disagreements: [] });
    }
  });

  it('agree with V8 on classes made of any pieces, negated or not', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...classPieces), { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        fc.array(fc.integer({ min: 0, max: 0x10ffff }), { minLength: 5, maxLength: 5 }),
        (pieces, negated, random) => {
          const pattern = `[${negated ? '^' : ''}${pieces.join('')}]`;
          // Some joins are not valid (a "\\0" before a digit, a class escape in a range): skip those.
          fc.pre(isValid(pattern));
          const has = re2Has(pattern);
          for (const code of probes(charsOf(pattern), [
            ...random,
            0x41,
            0x61,
            0x3b1,
            0x1f600,
            0xd800,
            0xdfff,
          ])) {
            if (has(code) !== engineHas(pattern, code)) return false;
          }
          return true;
        },
      ),
      { numRuns: 150 },
    );
  });

  it('read escapes outside classes as V8 does', () => {
    for (const [pattern, code] of [
      ['\\u{1F600}', 0x1f600],
      ['\\uD83D\\uDE00', 0x1f600],
      ['\\x2a', 0x2a],
      ['\\*', 0x2a],
      ['\\/', 0x2f],
      ['\\cM', 0x0d],
      ['\\0', 0],
      ['é', 0xe9],
    ] as const) {
      expect(charsOf(pattern)).toEqual([code, code]);
      expect(engineHas(pattern, code)).toBe(true);
      expect(re2Has(pattern)(code)).toBe(true);
    }
  });

  it('complement and ranges stay sorted and merged', () => {
    expect(setOf([5, 9, 1, 3, 4, 4])).toEqual([1, 9]);
    expect(setOf([10, 12, 1, 2])).toEqual([1, 2, 10, 12]);
    expect(complementSet(complementSet([3, 7, 100, 200]))).toEqual([3, 7, 100, 200]);
    expect(complementSet([0, 0x10ffff])).toEqual([]);
  });
});

describe('parseRegex', () => {
  const shape = (node: RegexNode): unknown => {
    switch (node.kind) {
      case 'chars':
        return 'c';
      case 'sequence':
        return node.items.map(shape);
      case 'alternation':
        return { or: node.branches.map(shape) };
      case 'repeat':
        return { repeat: shape(node.body), min: node.min, max: node.max, lazy: node.lazy };
      case 'lookaround':
        return { look: shape(node.body), behind: node.behind };
      case 'assertion':
        return node.test;
      case 'backreference':
        return 'backref';
    }
  };

  it('reads repeats, groups, choices and look-arounds with their spans', () => {
    expect(shape(parseRegex('(?:ab|c)+?x{2,}y{3}z{1,4}'))).toEqual([
      { repeat: { or: [['c', 'c'], 'c'] }, min: 1, max: Infinity, lazy: true },
      { repeat: 'c', min: 2, max: Infinity, lazy: false },
      { repeat: 'c', min: 3, max: 3, lazy: false },
      { repeat: 'c', min: 1, max: 4, lazy: false },
    ]);
    expect(shape(parseRegex('^(?<=a)\\b(?!b)(?<name>c)\\k<name>\\B$'))).toEqual([
      '^',
      { look: 'c', behind: true },
      '\\b',
      { look: 'c', behind: false },
      'c',
      'backref',
      '\\B',
      '$',
    ]);
    const repeat = parseRegex('x(ab)*');
    expect(repeat.kind === 'sequence' && repeat.items[1]).toMatchObject({ start: 1, end: 6 });
  });

  it('notes capital letters outside negated classes only', () => {
    expect(parseRegex('B')).toMatchObject({ upperCase: 'B' });
    expect(parseRegex('[a-zA-Z]')).toMatchObject({ upperCase: 'A' });
    expect(parseRegex('[^A-Z]')).not.toHaveProperty('upperCase');
    expect(parseRegex('\\W')).not.toHaveProperty('upperCase');
  });
});
