// Regular-expression rules for text banks, and the guard that keeps a rule from stalling the server.
// JavaScript's engine backtracks: a careless pattern such as "(a+)+b" can take exponential time on text
// that almost matches, and every search and message is checked against every rule, so one bad rule is
// a denial of service anyone can trigger. The guard refuses, with a reason a person can act on:
//   - what the engine refuses, and patterns over 500 characters;
//   - back-references, look-arounds that read an unbounded stretch of text, and counts over 1000;
//   - capital letters A to Z, which never match: rules run on the text with A to Z lower-cased;
//   - the known shapes of exponential backtracking: a repeat nested in an unbounded repeat, a repeat
//     whose content can match empty text, and a repeated choice whose alternatives overlap;
//   - any other way of matching the same text twice inside a repeat, found on the pattern's automaton;
//   - and, last, whatever runs too slowly on adversarial texts of the longest length Warden checks.
// Only the last step runs the pattern; it runs in a separate V8 context with a hard time-out.
import vm from 'node:vm';
import { WardenError } from '../errors/index.js';
import { findAmbiguity } from './regex-ambiguity.js';
import { children, emptySet, nullable, parseRegex, sampleOf, setHas, unionSets } from './regex-syntax.js';
import type { CharSet, RegexNode } from './regex-syntax.js';

export type RegexCheck = { ok: true; regex: RegExp } | { ok: false; reason: string };

export interface RegexCheckOptions {
  /**
   * Also run the pattern against adversarial texts under a time limit (default true). Turn it off only
   * for patterns that already passed the full check, e.g. when rebuilding the rules in force, so that a
   * busy machine cannot make a stored rule fail.
   */
  timeBox?: boolean;
}

/**
 * Rules run against the text with A to Z lower-cased (the term engine does that), so no `i` flag: case
 * folding under `u` has surprises (the Kelvin sign matches "k") and would make the analysis, which
 * reasons about exact sets of characters, unsound. Compile rules with these flags and no others.
 */
export const regexRuleFlags = 'gu';
export const maxRegexRuleLength = 500;
export const maxRepeatCount = 1000;
/** The longest text the text banks check at once (TextBanks refuses longer ones). */
const timeBoxTextLength = 100_000;
const timeBoxMs = 50;

/** Checks a rule's pattern (JavaScript syntax, without slashes) and compiles it with the flags `gu`. */
export function checkRegexRule(pattern: string, options: RegexCheckOptions = {}): RegexCheck {
  const timeBox = options.timeBox ?? true;
  let reason = timeBox ? checked.get(pattern) : undefined;
  if (reason === undefined) {
    const found = staticReason(pattern);
    reason = found ?? (timeBox ? timeBoxReason(pattern) : undefined) ?? '';
    // A pattern too slow on this occasion may pass on a quieter machine: only firm verdicts are kept.
    if (timeBox && (found !== undefined || reason === '')) remember(pattern, reason);
  }
  return reason === '' ? { ok: true, regex: new RegExp(pattern, regexRuleFlags) } : { ok: false, reason };
}

/** As checkRegexRule, but throws a WardenError (invalid_argument) naming the pattern and the reason. */
export function compileRegexRule(pattern: string, options: RegexCheckOptions = {}): RegExp {
  const check = checkRegexRule(pattern, options);
  if (!check.ok) throw new WardenError('invalid_argument', check.reason, { pattern });
  return check.regex;
}

// Verdicts of full checks, so that rebuilding the rules in force does not time every rule again.
const checked = new Map<string, string>();
const maxRemembered = 10_000;

function remember(pattern: string, reason: string): void {
  if (checked.size >= maxRemembered) checked.clear();
  checked.set(pattern, reason);
}

function staticReason(pattern: string): string | undefined {
  const the = `The pattern ${quote(pattern)}`;
  if (pattern.length === 0) return "A rule's pattern is empty; write the text it should match.";
  if (pattern.length > maxRegexRuleLength) {
    return `${the} is ${pattern.length} characters long; the limit is ${maxRegexRuleLength}. Split it into several rules.`;
  }
  try {
    new RegExp(pattern, regexRuleFlags);
  } catch (error) {
    return `${the} is not a valid regular expression: ${engineComplaint(error, pattern)}. Check its brackets, and put a backslash before ( ) [ ] { } * + ? . | ^ $ or \\ to match them literally.`;
  }
  let root: RegexNode;
  try {
    root = parseRegex(pattern);
  } catch {
    return `${the} uses syntax the safety check does not understand; rewrite it with simpler constructs.`;
  }
  const nodes = walk(root);
  const source = (node: RegexNode) => quote(pattern.slice(node.start, node.end));

  for (const { node } of nodes) {
    if (node.kind === 'backreference') {
      return `${the} refers back to an earlier group (${source(node)}), which can take exponential time and is not supported in rules; write out the text to match instead.`;
    }
    if (
      node.kind === 'lookaround' &&
      contains(node.body, (inner) => isRepeat(inner) && inner.max === Infinity)
    ) {
      const way = node.behind ? 'behind' : 'ahead';
      return `${the} looks ${way} with an unbounded repeat (${source(node)}), which reads on through the text at every position and makes checks slow; bound the repeat, for example {0,20}.`;
    }
    if (
      node.kind === 'repeat' &&
      (node.min > maxRepeatCount || (node.max !== Infinity && node.max > maxRepeatCount))
    ) {
      const count = node.min > maxRepeatCount ? `at least ${node.min}` : `up to ${node.max}`;
      return `${the} repeats ${source(node)} ${count} times; the limit is ${maxRepeatCount}. Use a smaller count.`;
    }
    if (node.kind === 'chars' && node.upperCase !== undefined) {
      return `${the} contains the capital letter "${node.upperCase}" (in ${source(node)}), but rules run on lower-case text, so it could never match; write it in lower case.`;
    }
  }
  for (const { node, ancestors } of nodes) {
    if (node.kind !== 'repeat' || node.max !== Infinity) continue;
    const outer = ancestors.find((ancestor) => isRepeat(ancestor) && ancestor.max === Infinity);
    if (outer !== undefined) {
      return `${the} nests a repeat inside a repeat (${source(outer)}), which can take exponential time on text that almost matches; rewrite it without the nesting.`;
    }
  }
  for (const { node } of nodes) {
    if (node.kind === 'repeat' && node.max >= 2 && nullable(node.body)) {
      return `${the} repeats ${source(node)}, whose content can match empty text, which lets the engine try very many ways to match; make the repeated part match at least one character.`;
    }
  }
  const ambiguity = findAmbiguity(root);
  if (ambiguity?.kind === 'overlap') {
    const choice = source(ambiguity.repeat);
    if (ambiguity.second === undefined) {
      return `${the} repeats a choice (${choice}) in which an alternative of ${source(ambiguity.alternation)} matches empty text; the engine may try every combination, which can take exponential time on text that almost matches. Make every alternative match at least one character (mark an optional part with ? instead).`;
    }
    const both = `${describeBranch(pattern, ambiguity.first)} and ${describeBranch(pattern, ambiguity.second)}`;
    const overlap = `can both match text beginning ${quote(ambiguity.witness ?? '')}`;
    return `${the} repeats a choice (${choice}) whose alternatives ${both} ${overlap}; the engine may try every combination, which can take exponential time on text that almost matches. Make the alternatives start differently, or move what they share out of the group.`;
  }
  if (nullable(root)) {
    return `${the} can match empty text, so it would match everywhere; make it require at least one character.`;
  }
  if (ambiguity?.kind === 'loop') {
    return `${the} can match the same text in more than one way inside the repeat ${source(ambiguity.repeat)}, which can take exponential time on text that almost matches; rewrite it so that each part of a text can be matched in only one way.`;
  }
  if (ambiguity?.kind === 'too-complex') {
    return `${the} is too complex to check for slow matching; split it into simpler rules.`;
  }
  return undefined;
}

function engineComplaint(error: unknown, pattern: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const prefix = `Invalid regular expression: /${pattern}/${regexRuleFlags}: `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

function describeBranch(pattern: string, branch: RegexNode): string {
  return quote(pattern.slice(branch.start, branch.end));
}

interface Visit {
  node: RegexNode;
  /** Innermost first. */
  ancestors: RegexNode[];
}

/** Every node in pre-order, with its ancestors. */
function walk(root: RegexNode): Visit[] {
  const visits: Visit[] = [];
  const visit = (node: RegexNode, ancestors: RegexNode[]) => {
    visits.push({ node, ancestors });
    const inner = [node, ...ancestors];
    for (const child of children(node)) visit(child, inner);
  };
  visit(root, []);
  return visits;
}

function contains(node: RegexNode, test: (node: RegexNode) => boolean): boolean {
  return test(node) || children(node).some((child) => contains(child, test));
}

function isRepeat(node: RegexNode): node is Extract<RegexNode, { kind: 'repeat' }> {
  return node.kind === 'repeat';
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

// The time box. Static checks cannot see every slow pattern: "\w+x" is not exponential, yet it reads on
// to the end of the text from every starting position, which is quadratic, and slow on 100,000
// characters. So the pattern is run on texts built to almost match it, each as long as the longest text
// Warden checks, and refused if they take more than 50 ms together. A regular expression cannot be
// interrupted in the thread that runs it, so the run happens in a separate V8 context with a time-out
// (node:vm): V8 stops the script, even inside the regular-expression engine, when time runs out.

interface TimeBoxState {
  pattern: string;
  flags: string;
  texts: string[];
  index: number;
}

let timeBox: { state: TimeBoxState; script: vm.Script } | undefined;

function timeBoxReason(pattern: string): string | undefined {
  const texts = adversarialTexts(parseRegex(pattern));
  if (timeBox === undefined) {
    const state: TimeBoxState = { pattern: '', flags: '', texts: [], index: -1 };
    vm.createContext(state);
    const script = new vm.Script(
      `(() => {
        const regex = new RegExp(pattern, flags);
        for (index = 0; index < texts.length; index += 1) {
          regex.lastIndex = 0;
          for (const found of texts[index].matchAll(regex)) void found;
        }
      })();`,
      { filename: 'warden-regex-time-box.js' },
    );
    timeBox = { state, script };
  }
  const { state, script } = timeBox;
  Object.assign(state, { pattern, flags: regexRuleFlags, texts, index: -1 });
  try {
    script.runInContext(state, { timeout: timeBoxMs });
    return undefined;
  } catch (error) {
    const text = texts[state.index] ?? texts[0] ?? '';
    const excerpt = quote(`${text.slice(0, 24)}…`);
    const timedOut = (error as { code?: unknown }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
    const what = timedOut
      ? `took more than ${timeBoxMs} ms`
      : `failed (${error instanceof Error ? error.message : String(error)})`;
    const anchored = /^(\^|\\b|[\p{L}\p{N}](?![*+?{]))/u.test(pattern);
    const advice = `${anchored ? '' : 'begin it with \\b or a fixed word, '}bound its repeats (for example {1,30} instead of + or *), and do not put side by side repeats that can match the same characters (write "l{2,}", not "l+l+")`;
    return `The pattern ${quote(pattern)} ${what} on a ${timeBoxTextLength.toLocaleString('en')}-character text made to almost match it (${excerpt}), so it would slow down every check of a long message; ${advice}.`;
  } finally {
    state.texts = [];
  }
}

const maxAdversarialTexts = 24;

/**
 * Texts built to almost match: for each repeat, the shortest text that reaches it, then what it repeats,
 * over and over, then a character the pattern cannot match; and each character a repeat accepts,
 * repeated from the start, then that same ending.
 */
export function adversarialTexts(root: RegexNode): string[] {
  const pumps = new Map<string, [string, string]>();
  const add = (prefix: string, pump: string | undefined) => {
    if (pump === undefined || pump === '' || pumps.size >= maxAdversarialTexts) return;
    pumps.set(`${prefix}\u0000${pump}`, [prefix, pump]);
  };
  let accepted: CharSet = emptySet;
  const shortest = new Map<RegexNode, string | undefined>();
  const witness = (node: RegexNode): string | undefined => {
    if (shortest.has(node)) return shortest.get(node);
    let text: string | undefined;
    switch (node.kind) {
      case 'chars':
        text = sampleOf(node.set);
        break;
      case 'sequence': {
        const parts = node.items.map(witness);
        text = parts.every((part) => part !== undefined)
          ? parts.join('').slice(0, timeBoxTextLength)
          : undefined;
        break;
      }
      case 'alternation':
        for (const branch of node.branches) {
          const candidate = witness(branch);
          if (candidate !== undefined && (text === undefined || candidate.length < text.length))
            text = candidate;
        }
        break;
      case 'repeat': {
        const body = witness(node.body);
        // Counted repeats can nest ("((ab){1000}c){1000}"): never build more than one long text's worth.
        const times =
          body === undefined || body === ''
            ? 0
            : Math.min(node.min, Math.ceil(timeBoxTextLength / body.length));
        text = node.min === 0 ? '' : body?.repeat(times);
        break;
      }
      case 'assertion':
      case 'lookaround':
      case 'backreference':
        text = '';
    }
    shortest.set(node, text);
    return text;
  };
  const visit = (node: RegexNode, prefix: string) => {
    switch (node.kind) {
      case 'chars':
        accepted = unionSets(accepted, node.set);
        return;
      case 'sequence': {
        let reached = prefix;
        for (const item of node.items) {
          visit(item, reached);
          reached += witness(item) ?? '';
        }
        return;
      }
      case 'alternation':
        for (const branch of node.branches) visit(branch, prefix);
        return;
      case 'repeat':
        if (node.max >= 2) add(prefix, witness(node.body));
        visit(node.body, prefix);
        return;
      case 'lookaround':
      case 'assertion':
      case 'backreference':
        return;
    }
  };
  visit(root, '');
  // Characters that repeats can run over, each on its own from the start of the text: this is what
  // makes a pattern that does not begin at a fixed place read on from every position.
  const singles = new Set<string>();
  const collect = (node: RegexNode, repeated: boolean) => {
    const sample = node.kind === 'chars' && repeated ? sampleOf(node.set) : undefined;
    if (sample !== undefined) singles.add(sample);
    for (const child of children(node)) collect(child, repeated || (node.kind === 'repeat' && node.max >= 2));
  };
  collect(root, false);
  for (const sample of singles) add('', sample);
  const ending =
    ['!', '#', '\u0000', '~', '\u{10fffd}'].find((char) => !setHas(accepted, char.codePointAt(0) ?? 0)) ??
    '!';
  return [...pumps.values()].map(([prefix, pump]) => {
    const times = Math.max(1, Math.floor((timeBoxTextLength - prefix.length - 1) / pump.length));
    return (prefix + pump.repeat(times)).slice(0, timeBoxTextLength) + ending;
  });
}
