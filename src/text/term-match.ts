// Whether a term the automaton found in a skeleton stands in the text, and where exactly. The skeleton
// squeezes runs of a letter and merges i with l, so that evasions meet their term; this check takes back
// what that merging would otherwise add on real vocabulary:
// - Runs: the text's run of a letter is the term's, or an elongation of three or more ("asss" for "ass";
//   "as" is not "ass", "good" is not "god"), but not across a joined "-" (then "pass-sign" would read
//   as an elongated "assign"). At the edges of a substring term the text's run may be longer, as the
//   extra letters lie outside the match ("ethical" in "unethically", "pres" in "impressed"); the span
//   then leaves them out.
// - i and l: read back from the text (readRunLetters), an i matches an i, an l an l, and 1, ! or | (or
//   a capital I among small letters) either, so that "boil" is not "boll" nor "excite" "excl".
// - Word terms match only between word boundaries: a gap, a join ("ki-ll h"), a letter of a word spelled
//   out with gaps all alike. The joined form of a phrase ("empty chair" as "e.m.p.t.y.c.h.a.i.r") needs
//   a boundary where the phrase had its space.
import {
  JUNCTION_INSIDE,
  LETTER_I,
  LETTER_I_OR_L,
  RunLetters,
  WORD_BOUNDARY,
  readRunLetters,
} from './normalise.js';
import type { NormalisedText } from './normalise.js';

/** What a term skeleton needs of the text beyond its characters. */
export interface TermShape {
  /** Letters squeezed into each skeleton position. */
  runs: Int32Array;
  /** For positions of the skeleton letter i: the class of each letter (LETTER_I, LETTER_L, LETTER_I_OR_L). */
  classes: (Uint8Array | undefined)[];
  /** For the joined form of a phrase: the boundary flags the text must have at each position. */
  junctions: Uint8Array | undefined;
}

const SKELETON_I = 0x69;
/** The shortest run that reads as an elongation of a shorter one ("kiiill" for "kill", not "good" for "god"). */
const elongation = 3;
const letters = new RunLetters();
const reachNow = new Int32Array(letters.classes.length + 1);
const reachNext = new Int32Array(letters.classes.length + 1);

/** The shape of a term whose skeleton is `normalised`; `joinedPhrase` when it is a phrase's joined form. */
export function termShape(term: string, normalised: NormalisedText, joinedPhrase: boolean): TermShape {
  const { length } = normalised;
  const classes: (Uint8Array | undefined)[] = [];
  for (let position = 0; position < length; position++) {
    classes.push(
      normalised.codes[position] === SKELETON_I
        ? readRunLetters(term, normalised, position, letters).classes.slice(0, letters.count)
        : undefined,
    );
  }
  const junctions = joinedPhrase ? normalised.boundaries.slice(0, length) : undefined;
  if (junctions !== undefined) junctions[0] = 0;
  return { runs: normalised.runs.slice(0, length), classes, junctions };
}

/**
 * The span in `text` of the term of `shape` found at skeleton positions [from, to), or undefined if it
 * does not stand there. `substring` terms may begin and end inside words.
 */
export function matchSpan(
  text: string,
  normalised: NormalisedText,
  from: number,
  to: number,
  shape: TermShape,
  substring: boolean,
): { start: number; end: number } | undefined {
  const { runs, boundaries, length } = normalised;
  // A word may also begin or end inside a run a boundary falls in ("k i l l l a m p", "pass-sign").
  if (!substring) {
    const whole =
      (from === 0 || (boundaries[from]! & (WORD_BOUNDARY | JUNCTION_INSIDE)) !== 0) &&
      (to === length ||
        (boundaries[to]! & WORD_BOUNDARY) !== 0 ||
        (boundaries[to - 1]! & JUNCTION_INSIDE) !== 0);
    if (!whole) return undefined;
  }
  const { junctions } = shape;
  if (junctions !== undefined) {
    for (let k = 1; k < to - from; k++) {
      const needed = junctions[k]!;
      if ((boundaries[from + k]! & needed) !== needed) return undefined;
      if ((needed & JUNCTION_INSIDE) !== 0 && runs[from + k] !== shape.runs[k]) return undefined;
    }
  }
  let start = normalised.start[from]!;
  let end = normalised.end[to - 1]!;
  const last = to - from - 1;
  for (let k = 0; k <= last; k++) {
    const position = from + k;
    const inText = runs[position]!;
    const inTerm = shape.runs[k]!;
    const stretchable = (boundaries[position]! & JUNCTION_INSIDE) === 0;
    const openStart = k === 0 && (substring || !stretchable);
    const openEnd = k === last && (substring || !stretchable);
    const termClasses = shape.classes[k];
    if (termClasses === undefined && (inText === inTerm || !(openStart || openEnd) || inText < inTerm)) {
      if (inText !== inTerm && !(stretchable && inText >= elongation && inText > inTerm)) return undefined;
      continue;
    }
    // Letter by letter: an i or l to tell apart, or the edge of a substring term inside a longer run.
    readRunLetters(text, normalised, position, letters);
    const found = alignLetters(termClasses, inTerm, letters, openStart, openEnd, stretchable);
    if (found === undefined) return undefined;
    if (openStart && found.first > 0) start = letters.starts[found.first]!;
    if (openEnd && found.last < letters.count) end = letters.ends[found.last - 1]!;
  }
  return { start, end };
}

/**
 * Finds letters [first, last) of the run that spell the term's run: all of them, or, at an open edge,
 * any that reach that edge of the run; as the term's letters, each group of one class written as often
 * or stretched to three or more. Prefers the longest fit: "asssss" is all of it an elongated "ass".
 */
function alignLetters(
  termClasses: Uint8Array | undefined,
  termRun: number,
  run: RunLetters,
  openStart: boolean,
  openEnd: boolean,
  stretchable: boolean,
): { first: number; last: number } | undefined {
  const count = run.count;
  // The term's letters as groups of one class: [class, letters] pairs.
  const groups: number[] = [];
  for (let k = 0; k < termRun; k++) {
    const letterClass = termClasses?.[k] ?? LETTER_I;
    if (groups.length > 0 && groups[groups.length - 2] === letterClass) groups[groups.length - 1]!++;
    else groups.push(letterClass, 1);
  }
  // reach[x] = 1 + the first letter of the alignment that gets the next group to start at x (0: none).
  let reach = reachNow.fill(0, 0, count + 1);
  let next = reachNext;
  for (let x = 0; x <= (openStart ? count - 1 : 0); x++) reach[x] = x + 1;
  for (let group = 0; group < groups.length; group += 2) {
    const letterClass = groups[group]!;
    const size = groups[group + 1]!;
    next.fill(0, 0, count + 1);
    for (let x = 0; x < count; x++) {
      if (reach[x] === 0) continue;
      let alike = true; // an elongation is one letter written over and over: not "ll1" for "l"
      for (let end = x + 1; end <= count; end++) {
        const written = run.classes[end - 1]!;
        if (written !== letterClass && written !== LETTER_I_OR_L && letterClass !== LETTER_I_OR_L) break;
        alike &&= written === run.classes[x];
        const span = end - x;
        if (span === size || (stretchable && alike && span >= elongation && span > size)) {
          if (next[end] === 0 || next[end]! > reach[x]!) next[end] = reach[x]!;
        }
      }
    }
    [reach, next] = [next, reach];
  }
  if (!openEnd) return reach[count]! > 0 ? { first: reach[count]! - 1, last: count } : undefined;
  for (let last = count; last >= 1; last--) {
    if (reach[last]! > 0) return { first: reach[last]! - 1, last };
  }
  return undefined;
}
