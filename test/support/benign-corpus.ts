// Benign text for measuring how often a term list fires on ordinary writing: benignCorpus() generates
// megabytes of everyday English (news, recipes, sport, weather, science, conversation) from a seed, and
// standInTermList() is a realistic-looking list to run over it. The list holds NO real abuse-seeking or
// CSAM terms and nothing sexual about minors: mild insults, threat-style phrases, spam phrases, common
// profanity and the short words that substring matching trips over ("ass" in "class"), with allow-list
// entries for the ordinary words and places that contain them (Scunthorpe, assassin, Penistone).
//
// By construction the corpus never contains a term of the list as a whole word (compared as written,
// ignoring case) nor text one of its regular expressions matches: a sentence that would is dropped. So
// every match a term engine reports on the corpus is a false positive, whether it comes from substring
// matching inside a longer word ("cocktail") or from normalisation making two words alike ("as" and
// "ass" once doubled letters are squeezed). The comparison deliberately does not use Warden's own
// normaliser, so that the corpus can measure it.
import type { TermEntry, TextRule } from '../../src/text/index.js';
import * as vocabulary from './benign-words.js';

export type StandInTerm = Omit<TermEntry, 'line'>;

/**
 * About `bytes` bytes (UTF-8) of prose: whole sentences in paragraphs separated by blank lines, never
 * more than `bytes` and short of it by less than one sentence. The same bytes and seed give the same
 * text. Sentences containing a term of `avoid` as a whole word, or matched by one of its regular
 * expressions, are left out.
 */
export function benignCorpus(
  bytes: number,
  seed = 1,
  avoid: readonly StandInTerm[] = standInTermList(),
): string {
  const random = seededRandom(seed);
  const filter = new TermFilter(avoid);
  const out: string[] = [];
  let used = 0;
  let refused = 0;
  for (;;) {
    const topic = pick(random, topics);
    const length = 3 + Math.floor(random() * 5);
    for (let count = 0; count < length;) {
      const template = random() < 0.8 ? pick(random, topic) : pick(random, everyday);
      const sentence = fill(template, random);
      if (!filter.allows(sentence)) {
        // A list that ruled out nearly every sentence would otherwise never finish.
        if ((refused += 1) > 1_000_000)
          throw new Error('benignCorpus: the terms to avoid rule out nearly everything');
        continue;
      }
      const separator = count > 0 ? ' ' : out.length > 0 ? '\n\n' : '';
      const size = separator.length + Buffer.byteLength(sentence);
      if (used + size > bytes) return out.join('');
      out.push(separator, sentence);
      used += size;
      count += 1;
    }
  }
}

/** The entries of a term list as the term engine takes them, entry ids counting from 1. */
export function standInRules(list: readonly StandInTerm[]): TextRule[] {
  return list.map((entry, index) => ({
    entryId: index + 1,
    bank: 'standin-terms',
    type: entry.regex ? 'regex' : 'term',
    value: entry.term,
    category: entry.category,
    attributes: {
      severity: entry.severity,
      language: entry.language,
      match: entry.match,
      allow: entry.allow,
    },
  }));
}

/** Small, fast, good enough for test data (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, list: readonly T[]): T {
  const item = list[Math.floor(random() * list.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

const slots: Record<string, (random: () => number) => string> = {
  name: (random) =>
    random() < 0.6
      ? `${pick(random, vocabulary.firstNames)} ${pick(random, vocabulary.surnames)}`
      : pick(random, vocabulary.firstNames),
  first: (random) => pick(random, vocabulary.firstNames),
  surname: (random) => pick(random, vocabulary.surnames),
  place: (random) => pick(random, vocabulary.places),
  team: (random) => pick(random, vocabulary.sportsTeams),
  sport: (random) => pick(random, vocabulary.sports),
  sportNoun: (random) => pick(random, vocabulary.sportNouns),
  food: (random) => pick(random, vocabulary.foods),
  dish: (random) => pick(random, vocabulary.dishes),
  cook: (random) => pick(random, vocabulary.cookingVerbs),
  measure: (random) => pick(random, vocabulary.measures),
  texture: (random) => pick(random, vocabulary.textures),
  weather: (random) => pick(random, vocabulary.weatherNouns),
  science: (random) => pick(random, vocabulary.scienceNouns),
  field: (random) => pick(random, vocabulary.fields),
  org: (random) => pick(random, vocabulary.organisations),
  role: (random) => pick(random, vocabulary.roles),
  noun: (random) => pick(random, vocabulary.nouns),
  adj: (random) => pick(random, vocabulary.adjectives),
  adv: (random) => pick(random, vocabulary.adverbs),
  past: (random) => pick(random, vocabulary.pastVerbs),
  base: (random) => pick(random, vocabulary.baseVerbs),
  day: (random) => pick(random, vocabulary.days),
  month: (random) => pick(random, vocabulary.months),
  greeting: (random) => pick(random, vocabulary.greetings),
  reply: (random) => pick(random, vocabulary.replies),
  small: (random) => String(2 + Math.floor(random() * 9)),
  number: (random) => String(3 + Math.floor(random() * 97)),
  big: (random) => (1000 + Math.floor(random() * 49000)).toLocaleString('en-GB'),
  year: (random) => String(1950 + Math.floor(random() * 76)),
  percent: (random) => String(5 + Math.floor(random() * 90)),
  temp: (random) => String(-4 + Math.floor(random() * 36)),
  oven: (random) => String(160 + 10 * Math.floor(random() * 7)),
  minutes: (random) => String(5 + 5 * Math.floor(random() * 12)),
  time: (random) => `${1 + Math.floor(random() * 12)}.${pick(random, ['00', '15', '30', '45'])}`,
  score: (random) => {
    const losing = Math.floor(random() * 3);
    return `${losing + 1 + Math.floor(random() * 3)}-${losing}`;
  },
  runs: (random) => String(80 + Math.floor(random() * 370)),
};

/** Replaces each {slot} (a digit after the name makes a second, independent draw: {place2}). */
function fill(template: string, random: () => number): string {
  const text = template.replace(/\{([a-zA-Z]+)\d?\}/g, (_, slot: string) => {
    const draw = slots[slot];
    if (draw === undefined) throw new Error(`unknown slot {${slot}}`);
    return draw(random);
  });
  // "a apple" → "an apple": close enough to English for test text.
  const articled = text.replace(/\b([Aa]) (?=[aeiou])/g, '$1n ');
  return articled.charAt(0).toUpperCase() + articled.slice(1);
}

const news = [
  '{org} {past} a new {noun} for {place} on {day}.',
  'Residents of {place} {past} the {adj} {noun} at a meeting on {day} evening.',
  'A spokesperson for {org} said the {noun} would be {adv} {past} by {month}.',
  '{name}, who has lived in {place} for {number} years, {past} the {noun} in {year}.',
  'Work on the {adj} {noun} near {place} is expected to cost about £{big}.',
  'Officials in {place} said {percent} per cent of households {past} the {noun} last year.',
  'The {adj} {noun} at {place} {past} {big} visitors in {month}.',
  'In a statement, {name} {past} the decision and {past} the {noun2}.',
  'Plans for a {adj} {noun} in {place} were {past} by {org} on {day}.',
  'The annual {noun} festival returns to {place} in {month}, with {number} stalls and a {adj} {noun2}.',
  'Drivers between {place} and {place2} were warned about a {adj} {noun} on {day} morning.',
  'A petition about the {noun} in {place} has gathered {big} signatures.',
  'The {role} told the committee that the {noun} was in {adj} condition.',
  '{org} will hold a public consultation on the {noun} in {month}.',
  'Under the circumstances, the council {past} to delay the {noun} until {year}.',
  'The museum in {place} has opened an exhibition on the history of the {noun}.',
  'Trains from {place} to {place2} were cancelled after {weather} damaged the line.',
  'A document {past} by {org} shows the {noun} cost {percent} per cent more than planned.',
  'The ambassador visited {place} to open the {adj} {noun}.',
];

const recipes = [
  '{cook} the {food} and {cook2} it with {measure} {food2}.',
  'Preheat the oven to {oven} degrees and {cook} the {food} for {minutes} minutes.',
  'For the {dish}, you will need {measure} {food}, {measure2} {food2} and some {food3}.',
  '{cook} gently until the {food} is {texture}.',
  'This {dish} serves {small} and keeps for {small2} days in the fridge.',
  'Season with {food} and serve with a {adj} {food2} salad.',
  '{name} says the secret of a good {dish} is {measure} {food}.',
  'Leave the dough to rest for {minutes} minutes, then {cook} it on a floured surface.',
  'A cocktail of {food} and {food2} juice goes well with the {dish}.',
  'Add the shiitake mushrooms and {cook} for {small} minutes.',
  'Wash the grapes, halve them and {cook} them with the {food}.',
  'Stir in {measure} {food} and let the sauce {cook} for {minutes} minutes.',
  'If you cannot find {food}, use {food2} instead.',
  'The {dish} is best eaten warm, with {food} on the side.',
  'Grate the cucumber, squeeze out the water and add a pinch of cumin.',
  'A little rapeseed oil in the pan stops the {food} from sticking.',
];

const sport = [
  '{team} beat {team2} {score} in {place} on {day}.',
  '{name} scored in the {number}th minute to give {team} a {adj} win.',
  'The {sport} {sportNoun} between {team} and {team2} was postponed because of {weather}.',
  '{team} have won {small} of their last {number} matches.',
  '{name}, the {team} captain, {past} the {sportNoun} {adv}.',
  'A crowd of {big} watched the {sportNoun} at {place}.',
  '{name} has been named in the {team} squad for the {sportNoun} against {team2}.',
  '{team} need {runs} runs to win with {small} wickets left.',
  'After a {adj} first half, {team} took control and the match finished {score}.',
  'The {sport} club in {place} is looking for new members of all ages.',
  '{team} were bowled out for {runs} on the second day.',
  'It takes skill and patience to win the {sportNoun}, said the {team} coach.',
  'The title race is {adj} with {small} games of the season left.',
  '{name} won the {sport} {sportNoun} in {place} for the {small}th time.',
];

const weather = [
  '{day} will bring {weather} to {place}, with highs of {temp} degrees.',
  'Expect {weather} in the morning, clearing to {weather2} by the afternoon.',
  'Forecasters say {weather} will spread from {place} to {place2} overnight.',
  'Temperatures in {place} fell to {temp} degrees on {day} night.',
  'The {adj} weather is expected to last until {day}, according to the forecast.',
  'Cumulus clouds will build over {place} during the afternoon.',
  'Drivers are advised to take care because of {weather} on higher ground.',
  'Coastal parts of {place} could see {weather} and strong winds later in the week.',
  'After a {adj} start, the weekend looks {adj2} with {weather}.',
  '{month} was the wettest on record in {place}.',
];

const science = [
  'Researchers in {place} {past} a new {science} in the field of {field}.',
  'The analysis of {number} samples {past} that the {science} was {adj}.',
  '{name}, a professor of {field}, said the {science} could help explain the {noun}.',
  'The team used a {science} to study the {science2} over {number} months.',
  'According to the paper, the {science} {past} {adv} under {adj} conditions.',
  'The {science} is named after {name}, who {past} it in {year}.',
  'An analyst at the laboratory {past} the data with a {adj} {science}.',
  'The classification of the {science} took the class {small} weeks.',
  'Titanium is light, strong and resists corrosion, which makes it useful in {field}.',
  'Sailors once found their position with a sextant and a compass.',
  'A therapist in {place} {past} how sleep affects memory.',
  'The results, published in {month}, {past} the earlier hypothesis.',
];

const conversation = [
  '"{greeting}, {first}!" said {first2}. "{reply}."',
  '"Did you {base} the {noun}?" asked {first}.',
  '"I will {base} the {noun} on {day}," {first} said.',
  '"Could you {base} the {noun} for me?" "{reply}."',
  '"Hello, is this the {adj} {noun}?" "Yes, how can I help?"',
  '{first} wanted to {base} a {adj} {noun} before the weekend.',
  '"What a {adj} {noun}," said {first}. "I love the title."',
  '"Shall we go to {place} in {month}?" "{reply}."',
  '"The class starts at {time}," {first} reminded everyone.',
  '"I need to finish this document before {time}," said {first}.',
  '"Have you read the passage about {place} in the {noun}?" asked {first}.',
  '"My therapist says I should {base} more," {first} laughed.',
  '"Is the {noun} still in the kitchen?" "{reply}."',
  '{first} and {first2} {past} the {noun} and then had a cup of tea.',
];

const everyday = [
  'The {adj} {noun} was {adv} {past} by {first}.',
  '{first} {past} the {noun} and {past} the {noun2}.',
  'Under the circumstances, {first} decided to {base} the {noun}.',
  'It takes skill to {base} a {noun} {adv}.',
  'On {day}, {first} and {first2} travelled to {place}.',
  '{first} read a novel by Dickens about an assassin in {place}.',
  'The history class read a passage about the assassination of Julius Caesar.',
  'Every passenger on the ferry to {place} {past} a {adj} {noun}.',
  'There is a {adj} {noun} in the classroom next to the {noun2}.',
  '{name} moved from Scunthorpe to {place} in {year}.',
  'The bus from Penistone to Sheffield was late again on {day}.',
  'Families from Essex, Sussex and Middlesex {past} the {adj} {noun}.',
  'A peacock wandered across the lawn at Cockermouth castle.',
];

const topics = [news, recipes, sport, weather, science, conversation];

/**
 * Whole-word comparison of a term list with sentences, ignoring case: a term of letters, digits and
 * spaces is a run of words ("kill yourself"); a term with other characters ("a$$", "100% free") is
 * its exact text with no letter or digit on either side. Regular expressions run as written.
 */
class TermFilter {
  private readonly byFirstWord = new Map<string, string[][]>();
  private readonly patterns: RegExp[] = [];

  constructor(terms: readonly StandInTerm[]) {
    const literal: string[] = [];
    for (const term of terms) {
      if (term.allow) continue;
      if (term.regex) {
        this.patterns.push(new RegExp(term.term, 'iu'));
        continue;
      }
      const tokens = wordsOf(term.term);
      const first = tokens[0];
      if (first === undefined || tokens.join(' ') !== term.term.toLowerCase().replace(/\s+/g, ' ')) {
        literal.push(term.term);
        continue;
      }
      const list = this.byFirstWord.get(first);
      if (list === undefined) this.byFirstWord.set(first, [tokens]);
      else list.push(tokens);
    }
    if (literal.length > 0) this.patterns.push(wholeWords(literal));
  }

  allows(sentence: string): boolean {
    const tokens = wordsOf(sentence);
    for (let index = 0; index < tokens.length; index += 1) {
      for (const term of this.byFirstWord.get(tokens[index] ?? '') ?? []) {
        if (term.every((word, offset) => tokens[index + offset] === word)) return false;
      }
    }
    return !this.patterns.some((pattern) => pattern.test(sentence));
  }
}

/** One expression finding any of the terms as whole words, ignoring case (spaces match any spacing). */
export function wholeWords(terms: readonly string[]): RegExp {
  const escaped = terms.map((term) =>
    term
      .trim()
      .split(/\s+/)
      .map((word) => word.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&'))
      .join('\\s+'),
  );
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${escaped.join('|')})(?![\\p{L}\\p{N}])`, 'iu');
}

export function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

const standInNote = 'Stand-in entry for tests, not a real term list';

function rows(
  fields: Omit<StandInTerm, 'term' | 'note'> & { note?: string },
  terms: string | readonly string[],
): StandInTerm[] {
  return (typeof terms === 'string' ? listOf(terms) : terms).map((term) => ({
    term,
    category: fields.category,
    severity: fields.severity,
    language: fields.language,
    match: fields.match,
    allow: fields.allow,
    regex: fields.regex,
    note: fields.note === undefined ? standInNote : `${standInNote}; ${fields.note}`,
  }));
}

/** Entries separated by "|", over as many lines as needed (regular expressions, which use "|", come as arrays). */
function listOf(text: string): string[] {
  return text
    .split('|')
    .map((term) => term.replace(/\s+/g, ' ').trim())
    .filter((term) => term !== '');
}

const block = { allow: false, regex: false, language: 'en' } as const;
const allowEntry = { allow: true, regex: false, language: '', category: 'other', severity: 1 } as const;

/**
 * A stand-in term list of about 250 entries, for tests and benchmarks: harassment (insults and
 * threat-style phrases), profanity and spam, in word and substring mode, a few regular expressions,
 * and allow-list entries for ordinary words that contain the short terms.
 */
export function standInTermList(): StandInTerm[] {
  return [
    ...rows(
      { ...block, category: 'harassment', severity: 2, match: 'word' },
      `
    idiot | moron | loser | dimwit | nitwit | halfwit | numpty | dunce | imbecile | cretin | buffoon |
    bonehead | blockhead | knucklehead | airhead | pea brain | scumbag | lowlife | creep | weirdo |
    pathetic loser | total idiot | absolute moron | worthless | you are worthless | you are pathetic |
    nobody likes you | everyone hates you | no one will miss you | shut up | get lost | go away loser |
    you disgust me | ugly loser
  `,
    ),
    ...rows(
      {
        ...block,
        category: 'harassment',
        severity: 5,
        match: 'word',
        note: 'threat or self-harm encouragement',
      },
      `
    kill yourself | kys | go kill yourself | k1ll yourself | kill urself | kill ur self |
    unalive yourself | drink bleach | go die | hope you die | die in a fire | i will find you |
    i know where you live | watch your back | you will regret this | i will hurt you |
    i am coming for you | you are dead meat | sleep with one eye open | end yourself |
    nobody would care if you died
  `,
    ),
    ...rows(
      { ...block, category: 'harassment', severity: 5, match: 'substring', note: 'joined-up evasion' },
      `
    killyourself | kilyourself | killurself | unaliveyourself
  `,
    ),
    ...rows(
      { ...block, category: 'profanity', severity: 2, match: 'substring', note: 'short, evasion-prone' },
      `
    ass | arse | shit | crap | hell | dick | cock | tit | anal | sex | cum | rape | cunt | penis |
    piss | prick | twat | wank | bum | poo | fart | knob | git | turd | jerk | fuck | bitch | bastard |
    bollocks | a$$ | @ss | a55 | sh1t | sh!t | f*ck | fuk | b1tch | d1ck | c0ck
  `,
    ),
    ...rows(
      { ...block, category: 'profanity', severity: 2, match: 'word' },
      `
    damn | bugger | prat | tosser | wanker | douche | bellend | rapist
  `,
    ),
    ...rows(
      { ...block, category: 'spam', severity: 3, match: 'word' },
      `
    buy followers | buy followers cheap | cheap followers | free followers | free likes | buy likes |
    buy views | followers for sale | get rich quick | work from home and earn | click here to claim |
    claim your prize | you have won | limited time offer | act now | risk free | 100% free |
    crypto giveaway | double your bitcoin | send bitcoin | dm me for promo | dm for collab |
    promo code | cheap viagra | replica watches | cheap replica | payday loan | miracle cure |
    lose weight fast | weight loss pills | casino bonus | free spins | no deposit bonus |
    make money online | earn money fast | passive income secret | telegram me | whatsapp me |
    check my bio | link in bio | hot singles in your area | cheap essays | essay writing service |
    fake reviews | buy reviews
  `,
    ),
    ...rows(
      { ...block, category: 'spam', severity: 3, match: 'substring' },
      `
    viagra | cialis | v1agra | sub4sub | f4f | like4like | follow4follow | l4l | bitcoindoubler
  `,
    ),
    ...rows(
      { ...block, category: 'profanity', severity: 2, match: 'word', language: 'de' },
      `
    dummkopf | arschloch
  `,
    ),
    ...rows(
      { ...block, category: 'profanity', severity: 2, match: 'word', language: 'es' },
      `
    idiota | imbécil
  `,
    ),
    ...rows(
      { ...block, category: 'profanity', severity: 2, match: 'word', language: 'fr' },
      `
    connard | crétin
  `,
    ),
    ...rows(
      { ...block, category: 'spam', severity: 3, match: 'word', regex: true, note: 'regular expression' },
      [
        '\\bbuy\\s+(?:cheap\\s+)?(?:followers|likes|views)\\b',
        '\\b(?:whats\\s?app|telegram)\\s+me\\b',
        '\\b[a-z0-9-]{1,63}\\.(?:xyz|top|click)\\b',
        '\\bearn\\s+\\$?\\d{2,5}\\s+(?:a|per)\\s+day\\b',
        '\\bfr[e3]{2}\\s+(?:followers|likes|v-?bucks)\\b',
      ],
    ),
    ...rows(
      {
        ...block,
        category: 'harassment',
        severity: 5,
        match: 'word',
        regex: true,
        note: 'regular expression',
      },
      ['\\bk[i1!]ll\\s+y[o0]u?r\\s*self\\b'],
    ),
    ...rows(
      { ...allowEntry, match: 'substring' },
      `
    class | classic | classroom | classification | glass | grass | brass | bass | mass | massive |
    massaman | pass | passage | passenger | passion | assassin | assassination | assess | assessment |
    assist | assistant | assume | assumption | assay | embassy | ambassador | cassava | molasses |
    Scunthorpe | Penistone | sextant | Sexhow | Dickens | Dickinson | cocktail | peacock | Hancock |
    Woodcock | Cockermouth | Cockfosters | shiitake | Shitterton | hello | shell | shellfish |
    Michelle | title | titanium | competition | petition | appetite | institute | constitution |
    Titchfield | analysis | analyst | canal | banal | document | cucumber | cumin | cumulus |
    cumulonimbus | circumstance | Cumbria | Cumbernauld | grape | drape | scrape | rapeseed |
    therapist | skill | skillet | prickly | Pratt | Twatt | album | bumblebee | pool | spoon | shampoo |
    digit | legitimate | skyscraper | Crapstone | scrap
  `,
    ),
    ...rows(
      { ...allowEntry, match: 'word' },
      `
    Essex | Sussex | Middlesex | Wessex | Arsenal
  `,
    ),
  ];
}
