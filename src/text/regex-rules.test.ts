// Regular-expression rules on RE2: what is refused and why, that accepted rules find what JavaScript's
// engine finds at the same spans, and that patterns which backtrack catastrophically in JavaScript are
// accepted and answer correctly on the texts that used to stall them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkRegexRule, maxRegexMatches, maxRegexProgramSize } from './regex-rules.js';
import type { RegexRule, RegexSpan } from './regex-rules.js';

// Each pattern with a fragment of the reason it is refused for.
const refused: [string, string][] = [
  ['(a)\\1', 'refers back to an earlier group ("\\1")'],
  ['(?<word>a)\\k<word>', 'refers back to an earlier group ("\\k<word>")'],
  ['(?=.*x)a', 'looks ahead ("(?=.*x)")'],
  ['\\bsell(?!ers?\\b)\\w{0,10}', 'looks ahead ("(?!ers?\\b)")'],
  ['(?<![\\p{L}\\p{N}])ass', 'looks behind ("(?<![\\p{L}\\p{N}])")'],
  ['(?<=@)\\w+', 'looks behind ("(?<=@)")'],
  ['a{1001,}', 'at least 1001 times; the limit is 1000'],
  ['a{2,5000}', 'up to 5000 times; the limit is 1000'],
  ['(?:a{100}){100}', 'nested counts multiply'],
  ['[a-z]{1,999}', `steps; the limit is ${maxRegexProgramSize}, so that every check stays quick`],
  ['Buy followers', 'the capital letter "B"'],
  ['[A-Z]{3}', 'the capital letter "A"'],
  ['a*', 'can match empty text, so it would match everywhere'],
  ['\\b', 'can match empty text'],
  ['', 'is empty'],
  ['(', 'is not a valid regular expression: Unterminated group'],
  ['a**', 'is not a valid regular expression: Nothing to repeat'],
  ['\\-', 'is not a valid regular expression'],
  ['a'.repeat(501), 'is 501 characters long; the limit is 500'],
];

// Patterns a term list could use, and patterns that backtrack catastrophically (or quadratically) in
// JavaScript, which the time box used to refuse: on RE2 they are safe.
const accepted = [
  '\\bbuy\\s+\\w+\\s+online\\b',
  '[a-z]{3}\\d{4}',
  '\\bfree\\s+(?:followers|likes|views)\\b',
  '\\bk[i1!]ll\\s+y[o0]u?r\\s*self\\b',
  '\\b\\d{3}[-\\s]?\\d{3}[-\\s]?\\d{4}\\b',
  '\\b[a-z0-9-]{1,63}\\.(?:xyz|top|click)\\b',
  '\\b(?:cat|dog)s?\\b',
  '^(?:hi|hello)\\b',
  '\\bearn\\s+\\$\\d{2,5}\\s+(?:a|per)\\s+day\\b',
  '\\b(?:\\d{1,3}\\.){3}\\d{1,3}\\b',
  '(?:https?://)?(?:www\\.)?bit\\.ly/\\w{4,12}',
  '\\bfr[e3]{2}\\s+v-?bucks\\b',
  '[\\u{1f4b0}\\u{1f4b5}]{3,}',
  '\\bt\\.me/[a-z0-9_]{5,32}\\b',
  '(?<name>x)y',
  `(?:${Array.from({ length: 240 }, (_, index) => String.fromCodePoint(0x4e00 + index)).join('|')})+`,
  '(a+)+b',
  '(a|ab)*c',
  '(\\w+\\s?)*!',
  '(a{1,10}){1,10}$',
  '\\w+x',
  '.*.*=.*',
  'k+i+l+l+',
];

function spans(rule: RegexRule, text: string): [number, number, string][] {
  return rule.matches(text).map(({ start, end }) => [start, end, text.slice(start, end)]);
}

function accept(pattern: string): RegexRule {
  const check = checkRegexRule(pattern);
  if (!check.ok) throw new Error(check.reason);
  return check.rule;
}

/** The spans JavaScript's engine finds, as RegexRule.matches reports them. */
function javaScriptSpans(pattern: string, text: string): RegexSpan[] {
  return [...text.matchAll(new RegExp(pattern, 'gu'))]
    .slice(0, maxRegexMatches)
    .map((found) => ({ start: found.index, end: found.index + found[0].length }));
}

describe('checkRegexRule', () => {
  it.each(refused)('refuses %j', (pattern, fragment) => {
    const check = checkRegexRule(pattern);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.reason).toContain(fragment);
    // Reasons name the pattern (shortened when long) so that a person knows which rule to fix.
    if (pattern !== '') expect(check.reason).toContain(`The pattern "${pattern.slice(0, 40)}`);
  });

  it.each(accepted)('accepts %j', (pattern) => {
    const check = checkRegexRule(pattern);
    expect(check.ok ? 'accepted' : check.reason).toBe('accepted');
  });

  it('says what RE2 cannot do and what to write instead, word for word', () => {
    expect(checkRegexRule('(a|b)\\1')).toEqual({
      ok: false,
      reason:
        'The pattern "(a|b)\\1" refers back to an earlier group ("\\1"); rules run on a linear-time engine (RE2), which cannot match back-references. Write out the text to match, or list its forms as alternatives, for example (?:aa|bb) instead of (a|b)\\1.',
    });
    expect(checkRegexRule('(?<![a-z])ass')).toEqual({
      ok: false,
      reason:
        'The pattern "(?<![a-z])ass" looks behind ("(?<![a-z])"); rules run on a linear-time engine (RE2), which cannot look behind. To keep a match to whole words, use \\b; otherwise make the surrounding text part of the pattern (the match then includes it), or leave the condition out.',
    });
  });
});

describe('RegexRule.matches', () => {
  it('finds every match at its UTF-16 span, past astral characters and lone surrogates', () => {
    const rule = accept('\\bbuy\\s+\\w+');
    const text = '😀é buy now, 😀 buy later \ud800 buy x';
    expect(spans(rule, text)).toEqual([
      [4, 11, 'buy now'],
      [16, 25, 'buy later'],
      [28, 33, 'buy x'],
    ]);
    expect(spans(accept('^.$'), '😀')).toEqual([[0, 2, '😀']]);
    expect(spans(accept('[^a]'), 'a\ud800b')).toEqual([
      [1, 2, '\ud800'],
      [2, 3, 'b'],
    ]);
  });

  it('matches what JavaScript would: \\s and . as JavaScript reads them, \\u{…} and \\p{…} escapes', () => {
    // RE2's own \s has no no-break space and its . matches \r; the translation keeps JavaScript's meaning.
    expect(spans(accept('buy\\s+now'), 'buy\u00a0now buy\u2003now')).toEqual([
      [0, 7, 'buy\u00a0now'],
      [8, 15, 'buy\u2003now'],
    ]);
    expect(spans(accept('a.b'), 'a\rb a\nb axb')).toEqual([[8, 11, 'axb']]);
    expect(spans(accept('\\u{1f4b0}{2}'), '💰 💰💰')).toEqual([[3, 7, '💰💰']]);
    expect(spans(accept('\\p{Script=Greek}+'), 'abc αβγ')).toEqual([[4, 7, 'αβγ']]);
    // \b knows only ASCII word characters, in JavaScript as in RE2: "é" ends a word.
    expect(spans(accept('\\bcaf\\b'), 'café caf')).toEqual([
      [0, 3, 'caf'],
      [5, 8, 'caf'],
    ]);
  });

  it('prefers the match JavaScript prefers: the first alternative, greedy or lazy as written', () => {
    expect(spans(accept('a|ab'), 'ab')).toEqual([[0, 1, 'a']]);
    expect(spans(accept('ab|a'), 'ab')).toEqual([[0, 2, 'ab']]);
    expect(spans(accept('a+?'), 'aaa')).toEqual([
      [0, 1, 'a'],
      [1, 2, 'a'],
      [2, 3, 'a'],
    ]);
    expect(spans(accept('x.*y'), 'x1y2y')).toEqual([[0, 5, 'x1y2y']]);
    expect(spans(accept('x.*?y'), 'x1y2y')).toEqual([[0, 3, 'x1y']]);
  });

  it('answers patterns that stall a backtracking engine, on the texts made to stall them', () => {
    const long = 'a'.repeat(50_000);
    expect(spans(accept('(a+)+$'), `${long}!`)).toEqual([]);
    expect(spans(accept('(a+)+$'), long)).toEqual([[0, 50_000, long]]);
    expect(spans(accept('(a|a)*b'), `${long}c`)).toEqual([]);
    expect(spans(accept('(a{1,10}){1,10}!'), `${'a'.repeat(5_000)}?`)).toEqual([]);
    expect(spans(accept('\\w+x'), long)).toEqual([]);
    expect(spans(accept('(\\w+\\s?)*!'), `${'word '.repeat(2_000)}?`)).toEqual([]);
  });

  it(`reports at most ${maxRegexMatches} matches of a rule in one text`, () => {
    const found = accept('\\bbuy\\b').matches('buy '.repeat(100));
    expect(found).toHaveLength(maxRegexMatches);
    expect(found[maxRegexMatches - 1]).toEqual({
      start: (maxRegexMatches - 1) * 4,
      end: (maxRegexMatches - 1) * 4 + 3,
    });
  });

  it('finds the same spans as JavaScript on random patterns and texts', () => {
    // Each pattern says whether it repeats something that can match empty text: there RE2 and
    // JavaScript legitimately part ways (JavaScript ends a loop on an empty iteration, RE2 tries the
    // next alternative), so such patterns must agree on whether and where a match starts, not its end.
    type Generated = { source: string; emptyLoop: boolean };
    const matchesEmpty = (source: string) => new RegExp(`^(?:${source})$`, 'u').test('');
    const { pattern } = fc.letrec<{ pattern: Generated }>((tie) => ({
      pattern: fc.oneof(
        { depthSize: 'small' },
        fc
          .constantFrom(
            'a',
            'b',
            '[ab]',
            '\\w',
            '\\s',
            '.',
            'ab',
            'a?',
            '\\b',
            '^',
            '$',
            'a{0,3}',
            '(?:aa|b)',
            '😀',
          )
          .map((source) => ({ source, emptyLoop: false })),
        fc.tuple(tie('pattern'), tie('pattern')).map(([x, y]) => ({
          source: `(?:${x.source}|${y.source})`,
          emptyLoop: x.emptyLoop || y.emptyLoop,
        })),
        fc
          .tuple(
            tie('pattern'),
            fc.constantFrom('*', '+', '?', '{2}', '{1,3}', '{0,2}', '{2,}'),
            fc.constantFrom('', '?'),
          )
          .map(([x, repeat, lazy]) => ({
            source: `(?:${x.source})${repeat}${lazy}`,
            emptyLoop: x.emptyLoop || (repeat !== '?' && matchesEmpty(x.source)),
          })),
        fc.tuple(tie('pattern'), tie('pattern')).map(([x, y]) => ({
          source: x.source + y.source,
          emptyLoop: x.emptyLoop || y.emptyLoop,
        })),
      ),
    }));
    // Short texts, so that JavaScript's engine finishes even on patterns that backtrack exponentially.
    const text = fc
      .array(fc.constantFrom('a', 'b', ' ', '!', '😀', '\u00a0', '\n'), { maxLength: 10 })
      .map((chars) => chars.join(''));
    let compared = 0;
    fc.assert(
      fc.property(pattern, text, ({ source, emptyLoop }, sample) => {
        const check = checkRegexRule(source);
        if (!check.ok) return;
        compared += 1;
        const found = check.rule.matches(sample);
        const expected = javaScriptSpans(source, sample);
        const label = `${source} on ${JSON.stringify(sample)}`;
        if (!emptyLoop) expect(found, label).toEqual(expected);
        else expect(found[0]?.start, label).toBe(expected[0]?.start);
      }),
      { numRuns: 500 },
    );
    expect(compared).toBeGreaterThan(200);
  });
});
