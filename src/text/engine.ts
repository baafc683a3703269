// The term engine: two Aho–Corasick automata over every term and allow-list entry of the enabled text
// banks, plus the regular-expression rules, built once per bank revision and replaced whole when the
// banks change. A check scans the text twice: as written, case-folded, for the terms as written (exact.ts:
// what grep -F -i finds is always found), and normalised into reused buffers for the terms' skeletons,
// where term-match.ts decides which candidates stand (runs, i against l, word boundaries) and where.
// Matches inside an allow-list match are dropped; each is reported with its span in the ORIGINAL text.
// A phrase is also looked for joined into one word ("e.m.p.t.y.c.h.a.i.r", "empty-chair"), with a
// boundary where its space was.
//
// Regular-expression rules run on RE2 (see regex-rules.ts) over the text as written with A to Z
// lower-cased (which keeps every UTF-16 offset, so spans are those of the original text): a pattern
// cannot be normalised the way a term can, and its author writes it, in lower case, for text as people
// type it.
import { TermAutomaton } from './automaton.js';
import type { TextEntryAttributes } from './entries.js';
import { ExactTerms, foldCase } from './exact.js';
import { NormalisedText, isWordCode, normaliseText } from './normalise.js';
import { checkRegexRule } from './regex-rules.js';
import { matchSpan, termShape } from './term-match.js';
import type { TermShape } from './term-match.js';
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

/** A match before the allow-list is applied: offsets in the original text; `exact` from the exact pass. */
interface Hit {
  rule: TextRule;
  start: number;
  end: number;
  exact: boolean;
}

/** A term rule and what its skeleton needs of the text (term-match.ts). */
interface TermRule {
  rule: TextRule;
  shape: TermShape;
}

export class TextEngine {
  private readonly automaton: TermAutomaton;
  /** Rules of each automaton pattern: rulesOf[p] lists the rules whose skeleton is pattern p. */
  private readonly rulesOf: TermRule[][];
  private readonly exact: ExactTerms;
  /** Rules of each exact pattern (a term as written, case-folded). */
  private readonly exactRulesOf: TextRule[][];
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
    const exactPatterns = new Map<string, TextRule[]>();
    const regexes: { rule: TextRule; regex: RegexRule }[] = [];
    const term = new NormalisedText();
    for (const rule of rules) {
      if (rule.type === 'regex') {
        const check = checkRegexRule(rule.value);
        if (check.ok) regexes.push({ rule, regex: check.rule });
        else this.refused.push({ rule, reason: check.reason });
        continue;
      }
      const folded = foldCase(rule.value);
      if (folded !== '') exactPatterns.set(folded, [...(exactPatterns.get(folded) ?? []), rule]);
      normaliseText(rule.value, term);
      const skeleton = term.toString();
      if (skeleton === '') continue;
      const add = (pattern: string, shape: TermShape): void => {
        let index = patterns.get(pattern);
        if (index === undefined) {
          index = rulesOf.length;
          patterns.set(pattern, index);
          rulesOf.push([]);
        }
        rulesOf[index]?.push({ rule, shape });
      };
      add(skeleton, termShape(rule.value, term, false));
      if ([...skeleton].some((character) => !isWordCode(character.charCodeAt(0)))) {
        // The phrase joined: each run of whitespace written as a join.
        const joinedPhrase = rule.value.replace(/\s+/g, '-');
        normaliseText(joinedPhrase, term);
        add(term.toString(), termShape(joinedPhrase, term, true));
      }
    }
    this.automaton = TermAutomaton.build([...patterns.keys()]);
    this.rulesOf = rulesOf;
    this.exact = new ExactTerms([...exactPatterns.keys()]);
    this.exactRulesOf = [...exactPatterns.values()];
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
    const blocks: Hit[] = [];
    const allows: Hit[] = [];
    this.exact.scan(text, (pattern, start, end, whole) => {
      for (const rule of this.exactRulesOf[pattern] ?? []) {
        if (rule.attributes.match === 'word' && !whole) continue;
        (rule.attributes.allow ? allows : blocks).push({ rule, start, end, exact: true });
      }
    });
    const normalised = normaliseText(text, this.buffer);
    this.automaton.scan(normalised.codes, normalised.length, (pattern, to) => {
      const from = to - this.automaton.patternLength(pattern);
      for (const { rule, shape } of this.rulesOf[pattern] ?? []) {
        const span = matchSpan(text, normalised, from, to, shape, rule.attributes.match === 'substring');
        if (span !== undefined)
          (rule.attributes.allow ? allows : blocks).push({ rule, ...span, exact: false });
      }
    });
    const matches: TextMatch[] = [];
    // Both passes find most terms, often in the same place: of the spans of one entry that cover one
    // another, the longest is shown ("asssss" over its "ass"), and of equal ones the exact pass's.
    blocks.sort(
      (a, b) =>
        a.rule.entryId - b.rule.entryId ||
        a.start - b.start ||
        b.end - a.end ||
        Number(b.exact) - Number(a.exact),
    );
    let entry = -1;
    let coveredTo = -1;
    for (const hit of blocks) {
      if (hit.rule.entryId !== entry) [entry, coveredTo] = [hit.rule.entryId, -1];
      if (hit.end <= coveredTo) continue;
      coveredTo = hit.end;
      if (banks !== undefined && !banks.has(hit.rule.bank)) continue;
      // An allow-list entry of any bank in force suppresses what lies inside it ("Scunthorpe").
      if (allows.some((allow) => allow.start <= hit.start && hit.end <= allow.end)) continue;
      matches.push(toMatch(hit.rule, text, hit.start, hit.end));
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
