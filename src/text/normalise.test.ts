// The text normaliser: each transformation with exact spans in the original text, and properties over
// random input: evasions of a word meet the word, spans are ordered and map whole words back to
// themselves, and ordinary sentences keep their words.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONFUSABLES, UNMAPPED_CAPITALS } from './confusables.js';
import { NormalisedText, WORD_BOUNDARY, isWordCode, normaliseTerm, normaliseText } from './normalise.js';

/** Each skeleton character (a surrogate pair counted as one) with the original text it spans. */
function pieces(text: string): [string, string][] {
  const normalised = normaliseText(text);
  const skeleton = normalised.toString();
  const result: [string, string][] = [];
  for (let i = 0; i < normalised.length; i++) {
    const wide = skeleton.codePointAt(i)! > 0xffff;
    const width = wide ? 2 : 1;
    expect(normalised.start[i]).toBe(normalised.start[i + width - 1]);
    result.push([skeleton.slice(i, i + width), text.slice(normalised.start[i], normalised.end[i])]);
    i += width - 1;
  }
  return result;
}

/** Where skeleton range [from, to) lies in the original text. */
function spanOf(text: string, from: number, to: number): string {
  const { start, end } = normaliseText(text).span(from, to);
  return text.slice(start, end);
}

const skeleton = (text: string): string => normaliseText(text).toString();

describe('normaliseText', () => {
  it('applies NFKC-style compatibility forms and case folding', () => {
    expect(skeleton('ＥＭＰＴＹ Empty EMPTY')).toBe('empty empty empty');
    expect(pieces('𝐞𝐦𝐩𝐭𝐲')).toEqual([
      ['e', '𝐞'],
      ['m', '𝐦'],
      ['p', '𝐩'],
      ['t', '𝐭'],
      ['y', '𝐲'],
    ]);
    expect(pieces('ﬁne')).toEqual([
      ['f', 'ﬁ'],
      ['i', 'ﬁ'],
      ['n', 'n'],
      ['e', 'e'],
    ]);
    expect(skeleton('straße STRASSE Straẞe')).toBe('strase strase strase');
    expect(skeleton('ⓔⓜⓟⓣⓨ ⒠⒨⒫⒯⒴ ᵉᵐᵖᵗʸ')).toBe('empty empty empty');
    expect(skeleton('①②③ ½')).toBe('123 12');
  });

  it('removes diacritics, precomposed or combining, and keeps the marks in the letter span', () => {
    expect(skeleton('éñüç ÉÑÜÇ')).toBe('enuc enuc');
    expect(pieces('e\u0301n\u0303')).toEqual([
      ['e', 'e\u0301'],
      ['n', 'n\u0303'],
    ]);
    expect(skeleton('Z\u0363\u0362a\u0334l\u035eg\u0338o\u0489')).toBe('zaigo');
    // A mark with no letter before it in its word has nothing to belong to.
    expect(pieces('\u0301x')).toEqual([['x', 'x']]);
  });

  it('maps Cyrillic, Greek and other look-alikes to Latin letters', () => {
    expect(skeleton('ехаmрlе')).toBe(skeleton('example'));
    expect(skeleton('АВЕКМНОРСТХ')).toBe('abekmhopctx');
    expect(skeleton('ѕсаm ѕсАм')).toBe('scam scam');
    expect(skeleton('ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ')).toBe('abezhikmnoptyx');
    expect(skeleton('αβεικνορτυχ')).toBe('abeikvoptux');
    expect(skeleton('ᴇᴍᴘᴛʏ 🅴🅼🅿🆃🆈 🅔🅜🅟🅣🅨')).toBe('empty empty empty');
    // Capitals by their own look: Η is an H, η an n; Г is no r, though г is, so it stays Г.
    expect(skeleton('Η η')).toBe('h n');
    expect(skeleton('Г г')).toBe('Г r');
    expect(skeleton('Ω ω')).toBe('Ω w');
    expect(pieces('рау')).toEqual([
      ['p', 'р'],
      ['a', 'а'],
      ['y', 'у'],
    ]);
  });

  it('drops invisible characters without breaking the word', () => {
    const invisibles = [
      '\u200b', // zero-width space
      '\u200c', // zero-width non-joiner
      '\u200d', // zero-width joiner
      '\u2060', // word joiner
      '\ufeff', // byte-order mark
      '\u00ad', // soft hyphen
      '\u200e', // left-to-right mark
      '\u202e', // right-to-left override
      '\u2066', // left-to-right isolate
      '\ufe0f', // variation selector 16
      '\u{e0041}', // tag letter A
      '\u180e', // Mongolian vowel separator
      '\u034f', // combining grapheme joiner
      '\u3164', // Hangul filler
      '\u0640', // Arabic tatweel
    ];
    for (const invisible of invisibles) {
      expect(skeleton(`em${invisible}pty`), JSON.stringify(invisible)).toBe('empty');
      expect(skeleton(`${invisible}empty${invisible}`), JSON.stringify(invisible)).toBe('empty');
    }
    // Inside a match the span includes them; at its edges it does not.
    expect(spanOf('\u200bem\u200b\u200dpty\u200b', 0, 5)).toBe('em\u200b\u200dpty');
    expect(pieces('a\u200bb')).toEqual([
      ['a', 'a'],
      ['b', 'b'],
    ]);
  });

  it('reads leetspeak only inside words that have a letter', () => {
    expect(skeleton('h4x0r')).toBe('haxor');
    expect(skeleton('3mp7y 5ca8 9o')).toBe('empty scab go');
    expect(skeleton('k!ll $hit @ss p|ay pa+h €vil')).toBe('ki shit as piay path evi');
    // A dropped symbol is punctuation between words: "$" after a space, "+" joining two numbers.
    expect(skeleton('2024 room 101 $5 1000 5+5')).toBe('2024 rom 101,5 1000 55');
    expect(skeleton('2nd mp3')).toBe('2nd mpe');
    // Uncased scripts have no leetspeak: digits stay digits, symbols are punctuation.
    expect(skeleton('2024年 中!文')).toBe('2024年 中文');
    // A symbol after the last letter is punctuation.
    expect(pieces('hey!!')).toEqual([
      ['h', 'h'],
      ['e', 'e'],
      ['y', 'y'],
    ]);
    expect(pieces('$hit')).toEqual([
      ['s', '$'],
      ['h', 'h'],
      ['i', 'i'],
      ['t', 't'],
    ]);
    expect(skeleton('hello! world!')).toBe('heio,worid');
    expect(skeleton('!!! ... $$$')).toBe('');
  });

  it('reads l as i, so every spelling of i and l meets', () => {
    const spellings = ['kill', 'k1ll', 'ki11', 'kiII', 'KILL', 'k!ll', 'k|ll', 'kіlӏ', 'ᴋɪʟʟ', 'ĸiłl'];
    for (const spelling of spellings) expect(skeleton(spelling), spelling).toBe('ki');
    expect(skeleton('lil')).toBe('i');
  });

  it('turns runs of separators into one space and joins runs of single letters', () => {
    expect(pieces('  hi,   you… ')).toEqual([
      ['h', 'h'],
      ['i', 'i'],
      [',', ',   '],
      ['y', 'y'],
      ['o', 'o'],
      ['u', 'u'],
    ]);
    for (const separated of [
      'e.m.p.t.y',
      'e m p t y',
      'e-m-p-t-y',
      'e_m_p_t_y',
      'e . m . p . t . y',
      'e\nm\np\nt\ny',
    ]) {
      expect(skeleton(separated), separated).toBe('empty');
    }
    expect(skeleton('e m p t y chair')).toBe('empty chair');
    expect(spanOf('the e m p t y chair', 4, 9)).toBe('e m p t y');
    expect(skeleton('I am a big fan')).toBe('i am a big fan');
    expect(skeleton('a b')).toBe('a b');
    expect(skeleton('U.S.A.')).toBe('usa');
    // Single digits and symbols join a run with letters and are read as letters there.
    expect(skeleton('k 1 l l')).toBe('ki');
    expect(skeleton('$ h 1 t')).toBe('shit');
    expect(skeleton('1 2 3')).toBe('1 2 3');
    // Apostrophes join: contractions stay one word.
    expect(skeleton("don't it's rock 'n' roll")).toBe('dont its rock n roi');
  });

  it('squeezes repeated letters but not digits or uncased scripts', () => {
    expect(pieces('emmmpttyyyy')).toEqual([
      ['e', 'e'],
      ['m', 'mmm'],
      ['p', 'p'],
      ['t', 'tt'],
      ['y', 'yyyy'],
    ]);
    expect(skeleton('good')).toBe(skeleton('god'));
    expect(skeleton('eeeeeEEE e e e')).toBe('e');
    expect(skeleton('1000 22')).toBe('1000 22');
    expect(skeleton('谢谢')).toBe('谢谢');
    expect(pieces('ﬀf')).toEqual([['f', 'ﬀf']]);
  });

  it('counts the letters each squeezed run merged, on every path through the normaliser', () => {
    const runs = (text: string) => {
      const normalised = normaliseText(text);
      return [...normalised.runs.subarray(0, normalised.length)];
    };
    expect(runs('asss as')).toEqual([1, 3, 1, 1, 1]);
    expect(runs('a$$')).toEqual([1, 2]); // leetspeak goes through the builder
    expect(runs('follow3rs')).toEqual([1, 1, 2, 1, 1, 1, 1, 1]); // a plain start handed over to it
    expect(runs('s s s')).toEqual([3]); // single letters joined
    expect(runs('ﬀ')).toEqual([2]); // one character that expands into two letters
  });

  it('passes other scripts through as letters', () => {
    expect(skeleton('中文 字符')).toBe('中文 字符');
    expect(skeleton('مرحبا שלום')).toBe('مرحبا שלום');
    expect(skeleton('สวัสดี')).toBe('สวัสดี');
    expect(skeleton('नमस्ते')).toBe('नमस्ते');
    expect(skeleton('가')).toBe(skeleton('\u1100\u1161')); // a syllable and its jamo
    expect(skeleton('ＡＢＣ日本')).toBe('abc日本');
  });

  it('handles surrogate pairs and lone surrogates', () => {
    expect(pieces('𠀀x 𝐚')).toEqual([
      ['𠀀', '𠀀'],
      ['x', 'x'],
      [' ', ' '],
      ['a', '𝐚'],
    ]);
    expect(skeleton('hi👍 there')).toBe('hi,there');
    expect(skeleton('a\ud800b\udc00c')).toBe('abc');
    expect(skeleton('ab\ud800 cd')).toBe('ab,cd');
    const { start, end } = normaliseText('😀 𝐞𝐦𝐩𝐭𝐲 😀').span(0, 5);
    expect([start, end]).toEqual([3, 13]);
  });

  it('reuses and grows its buffers', () => {
    const buffer = new NormalisedText(4);
    const long = 'word '.repeat(10_000);
    expect(normaliseText(long, buffer)).toBe(buffer);
    expect(buffer.length).toBe(4 * 10_000 + 9_999);
    expect(normaliseText('ok', buffer).toString()).toBe('ok');
    expect(normaliseText('', buffer).length).toBe(0);
    expect(buffer.span(0, 0)).toEqual({ start: 0, end: 0 });
  });

  it('gives an empty span for an empty range', () => {
    const normalised = normaliseText(' ab cd ');
    expect(normalised.span(3, 3)).toEqual({ start: 4, end: 4 });
    expect(normalised.span(5, 5)).toEqual({ start: 6, end: 6 });
  });
});

describe('normaliseTerm and isWordCode', () => {
  it('gives terms the skeleton texts get', () => {
    expect(normaliseTerm('  Empty  Chair! ')).toBe('empty chair');
    expect(normaliseTerm('...')).toBe('');
    expect(normaliseTerm('Ηellо, Wоrld')).toBe('heio,worid');
  });

  it('tells word characters from the space', () => {
    expect(isWordCode(0x20)).toBe(false);
    for (const code of 'az09中\ud840') expect(isWordCode(code.charCodeAt(0))).toBe(true);
  });
});

describe('the look-alike table', () => {
  it('maps non-ASCII code points to lowercase Latin letters', () => {
    for (const [codePoint, latin] of CONFUSABLES) {
      expect(codePoint).toBeGreaterThan(0x7f);
      expect(latin).toMatch(/^[a-z]+$/);
    }
    for (const capital of UNMAPPED_CAPITALS) {
      expect(CONFUSABLES.has(String.fromCodePoint(capital).toLowerCase().codePointAt(0)!)).toBe(true);
    }
  });
});

// Evasions of a Latin letter, chosen independently of confusables.ts so the test checks the table.
const lookAlikes: Record<string, string[]> = {
  a: ['а', 'А', 'α', 'Α', 'ɑ'],
  b: ['Β', 'В', 'ь'],
  c: ['с', 'С', 'ϲ'],
  d: ['ԁ'],
  e: ['е', 'Е', 'ε', 'Ε'],
  h: ['һ', 'Н', 'Η'],
  i: ['і', 'І', 'ι', 'Ι', 'ı'],
  j: ['ј', 'Ј', 'ϳ'],
  k: ['к', 'К', 'κ', 'Κ'],
  l: ['ӏ', 'Ӏ', 'ł'],
  m: ['М', 'Μ'],
  n: ['η', 'Ν'],
  o: ['о', 'О', 'ο', 'Ο', 'ø'],
  p: ['р', 'Р', 'ρ', 'Ρ'],
  q: ['ԛ'],
  s: ['ѕ', 'Ѕ'],
  t: ['т', 'Т', 'τ', 'Τ'],
  v: ['ν', 'ѵ'],
  w: ['ԝ', 'ω'],
  x: ['х', 'Х', 'χ', 'Χ'],
  y: ['у', 'У', 'Υ'],
  z: ['Ζ'],
};
const leetDigits: Record<string, string[]> = {
  a: ['4'],
  b: ['8'],
  e: ['3'],
  g: ['9'],
  i: ['1'],
  l: ['1'],
  o: ['0'],
  s: ['5'],
  t: ['7'],
};
const leetSymbols: Record<string, string[]> = {
  a: ['@'],
  e: ['€'],
  i: ['!', '|'],
  l: ['|', '!'],
  s: ['$'],
  t: ['+'],
};
const combiningMarks = ['\u0301', '\u0300', '\u0308', '\u0303', '\u0327', '\u030a', '\u0302'];
const zeroWidth = [
  '',
  '',
  '',
  '\u200b',
  '\u200c',
  '\u200d',
  '\u2060',
  '\ufeff',
  '\u00ad',
  '\ufe0f',
  '\u{e0020}',
];
const separators = [' ', '.', '-', '_', ' . ', '\u3000', '/', ', ', '\n'];

type Form = 'plain' | 'upper' | 'fullwidth' | 'bold' | 'lookalike' | 'digit' | 'symbol';

interface LetterEvasion {
  form: Form;
  choice: number;
  mark: number; // -1 for none
  compose: boolean;
  repeat: number;
}

const letterEvasion: fc.Arbitrary<LetterEvasion> = fc.record({
  form: fc.constantFrom<Form>('plain', 'upper', 'fullwidth', 'bold', 'lookalike', 'digit', 'symbol'),
  choice: fc.nat(),
  mark: fc.integer({ min: -3, max: combiningMarks.length - 1 }),
  compose: fc.boolean(),
  repeat: fc.integer({ min: 1, max: 3 }),
});

function evadeLetter(letter: string, evasion: LetterEvasion, mayBeSymbol: boolean): string {
  const index = letter.charCodeAt(0) - 0x61;
  const pick = (options: string[] | undefined): string | undefined =>
    options?.[evasion.choice % options.length];
  let form = evasion.form;
  if (form === 'symbol' && !mayBeSymbol) form = 'plain';
  let variant: string;
  let isLetter = true;
  switch (form) {
    case 'plain':
      variant = letter;
      break;
    case 'upper':
      variant = letter.toUpperCase();
      break;
    case 'fullwidth':
      variant = String.fromCodePoint((evasion.choice % 2 === 0 ? 0xff41 : 0xff21) + index);
      break;
    case 'bold':
      variant = String.fromCodePoint((evasion.choice % 2 === 0 ? 0x1d41a : 0x1d400) + index);
      break;
    case 'lookalike':
      variant = pick(lookAlikes[letter]) ?? letter;
      break;
    case 'digit':
    case 'symbol': {
      const leet = pick((form === 'digit' ? leetDigits : leetSymbols)[letter]);
      isLetter = leet === undefined;
      variant = leet ?? letter;
      break;
    }
  }
  if (isLetter && evasion.mark >= 0) {
    variant += combiningMarks[evasion.mark];
    if (evasion.compose) variant = variant.normalize('NFC');
  }
  return variant.repeat(evasion.repeat);
}

describe('properties', () => {
  it('(a) any combination of evasions of a word gives the skeleton of the plain word', () => {
    const evadedWord = fc
      .string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'), minLength: 1, maxLength: 10 })
      .chain((word) =>
        fc.record({
          word: fc.constant(word),
          letters: fc.array(letterEvasion, { minLength: word.length, maxLength: word.length }),
          kept: fc.nat({ max: word.length - 1 }),
          invisible: fc.array(fc.constantFrom(...zeroWidth), {
            minLength: word.length + 1,
            maxLength: word.length + 1,
          }),
          separator: fc.option(fc.constantFrom(...separators), { nil: undefined }),
        }),
      );
    fc.assert(
      fc.property(evadedWord, ({ word, letters, kept, invisible, separator }) => {
        // Leetspeak needs a letter in the word, and a symbol at its end is punctuation: keep one true
        // letter, and no symbol last.
        const units = [...word].map((letter, position) => {
          const evasion = letters[position]!;
          const form =
            position === kept && (evasion.form === 'digit' || evasion.form === 'symbol')
              ? 'plain'
              : evasion.form;
          return evadeLetter(letter, { ...evasion, form }, position < word.length - 1);
        });
        // Separators between letters only join three or more.
        const joiner = separator !== undefined && word.length >= 3 ? separator : '';
        let text = invisible[0]!;
        units.forEach((unit, position) => {
          text += (position > 0 ? joiner : '') + unit + invisible[position + 1]!;
        });
        const normalised = normaliseText(text);
        expect(normalised.toString()).toBe(normaliseTerm(word));
        // The whole skeleton spans the text but for the invisible characters at either end.
        const { start, end } = normalised.span(0, normalised.length);
        expect(start).toBe(invisible[0]!.length);
        expect(end).toBe(text.length - invisible[word.length]!.length);
      }),
      { numRuns: 3000 },
    );
  });

  // Characters of every kind the normaliser tells apart, one code point each: ASCII letters, digits, leet
  // symbols and punctuation; invisibles and combining marks; look-alikes, expansions (ﬃ ß ㏂ ⒦ ½),
  // astral letters, CJK, an emoji, a lone surrogate, other digits (٣), a Devanagari letter and vowel sign.
  const alphabet = [
    ..."abeilostkyAEIL1034526!$@|+.-_,'\n   ",
    ...'\u200b\u00ad\u0301\u0308\u00e9еΗηГﬃß𝐞𠀀中👍ｅ㏂⒦½٣कि€‼ᴋ🅺年\ud800',
  ];
  const mixedText = fc
    .array(fc.constantFrom(...alphabet), { maxLength: 40 })
    .map((characters) => characters.join(''));

  it('(b) spans are ordered, within bounds, whole characters, and each word-aligned range normalises to itself', () => {
    fc.assert(
      fc.property(mixedText, (text) => {
        const normalised = normaliseText(text);
        const { codes, start, end, length } = normalised;
        const skeletonText = normalised.toString();
        const isLow = (at: number): boolean => (text.charCodeAt(at) & 0xfc00) === 0xdc00;
        const isHigh = (at: number): boolean => (text.charCodeAt(at) & 0xfc00) === 0xd800;
        for (let i = 0; i < length; i++) {
          expect(start[i]!).toBeGreaterThanOrEqual(0);
          expect(end[i]!).toBeGreaterThan(start[i]!);
          expect(end[i]!).toBeLessThanOrEqual(text.length);
          if (i > 0) {
            expect(start[i]!).toBeGreaterThanOrEqual(start[i - 1]!);
            expect(end[i]!).toBeGreaterThanOrEqual(end[i - 1]!);
          }
          expect(isLow(start[i]!) && isHigh(start[i]! - 1)).toBe(false);
          expect(isLow(end[i]!) && isHigh(end[i]! - 1)).toBe(false);
        }
        expect(isWordCode(codes[0] ?? 0x61)).toBe(true);
        expect(isWordCode(codes[length - 1] ?? 0x61)).toBe(true);
        expect(skeletonText).not.toMatch(/[ ,]{2}/);
        // The invariant the engine relies on, for every range of whole words: the original text of its
        // span normalises to exactly that range of the skeleton.
        const wordStarts: number[] = [];
        const wordEnds: number[] = [];
        for (let i = 0; i < length; i++) {
          if (!isWordCode(codes[i]!)) continue;
          if (i === 0 || !isWordCode(codes[i - 1]!)) wordStarts.push(i);
          if (i === length - 1 || !isWordCode(codes[i + 1]!)) wordEnds.push(i + 1);
        }
        for (const from of wordStarts) {
          for (const to of wordEnds) {
            if (to <= from) continue;
            const { start: spanStart, end: spanEnd } = normalised.span(from, to);
            expect(normaliseTerm(text.slice(spanStart, spanEnd))).toBe(skeletonText.slice(from, to));
          }
        }
        // And the skeleton is its own skeleton, once its punctuation gaps are written with a space, unless
        // it joined words (then "0_a", joined to "0a", would read as leetspeak "oa").
        const joins = [...normalised.boundaries.subarray(1, length)].some(
          (flag, at) => (flag & WORD_BOUNDARY) !== 0 && isWordCode(codes[at]!),
        );
        if (!joins) expect(normaliseTerm(skeletonText.replaceAll(',', ', '))).toBe(skeletonText);
      }),
      { numRuns: 3000 },
    );
  });

  it('(c) ordinary English sentences keep their words', () => {
    const vocabulary = (
      'I a the we you am is are was big fan of and to in on it this that school football weekend tomorrow ' +
      "really good kill time Hello London don't it's we're little see all will call book soon"
    ).split(' ');
    const sentence = fc
      .array(fc.constantFrom(...vocabulary), { minLength: 1, maxLength: 20 })
      .filter(
        (words) =>
          !words.some((_, at) => at >= 2 && [0, 1, 2].every((back) => words[at - back]!.length === 1)),
      );
    const punctuation = fc.array(
      fc.constantFrom(' ', ' ', ' ', ', ', '; ', ' - ', '! ', '? ', '. ', ': ', ' (', ') '),
      {
        minLength: 20,
        maxLength: 20,
      },
    );
    fc.assert(
      fc.property(sentence, punctuation, (words, gaps) => {
        const text = words.map((word, at) => (at > 0 ? gaps[at]! : '') + word).join('') + '.';
        expect(skeleton(text).split(/[ ,]/)).toEqual(words.map(normaliseTerm));
      }),
      { numRuns: 1000 },
    );
  });
});
