import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultSeverity, formatTermList, parseTermList } from './term-list.js';
import type { TermEntry } from './term-list.js';

const entry = (fields: Partial<TermEntry> & Pick<TermEntry, 'term' | 'line'>): TermEntry => ({
  category: 'harassment',
  severity: defaultSeverity,
  language: '',
  match: 'word',
  allow: false,
  regex: false,
  note: '',
  ...fields,
});

function errorsOf(csv: string): string[] {
  const parsed = parseTermList(csv);
  expect(parsed.entries).toEqual([]);
  return parsed.errors.map((error) => `${error.line}: ${error.message}`);
}

describe('parseTermList', () => {
  it('reads the two required columns and fills in the defaults', () => {
    expect(parseTermList('term,category\nkill yourself,harassment\nbuy followers cheap,spam\n')).toEqual({
      entries: [
        entry({ term: 'kill yourself', line: 2 }),
        entry({ term: 'buy followers cheap', category: 'spam', line: 3 }),
      ],
      errors: [],
      errorCount: 0,
    });
  });

  it('reads every column, in any order, with header names in any case and spacing', () => {
    const csv = [
      ' Note ,TERM,Category, match ,Allow,Severity,Language,REGEX',
      'stand-in,Scunthorpe,other,substring,yes,1,EN-gb,no',
      '"stand-in, with a comma",\\bbuy\\s+\\w+\\s+online\\b,spam,,0,4,,TRUE',
    ].join('\n');
    expect(parseTermList(csv).entries).toEqual([
      entry({
        term: 'Scunthorpe',
        category: 'other',
        match: 'substring',
        allow: true,
        severity: 1,
        language: 'en-GB',
        note: 'stand-in',
        line: 2,
      }),
      entry({
        term: '\\bbuy\\s+\\w+\\s+online\\b',
        category: 'spam',
        severity: 4,
        regex: true,
        note: 'stand-in, with a comma',
        line: 3,
      }),
    ]);
  });

  it('accepts a byte-order mark and Windows line ends, and counts lines as an editor does', () => {
    const csv =
      '\uFEFFterm,category,note\r\n\r\nass,other,"two\r\nlines"\r\n\r\n  \r\nclass,other,\r\n,,\r\nhello,other,x';
    const { entries } = parseTermList(csv);
    expect(entries.map((item) => [item.term, item.line, item.note])).toEqual([
      ['ass', 3, 'two\nlines'],
      ['class', 7, ''],
      ['hello', 9, 'x'],
    ]);
  });

  it('reports every bad row with its line, and returns no entries at all', () => {
    const csv = [
      'term,category,severity,language,match,allow,regex',
      'fine,harassment,,,,,',
      ',harassment,,,,,',
      'x,Harassment,,,,,',
      'x,spam,9,,,,',
      'x,spam,severe,,,,',
      'x,spam,,english_uk,,,',
      'x,spam,,,exact,,',
      'x,spam,,,,maybe,',
      '(a)\\1,spam,,,,,1',
      'class,spam,,,,yes,yes',
      `${'y'.repeat(201)},spam,,,,,`,
      'too,many,fields,,,,,,',
    ].join('\n');
    expect(errorsOf(csv)).toEqual([
      '3: the term is empty',
      '4: the category "Harassment" is not a lowercase word such as harassment, spam or other (letters, digits, "_" or "-", up to 32 characters)',
      '5: the severity "9" is neither a whole number from 1 (low) to 5 (critical) nor one of low, medium, high, critical',
      '6: the severity "severe" is neither a whole number from 1 (low) to 5 (critical) nor one of low, medium, high, critical',
      '7: the language "english_uk" is not a BCP 47 tag such as en, de or pt-BR (leave it empty for any language)',
      '8: the match mode "exact" is neither word (whole words only) nor substring (anywhere)',
      '9: allow is "maybe"; write true or false (yes/no and 1/0 also do)',
      '10: the regular expression is refused: The pattern "(a)\\1" refers back to an earlier group ("\\1"); rules run on a linear-time engine (RE2), which cannot match back-references. Write out the text to match, or list its forms as alternatives, for example (?:aa|bb) instead of (a|b)\\1.',
      '11: an allow-list entry is a term, not a regular expression; set regex or allow to false',
      '12: the term is 201 characters long; the limit is 200',
      '13: expected 7 fields as in the header, found 9',
    ]);
  });

  it('reads severities written as words: low 1, medium 2, high 4, critical 5, in any case', () => {
    const csv = [
      'term,category,severity',
      'a,spam,low',
      'b,spam,Medium',
      'c,spam,HIGH',
      'd,spam,critical',
      'e,spam,3',
    ].join('\n');
    expect(parseTermList(csv).entries.map((entry) => entry.severity)).toEqual([1, 2, 4, 5, 3]);
  });

  it('accepts booleans as true/false, yes/no or 1/0 in any case, and an empty cell as false', () => {
    const rows = ['TRUE', 'Yes', '1', 'false', 'NO', '0', ''].map(
      (value, index) => `t${index},other,${value}`,
    );
    const { entries } = parseTermList(['term,category,allow', ...rows].join('\n'));
    expect(entries.map((item) => item.allow)).toEqual([true, true, true, false, false, false, false]);
  });

  it('allows a regular expression up to 500 characters, a term up to 200', () => {
    const long = `\\b${'ab'.repeat(240)}\\b`;
    expect(parseTermList(`term,category,regex\n${long},spam,true\n`).entries).toHaveLength(1);
    expect(errorsOf(`term,category,regex\n${'a'.repeat(501)},spam,true\n`)).toEqual([
      '2: the regular expression is 501 characters long; the limit is 500',
    ]);
  });

  it('refuses a term that spans lines or holds control characters', () => {
    expect(errorsOf('term,category\n"kill\nyourself",harassment\nx\tz,spam\n')).toEqual([
      '2: the term "kill\\u000ayourself" contains a line break or another control character; write it on one line',
      '4: the term "x\\u0009z" contains a line break or another control character; write it on one line',
    ]);
  });

  it('drops a row repeated word for word, and refuses one that contradicts an earlier row', () => {
    const same = parseTermList('term,category\nass,other\nass,other\n');
    expect(same.entries).toEqual([entry({ term: 'ass', category: 'other', line: 2 })]);
    expect(errorsOf('term,category,allow\nclass,other,yes\nfine,spam,\nClass,other,no\n')).toEqual([
      '4: the term "Class" is already on line 2 (as "class") with different settings; keep one row for it',
    ]);
    // A regular expression and a term of the same text are different entries.
    expect(parseTermList('term,category,regex\nbuy,spam,no\nbuy,spam,yes\n').entries).toHaveLength(2);
  });

  it('refuses an unknown column, naming the known ones, so that a misspelt column is not ignored', () => {
    expect(errorsOf('term,category,sevrity\nx,spam,5\n')).toEqual([
      '1: unknown column "sevrity" in the header (known columns: term, category, severity, language, match, allow, regex, note)',
    ]);
    expect(errorsOf('term,category,\nx,spam,\n')).toEqual([
      '1: unknown column (an empty name) in the header (known columns: term, category, severity, language, match, allow, regex, note)',
    ]);
    expect(errorsOf('term,category,Term\nx,spam,y\n')).toEqual([
      '1: the column term appears twice in the header',
    ]);
  });

  it('asks for a header when the first line is not one', () => {
    expect(errorsOf('kill yourself,harassment\n')).toEqual([
      '1: the first line must be a header naming at least the columns term and category (known columns: term, category, severity, language, match, allow, regex, note); found "kill yourself,harassment"',
    ]);
    expect(errorsOf('')).toEqual([
      '1: the file is empty; expected a header naming the columns term, category, severity, language, match, allow, regex, note (term and category required)',
    ]);
    expect(parseTermList('term,category\n')).toEqual({ entries: [], errors: [], errorCount: 0 });
  });

  it('reports malformed CSV at the row where it starts, after the errors of earlier rows', () => {
    expect(errorsOf('term,category\nok,spam\n,spam\n"never closed,spam\nmore,spam\n')).toEqual([
      '3: the term is empty',
      '4: a quoted field that starts in this row is never closed: add the missing " (a quote inside a quoted field is written twice: "")',
    ]);
    expect(errorsOf('term,category\nok,spam\n"quoted" then more,spam\n')).toEqual([
      '3: a quoted field is followed by more text before the next comma: quote the whole field, and write a quote inside it twice ("")',
    ]);
    // A quote inside an unquoted field is taken as it is.
    expect(parseTermList('term,category\n5" blade,other\n').entries[0]?.term).toBe('5" blade');
  });

  it('lists the first 100 errors and counts them all', () => {
    const csv = ['term,category', ...Array.from({ length: 150 }, (_, index) => `t${index},Bad`)].join('\n');
    const parsed = parseTermList(csv);
    expect(parsed.entries).toEqual([]);
    expect(parsed.errors).toHaveLength(100);
    expect(parsed.errorCount).toBe(150);
    expect(parsed.errors[99]?.line).toBe(101);
  });

  it('normalises terms to NFC and trims them, as a text bank stores them', () => {
    const decomposed = 'cafe\u0301';
    const { entries } = parseTermList(`term,category\n"  ${decomposed} ",other\n`);
    expect(entries[0]?.term).toBe('caf\u00e9');
  });
});

describe('formatTermList', () => {
  it('writes a header and quotes what needs quoting', () => {
    const text = formatTermList([
      { ...entry({ term: 'say "hi", then', line: 0 }), note: 'two\nlines' },
      { ...entry({ term: '\\bbuy\\b', line: 0 }), regex: true, severity: 5, language: 'pt-BR' },
    ]);
    expect(text).toBe(
      'term,category,severity,language,match,allow,regex,note\n' +
        '"say ""hi"", then",harassment,3,,word,false,false,"two\nlines"\n' +
        '\\bbuy\\b,harassment,5,pt-BR,word,false,true,\n',
    );
  });

  it('round-trips through parseTermList, awkward terms and notes included', () => {
    const awkward = fc.constantFrom(
      '"',
      ',',
      ';',
      ' ',
      "'",
      '#',
      '=',
      '\\',
      'é',
      'ß',
      '😀',
      'a',
      'Z',
      '1',
      '\u00a0',
    );
    const text = (maxLength: number) =>
      fc
        .array(awkward, { minLength: 1, maxLength })
        .map((chars) => chars.join('').normalize('NFC').trim())
        .filter((value) => value !== '');
    const item = fc.record({
      term: text(40),
      category: fc.constantFrom('harassment', 'spam', 'other', 'self-harm', 'x_1'),
      severity: fc.integer({ min: 1, max: 5 }),
      language: fc.constantFrom('', 'en', 'pt-BR', 'zh-Hant-TW', 'de'),
      match: fc.constantFrom('word' as const, 'substring' as const),
      allow: fc.boolean(),
      regex: fc.constant(false),
      note: fc.oneof(fc.constant(''), text(60), fc.constant('first line\nsecond, "quoted" line')),
    });
    const regexRow = fc.record({
      term: fc.constantFrom('\\bbuy\\s+\\w+\\s+online\\b', '[a-z]{3}\\d{4}', '\\bfree\\s+(?:likes|views)\\b'),
      category: fc.constant('spam'),
      severity: fc.integer({ min: 1, max: 5 }),
      language: fc.constant(''),
      match: fc.constant('word' as const),
      allow: fc.constant(false),
      regex: fc.constant(true),
      note: fc.constant('a rule'),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.oneof({ weight: 5, arbitrary: item }, { weight: 1, arbitrary: regexRow }), {
          maxLength: 12,
          selector: (value) =>
            `${String(value.regex)}:${value.regex ? value.term : value.term.toLowerCase()}`,
        }),
        (entries) => {
          const parsed = parseTermList(formatTermList(entries));
          expect(parsed.errors).toEqual([]);
          expect(parsed.entries.map(({ line: _line, ...rest }) => rest)).toEqual(entries);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('neutralises spreadsheet formulas in every text cell, and reads each back exactly as it was', () => {
    const lead = fc.constantFrom('=', '+', '-', '@', "'", "''", '\t', ' ', '');
    // Any note a text bank accepts: no control characters but tab and line feed, at most 1,000 characters.
    const note = fc
      .tuple(lead, fc.string({ unit: 'grapheme', maxLength: 40 }), fc.constantFrom('', ' ', '\t', '\n'))
      .map((parts) => parts.join(''))
      // eslint-disable-next-line no-control-regex
      .filter((value) => !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(value));
    const term = fc
      .tuple(
        fc.constantFrom('=', '+', '-', '@', "'", ''),
        fc.constantFrom('cmd|calc', 'sum(a1)', 'x', "'tis"),
      )
      .map(([first, rest]) => first + rest);
    fc.assert(
      fc.property(term, note, (written, noted) => {
        const entries = [{ ...entry({ term: written, line: 0 }), note: noted }].map(
          ({ line: _line, ...rest }) => rest,
        );
        const csv = formatTermList(entries);
        const cells = parse(csv, { trim: true });
        for (const cell of cells.flat()) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
        const parsed = parseTermList(csv);
        expect(parsed.errors).toEqual([]);
        expect(parsed.entries.map(({ line: _line, ...rest }) => rest)).toEqual(entries);
      }),
      { numRuns: 500 },
    );
  });
});
