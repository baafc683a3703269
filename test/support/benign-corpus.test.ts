import { describe, expect, it } from 'vitest';
import { formatTermList, parseTermList } from '../../src/text/index.js';
import { benignCorpus, standInTermList, wholeWords, wordsOf } from './benign-corpus.js';

describe('benignCorpus', () => {
  const corpus = benignCorpus(1_000_000);

  it('is the same text for the same seed, and another for another seed', () => {
    expect(benignCorpus(50_000, 7)).toBe(benignCorpus(50_000, 7));
    expect(benignCorpus(50_000, 8)).not.toBe(benignCorpus(50_000, 7));
    expect(corpus.startsWith(benignCorpus(50_000))).toBe(true);
  });

  it('fills the size asked, to within one sentence, in several megabytes', () => {
    for (const bytes of [200, 10_000, 1_000_000]) {
      const size = Buffer.byteLength(bytes === 1_000_000 ? corpus : benignCorpus(bytes));
      expect(size).toBeLessThanOrEqual(bytes);
      expect(size).toBeGreaterThan(bytes - 400);
    }
    const large = benignCorpus(4_000_000, 3);
    expect(Buffer.byteLength(large)).toBeGreaterThan(3_999_000);
  });

  it('reads as prose: paragraphs of sentences, a varied vocabulary, every topic', () => {
    const paragraphs = corpus.split('\n\n');
    expect(paragraphs.length).toBeGreaterThan(1000);
    for (const paragraph of paragraphs.slice(0, 50)) expect(paragraph).toMatch(/^["A-Z0-9].*[.!?"]$/su);
    expect(new Set(wordsOf(corpus)).size).toBeGreaterThan(2000);
    for (const sign of [
      'preheat the oven',
      'degrees',
      'wickets',
      'forecast',
      'professor of',
      'said',
      'council',
    ]) {
      expect(corpus.toLowerCase()).toContain(sign);
    }
  });

  it('contains the ordinary words that trip substring matching', () => {
    const present = new Set(wordsOf(corpus));
    for (const word of [
      'scunthorpe',
      'assassin',
      'class',
      'grape',
      'therapist',
      'cocktail',
      'analysis',
      'sussex',
      'essex',
      'dickens',
      'shiitake',
      'penistone',
      'hello',
      'document',
      'skill',
      'title',
      'circumstances',
      'passage',
    ]) {
      expect(present, word).toContain(word);
    }
  });

  it('never contains a term of the list as a whole word, nor text its regular expressions match', () => {
    const terms = standInTermList().filter((entry) => !entry.allow);
    expect(corpus.match(wholeWords(terms.filter((entry) => !entry.regex).map((entry) => entry.term)))).toBe(
      null,
    );
    for (const entry of terms.filter((item) => item.regex)) {
      expect(corpus.match(new RegExp(entry.term, 'iu')), entry.term).toBe(null);
    }
    // ... while the short terms are all over it inside longer words: the false positives to measure.
    const lower = corpus.toLowerCase();
    for (const inside of [
      'ass',
      'hell',
      'cum',
      'tit',
      'cock',
      'rape',
      'anal',
      'sex',
      'shit',
      'dick',
      'kill',
    ]) {
      expect(lower, inside).toContain(inside);
    }
  });

  it('leaves out sentences with terms of any list given', () => {
    const text = benignCorpus(50_000, 1, [
      {
        term: 'the',
        category: 'other',
        severity: 1,
        language: '',
        match: 'word',
        allow: false,
        regex: false,
        note: '',
      },
    ]);
    expect(wordsOf(text)).not.toContain('the');
    expect(text.length).toBeGreaterThan(49_000);
  });
});

describe('standInTermList', () => {
  const list = standInTermList();

  it('is a valid term list of 150 to 300 stand-in entries that round-trips as CSV', () => {
    expect(list.length).toBeGreaterThanOrEqual(150);
    expect(list.length).toBeLessThanOrEqual(300);
    for (const entry of list) expect(entry.note).toMatch(/stand-in/i);
    const parsed = parseTermList(formatTermList(list));
    expect(parsed.errors).toEqual([]);
    expect(parsed.entries.map(({ line: _line, ...entry }) => entry)).toEqual(list);
  });

  it('mixes word and substring terms, allow-list entries and regular expressions', () => {
    const count = (test: (entry: (typeof list)[number]) => boolean) => list.filter(test).length;
    expect(count((entry) => !entry.allow && !entry.regex && entry.match === 'word')).toBeGreaterThan(50);
    expect(count((entry) => !entry.allow && entry.match === 'substring')).toBeGreaterThan(20);
    expect(count((entry) => entry.allow)).toBeGreaterThan(50);
    expect(count((entry) => entry.regex)).toBeGreaterThanOrEqual(3);
    expect(new Set(list.map((entry) => entry.category))).toEqual(
      new Set(['harassment', 'profanity', 'spam', 'other']),
    );
    for (const allowed of ['class', 'assassin', 'Scunthorpe', 'Penistone', 'cocktail', 'therapist']) {
      expect(
        list.some((entry) => entry.allow && entry.term === allowed),
        allowed,
      ).toBe(true);
    }
  });
});
