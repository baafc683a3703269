// A reader of JavaScript regular-expression syntax (the `u` flag's strict grammar) into a small tree, and
// a writer of that tree in RE2's syntax. Rules are written in JavaScript's dialect and run on RE2, whose
// dialect differs in places (\s, `.`, \u{…}, \p{Script=…}, \cX); writing every character class out as
// exact code-point ranges, as V8 itself reads them, makes a rule match on RE2 exactly what it would match
// in JavaScript. Back-references and look-arounds are read so that a refusal can name them. It assumes V8
// has already accepted the pattern: it is not a validator, and it throws on anything it does not expect
// so that the rule is refused rather than guessed at.
import { endianness } from 'node:os';

/** Sorted, disjoint, non-adjacent inclusive ranges of code points, flattened: [lo0, hi0, lo1, hi1, …]. */
export type CharSet = readonly number[];

interface Span {
  /** UTF-16 offsets in the pattern, end exclusive. */
  start: number;
  end: number;
}

export type RegexNode =
  | (Span & { kind: 'chars'; set: CharSet; upperCase?: string })
  | (Span & { kind: 'sequence'; items: RegexNode[] })
  | (Span & { kind: 'alternation'; branches: RegexNode[] })
  | (Span & { kind: 'repeat'; body: RegexNode; min: number; max: number; lazy: boolean })
  | (Span & { kind: 'assertion'; test: '^' | '$' | '\\b' | '\\B' })
  | (Span & { kind: 'lookaround'; body: RegexNode; behind: boolean })
  | (Span & { kind: 'backreference' });

const maxCodePoint = 0x10ffff;

const digitSet: CharSet = [0x30, 0x39];
const wordSet: CharSet = [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a];
// WhiteSpace and LineTerminator as ECMAScript defines them for \s.
const spaceSet: CharSet = [
  0x09, 0x0d, 0x20, 0x20, 0xa0, 0xa0, 0x1680, 0x1680, 0x2000, 0x200a, 0x2028, 0x2029, 0x202f, 0x202f, 0x205f,
  0x205f, 0x3000, 0x3000, 0xfeff, 0xfeff,
];
// Without the `s` flag, `.` matches anything but a line terminator.
const dotSet: CharSet = complementSet([0x0a, 0x0a, 0x0d, 0x0d, 0x2028, 0x2029]);

export function setOf(ranges: readonly number[]): CharSet {
  const pairs: [number, number][] = [];
  for (let index = 0; index + 1 < ranges.length; index += 2) {
    pairs.push([ranges[index] ?? 0, ranges[index + 1] ?? 0]);
  }
  pairs.sort((a, b) => a[0] - b[0]);
  const merged: number[] = [];
  for (const [low, high] of pairs) {
    const last = merged.length - 1;
    if (last > 0 && low <= (merged[last] ?? 0) + 1) merged[last] = Math.max(merged[last] ?? 0, high);
    else merged.push(low, high);
  }
  return merged;
}

export function complementSet(set: CharSet): CharSet {
  const result: number[] = [];
  let next = 0;
  for (let index = 0; index < set.length; index += 2) {
    const low = set[index] ?? 0;
    if (low > next) result.push(next, low - 1);
    next = (set[index + 1] ?? 0) + 1;
  }
  if (next <= maxCodePoint) result.push(next, maxCodePoint);
  return result;
}

// Property escapes (\p{…}) are resolved exactly, by letting the engine scan every code point once per
// property (some 50 ms); the result is cached, so each property costs that once per process.
const propertySets = new Map<string, CharSet>();
const maxCachedProperties = 256;

function propertySet(name: string, everyCodePoint: () => string): CharSet {
  const cached = propertySets.get(name);
  if (cached !== undefined) return cached;
  const ranges: number[] = [];
  for (const found of everyCodePoint().matchAll(new RegExp(`\\p{${name}}+`, 'gu'))) {
    const first = found[0].codePointAt(0) ?? 0;
    const last = lastCodePoint(found[0]);
    // The scan text skips the surrogate block, so a run may straddle it.
    if (first < 0xd800 && last > 0xdfff) ranges.push(first, 0xd7ff, 0xe000, last);
    else ranges.push(first, last);
  }
  const single = new RegExp(`^\\p{${name}}$`, 'u');
  for (let code = 0xd800; code <= 0xdfff; code += 1) {
    if (single.test(String.fromCharCode(code))) ranges.push(code, code);
  }
  const set = setOf(ranges);
  if (propertySets.size >= maxCachedProperties) propertySets.clear();
  propertySets.set(name, set);
  return set;
}

function lastCodePoint(text: string): number {
  const pair = text.length > 1 ? text.codePointAt(text.length - 2) : undefined;
  return pair !== undefined && pair > 0xffff ? pair : (text.codePointAt(text.length - 1) ?? 0);
}

/** Every code point but the surrogates, in order: about 2 million UTF-16 units, so built only on demand. */
function buildEveryCodePoint(): string {
  const units = new Uint16Array(0x10000 - 0x800 + 0x100000 * 2);
  let at = 0;
  for (let code = 0; code < 0x10000; code += 1) {
    if (code < 0xd800 || code > 0xdfff) units[at++] = code;
  }
  for (let offset = 0; offset < 0x100000; offset += 1) {
    units[at++] = 0xd800 + (offset >> 10);
    units[at++] = 0xdc00 + (offset & 0x3ff);
  }
  return new TextDecoder(endianness() === 'LE' ? 'utf-16le' : 'utf-16be').decode(units);
}

const syntaxCharacters = '^$\\.*+?()[]{}|/';

/** Reads a pattern the engine accepted with the `u` flag. Throws an Error on anything unexpected. */
export function parseRegex(pattern: string): RegexNode {
  const parser = new Parser(pattern);
  const tree = parser.disjunction();
  if (!parser.atEnd()) throw new Error(`unexpected "${pattern.charAt(parser.position)}"`);
  return tree;
}

class Parser {
  position = 0;
  private everyCodePoint: string | undefined;

  constructor(private readonly source: string) {}

  atEnd(): boolean {
    return this.position >= this.source.length;
  }

  private peek(offset = 0): string {
    return this.source.charAt(this.position + offset);
  }

  private expect(text: string): void {
    if (!this.source.startsWith(text, this.position)) throw new Error(`expected "${text}"`);
    this.position += text.length;
  }

  disjunction(): RegexNode {
    const start = this.position;
    const branches = [this.alternative()];
    while (this.peek() === '|') {
      this.position += 1;
      branches.push(this.alternative());
    }
    if (branches.length === 1 && branches[0] !== undefined) return branches[0];
    return { kind: 'alternation', branches, start, end: this.position };
  }

  private alternative(): RegexNode {
    const start = this.position;
    const items: RegexNode[] = [];
    while (!this.atEnd() && this.peek() !== '|' && this.peek() !== ')') items.push(this.term());
    if (items.length === 1 && items[0] !== undefined) return items[0];
    return { kind: 'sequence', items, start, end: this.position };
  }

  private term(): RegexNode {
    const start = this.position;
    const char = this.peek();
    if (char === '^' || char === '$') {
      this.position += 1;
      return { kind: 'assertion', test: char, start, end: this.position };
    }
    if (char === '\\' && (this.peek(1) === 'b' || this.peek(1) === 'B')) {
      this.position += 2;
      return { kind: 'assertion', test: this.peek(-1) === 'b' ? '\\b' : '\\B', start, end: this.position };
    }
    if (this.source.startsWith('(?=', start) || this.source.startsWith('(?!', start)) {
      return this.lookaround(start, 3, false);
    }
    if (this.source.startsWith('(?<=', start) || this.source.startsWith('(?<!', start)) {
      return this.lookaround(start, 4, true);
    }
    return this.quantified(this.atom(), start);
  }

  private quantified(atom: RegexNode, start: number): RegexNode {
    const char = this.peek();
    let min: number;
    let max: number;
    if (char === '*' || char === '+' || char === '?') {
      this.position += 1;
      min = char === '+' ? 1 : 0;
      max = char === '?' ? 1 : Infinity;
    } else if (char === '{') {
      const counts = /^\{(\d+)(,(\d*))?\}/.exec(this.source.slice(this.position));
      if (counts === null) throw new Error('bad count');
      this.position += counts[0].length;
      min = Number(counts[1]);
      max = counts[2] === undefined ? min : counts[3] === '' ? Infinity : Number(counts[3]);
    } else return atom;
    const lazy = this.peek() === '?';
    if (lazy) this.position += 1;
    return { kind: 'repeat', body: atom, min, max, lazy, start, end: this.position };
  }

  private lookaround(start: number, opening: number, behind: boolean): RegexNode {
    this.position += opening;
    const body = this.disjunction();
    this.expect(')');
    return { kind: 'lookaround', body, behind, start, end: this.position };
  }

  private atom(): RegexNode {
    const start = this.position;
    const char = this.peek();
    if (char === '(') {
      if (this.source.startsWith('(?:', start)) this.position += 3;
      else if (this.source.startsWith('(?<', start)) {
        const close = this.source.indexOf('>', start);
        if (close < 0) throw new Error('unterminated group name');
        this.position = close + 1;
      } else if (this.peek(1) === '?') throw new Error('unknown group kind');
      else this.position += 1;
      const body = this.disjunction();
      this.expect(')');
      // A group is only a bracket: its span is kept on the body so that a repeat quotes "(…)+".
      return { ...body, start, end: this.position };
    }
    if (char === '[') return this.characterClass();
    if (char === '.') {
      this.position += 1;
      return { kind: 'chars', set: dotSet, start, end: this.position };
    }
    if (char === '\\') return this.atomEscape();
    if ('*+?{}])|'.includes(char)) throw new Error(`unexpected "${char}"`);
    const code = this.codePoint();
    return { kind: 'chars', set: [code, code], ...upperCaseOf(code), start, end: this.position };
  }

  private codePoint(): number {
    const code = this.source.codePointAt(this.position);
    if (code === undefined) throw new Error('unexpected end');
    this.position += code > 0xffff ? 2 : 1;
    return code;
  }

  private atomEscape(): RegexNode {
    const start = this.position;
    this.position += 1;
    const char = this.peek();
    if (/[1-9]/.test(char)) {
      while (/[0-9]/.test(this.peek())) this.position += 1;
      return { kind: 'backreference', start, end: this.position };
    }
    if (char === 'k') {
      const close = this.source.indexOf('>', this.position);
      if (close < 0) throw new Error('unterminated group name');
      this.position = close + 1;
      return { kind: 'backreference', start, end: this.position };
    }
    const set = this.classEscape();
    if (set !== undefined) return { kind: 'chars', set, start, end: this.position };
    const code = this.characterEscape();
    return { kind: 'chars', set: [code, code], ...upperCaseOf(code), start, end: this.position };
  }

  /** \d \D \s \S \w \W \p{…} \P{…}, after the backslash; undefined if the escape is not one of them. */
  private classEscape(): CharSet | undefined {
    const char = this.peek();
    const simple: Record<string, CharSet> = { d: digitSet, s: spaceSet, w: wordSet };
    const lower = char.toLowerCase();
    const base = simple[lower];
    if (base !== undefined) {
      this.position += 1;
      return char === lower ? base : complementSet(base);
    }
    if (char === 'p' || char === 'P') {
      this.position += 1;
      this.expect('{');
      const close = this.source.indexOf('}', this.position);
      if (close < 0) throw new Error('unterminated property');
      const set = propertySet(this.source.slice(this.position, close), () => {
        this.everyCodePoint ??= buildEveryCodePoint();
        return this.everyCodePoint;
      });
      this.position = close + 1;
      return char === 'p' ? set : complementSet(set);
    }
    return undefined;
  }

  /** A single-character escape, after the backslash: its code point. */
  private characterEscape(): number {
    const char = this.peek();
    const controls: Record<string, number> = { f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b, 0: 0 };
    const control = controls[char];
    if (control !== undefined) {
      this.position += 1;
      return control;
    }
    if (char === 'c') {
      const letter = this.peek(1);
      if (!/[A-Za-z]/.test(letter)) throw new Error('bad control escape');
      this.position += 2;
      return letter.charCodeAt(0) % 32;
    }
    if (char === 'x') {
      this.position += 1;
      return this.hex(2);
    }
    if (char === 'u') {
      this.position += 1;
      if (this.peek() === '{') {
        this.position += 1;
        const close = this.source.indexOf('}', this.position);
        if (close < 0) throw new Error('unterminated code point');
        const code = Number.parseInt(this.source.slice(this.position, close), 16);
        this.position = close + 1;
        return code;
      }
      const lead = this.hex(4);
      // With the `u` flag, an escaped surrogate pair is one code point.
      if (lead >= 0xd800 && lead <= 0xdbff && this.source.startsWith('\\u', this.position)) {
        const saved = this.position;
        this.position += 2;
        const trail = /^[0-9a-fA-F]{4}$/.test(this.source.slice(this.position, this.position + 4))
          ? this.hex(4)
          : -1;
        if (trail >= 0xdc00 && trail <= 0xdfff) return 0x10000 + ((lead - 0xd800) << 10) + (trail - 0xdc00);
        this.position = saved;
      }
      return lead;
    }
    if (syntaxCharacters.includes(char) || char === '-') {
      this.position += 1;
      return char.charCodeAt(0);
    }
    throw new Error(`unexpected escape "\\${char}"`);
  }

  private hex(digits: number): number {
    const text = this.source.slice(this.position, this.position + digits);
    if (!new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(text)) throw new Error('bad hex escape');
    this.position += digits;
    return Number.parseInt(text, 16);
  }

  private characterClass(): RegexNode {
    const start = this.position;
    this.position += 1;
    const negated = this.peek() === '^';
    if (negated) this.position += 1;
    const ranges: number[] = [];
    let upperCase: string | undefined;
    const note = (code: number) => {
      upperCase ??= negated ? undefined : upperCaseOf(code).upperCase;
    };
    while (this.peek() !== ']') {
      if (this.atEnd()) throw new Error('unterminated class');
      const low = this.classAtom();
      if (this.peek() === '-' && this.peek(1) !== ']' && typeof low === 'number') {
        this.position += 1;
        const high = this.classAtom();
        if (typeof high !== 'number' || high < low) throw new Error('bad range');
        note(low);
        note(high);
        ranges.push(low, high);
      } else if (typeof low === 'number') {
        note(low);
        ranges.push(low, low);
      } else ranges.push(...low);
    }
    this.position += 1;
    const set = setOf(ranges);
    return {
      kind: 'chars',
      set: negated ? complementSet(set) : set,
      ...(upperCase === undefined ? {} : { upperCase }),
      start,
      end: this.position,
    };
  }

  /** One member of a class: a code point, or a set for \d, \w, \p{…} and the like. */
  private classAtom(): number | CharSet {
    if (this.peek() !== '\\') return this.codePoint();
    this.position += 1;
    if (this.peek() === 'b') {
      this.position += 1;
      return 0x08;
    }
    return this.classEscape() ?? this.characterEscape();
  }
}

/**
 * The character, if it is a capital A to Z: the normaliser writes every Latin letter in lower case, so
 * such a letter can never match. (Some capitals of other scripts do survive normalisation, so only
 * A to Z is refused.)
 */
function upperCaseOf(code: number): { upperCase?: string } {
  return code >= 0x41 && code <= 0x5a ? { upperCase: String.fromCharCode(code) } : {};
}

/** The direct children of a node. */
export function children(node: RegexNode): readonly RegexNode[] {
  switch (node.kind) {
    case 'sequence':
      return node.items;
    case 'alternation':
      return node.branches;
    case 'repeat':
    case 'lookaround':
      return [node.body];
    case 'chars':
    case 'assertion':
    case 'backreference':
      return [];
  }
}

/** Whether a node can match empty text. */
export function nullable(node: RegexNode): boolean {
  switch (node.kind) {
    case 'chars':
      return false;
    case 'sequence':
      return node.items.every(nullable);
    case 'alternation':
      return node.branches.some(nullable);
    case 'repeat':
      return node.min === 0 || nullable(node.body);
    case 'assertion':
    case 'lookaround':
    case 'backreference':
      return true;
  }
}

/**
 * The pattern in RE2's syntax, matching exactly what the JavaScript pattern matches with the flag `u`:
 * characters as explicit code-point ranges, groups as non-capturing groups (a rule reports only where
 * it matched). Both engines prefer the same match (leftmost, then the first alternative and the greedy
 * or lazy choice the pattern asks for), so spans agree too. Throws on look-arounds and back-references,
 * which RE2 cannot express: refuse those before.
 */
export function writeRe2(node: RegexNode): string {
  switch (node.kind) {
    case 'chars':
      return writeSet(node.set);
    case 'sequence':
      return node.items.map(writeRe2).join('');
    case 'alternation':
      return `(?:${node.branches.map(writeRe2).join('|')})`;
    case 'repeat': {
      const body = `(?:${writeRe2(node.body)})`;
      const counts = `{${node.min},${node.max === Infinity ? '' : node.max}}`;
      return `${body}${counts}${node.lazy ? '?' : ''}`;
    }
    case 'assertion':
      return node.test;
    case 'lookaround':
    case 'backreference':
      throw new Error(`RE2 has no ${node.kind}`);
  }
}

function writeSet(set: CharSet): string {
  const code = (point: number) => `\\x{${point.toString(16)}}`;
  const first = set[0];
  if (set.length === 2 && first !== undefined && first === set[1]) return code(first);
  // An empty set matches nothing, as "[]" does in JavaScript.
  if (set.length === 0) return `[^${code(0)}-${code(maxCodePoint)}]`;
  let ranges = '';
  for (let index = 0; index + 1 < set.length; index += 2) {
    const low = set[index] ?? 0;
    const high = set[index + 1] ?? 0;
    ranges += low === high ? code(low) : `${code(low)}-${code(high)}`;
  }
  return `[${ranges}]`;
}
