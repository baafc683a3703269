// The term engine end to end: evasions caught with spans in the original text, whole-word and substring
// terms, the allow-list ("Scunthorpe"), regular-expression rules, and bank selection.
import { describe, expect, it } from 'vitest';
import { TextEngine } from './engine.js';
import type { TextRule } from './engine.js';
import { defaultTextAttributes } from './entries.js';
import type { TextEntryAttributes } from './entries.js';

let nextId = 1;
function rule(
  value: string,
  attributes: Partial<TextEntryAttributes> = {},
  extra: Partial<TextRule> = {},
): TextRule {
  return {
    entryId: nextId++,
    bank: 'standin-terms',
    type: 'term',
    value,
    category: 'harassment',
    attributes: { ...defaultTextAttributes, ...attributes },
    ...extra,
  };
}

const engine = TextEngine.build([
  rule('empty chair', { severity: 4 }),
  rule('kill yourself', { severity: 5 }),
  rule('ass', { match: 'substring', severity: 2 }),
  rule('class', { allow: true, match: 'substring' }),
  rule('assassin', { allow: true, match: 'substring' }),
  rule('buy followers', { severity: 2 }, { category: 'spam', bank: 'standin-spam' }),
  rule('god', { severity: 1 }, { category: 'standin-runs' }),
  rule('b[a-z]{2}\\s+likes\\s+cheap', {}, { type: 'regex', category: 'spam', bank: 'standin-spam' }),
]);

const found = (text: string, banks?: ReadonlySet<string>) =>
  engine.check(text, banks).map((match) => [match.term, text.slice(match.start, match.end)]);

describe('TextEngine', () => {
  it('catches evasions and reports the span as written', () => {
    expect(found('where is the empty chair?')).toEqual([['empty chair', 'empty chair']]);
    expect(found('the E.M.P.T.Y ch4ir')).toEqual([['empty chair', 'E.M.P.T.Y ch4ir']]);
    expect(found('еmptу chаir')).toEqual([['empty chair', 'еmptу chаir']]); // Cyrillic е, у, а
    expect(found('go k1ll y0urs3lf now')).toEqual([['kill yourself', 'k1ll y0urs3lf']]);
    expect(found('emmmpty\u200b chaiiir')).toEqual([['empty chair', 'emmmpty\u200b chaiiir']]);
    expect(found('ＥＭＰＴＹ ＣＨＡＩＲ')).toEqual([['empty chair', 'ＥＭＰＴＹ ＣＨＡＩＲ']]);
  });

  it('keeps whole-word terms to whole words, and substring terms anywhere but inside allowed words', () => {
    expect(found('the emptychair shop')).toEqual([]);
    expect(found('what an ass')).toEqual([['ass', 'ass']]);
    expect(found('a smartass remark')).toEqual([['ass', 'ass']]);
    // Inside an allowed word the substring is not a match ("Scunthorpe").
    expect(found('first class tickets; the assassin fled')).toEqual([]);
    expect(found('a classy bass')).toEqual([['ass', 'ass']]);
  });

  it('tells a squeezed term from a shorter word: the runs must match or be an elongation', () => {
    expect(found('as soon as she has')).toEqual([]);
    expect(found('what an a$$ ... what an asssss')).toEqual([
      ['ass', 'a$$'],
      ['ass', 'asssss'],
    ]);
    expect(found('a good day')).toEqual([]);
    expect(found('oh god, oh goooood')).toEqual([
      ['god', 'god'],
      ['god', 'goooood'],
    ]);
  });

  it('runs regular-expression rules on the text as written with A to Z lower-cased, and keeps to the banks asked for', () => {
    expect(found('BUY likes   CHEAP here')).toEqual([['b[a-z]{2}\\s+likes\\s+cheap', 'BUY likes   CHEAP']]);
    expect(found('buy followers and buy likes cheap', new Set(['standin-terms']))).toEqual([]);
    expect(found('buy followers', new Set(['standin-spam']))).toEqual([['buy followers', 'buy followers']]);
  });

  it('leaves out a stored rule the engine now refuses (a look-ahead, once accepted), and keeps the rest in force', () => {
    const bad = rule('\\bsell(?!ers?\\b)\\w{0,10}', {}, { type: 'regex' });
    const withBad = TextEngine.build([rule('empty chair'), bad]);
    expect(withBad.refused).toEqual([{ rule: bad, reason: expect.stringMatching(/looks ahead/) as unknown }]);
    expect(withBad.check('selling the empty chair').map((match) => match.term)).toEqual(['empty chair']);
  });

  it('runs a rule with nested repeats on RE2: accepted, and answering on the text made to stall it', () => {
    const nested = TextEngine.build([rule('(a+)+$', {}, { type: 'regex' })]);
    expect(nested.refused).toEqual([]);
    expect(nested.check(`${'a'.repeat(100_000 - 1)}!`)).toEqual([]);
    expect(nested.check('A'.repeat(40)).map((match) => [match.start, match.end])).toEqual([[0, 40]]);
  });

  it('reports regular-expression spans in the original text, past astral characters and capitals', () => {
    expect(found('😀😀 BUY likes   Cheap')).toEqual([['b[a-z]{2}\\s+likes\\s+cheap', 'BUY likes   Cheap']]);
    const text = '😀😀 BUY likes   Cheap';
    expect(engine.check(text).map((match) => [match.start, match.end])).toEqual([[5, text.length]]);
  });

  it('finds a substring term where the text doubles its first or last letter, with the span of the term', () => {
    const substring = TextEngine.build([
      rule('ethical', { match: 'substring' }),
      rule('pres', { match: 'substring' }),
    ]);
    const of = (text: string) => substring.check(text).map((match) => [match.term, match.text]);
    expect(of('unethically')).toEqual([['ethical', 'ethical']]);
    expect(of('ＵＮＥＴＨＩＣＡＬＬＹ')).toEqual([['ethical', 'ＥＴＨＩＣＡＬ']]);
    expect(of('impressed, pressing')).toEqual([
      ['pres', 'pres'],
      ['pres', 'pres'],
    ]);
    expect(of('imppresssed')).toEqual([['pres', 'presss']]); // three s: an elongation
  });

  it('tells i from l on real words: "boll" is not "boil", "tales" not "tallies", "excl" not "excite", "call" not "calico"', () => {
    const lists = TextEngine.build([
      rule('boll'),
      rule('tales', { match: 'substring' }),
      rule('excl', { match: 'substring' }),
      rule('call', { match: 'substring' }),
    ]);
    const of = (text: string) => lists.check(text).map((match) => [match.term, match.text]);
    expect(of('boil the tallies, excite the calico BOIL')).toEqual([]);
    // Where 1, ! or | (or a capital I among small letters) stands in, either letter matches.
    expect(of('b0ll bo1l tales ta!es exclude EXCL ca|l caII')).toEqual([
      ['boll', 'b0ll'],
      ['boll', 'bo1l'],
      ['tales', 'tales'],
      ['tales', 'ta!es'],
      ['excl', 'excl'],
      ['excl', 'EXCL'],
      ['call', 'ca|l'],
      ['call', 'caII'],
    ]);
  });

  it('finds words spelled out letter by letter beside other spelled-out words, and phrases spelled out whole', () => {
    const spelled = TextEngine.build([rule('kill'), rule('empty chair')]);
    const of = (text: string) => spelled.check(text).map((match) => [match.term, match.text]);
    expect(of('k.i.l.l h.e.f.t.e.d')).toEqual([['kill', 'k.i.l.l']]);
    expect(of('k i l l h e f t e d')).toEqual([['kill', 'k i l l']]);
    expect(of('we k-i-l-l_h-e-f-t-e-d it')).toEqual([['kill', 'k-i-l-l']]);
    expect(of('e m p t y c h a i r')).toEqual([['empty chair', 'e m p t y c h a i r']]);
    expect(of('e.m.p.t.y.c.h.a.i.r')).toEqual([['empty chair', 'e.m.p.t.y.c.h.a.i.r']]);
    expect(of('e.m.p.t.y c.h.a.i.r')).toEqual([['empty chair', 'e.m.p.t.y c.h.a.i.r']]);
    // Written as one word, a phrase is another word.
    expect(of('emptychair')).toEqual([]);
  });

  it('finds a one-word term split in two by a hyphen or another separator', () => {
    const split = TextEngine.build([rule('kill'), rule('empty chair')]);
    const of = (text: string) => split.check(text).map((match) => [match.term, match.text]);
    for (const text of ['ki-ll', 'kil.l', 'k_ill', 'ki*ll', 'kil/l'])
      expect(of(`go ${text} it`)).toEqual([['kill', text]]);
    expect(of('empty-chair')).toEqual([['empty chair', 'empty-chair']]);
    // A join is a word boundary too: "well-being" holds the word "well".
    expect(TextEngine.build([rule('well')]).check('well-being')).toHaveLength(1);
  });

  it('does not match a phrase across punctuation', () => {
    const phrase = TextEngine.build([rule('dressers eliding')]);
    expect(phrase.check('the dressers, eliding')).toEqual([]);
    expect(phrase.check('the dressers. Eliding')).toEqual([]);
    expect(phrase.check('the dressers  eliding').map((match) => match.text)).toEqual(['dressers  eliding']);
  });

  it('says nothing about ordinary text', () => {
    expect(found('The committee will meet on Tuesday to discuss the chair of the empty room.')).toEqual([]);
  });
});
