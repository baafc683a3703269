// The text domain: normalisation that sees through evasions (look-alike letters, leetspeak, separators,
// invisible characters) while keeping every character's place in the original text, a multi-pattern
// automaton over the normalised text, regular-expression rules run on a linear-time engine (RE2), term
// lists as CSV, and the text banks in force with their verdict. Other domains import only from here.
export { NormalisedText, normaliseText, normaliseTerm, isWordCode } from './normalise.js';
export { TermAutomaton } from './automaton.js';
export { checkRegexRule } from './regex-rules.js';
export type { RegexCheck, RegexRule, RegexSpan } from './regex-rules.js';
export { parseTermList, formatTermList } from './term-list.js';
export { escapeCsvCell, unescapeCsvCell, formatCsv } from './csv-cells.js';
export type { TermEntry, TermListError } from './term-list.js';
export { checkTextEntry, defaultTextAttributes, isTextSignalType, textSignalTypes } from './entries.js';
export type { TermMatchMode, TextEntryAttributes } from './entries.js';
export { TextEngine } from './engine.js';
export type { TextMatch, TextRule } from './engine.js';
export { TextBanks, maxTextLength, textPolicy } from './text-banks.js';
export type {
  Deterrence,
  TextBanksOptions,
  TextRuleSource,
  TextCheck,
  TextMode,
  TextPolicy,
  TextVerdict,
} from './text-banks.js';
