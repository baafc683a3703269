import fc from 'fast-check';
import vm from 'node:vm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WardenError } from '../errors/index.js';
import { adversarialTexts, checkRegexRule, compileRegexRule, regexRuleFlags } from './regex-rules.js';
import { parseRegex } from './regex-syntax.js';

// Each pattern with a fragment of the reason it is refused for.
const unsafe: [string, string][] = [
  ['(a+)+b', 'nests a repeat inside a repeat ("(a+)+")'],
  ['(a*)*', 'nests a repeat inside a repeat ("(a*)*")'],
  ['(\\w+\\s?)*', 'nests a repeat inside a repeat ("(\\w+\\s?)*")'],
  ['(?:x+y+)+z', 'nests a repeat inside a repeat'],
  ['^(\\d+)*$', 'nests a repeat inside a repeat'],
  ['(a|a)*', 'alternatives "a" and "a" can both match text beginning "a"'],
  ['(a|ab)*', 'alternatives "a" and "ab" can both match text beginning "a"'],
  ['(\\w|\\d)+', 'alternatives "\\w" and "\\d" can both match'],
  ['(?:cat|category){2,5}', 'alternatives "cat" and "category" can both match text beginning "cat"'],
  ['(?:\\p{L}|\\p{Lu})+', 'alternatives "\\p{L}" and "\\p{Lu}"'],
  ['(a?a)+', 'more than one way inside the repeat "(a?a)+"'],
  ['(a{1,10}){1,10}', 'more than one way inside the repeat "(a{1,10}){1,10}"'],
  // "ab" is one round ("ab") or two ("a", "b"): found on the automaton, not by the simpler checks.
  ['(?:ab?|b)+c', 'more than one way inside the repeat "(?:ab?|b)+"'],
  ['(?:xyz?|z)+!', 'more than one way inside the repeat "(?:xyz?|z)+"'],
  ['(?:a(?:|)b)+c', 'an alternative of "(?:|)" matches empty text'],
  ['(a?){30}', 'whose content can match empty text'],
  ['a{1001,}', 'at least 1001 times; the limit is 1000'],
  ['a{2,5000}', 'up to 5000 times; the limit is 1000'],
  ['(a)\\1', 'refers back to an earlier group ("\\1")'],
  ['(?<word>a)\\k<word>', 'refers back to an earlier group'],
  ['(?=.*x)a', 'looks ahead with an unbounded repeat ("(?=.*x)")'],
  ['(?<!\\w+)x', 'looks behind with an unbounded repeat'],
  ['Buy followers', 'the capital letter "B"'],
  ['[A-Z]{3}', 'the capital letter "A"'],
  ['a*', 'can match empty text, so it would match everywhere'],
  ['\\b', 'can match empty text'],
  ['', 'is empty'],
  ['(', 'is not a valid regular expression: Unterminated group'],
  ['a**', 'is not a valid regular expression: Nothing to repeat'],
  ['\\-', 'is not a valid regular expression'],
  ['a'.repeat(501), 'is 501 characters long; the limit is 500'],
  // Not exponential, so only the time box sees them: polynomial on long almost-matching texts.
  ['\\w+x', 'took more than 50 ms on a 100,000-character text'],
  ['\\w*\\w*x', 'took more than 50 ms'],
  ['.*.*=.*', 'took more than 50 ms'],
  ['k+i+l+l+', 'took more than 50 ms'],
  // Anchored, but "l+l+" can share out a run of l's in n ways, from one start: quadratic.
  ['\\bk+i+l+l+\\s*y+o+u+r+s+e+l+f+\\b', 'took more than 50 ms'],
  ['[a-z0-9-]+\\.(?:xyz|top)', 'took more than 50 ms'],
];

// Patterns a term list could use: anchored by \b or a fixed word, repeats bounded or unambiguous.
const safe = [
  '\\bbuy\\s+\\w+\\s+online\\b',
  '[a-z]{3}\\d{4}',
  '\\bfree\\s+(?:followers|likes|views)\\b',
  '\\bk[i1!]ll\\s+y[o0]u?r\\s*self\\b',
  '\\b\\d{3}[-\\s]?\\d{3}[-\\s]?\\d{4}\\b',
  '\\b[a-z0-9-]{1,63}\\.(?:xyz|top|click)\\b',
  '(?<![\\p{L}\\p{N}])ass(?![\\p{L}\\p{N}])',
  '\\b(?:cat|dog)s?\\b',
  '^(?:hi|hello)\\b',
  '\\bwhats\\s?app\\s+me\\b',
  '\\bearn\\s+\\$\\d{2,5}\\s+(?:a|per)\\s+day\\b',
  '\\b(?:\\d{1,3}\\.){3}\\d{1,3}\\b',
  '\\bv[i1]agra\\b',
  '(?:https?://)?(?:www\\.)?bit\\.ly/\\w{4,12}',
  '\\b(?:ab)+c\\b',
  '\\bfr[e3]{2}\\s+v-?bucks\\b',
  '[\\u{1f4b0}\\u{1f4b5}]{3,}',
  '\\bt\\.me/[a-z0-9_]{5,32}\\b',
  '\\bk+i+l{2,}\\s*y+o+u+r+s+e+l+f+\\b',
  '\\bbuy(?:\\s+\\w+){1,3}\\s+followers\\b',
  '\\bsell(?!ers?\\b)\\w{0,10}\\s+accounts\\b',
  // Not repeated, so the overlap of "ab" and "a" costs at most one retry.
  '\\b(?:ab|a)(?:bc|c)\\b',
  // A repeat of 240 different characters: big, but settled within the work budget.
  `(?:${Array.from({ length: 240 }, (_, index) => String.fromCodePoint(0x4e00 + index)).join('|')})+`,
];

describe('checkRegexRule', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each(unsafe)('refuses %j', (pattern, fragment) => {
    const check = checkRegexRule(pattern);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.reason).toContain(fragment);
    // Reasons name the pattern (shortened when long) so that a person knows which rule to fix.
    if (pattern !== '') expect(check.reason).toContain(`The pattern "${pattern.slice(0, 40)}`);
  });

  it.each(safe)('accepts %j', (pattern) => {
    const check = checkRegexRule(pattern);
    expect(check.ok ? 'accepted' : check.reason).toBe('accepted');
    if (check.ok) expect(check.regex.flags).toBe(regexRuleFlags);
  });

  it('gives the reasons the design promises, word for word', () => {
    expect(checkRegexRule('(a+)+b')).toEqual({
      ok: false,
      reason:
        'The pattern "(a+)+b" nests a repeat inside a repeat ("(a+)+"), which can take exponential time on text that almost matches; rewrite it without the nesting.',
    });
  });

  it('never runs a pattern refused by analysis, and refuses it at once', () => {
    const run = vi.spyOn(vm.Script.prototype, 'runInContext');
    for (const pattern of ['(a+)+$', '(x|x)*y', '(a?a)+$', '(\\w+\\s?)*$']) {
      const started = performance.now();
      const check = checkRegexRule(`${pattern}#`);
      expect(performance.now() - started).toBeLessThan(20);
      expect(check.ok).toBe(false);
      expect(() => compileRegexRule(`${pattern}#`)).toThrow(WardenError);
    }
    expect(run).not.toHaveBeenCalled();
  });

  it('stops a slow pattern within its time box instead of hanging', () => {
    // Cubic on 100,000 characters: hours if it were allowed to finish.
    const started = performance.now();
    const check = checkRegexRule('\\d*\\d*\\d*y');
    expect(check.ok).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('is quick: analysis well under 5 ms, the whole check a few ms', () => {
    checkRegexRule('\\bwarm\\s+up\\b'); // the time box's context is made once
    const analysis: number[] = [];
    const whole: number[] = [];
    safe.forEach((pattern, index) => {
      // New patterns each time, so nothing comes from the cache.
      const fresh = `${pattern}|qz${index}x${Date.now()}`;
      let started = performance.now();
      checkRegexRule(fresh, { timeBox: false });
      analysis.push(performance.now() - started);
      started = performance.now();
      checkRegexRule(fresh);
      whole.push(performance.now() - started);
    });
    const median = (values: number[]) =>
      [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    expect(median(analysis)).toBeLessThan(5);
    expect(median(whole)).toBeLessThan(25);
  });

  it('remembers verdicts, so a second check of the same pattern costs nothing', () => {
    const pattern = `\\bremember\\s+me\\s+${Date.now()}\\b`;
    expect(checkRegexRule(pattern).ok).toBe(true);
    const run = vi.spyOn(vm.Script.prototype, 'runInContext');
    expect(checkRegexRule(pattern).ok).toBe(true);
    expect(run).not.toHaveBeenCalled();
  });

  it('skips the time box when asked, for rules already checked', () => {
    const run = vi.spyOn(vm.Script.prototype, 'runInContext');
    expect(checkRegexRule('\\w+x', { timeBox: false }).ok).toBe(true);
    expect(checkRegexRule('(a+)+', { timeBox: false }).ok).toBe(false);
    expect(run).not.toHaveBeenCalled();
  });

  it('compiles with the flags gu, so rules see code points and find every match', () => {
    const regex = compileRegexRule('\\bbuy\\s+\\w+\\b');
    expect(regex.flags).toBe('gu');
    expect([...'buy now, buy later'.matchAll(regex)].map((found) => found[0])).toEqual([
      'buy now',
      'buy later',
    ]);
    expect(compileRegexRule('^.$').test('😀')).toBe(true);
  });

  it('throws a WardenError naming the pattern', () => {
    try {
      compileRegexRule('(a|ab)*c');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(WardenError);
      const warden = error as WardenError;
      expect(warden.code).toBe('invalid_argument');
      expect(warden.status).toBe(400);
      expect(warden.message).toContain('The pattern "(a|ab)*c"');
      expect(warden.details).toEqual({ pattern: '(a|ab)*c' });
    }
  });
});

describe('the analysis', () => {
  it('passes no pattern that backtracks exponentially (random patterns, run on almost-matching texts)', () => {
    const { pattern } = fc.letrec<{ pattern: string }>((tie) => ({
      pattern: fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom('a', 'b', '[ab]', '\\w', 'ab', 'a?', '(?=a)', '(?<!b)', '\\b', 'a{0,3}', '(?:aa|b)'),
        fc.tuple(tie('pattern'), tie('pattern')).map(([x, y]) => `(?:${x}|${y})`),
        fc
          .tuple(tie('pattern'), fc.constantFrom('*', '+', '?', '{2}', '{1,3}', '{0,2}', '{2,}', '{3,6}'))
          .map(([x, repeat]) => `(?:${x})${repeat}`),
        fc.tuple(tie('pattern'), tie('pattern')).map(([x, y]) => x + y),
      ),
    }));
    // Anchored at both ends, so that every way to match is tried before the match fails.
    const context = vm.createContext({ source: '', texts: [] as string[] });
    const run = new vm.Script(
      '(() => { const regex = new RegExp(source, "u"); for (const text of texts) regex.test(text); })()',
    );
    const texts = ['a', 'b', 'ab', 'ba', 'aab', 'abb'].map(
      (unit) => `${unit.repeat(Math.ceil(36 / unit.length))}!`,
    );
    let passed = 0;
    fc.assert(
      fc.property(pattern, (body) => {
        const source = `^(?:${body})$`;
        if (!checkRegexRule(source, { timeBox: false }).ok) return;
        passed += 1;
        Object.assign(context, { source, texts });
        expect(() => {
          run.runInContext(context, { timeout: 250 });
        }, source).not.toThrow();
      }),
      { numRuns: 400 },
    );
    expect(passed).toBeGreaterThan(50);
  });
});

describe('adversarialTexts', () => {
  it('builds texts as long as the longest checked text, each ending in a character the pattern refuses', () => {
    const texts = adversarialTexts(parseRegex('\\bbuy\\s+\\w+\\s+online\\b'));
    expect(texts.length).toBeGreaterThan(2);
    for (const text of texts) {
      expect(text.length).toBeGreaterThan(99_000);
      expect(text.length).toBeLessThanOrEqual(100_001);
      expect(text.endsWith('!')).toBe(true);
    }
    // The text that reaches the second \s+ starts with what comes before it.
    expect(texts.some((text) => text.startsWith('buy a   '))).toBe(true);
  });
});
