// The exact pass of the term engine: terms as written, case-folded, found in the text as written,
// case-folded, as `grep -F -i` finds them (and whole-word terms as `grep -w` does: no letter, digit,
// mark or underscore on either side). The skeleton pass adds what evasions hide; this pass makes sure
// that no normalisation rule can ever lose a match that is plainly there. Case folding maps each UTF-16
// code unit to one, so offsets in the folded text are offsets in the original.
import { TermAutomaton } from './automaton.js';

const folds = new Uint16Array(0x10000);
const folded = new Uint8Array(0x10000); // 1 once folds[unit] is known
const wordUnits = new Uint8Array(0x10000); // 0 unknown, 1 no, 2 yes

function fold(unit: number): number {
  if (folded[unit] === 0) {
    const lower = String.fromCharCode(unit).toLowerCase();
    folds[unit] = lower.length === 1 && (unit < 0xd800 || unit > 0xdfff) ? lower.charCodeAt(0) : unit;
    folded[unit] = 1;
  }
  return folds[unit]!;
}

/** A term as the exact pass looks for it. */
export function foldCase(term: string): string {
  let result = '';
  for (let index = 0; index < term.length; index++)
    result += String.fromCharCode(fold(term.charCodeAt(index)));
  return result;
}

/**
 * True if the code point that ends just before `at` (before: true) or starts at `at` is a word character,
 * looking past invisible ones: "s\u2060hit" is one word.
 */
function isWordAt(text: string, at: number, before: boolean): boolean {
  while (
    before
      ? at > 0 && isInvisible(text.charCodeAt(at - 1))
      : at < text.length && isInvisible(text.charCodeAt(at))
  ) {
    at += before ? -1 : 1;
  }
  if (before ? at <= 0 : at >= text.length) return false;
  const unit = text.charCodeAt(before ? at - 1 : at);
  if (unit >= 0xd800 && unit <= 0xdfff) {
    const codePoint = text.codePointAt(before && unit >= 0xdc00 ? at - 2 : at) ?? unit;
    return /[\p{L}\p{N}\p{M}_]/u.test(String.fromCodePoint(codePoint));
  }
  if (wordUnits[unit] === 0) wordUnits[unit] = /[\p{L}\p{N}\p{M}_]/u.test(String.fromCharCode(unit)) ? 2 : 1;
  return wordUnits[unit] === 2;
}

function isInvisible(unit: number): boolean {
  return unit >= 0x80 && /[\p{Default_Ignorable_Code_Point}\p{Cf}]/u.test(String.fromCharCode(unit));
}

export class ExactTerms {
  private readonly automaton: TermAutomaton;
  private buffer = new Uint16Array(256);

  /** `patterns` are case-folded terms (foldCase), each non-empty. */
  constructor(patterns: readonly string[]) {
    this.automaton = TermAutomaton.build(patterns);
  }

  /** Calls onMatch(pattern, start, end, whole) for every occurrence; `whole` if it is a whole word. */
  scan(text: string, onMatch: (pattern: number, start: number, end: number, whole: boolean) => void): void {
    if (this.buffer.length < text.length)
      this.buffer = new Uint16Array(Math.max(text.length, this.buffer.length * 2));
    const buffer = this.buffer;
    for (let index = 0; index < text.length; index++) {
      const unit = text.charCodeAt(index);
      buffer[index] = unit < 0x80 ? (unit >= 0x41 && unit <= 0x5a ? unit + 0x20 : unit) : fold(unit);
    }
    this.automaton.scan(buffer, text.length, (pattern, end) => {
      const start = end - this.automaton.patternLength(pattern);
      onMatch(pattern, start, end, !isWordAt(text, start, true) && !isWordAt(text, end, false));
    });
  }
}
