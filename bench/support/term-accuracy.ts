// Recall and precision of the term engine against an exact reference: GNU grep -F -i (with -w for
// whole-word terms) run term by term on a plain corpus of dictionary words says which (line, term) pairs
// are true; the engine then checks the same lines disguised by one evasion class at a time (look-alikes,
// leetspeak, separated letters, …), and each pair it reports is a true or a false hit. The plain class is
// the text as written: there recall must be 100%, and precision says what normalisation costs on real
// vocabulary. The false-positive rate on the benign corpus (test/support/benign-corpus.ts) comes last.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TextEngine } from '../../src/text/index.js';
import type { TermMatchMode } from '../../src/text/index.js';
// The test support door also loads vitest, which a bench cannot; the corpus module is plain data.
// eslint-disable-next-line no-restricted-imports
import { benignCorpus, standInRules, standInTermList } from '../../test/support/benign-corpus.js';
import { Random, VOCABULARY } from './prose.js';
import { printTable } from '../table.js';
import type { Cell } from '../table.js';

const dictionaryPath = '/usr/share/dict/words';

/** The named cases, always among the terms and, through their words, in the corpus. */
const namedSubstringTerms = ['ethical', 'pres', 'excl', 'tales', 'call'];
const namedWordTerms = ['boll', 'tales', 'call'];
const namedWords = ['unethically', 'impressed', 'excite', 'tallies', 'calico', 'boil', 'press', 'ethically'];

/** Lowercase words of 3–12 letters: Debian's wamerican when installed, else the prose bench's vocabulary. */
function dictionary(): { words: string[]; source: string } {
  if (existsSync(dictionaryPath)) {
    const words = readFileSync(dictionaryPath, 'utf8')
      .split('\n')
      .filter((word) => /^[a-z]{3,12}$/.test(word));
    return { words: [...new Set(words)], source: `${dictionaryPath} (${words.length} words)` };
  }
  const words = VOCABULARY.filter((word) => /^[a-z]{3,12}$/.test(word));
  return {
    words,
    source:
      `${dictionaryPath} is missing (apt-get install wamerican), so the prose bench's ` +
      `${words.length} words`,
  };
}

type Evasion = (words: readonly string[], random: Random) => string;

const cyrillic: Record<string, string> = { a: 'а', c: 'с', e: 'е', i: 'і', o: 'о', p: 'р', x: 'х', y: 'у' };
const leet: Record<string, string> = { a: '4', e: '3', i: '1', l: '1', o: '0', s: '5', t: '7' };
const invisibles = ['\u200b', '\u200c', '\u00ad', '\u2060'];

const eachLetter =
  (change: (letter: string, random: Random, index: number) => string): Evasion =>
  (words, random) =>
    words.map((word) => [...word].map((letter, index) => change(letter, random, index)).join('')).join(' ');

/** Evasion classes: each rewrites a whole line of plain words. */
const evasions: [string, Evasion][] = [
  ['as written', (words) => words.join(' ')],
  ['capitals', (words) => words.join(' ').toUpperCase()],
  ['look-alikes (Cyrillic)', eachLetter((l, r) => (r.below(2) === 0 ? (cyrillic[l] ?? l) : l))],
  ['leetspeak', eachLetter((l, r, i) => (i > 0 && r.below(2) === 0 ? (leet[l] ?? l) : l))],
  [
    'diacritics',
    eachLetter((l, r) => ('aeiou'.includes(l) && r.below(2) === 0 ? `${l}\u0301`.normalize('NFC') : l)),
  ],
  [
    'invisible characters',
    eachLetter((l, r, i) => (i > 0 && r.below(3) === 0 ? invisibles[r.below(4)]! : '') + l),
  ],
  [
    'elongation',
    (words, random) =>
      words
        .map((word) => {
          const at = random.below(word.length);
          return word.slice(0, at) + word[at]!.repeat(3 + random.below(3)) + word.slice(at + 1);
        })
        .join(' '),
  ],
  ['separated letters (k.i.l.l h.e.f.t.e.d)', (words) => words.map((word) => [...word].join('.')).join(' ')],
  ['separated letters (k i l l h e f t e d)', (words) => words.map((word) => [...word].join(' ')).join(' ')],
  [
    'split words (ki-ll)',
    (words, random) =>
      words
        .map((word) => {
          if (word.length < 4) return word;
          const at = 1 + random.below(word.length - 1);
          return word.slice(0, at) + '-._'[random.below(3)]! + word.slice(at);
        })
        .join(' '),
  ],
];

/** (line, term) pairs grep finds: one grep per term, as -o reports only the leftmost-longest of overlaps. */
function grepPairs(
  folder: string,
  terms: readonly string[],
  corpusFile: string,
  mode: TermMatchMode,
): Set<string> {
  const termFile = join(folder, `terms-${mode}.txt`);
  writeFileSync(termFile, terms.join('\n') + '\n');
  const child = spawnSync(
    'sh',
    [
      '-c',
      `while IFS= read -r t; do printf '#%s\\n' "$t"; grep -F -i -n ${mode === 'word' ? '-w' : ''} -e "$t" "$2" || true; done < "$1"`,
      'sh',
      termFile,
      corpusFile,
    ],
    { env: { ...process.env, LC_ALL: 'C' }, encoding: 'utf8', maxBuffer: 1 << 28 },
  );
  if (child.error !== undefined || child.status !== 0) {
    throw new Error(`grep failed: ${child.error?.message ?? child.stderr}`);
  }
  const pairs = new Set<string>();
  let term = '';
  for (const line of child.stdout.split('\n')) {
    if (line.startsWith('#')) term = line.slice(1);
    else if (line !== '') pairs.add(`${line.slice(0, line.indexOf(':'))}\t${term}`);
  }
  return pairs;
}

function engineOf(terms: readonly string[], match: TermMatchMode): TextEngine {
  return TextEngine.build(
    terms.map((value, index) => ({
      entryId: index + 1,
      bank: 'dictionary',
      type: 'term',
      value,
      category: 'standin-terms',
      attributes: { severity: 3, language: '', match, allow: false },
    })),
  );
}

function enginePairs(engine: TextEngine, lines: readonly string[]): Set<string> {
  const pairs = new Set<string>();
  lines.forEach((line, index) => {
    for (const match of engine.check(line)) pairs.add(`${index + 1}\t${match.term}`);
  });
  return pairs;
}

interface Score {
  recall: number;
  precision: number;
  falseHits: number;
}

function score(truth: ReadonlySet<string>, found: ReadonlySet<string>): Score {
  let hits = 0;
  for (const pair of found) if (truth.has(pair)) hits++;
  return {
    recall: hits / truth.size,
    precision: found.size === 0 ? 1 : hits / found.size,
    falseHits: found.size - hits,
  };
}

const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;

/** Prints recall and precision per evasion class and mode, then the benign corpus's false-positive rate. */
export function measureTermAccuracy(folder: string, lineCount: number): void {
  const { words, source } = dictionary();
  const random = new Random(11);
  const pick = (): string => words[random.below(words.length)]!;
  const known = new Set(words);
  const wordTerms = new Set(namedWordTerms);
  while (wordTerms.size < 600) wordTerms.add(pick());
  const phrases: string[] = [];
  while (phrases.length < 150) phrases.push(`${pick()} ${pick()}`);
  const substringTerms = new Set(namedSubstringTerms);
  while (substringTerms.size < 600) {
    const word = pick();
    if (word.length >= 4 && word.length <= 8) substringTerms.add(word);
  }
  const singles = [...wordTerms];
  const lines: string[][] = [];
  for (let index = 0; index < lineCount; index++) {
    const line: string[] = [];
    while (line.length < 6) {
      const roll = random.below(100);
      if (roll < 12) line.push(singles[random.below(singles.length)]!);
      else if (roll < 16) line.push(...phrases[random.below(phrases.length)]!.split(' '));
      else if (roll < 18) line.push(namedWords.filter((word) => known.has(word))[random.below(8)] ?? pick());
      else line.push(pick());
    }
    lines.push(line);
  }
  const corpusFile = join(folder, 'dictionary-lines.txt');
  writeFileSync(corpusFile, lines.map((line) => line.join(' ')).join('\n') + '\n');
  const word = [...singles, ...phrases];
  const substring = [...substringTerms];
  const truth = {
    word: grepPairs(folder, word, corpusFile, 'word'),
    substring: grepPairs(folder, substring, corpusFile, 'substring'),
  };
  const engines = { word: engineOf(word, 'word'), substring: engineOf(substring, 'substring') };
  const rows: Cell[][] = evasions.map(([name, evade]) => {
    const disguised = lines.map((line, index) => evade(line, new Random(1000 + index)));
    const cells: Cell[] = [name];
    for (const mode of ['word', 'substring'] as const) {
      const result = score(truth[mode], enginePairs(engines[mode], disguised));
      cells.push(percent(result.recall), percent(result.precision), result.falseHits);
    }
    return cells;
  });
  printTable(
    `Term matching against grep -F -i (-w for word terms): ${lineCount.toLocaleString('en-GB')} lines of six ` +
      `dictionary words from ${source}; ${word.length} word terms (${phrases.length} of them two-word phrases), ` +
      `${truth.word.size.toLocaleString('en-GB')} true (line, term) pairs; ${substring.length} substring terms, ` +
      `${truth.substring.size.toLocaleString('en-GB')} true pairs`,
    [
      'text',
      'word recall',
      'word precision',
      'word false hits',
      'substring recall',
      'substring precision',
      'substring false hits',
    ],
    rows,
  );

  const list = standInTermList();
  const standIn = TextEngine.build(standInRules(list));
  const sentences = benignCorpus(2_000_000, 5).split(/(?<=[.!?"])\s+/);
  let wholeWordHits = 0;
  let substringHits = 0;
  for (const sentence of sentences) {
    const matches = standIn.check(sentence);
    if (matches.some((match) => match.type === 'regex' || list[match.entry_id - 1]?.match === 'word'))
      wholeWordHits++;
    if (matches.some((match) => list[match.entry_id - 1]?.match === 'substring')) substringHits++;
  }
  printTable(
    `False positives on the benign corpus: ${sentences.length.toLocaleString('en-GB')} sentences (2 MB) that hold ` +
      `no term of the ${list.length}-entry stand-in list as a whole word`,
    ['matches of', 'sentences', 'rate'],
    [
      ['whole-word terms and rules', wholeWordHits, percent(wholeWordHits / sentences.length)],
      ['substring terms (inside longer words)', substringHits, percent(substringHits / sentences.length)],
    ],
  );
}
