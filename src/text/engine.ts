// The term engine: one Aho–Corasick automaton over the skeletons of every term and allow-list entry of
// the enabled text banks, plus the regular-expression rules, built once per bank revision and replaced
// whole when the banks change. A check normalises the text into reused buffers, scans it once, keeps
// whole-word matches only where the skeleton has a word boundary, drops matches that lie inside an
// allow-list match, and reports each match's span in the ORIGINAL text.
//
// Squeezing runs of a letter makes "ass" and "as" one skeleton, so each term keeps the length of its
// runs, and a match stands only where the text's runs are the same or an elongation of three or more
// ("asss", "a$$" match "ass"; "as" does not; "good" does not match "god", "gooood" does).
//
// Regular-expression rules run on RE2 (see regex-rules.ts) over the text as written with A to Z
// lower-cased (which keeps every UTF-16 offset, so spans are those of the original text): a pattern
// cannot be normalised the way a term can, and its author writes it, in lower case, for text as people
// type it.
import { TermAutomaton } from './automaton.js';
import type { TextEntryAttributes } from './entries.js';
import { NormalisedText, isWordCode, normaliseText } from './normalise.js';
import { checkRegexRule } from './regex-rules.js';
import type { RegexRule } from './regex-rules.js';

/** One entry of a text bank, as the engine needs it. */
export interface TextRule {
  entryId: number;
  bank: string;
  type: 'term' | 'regex';
  /** The term or pattern as written. */
  value: string;
  category: string;
  attributes: TextEntryAttributes;
}

/** A term or rule found in a text: what matched, and where in the original text. */
export interface TextMatch {
  term: string;
  type: 'term' | 'regex';
  category: string;
  severity: number;
  bank: string;
  entry_id: number;
  /** UTF-16 offsets in the original text, end exclusive. */
  start: number;
  end: number;
  /** The original text between start and end. */
  text: string;
}

interface Hit {
  rule: TextRule;
  from: number;
  to: number;
}

/** A term rule and the run lengths of its skeleton (see NormalisedText.runs). */
interface TermRule {
  rule: TextRule;
  runs: Int32Array;
}

/** The shortest run that reads as an elongation of a shorter one ("kiiill" for "kill", not "good" for "god"). */
const elongation = 3;

export class TextEngine {
  private readonly automaton: TermAutomaton;
  /** Rules of each automaton pattern: rulesOf[p] lists the rules whose skeleton is pattern p. */
  private readonly rulesOf: TermRule[][];
  private readonly regexes: { rule: TextRule; regex: RegexRule }[];
  private readonly buffer = new NormalisedText();
  readonly ruleCount: number;
  /**
   * Stored rules that checkRegexRule refuses now (they were admitted by an older check, such as one that
   * accepted look-arounds): left out, so that one rule cannot stop the rest of the list, and reported by
   * the caller.
   */
  readonly refused: { rule: TextRule; reason: string }[] = [];

  private constructor(rules: readonly TextRule[]) {
    const patterns = new Map<string, number>();
    const rulesOf: TermRule[][] = [];
    const regexes: { rule: TextRule; regex: RegexRule }[] = [];
    const term = new NormalisedText();
    for (const rule of rules) {
      if (rule.type === 'regex') {
        const check = checkRegexRule(rule.value);
        if (check.ok) regexes.push({ rule, regex: check.rule });
        else this.refused.push({ rule, reason: check.reason });
        continue;
      }
      normaliseText(rule.value, term);
      const skeleton = term.toString();
      if (skeleton === '') continue;
      let index = patterns.get(skeleton);
      if (index === undefined) {
        index = rulesOf.length;
        patterns.set(skeleton, index);
        rulesOf.push([]);
      }
      rulesOf[index]?.push({ rule, runs: term.runs.slice(0, term.length) });
    }
    this.automaton = TermAutomaton.build([...patterns.keys()]);
    this.rulesOf = rulesOf;
    this.regexes = regexes;
    this.ruleCount = rules.length;
  }

  static build(rules: readonly TextRule[]): TextEngine {
    return new TextEngine(rules);
  }

  /** Memory held by the automaton's tables. */
  get byteSize(): number {
    return this.automaton.byteSize;
  }

  /** Every match in `text` (of the given banks only, when named), in order of position. */
  check(text: string, banks?: ReadonlySet<string>): TextMatch[] {
    const normalised = normaliseText(text, this.buffer);
    const { codes, length, runs } = normalised;
    const blocks: Hit[] = [];
    const allows: Hit[] = [];
    this.automaton.scan(codes, length, (pattern, to) => {
      const rules = this.rulesOf[pattern];
      if (rules === undefined) return;
      const from = to - this.automaton.patternLength(pattern);
      const whole =
        (from === 0 || !isWordCode(codes[from - 1] ?? 32)) && (to === length || !isWordCode(codes[to] ?? 32));
      for (const { rule, runs: termRuns } of rules) {
        if (rule.attributes.match === 'word' && !whole) continue;
        if (!sameRuns(runs, from, termRuns)) continue;
        (rule.attributes.allow ? allows : blocks).push({ rule, from, to });
      }
    });
    const matches: TextMatch[] = [];
    const seen = new Set<string>();
    for (const hit of blocks) {
      if (banks !== undefined && !banks.has(hit.rule.bank)) continue;
      // An allow-list entry of any bank in force suppresses what lies inside it ("Scunthorpe").
      if (allows.some((allow) => allow.from <= hit.from && hit.to <= allow.to)) continue;
      const key = `${hit.rule.entryId}:${hit.from}:${hit.to}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const { start, end } = normalised.span(hit.from, hit.to);
      matches.push(toMatch(hit.rule, text, start, end));
    }
    const lowered =
      this.regexes.length > 0 ? text.replace(/[A-Z]+/g, (capitals) => capitals.toLowerCase()) : text;
    for (const { rule, regex } of this.regexes) {
      if (banks !== undefined && !banks.has(rule.bank)) continue;
      for (const { start, end } of regex.matches(lowered)) matches.push(toMatch(rule, text, start, end));
    }
    return matches.sort((a, b) => a.start - b.start || b.end - a.end || a.entry_id - b.entry_id);
  }
}

/** True if the text's runs from `from` are those of the term, or elongations of them. */
function sameRuns(runs: Int32Array, from: number, termRuns: Int32Array): boolean {
  for (let k = 0; k < termRuns.length; k++) {
    const inText = runs[from + k]!;
    const inTerm = termRuns[k]!;
    if (inText !== inTerm && (inText < elongation || inText < inTerm)) return false;
  }
  return true;
}

function toMatch(rule: TextRule, text: string, start: number, end: number): TextMatch {
  return {
    term: rule.value,
    type: rule.type,
    category: rule.category,
    severity: rule.attributes.severity,
    bank: rule.bank,
    entry_id: rule.entryId,
    start,
    end,
    text: text.slice(start, end),
  };
}
