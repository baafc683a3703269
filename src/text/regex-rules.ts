// Regular-expression rules for text banks, run on RE2 (re2js, its pure-JavaScript port). JavaScript's own
// engine backtracks: a careless pattern such as "(a+)+b" can take exponential time on text that almost
// matches, and every search and message is checked against every rule. RE2 never backtracks: one search
// reads the text once, in time proportional to its length and the size of the pattern, whatever the
// pattern and the text. So a rule is accepted or refused by what it says, never by how long it takes on
// this machine. Refused, with a reason a person can act on:
//   - what JavaScript's engine refuses, and patterns over 500 characters;
//   - what RE2 cannot express: back-references and look-arounds;
//   - counts over 1000 and patterns whose compiled program is too big (its size bounds the work per
//     character of text);
//   - capital letters A to Z, which never match: rules run on the text with A to Z lower-cased;
//   - patterns that match empty text, which would match everywhere.
// Rules are written in JavaScript's syntax (flags `u`, no `i`) and translated to RE2's (regex-syntax.ts).
import { RE2JS } from 're2js';
import { children, nullable, parseRegex, writeRe2 } from './regex-syntax.js';
import type { RegexNode } from './regex-syntax.js';

export const maxRegexRuleLength = 500;
export const maxRepeatCount = 1000;
/**
 * The largest compiled program accepted, in RE2 instructions. A search's work per character of text
 * grows with the program's size, so this bounds the cost of a check. Realistic rules (a word list, a
 * phone number, a web address with {1,63}) take 20 to 150; a pattern of 500 plain letters about 500.
 */
export const maxRegexProgramSize = 1000;
/**
 * At most this many matches of one rule are reported per text. One is enough for the verdict; a list of
 * every match is not worth what it can cost: each further search may read on to the end of the text
 * (RE2 finds one match in linear time, all of them in up to quadratic time for some patterns).
 */
export const maxRegexMatches = 20;

/** A match's span: UTF-16 offsets in the text, end exclusive. */
export interface RegexSpan {
  start: number;
  end: number;
}

/** A rule accepted by checkRegexRule, compiled for RE2. */
export class RegexRule {
  constructor(
    /** The pattern as written (JavaScript syntax). */
    readonly pattern: string,
    private readonly program: RE2JS,
  ) {}

  /** The first maxRegexMatches matches in `text`, in order, as UTF-16 spans. */
  matches(text: string): RegexSpan[] {
    // Most texts match no rule: the yes-or-no search runs on RE2's DFA, much faster than the search
    // that also finds where a match starts.
    if (!this.program.test(text)) return [];
    const spans: RegexSpan[] = [];
    const matcher = this.program.matcher(text);
    while (spans.length < maxRegexMatches && matcher.find()) {
      spans.push({ start: matcher.start(), end: matcher.end() });
    }
    return spans;
  }
}

export type RegexCheck = { ok: true; rule: RegexRule } | { ok: false; reason: string };

/** Checks a rule's pattern (JavaScript syntax, without slashes) and compiles it for RE2. */
export function checkRegexRule(pattern: string): RegexCheck {
  const refuse = (reason: string): RegexCheck => ({ ok: false, reason });
  const the = `The pattern ${quote(pattern)}`;
  if (pattern.length === 0) return refuse("A rule's pattern is empty; write the text it should match.");
  if (pattern.length > maxRegexRuleLength) {
    return refuse(
      `${the} is ${pattern.length} characters long; the limit is ${maxRegexRuleLength}. Split it into several rules.`,
    );
  }
  try {
    new RegExp(pattern, 'u');
  } catch (error) {
    return refuse(
      `${the} is not a valid regular expression: ${engineComplaint(error, pattern)}. Check its brackets, and put a backslash before ( ) [ ] { } * + ? . | ^ $ or \\ to match them literally.`,
    );
  }
  let root: RegexNode;
  try {
    root = parseRegex(pattern);
  } catch {
    return refuse(
      `${the} uses syntax Warden cannot translate for its engine; rewrite it with simpler constructs.`,
    );
  }
  const reason = constructReason(root, pattern);
  if (reason !== undefined) return refuse(`${the} ${reason}`);
  if (nullable(root)) {
    return refuse(
      `${the} can match empty text, so it would match everywhere; make it require at least one character.`,
    );
  }
  let program: RE2JS;
  try {
    program = RE2JS.compile(writeRe2(root));
  } catch (error) {
    // Counts that multiply ("(a{100}){100}") are the one limit of RE2's that the checks above leave.
    const message = error instanceof Error ? error.message : String(error);
    return refuse(
      `${the} is too big for the regular-expression engine (${message.replace(/^error parsing regexp: /, '')}); nested counts multiply, so use smaller ones or split the rule.`,
    );
  }
  const size = program.programSize();
  if (size > maxRegexProgramSize) {
    return refuse(
      `${the} compiles to ${size} steps; the limit is ${maxRegexProgramSize}, so that every check stays quick. Use smaller counts (for example {1,30} instead of {1,300}) or split it into several rules.`,
    );
  }
  return { ok: true, rule: new RegexRule(pattern, program) };
}

/** Why a construct of the pattern is refused (to follow "The pattern …"), or undefined. */
function constructReason(root: RegexNode, pattern: string): string | undefined {
  const source = (node: RegexNode) => quote(pattern.slice(node.start, node.end));
  for (const node of preOrder(root)) {
    switch (node.kind) {
      case 'backreference':
        return `refers back to an earlier group (${source(node)}); rules run on a linear-time engine (RE2), which cannot match back-references. Write out the text to match, or list its forms as alternatives, for example (?:aa|bb) instead of (a|b)\\1.`;
      case 'lookaround': {
        const way = node.behind ? 'behind' : 'ahead';
        return `looks ${way} (${source(node)}); rules run on a linear-time engine (RE2), which cannot look ${way}. To keep a match to whole words, use \\b; otherwise make the surrounding text part of the pattern (the match then includes it), or leave the condition out.`;
      }
      case 'repeat':
        if (node.min > maxRepeatCount || (node.max !== Infinity && node.max > maxRepeatCount)) {
          const count = node.min > maxRepeatCount ? `at least ${node.min}` : `up to ${node.max}`;
          return `repeats ${source(node)} ${count} times; the limit is ${maxRepeatCount}. Use a smaller count.`;
        }
        break;
      case 'chars':
        if (node.upperCase !== undefined) {
          return `contains the capital letter "${node.upperCase}" (in ${source(node)}), but rules run on lower-case text, so it could never match; write it in lower case.`;
        }
        break;
      case 'sequence':
      case 'alternation':
      case 'assertion':
        break;
    }
  }
  return undefined;
}

function* preOrder(node: RegexNode): Generator<RegexNode> {
  yield node;
  for (const child of children(node)) yield* preOrder(child);
}

function engineComplaint(error: unknown, pattern: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const prefix = `Invalid regular expression: /${pattern}/u: `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

/** A pattern or part of one, in double quotes, shortened if long, with invisible characters escaped. */
function quote(text: string): string {
  const short = text.length > 120 ? `${text.slice(0, 119)}…` : text;
  // eslint-disable-next-line no-control-regex
  const visible = short.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (char) => {
    return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  return `"${visible}"`;
}
