// The text normaliser of the term engine: it turns a term, and any text scanned for terms, into the same
// "skeleton", so that one automaton over skeletons sees through the tricks people use to slip past term
// lists, and it remembers for every skeleton character which characters of the ORIGINAL text it came
// from, so that a match can be shown where it was written.
//
// Steps, the same for terms and texts:
// - NFKD and case folding (full-width, mathematical and circled letters, ligatures; ß → ss). NFKD rather
//   than NFKC because diacritics are removed next anyway, and decomposing makes a precomposed letter and
//   a letter followed by combining marks (or a Hangul syllable and its jamo) come out alike.
// - Diacritics dropped: the generic combining marks (é → e, Zalgo text) and Hebrew and Arabic vowel
//   points. Marks that spell other scripts (Indic vowel signs, Thai vowels, Japanese voicing) are kept.
// - Look-alikes mapped to Latin letters (confusables.ts), capitals by their own look (Η → h, η → n; Г,
//   which is no r though г is, stays Г). Then l is read as i: 1, !, | and I stand for both, so merging
//   the two, as UTS #39 skeletons do, is the only way "k1ll", "kiII" and "kill" meet. The tables keep l
//   apart, so that readRunLetters can tell a match "boil" from "boll" again.
// - Invisible characters dropped without splitting the word (zero-width, bidi controls, variation
//   selectors, tags, soft hyphen, fillers, Arabic tatweel), and so are apostrophes: "don't" is one word.
// - Leetspeak, only in a word with a letter of a cased alphabet (Latin, Greek, Cyrillic…): digits
//   0 1 3 4 5 7 8 9 are letters there, and so are the symbols $ @ + € ¢ ("a$$", "$hit"); ! ¡ | are
//   letters inside a word or at its start ("k!ll") and punctuation after it ("hello!"). "2024", "room 101", "$5" and "2024年" keep
//   their digits. Text like "user@host" becomes one word.
// - Every run of other characters between words is one gap, none at either end: a space if it is only
//   whitespace, "," if it also holds punctuation (a phrase's space does not match "dressers, eliding"),
//   and none if it holds no whitespace: "ki-ll" and "well-being" are joined into one word. A run of three
//   or more single-letter words ("e.m.p.t.y", "e m p t y chair", single digits and symbols included) is
//   joined too; two ("I a") are left alone, so ordinary prose keeps its words. Where a join was, a word
//   may end (NormalisedText.boundaries): "well" is a word of "well-being".
// - A run of one repeated cased letter is squeezed ("emmmpttyyyy" → "empty"), on both sides, so "good"
//   is "god" and, with l read as i, "kill" is "ki". Each skeleton letter keeps how many letters it
//   merged (NormalisedText.runs), so that the engine can tell "as" from "ass" after all. Digits are not
//   squeezed (1000), nor letters of uncased scripts (CJK, Arabic, Thai), where doubled characters are
//   ordinary spelling.
//
// The span of a skeleton character covers every original character that produced it (a squeezed run, a
// letter and its marks, all pieces of one expanded character, the separators inside a joined word), so
// the span of a range of skeleton characters includes what lies between them but nothing before or
// after. A space spans the characters between the words on either side.
//
// Speed: each distinct character is classified once (NFKD and case mapping through the String methods)
// into a table of 32-bit entries, one Int32Array per Unicode plane; the scan is then a table lookup per
// character into typed-array buffers that are reused from call to call, and words of plain letters go
// straight to the output.
import { CONFUSABLES, LEET_DIGITS, LEET_SYMBOLS, UNMAPPED_CAPITALS } from './confusables.js';

/** Reusable output buffers: scanning a text allocates nothing per character once they are large enough. */
export class NormalisedText {
  /** Skeleton as UTF-16 code units; valid up to `length`. */
  codes: Uint16Array;
  /** For skeleton position i: the UTF-16 index in the original text where the characters it came from start. */
  start: Int32Array;
  /** ... and where they end (exclusive). */
  end: Int32Array;
  /**
   * For skeleton position i: how many letters a squeezed run merged into it (1 if none). The engine
   * compares a term's runs with the text's, so that "ass", squeezed to "as", does not match the word "as".
   */
  runs: Int32Array;
  /**
   * For skeleton position i: WORD_BOUNDARY if a word may end just before it and begin at it (after a gap,
   * at a joined "-" or ".", between separated letters), JUNCTION_INSIDE if such a join falls inside the
   * run of letters it squeezed ("ki-ll").
   */
  boundaries: Uint8Array;
  length = 0;

  constructor(capacity = 256) {
    this.codes = new Uint16Array(capacity);
    this.start = new Int32Array(capacity);
    this.end = new Int32Array(capacity);
    this.runs = new Int32Array(capacity);
    this.boundaries = new Uint8Array(capacity);
  }

  /** The skeleton as a string (for tests and explanations). */
  toString(): string {
    let skeleton = '';
    for (let from = 0; from < this.length; from += 4096) {
      skeleton += String.fromCharCode(...this.codes.subarray(from, Math.min(this.length, from + 4096)));
    }
    return skeleton;
  }

  /** The original-text span [start, end) of skeleton positions [from, to), for 0 ≤ from ≤ to ≤ length. */
  span(from: number, to: number): { start: number; end: number } {
    if (to > from) return { start: this.start[from]!, end: this.end[to - 1]! };
    const at = from < this.length ? this.start[from]! : this.length > 0 ? this.end[this.length - 1]! : 0;
    return { start: at, end: at };
  }
}

/** Normalises `text` into `into` (grown as needed) and returns it. */
export function normaliseText(text: string, into: NormalisedText = new NormalisedText()): NormalisedText {
  const builder = skeletonBuilder;
  builder.begin(into, text);
  let i = 0;
  while (i < text.length) {
    const unit = text.charCodeAt(i);
    let entry = bmpEntries[unit]!;
    if (isPlainLetter(entry)) {
      // Single letters may be waiting in the builder, but a word that starts with two different letters
      // cannot join them: then they can be written now.
      if (builder.count > 0 && builder.count === builder.tokenStart && i + 1 < text.length) {
        const second = bmpEntries[text.charCodeAt(i + 1)]!;
        if (second !== entry && isPlainLetter(second)) builder.settle();
      }
      if (builder.count === 0) {
        const gap = into.length === 0 ? SPACE : gapBetween(text, into.end[into.length - 1]!, i);
        if (gap !== JOIN) {
          i = writePlainWord(text, i, into, gap);
          continue;
        }
      }
    }
    let next = i + 1;
    if (entry === 0) {
      bmpEntries[unit] = classifyCharacter(unit);
      continue;
    }
    if (entry === SURROGATE) {
      if (unit <= 0xdbff && next < text.length && (text.charCodeAt(next) & 0xfc00) === 0xdc00) {
        const codePoint = ((unit - 0xd800) << 10) + (text.charCodeAt(next) - 0xdc00) + 0x10000;
        next++;
        const plane = (astralPlanes[codePoint >> 16] ??= new Int32Array(0x10000));
        entry = plane[codePoint & 0xffff]!;
        if (entry === 0) entry = plane[codePoint & 0xffff] = classifyCharacter(codePoint);
      } else {
        entry = SEPARATOR; // a lone surrogate
      }
    }
    if (entry > 0) {
      if (entry < MULTIPLE) builder.push(entry >>> 21, entry & 0x1fffff, i, next);
      else builder.pushPieces(entry - MULTIPLE, i, next);
    } else if (entry === SEPARATOR) {
      if (builder.count > builder.tokenStart) builder.endToken();
    } else if (entry === MARK) {
      // A combining mark belongs to the letter before it, if any in this word.
      if (builder.count > builder.tokenStart) builder.ends[builder.count - 1] = next;
    }
    i = next;
  }
  builder.finish();
  return into;
}

/**
 * Writes the word of plain letters (cased, in the BMP) that starts at `from` straight to the output, and
 * returns where it ends. This is the path of most of any text, kept small because it is where the time
 * goes. A word that goes on with other kinds of characters (leetspeak, another script, a character not
 * classified yet), or that is a single letter, which may join others, is handed to the builder instead.
 */
function writePlainWord(text: string, from: number, into: NormalisedText, gap: number): number {
  const textLength = text.length;
  let length = into.length;
  if (length + textLength - from + 2 > into.codes.length) reserve(into, length + textLength - from + 2);
  const { codes, start, end, runs, boundaries } = into;
  const wordOut = length;
  if (length > 0) {
    codes[length] = gap;
    start[length] = end[length - 1]!;
    runs[length] = 1;
    boundaries[length] = WORD_BOUNDARY;
    end[length++] = from;
  }
  const firstLetter = length;
  let squeezable = -1;
  let i = from;
  for (; i < textLength; i++) {
    const entry = bmpEntries[text.charCodeAt(i)]!;
    if (isPlainLetter(entry)) {
      let letter = entry - LETTER_ENTRY;
      if (letter === LATIN_L) letter = SKELETON_I;
      if (letter === squeezable) {
        end[length - 1] = i + 1;
        runs[length - 1]! += 1;
      } else {
        codes[length] = squeezable = letter;
        start[length] = i;
        runs[length] = 1;
        boundaries[length] = 0;
        end[length++] = i + 1;
      }
    } else if (entry === MARK) {
      end[length - 1] = i + 1;
    } else if (entry !== INVISIBLE) {
      break;
    }
  }
  const letters = length - (wordOut > 0 ? wordOut + 1 : 0);
  if (letters === 1 || (i < textLength && bmpEntries[text.charCodeAt(i)] !== SEPARATOR)) {
    // A squeezed letter goes over as many times as it was written, so that the builder counts its run.
    for (let p = length - letters; p < length; p++) {
      for (let copy = runs[p]!; copy > 0; copy--) skeletonBuilder.push(LETTER, codes[p]!, start[p]!, end[p]!);
    }
    length = wordOut;
  } else {
    boundaries[firstLetter] = WORD_BOUNDARY;
    trailingLetter = squeezable;
  }
  into.length = length;
  return i;
}

/**
 * What lies between two words, from the text between them: only whitespace (and invisible characters)
 * is a SPACE; whitespace with punctuation ("dressers, eliding") is PUNCTUATION, which a phrase's space
 * does not match; punctuation without whitespace ("ki-ll", "e.mail", "empty_chair") JOINs the two into
 * one word, with a word boundary at the join.
 */
function gapBetween(text: string, from: number, to: number): number {
  if (to - from === 1 && text.charCodeAt(from) === SPACE) return SPACE;
  let space = false;
  let other = false;
  for (let i = from; i < to; i++) {
    const unit = text.charCodeAt(i);
    if (isWhitespace(unit)) space = true;
    else if (isVisible(text, i)) other = true;
  }
  return space ? (other ? PUNCTUATION : SPACE) : JOIN;
}

/** False for an invisible character or a mark at `at` (for a surrogate pair, at either half). */
function isVisible(text: string, at: number): boolean {
  const unit = text.charCodeAt(at);
  let entry = bmpEntries[unit]!;
  if (entry === 0) entry = bmpEntries[unit] = classifyCharacter(unit);
  if (entry !== SURROGATE) return entry !== INVISIBLE && entry !== MARK;
  const high = unit <= 0xdbff ? at : at - 1;
  const codePoint = text.codePointAt(high) ?? unit;
  if (codePoint <= 0xffff) return true; // a lone surrogate
  const plane = (astralPlanes[codePoint >> 16] ??= new Int32Array(0x10000));
  entry = plane[codePoint & 0xffff]!;
  if (entry === 0) entry = plane[codePoint & 0xffff] = classifyCharacter(codePoint);
  return entry !== INVISIBLE && entry !== MARK;
}

/** The text from `from` to `to` without its invisible characters and marks. */
function visibleText(text: string, from: number, to: number): string {
  let visible = '';
  for (let i = from; i < to; i++) if (isVisible(text, i)) visible += text[i];
  return visible;
}

function isWhitespace(unit: number): boolean {
  return (
    unit === 0x20 ||
    (unit >= 0x09 && unit <= 0x0d) ||
    unit === 0x85 ||
    unit === 0xa0 ||
    unit === 0x1680 ||
    (unit >= 0x2000 && unit <= 0x200a) ||
    unit === 0x2028 ||
    unit === 0x2029 ||
    unit === 0x202f ||
    unit === 0x205f ||
    unit === 0x3000
  );
}

/** The skeleton of a term or allow-list entry, as a string (what the automaton is built from). */
export function normaliseTerm(term: string): string {
  return normaliseText(term, termBuffer).toString();
}

/** True for skeleton code units that are part of words (letters and digits), false for the gaps. */
export function isWordCode(code: number): boolean {
  return code !== SPACE && code !== PUNCTUATION;
}

/** Flags of NormalisedText.boundaries. */
export const WORD_BOUNDARY = 1;
export const JUNCTION_INSIDE = 2;

const SPACE = 0x20; // the skeleton of a gap of whitespace
const PUNCTUATION = 0x2c; // the skeleton of a gap of whitespace and punctuation
const JOIN = 0; // a gap of punctuation alone: no skeleton character, the words join
const SKELETON_I = 0x69; // the skeleton letter of i, l, 1, ! and |
const LATIN_L = 0x6c; // kept apart from i in the tables, so that a match can tell them apart again
// The skeleton letter at the end of the last word written, which a word joined to it may go on squeezing.
let trailingLetter = -1;

// What a character is, once normalised. Items of these kinds are buffered until their word is known.
const LETTER = 1; // a cased letter: squeezed when repeated
const UNCASED = 2; // a letter of an uncased script, or a mark that spells one: a word character as it is
const DIGIT = 3; // an ASCII digit: a letter in a word with letters (if it has a leet reading), else a digit
const NUMBER = 4; // any other numeric character: a word character, never a letter
const SYMBOL = 5; // a leet symbol: a letter inside a word or at its start, else punctuation
const DROPPED = 6; // an item found to be punctuation after all

const LEET_KINDS = (1 << DIGIT) | (1 << SYMBOL);

// Table entries: one item packed as kind << 21 | code point, or one of these, or MULTIPLE + the offset
// of a count and that many packed items in `pieceTable` (for characters that expand, such as "ﬃ").
const SEPARATOR = -1;
const INVISIBLE = -2;
const MARK = -3;
const SURROGATE = -4; // the entry of every surrogate code unit: the code point needs both halves
const MULTIPLE = 1 << 26;
const LETTER_ENTRY = LETTER << 21; // the entry of a cased letter is this plus its code point

/** True for the entry of a cased letter of the BMP: the characters written without the builder. */
function isPlainLetter(entry: number): boolean {
  return entry - LETTER_ENTRY >= 0 && entry - LETTER_ENTRY <= 0xffff;
}

const INVISIBLE_CHARACTERS = /^[\p{Default_Ignorable_Code_Point}\p{Cf}\u0640]$/u;
const APOSTROPHES = /^['`\u00b4\u2018\u2019\u02bc]$/u;
// Marks dropped as diacritics: the generic combining blocks (Latin, Greek, Cyrillic, Zalgo text) and the
// optional vowel points of Hebrew and Arabic. Pairs of first and last code point.
// prettier-ignore
const DIACRITIC_RANGES = [
  [0x0300, 0x036f], [0x0483, 0x0489], [0x0591, 0x05bd], [0x05bf, 0x05bf], [0x05c1, 0x05c2], [0x05c4, 0x05c5],
  [0x05c7, 0x05c7], [0x0610, 0x061a], [0x064b, 0x065f], [0x0670, 0x0670], [0x06d6, 0x06dc], [0x06df, 0x06e4],
  [0x06e7, 0x06e8], [0x06ea, 0x06ed], [0x1ab0, 0x1aff], [0x1dc0, 0x1dff], [0x20d0, 0x20ff], [0xfe20, 0xfe2f],
] as const;

function isDiacritic(codePoint: number): boolean {
  return DIACRITIC_RANGES.some(([first, last]) => codePoint >= first && codePoint <= last);
}

/** The table letter of a Latin letter: lowercase (l becomes i only when written out). */
function skeletonLetter(latin: string): number {
  return latin.toLowerCase().charCodeAt(0);
}

const pack = (kind: number, code: number): number => (kind << 21) | code;

const leetOfDigit = new Int32Array(10);
for (const [digit, letter] of LEET_DIGITS) leetOfDigit[digit.charCodeAt(0) - 0x30] = skeletonLetter(letter);

function asciiEntry(code: number): number {
  const lower = code >= 0x41 && code <= 0x5a ? code + 0x20 : code;
  if (lower >= 0x61 && lower <= 0x7a) return pack(LETTER, lower);
  if (code >= 0x30 && code <= 0x39) return pack(DIGIT, code);
  const character = String.fromCharCode(code);
  const leet = LEET_SYMBOLS.get(character);
  if (leet !== undefined) return pack(SYMBOL, skeletonLetter(leet));
  return APOSTROPHES.test(character) ? INVISIBLE : SEPARATOR;
}

const bmpEntries = new Int32Array(0x10000); // 0: not classified yet
// Beyond the BMP, one table per plane, made when a character of it first appears (emoji, mathematical
// letters, tags and CJK extensions use three or four planes): unlike a Map, it cannot be grown without
// bound by a text of many rare characters.
const astralPlanes: (Int32Array | undefined)[] = [];
let pieceTable = new Int32Array(1024);
let piecesUsed = 0;
for (let code = 0; code < 0x80; code++) bmpEntries[code] = asciiEntry(code);
bmpEntries.fill(SURROGATE, 0xd800, 0xe000);

function classifyCharacter(codePoint: number): number {
  const character = String.fromCodePoint(codePoint);
  if (INVISIBLE_CHARACTERS.test(character) || APOSTROPHES.test(character)) return INVISIBLE;
  if (isDiacritic(codePoint)) return MARK;
  const pieces: number[] = [];
  // The table first, as some look-alikes decompose into what does not look alike (ϲ into ς).
  const lookAlike = CONFUSABLES.get(codePoint);
  if (lookAlike !== undefined) addLatin(lookAlike, pieces);
  let separated = false;
  for (const part of lookAlike === undefined ? character.normalize('NFKD') : '') {
    const partCode = part.codePointAt(0) ?? 0;
    const latin = CONFUSABLES.get(partCode);
    if (latin !== undefined) {
      addLatin(latin, pieces);
      continue;
    }
    if (UNMAPPED_CAPITALS.has(partCode)) {
      // Folded, it would become a look-alike it does not resemble (Г → г → r): it stays itself.
      pieces.push(pack(LETTER, partCode));
      continue;
    }
    // Lower, upper and lower again reaches full case folding where one step does not (ẞ → ß → SS → ss);
    // NFKD again takes apart what case mapping composes (İ → i and a combining dot).
    for (const folded of part.toLowerCase().toUpperCase().toLowerCase().normalize('NFKD')) {
      if (classifyPiece(folded, pieces)) separated = true;
    }
  }
  // Separator pieces count only when nothing else is there: punctuation inside a character that also
  // holds letters ("⒜", "㏂") would split what reads as one.
  if (pieces.length === 0) return separated ? SEPARATOR : /\p{M}/u.test(character) ? MARK : INVISIBLE;
  if (pieces.length === 1) return pieces[0]!;
  if (piecesUsed + pieces.length + 1 > pieceTable.length) {
    const grown = new Int32Array(pieceTable.length * 2 + pieces.length);
    grown.set(pieceTable);
    pieceTable = grown;
  }
  const offset = piecesUsed;
  pieceTable[offset] = pieces.length;
  pieceTable.set(pieces, offset + 1);
  piecesUsed += pieces.length + 1;
  return MULTIPLE + offset;
}

/** Adds the items of one case-folded code point; returns true if it is a separator. */
function classifyPiece(piece: string, pieces: number[]): boolean {
  const code = piece.codePointAt(0) ?? 0;
  if (code < 0x80) {
    const entry = asciiEntry(code);
    if (entry > 0) pieces.push(entry);
    return entry === SEPARATOR;
  }
  if (INVISIBLE_CHARACTERS.test(piece) || APOSTROPHES.test(piece) || isDiacritic(code)) return false;
  const latin = CONFUSABLES.get(code);
  const leet = LEET_SYMBOLS.get(piece);
  if (latin !== undefined) addLatin(latin, pieces);
  else if (leet !== undefined) pieces.push(pack(SYMBOL, skeletonLetter(leet)));
  else if (/\p{L}/u.test(piece)) pieces.push(pack(/\p{Cased}/u.test(piece) ? LETTER : UNCASED, code));
  else if (/\p{M}/u.test(piece)) pieces.push(pack(UNCASED, code));
  else if (/\p{N}/u.test(piece)) pieces.push(pack(NUMBER, code));
  else return true;
  return false;
}

function addLatin(latin: string, pieces: number[]): void {
  for (const letter of latin) pieces.push(pack(LETTER, skeletonLetter(letter)));
}

// How SkeletonBuilder.emit attaches a word to what comes before it.
const GAP = 0; // as the text between them says
const BOUNDARY = 1; // joined, a word may end there (letters spelled out, gaps all alike)
const LETTERS = 2; // joined, letters of one word spelled out

/**
 * Turns items into skeleton words. The items of the current token (the characters since the last
 * separator) wait until it ends, because leetspeak depends on the whole token; single-character words
 * wait until the run of them ends, because joining depends on its length.
 */
class SkeletonBuilder {
  kinds = new Uint8Array(256);
  codes = new Int32Array(256);
  starts = new Int32Array(256);
  ends = new Int32Array(256);
  count = 0;
  tokenStart = 0;
  private tokenKinds = 0; // bit set of the kinds in the current token
  private singleStarts = new Int32Array(64);
  private singleEnds = new Int32Array(64);
  private singles = 0;
  // Singles up to the last that is not a symbol: symbols at the end of a run are punctuation ("a b c !").
  private keptSingles = 0;
  private singlesHaveLetter = false;
  private out = new NormalisedText(0);
  private text = '';

  begin(out: NormalisedText, text: string): void {
    this.out = out;
    this.text = text;
    out.length = 0;
    trailingLetter = -1;
    this.count = this.tokenStart = this.tokenKinds = 0;
    this.singles = this.keptSingles = 0;
    this.singlesHaveLetter = false;
  }

  push(kind: number, code: number, start: number, end: number): void {
    if (this.count === this.kinds.length) this.grow();
    const at = this.count++;
    this.kinds[at] = kind;
    this.codes[at] = code === LATIN_L && kind === LETTER ? SKELETON_I : code;
    this.starts[at] = start;
    this.ends[at] = end;
    this.tokenKinds |= 1 << kind;
  }

  pushPieces(offset: number, start: number, end: number): void {
    const pieceCount = pieceTable[offset]!;
    for (let piece = 1; piece <= pieceCount; piece++) {
      const entry = pieceTable[offset + piece]!;
      this.push(entry >>> 21, entry & 0x1fffff, start, end);
    }
  }

  endToken(): void {
    const first = this.tokenStart;
    const last = this.count;
    const kinds = this.tokenKinds;
    this.tokenKinds = 0;
    if ((kinds & (1 << LETTER)) !== 0) {
      // A word with a letter of a cased alphabet, the home of leetspeak: its digits and symbols are letters,
      // but for ! ¡ | after the last letter or digit, which are punctuation ("hello!"), not the i they
      // stand for inside a word. $ @ + € ¢ at the end are letters: "a$$" is "ass".
      let stop = last;
      if ((kinds & LEET_KINDS) !== 0) {
        while (this.kinds[stop - 1] === SYMBOL && this.codes[stop - 1] === SKELETON_I)
          this.kinds[--stop] = DROPPED;
        for (let i = first; i < stop; i++) {
          const kind = this.kinds[i];
          if (kind === SYMBOL) this.kinds[i] = LETTER;
          else if (kind === DIGIT && leetOfDigit[this.codes[i]! - 0x30] !== 0) {
            this.kinds[i] = LETTER;
            this.codes[i] = leetOfDigit[this.codes[i]! - 0x30]!;
          }
        }
      }
      this.deliver(first, stop);
    } else if (kinds === 1 << SYMBOL) {
      this.deliver(first, last); // symbols alone: punctuation, unless a single in a run ("$ h i t")
    } else {
      // A number ("$5", "5+5") or a word of an uncased script: symbols are punctuation, digits are digits.
      let wordStart = first;
      for (let i = first; i < last; i++) {
        if (this.kinds[i] !== SYMBOL) continue;
        this.kinds[i] = DROPPED;
        if (i > wordStart) this.deliver(wordStart, i);
        wordStart = i + 1;
      }
      if (last > wordStart) this.deliver(wordStart, last);
    }
    if (this.singles === 0) this.count = 0;
    this.tokenStart = this.count;
  }

  /** Writes the single-letter words waiting, when what follows cannot join them. */
  settle(): void {
    if (this.singles > 0) this.flushSingles();
    this.count = this.tokenStart = 0;
  }

  finish(): void {
    if (this.count > this.tokenStart) this.endToken();
    if (this.singles > 0) this.flushSingles();
  }

  private deliver(from: number, to: number): void {
    const kind = this.kinds[from]!;
    const code = this.codes[from]!;
    let single = kind === LETTER || kind === DIGIT || kind === SYMBOL;
    for (let i = from + 1; single && i < to; i++) single = this.kinds[i] === kind && this.codes[i] === code;
    if (single) {
      if (this.singles === this.singleStarts.length) this.growSingles();
      this.singleStarts[this.singles] = from;
      this.singleEnds[this.singles++] = to;
      if (kind !== SYMBOL) this.keptSingles = this.singles;
      if (kind === LETTER) this.singlesHaveLetter = true;
      return;
    }
    if (kind === SYMBOL) {
      // Mixed symbols alone ("$@!") are punctuation, and do not end a run of single letters.
      this.kinds.fill(DROPPED, from, to);
      return;
    }
    if (this.singles > 0) this.flushSingles();
    this.emit(from, to, false, GAP);
  }

  /**
   * A run of three or more single letters is spelled out. When one kind of gap between them is the
   * commonest ("k.i.l.l h.e.f.t.e.d"), it separates letters and the others words, each group of three or
   * more a word; when the gaps are all alike ("k i l l h e f t e d"), where a word ends is unknown, so
   * the run is one word in which a word may end at any letter.
   */
  private flushSingles(): void {
    const kept = this.keptSingles;
    if (kept >= 3 && this.singlesHaveLetter) {
      const gaps: string[] = [];
      const tally = new Map<string, number>();
      for (let single = 1; single < kept; single++) {
        const gap = visibleText(
          this.text,
          this.ends[this.singleEnds[single - 1]! - 1]!,
          this.starts[this.singleStarts[single]!]!,
        );
        gaps.push(gap);
        tally.set(gap, (tally.get(gap) ?? 0) + 1);
      }
      // The gap between letters is the commonest one; when all are alike or none is the commonest, the
      // gaps do not tell letters from words.
      let letterGap: string | undefined;
      let most = 0;
      for (const [gap, count] of tally) {
        if (count > most) [letterGap, most] = [gap, count];
        else if (count === most) letterGap = undefined;
      }
      if (tally.size === 1) letterGap = undefined;
      for (let first = 0; first < kept;) {
        let last = first + 1;
        while (last < kept && (letterGap === undefined || gaps[last - 1] === letterGap)) last++;
        let hasLetter = false;
        for (let single = first; single < last; single++)
          hasLetter ||= this.kinds[this.singleStarts[single]!] === LETTER;
        const spelled = last - first >= 3 && hasLetter;
        for (let single = first; single < last; single++) {
          const from = this.singleStarts[single]!;
          if (!spelled && this.kinds[from] === SYMBOL) continue;
          const junction = !spelled || single === first ? GAP : letterGap === undefined ? BOUNDARY : LETTERS;
          this.emit(from, this.singleEnds[single]!, spelled, junction);
        }
        first = last;
      }
    } else {
      for (let single = 0; single < kept; single++) {
        const from = this.singleStarts[single]!;
        if (this.kinds[from] !== SYMBOL) this.emit(from, this.singleEnds[single]!, false, GAP);
      }
    }
    this.singles = this.keptSingles = 0;
    this.singlesHaveLetter = false;
  }

  /**
   * Writes items [from, to) as a word, or as more of the word before it: after a GAP as the text's gap
   * says (a space, punctuation, or joined with a boundary), after BOUNDARY joined with a boundary, after
   * LETTERS joined without one. `joined` single characters get their leet reading.
   */
  private emit(from: number, to: number, joined: boolean, junction: number): void {
    const out = this.out;
    let length = out.length;
    if (length + 2 * (to - from) + 1 > out.codes.length) reserve(out, length + 2 * (to - from) + 1);
    const { codes, start, end, runs, boundaries } = out;
    let squeezable = -1; // the letter just written, which a repeat extends instead of following
    let opened = false;
    let boundary = WORD_BOUNDARY; // the flag of the next position written
    for (let i = from; i < to; i++) {
      let kind = this.kinds[i]!;
      if (kind === DROPPED) continue;
      let code = this.codes[i]!;
      if (joined) {
        if (kind === SYMBOL) kind = LETTER;
        else if (kind === DIGIT && leetOfDigit[code - 0x30] !== 0) {
          kind = LETTER;
          code = leetOfDigit[code - 0x30]!;
        }
      }
      const itemEnd = this.ends[i]!;
      const itemStart = this.starts[i]!;
      if (!opened) {
        opened = true;
        if (length > 0) {
          const gap = junction === GAP ? gapBetween(this.text, end[length - 1]!, itemStart) : JOIN;
          if (gap === JOIN) {
            squeezable = trailingLetter;
            if (junction === LETTERS) boundary = 0;
          } else {
            codes[length] = gap;
            start[length] = end[length - 1]!;
            runs[length] = 1;
            boundaries[length] = WORD_BOUNDARY;
            end[length++] = itemStart;
          }
        }
      }
      if (kind === LETTER && code === squeezable) {
        end[length - 1] = itemEnd;
        runs[length - 1]! += 1;
        if (boundary !== 0) boundaries[length - 1]! |= JUNCTION_INSIDE;
        if (code > 0xffff) {
          end[length - 2] = itemEnd;
          runs[length - 2]! += 1;
        }
        boundary = 0;
        continue;
      }
      if (code > 0xffff) {
        codes[length] = 0xd7c0 + (code >> 10);
        start[length] = itemStart;
        runs[length] = 1;
        boundaries[length] = boundary;
        end[length++] = itemEnd;
        boundary = 0;
      }
      codes[length] = code > 0xffff ? 0xdc00 + (code & 0x3ff) : code;
      start[length] = itemStart;
      runs[length] = 1;
      boundaries[length] = boundary;
      end[length++] = itemEnd;
      boundary = 0;
      squeezable = kind === LETTER ? code : -1;
    }
    if (opened) trailingLetter = squeezable;
    out.length = length;
  }

  private grow(): void {
    const capacity = this.kinds.length * 2;
    this.kinds = grownCopy(this.kinds, new Uint8Array(capacity));
    this.codes = grownCopy(this.codes, new Int32Array(capacity));
    this.starts = grownCopy(this.starts, new Int32Array(capacity));
    this.ends = grownCopy(this.ends, new Int32Array(capacity));
  }

  private growSingles(): void {
    const capacity = this.singleStarts.length * 2;
    this.singleStarts = grownCopy(this.singleStarts, new Int32Array(capacity));
    this.singleEnds = grownCopy(this.singleEnds, new Int32Array(capacity));
  }
}

function grownCopy<T extends Uint8Array | Uint16Array | Int32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

function reserve(out: NormalisedText, needed: number): void {
  const capacity = Math.max(needed, out.codes.length * 2);
  out.codes = grownCopy(out.codes, new Uint16Array(capacity));
  out.start = grownCopy(out.start, new Int32Array(capacity));
  out.end = grownCopy(out.end, new Int32Array(capacity));
  out.runs = grownCopy(out.runs, new Int32Array(capacity));
  out.boundaries = grownCopy(out.boundaries, new Uint8Array(capacity));
}

const skeletonBuilder = new SkeletonBuilder();
const termBuffer = new NormalisedText();

/** Letter classes of RunLetters: what a letter of the skeleton letter i was written as. */
export const LETTER_I = 0; // i, and every letter of other skeleton letters
export const LETTER_L = 1;
export const LETTER_I_OR_L = 2; // 1 ! | ¡, and a capital I in a word not all in capitals ("kiII")

/** The letters one skeleton position squeezed, read back from the original text (at most `capacity`). */
export class RunLetters {
  classes = new Uint8Array(64);
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  count = 0;
}

/**
 * Reads the letters that skeleton position `position` of `normalised` (the skeleton of `text`) merged:
 * where each was written and, for the skeleton letter i, whether it was an i, an l or either. The
 * skeleton merges i and l so that "k1ll" and "kiII" meet "kill"; this is how a match tells "boil" from
 * "boll" again. Only called for candidate matches, so it may take its time.
 */
export function readRunLetters(
  text: string,
  normalised: NormalisedText,
  position: number,
  into: RunLetters,
): RunLetters {
  const target = normalised.codes[position]!;
  const to = normalised.end[position]!;
  into.count = 0;
  for (let i = normalised.start[position]!; i < to;) {
    const codePoint = text.codePointAt(i) ?? 0;
    const width = codePoint > 0xffff ? 2 : 1;
    let entry: number;
    if (codePoint > 0xffff) {
      const plane = (astralPlanes[codePoint >> 16] ??= new Int32Array(0x10000));
      entry = plane[codePoint & 0xffff] ||= classifyCharacter(codePoint);
    } else {
      entry = bmpEntries[codePoint] ||= classifyCharacter(codePoint);
    }
    if (entry > 0 && entry < MULTIPLE) addRunLetter(into, entry, target, text, i, i + width);
    else if (entry >= MULTIPLE) {
      const offset = entry - MULTIPLE;
      for (let piece = 1; piece <= pieceTable[offset]!; piece++) {
        addRunLetter(into, pieceTable[offset + piece]!, target, text, i, i + width);
      }
    }
    i += width;
  }
  return into;
}

/** Adds the item (a table entry) written at [from, to) to `into` if it is a letter of skeleton letter `target`. */
function addRunLetter(
  into: RunLetters,
  item: number,
  target: number,
  text: string,
  from: number,
  to: number,
): void {
  if (into.count === into.classes.length) return;
  const kind = item >>> 21;
  const code = item & 0x1fffff;
  const letter = kind === DIGIT && code >= 0x30 && code <= 0x39 ? leetOfDigit[code - 0x30] || code : code;
  if ((letter === LATIN_L ? SKELETON_I : letter) !== target) return;
  let letterClass = LETTER_I;
  if (target === SKELETON_I) {
    if (kind === DIGIT || kind === SYMBOL) letterClass = LETTER_I_OR_L;
    else if (letter === LATIN_L) letterClass = LETTER_L;
    else if (text.charCodeAt(from) !== 0x69 && isCapitalAmongSmall(text, from, to))
      letterClass = LETTER_I_OR_L;
  }
  into.classes[into.count] = letterClass;
  into.starts[into.count] = from;
  into.ends[into.count++] = to;
}

/** A capital in a word with small letters: "kiII" writes l as I, "BOIL" does not. */
function isCapitalAmongSmall(text: string, from: number, to: number): boolean {
  const character = text.slice(from, to);
  if (character === character.toLowerCase()) return false;
  let wordStart = from;
  while (wordStart > 0 && from - wordStart < 64 && !/\s/.test(text[wordStart - 1]!)) wordStart--;
  let wordEnd = to;
  while (wordEnd < text.length && wordEnd - to < 64 && !/\s/.test(text[wordEnd]!)) wordEnd++;
  return /\p{Ll}/u.test(text.slice(wordStart, wordEnd));
}
