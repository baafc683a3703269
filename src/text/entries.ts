// Text bank entries: terms and phrases (`term`) and regular-expression rules (`regex`), kept in the
// same bank_entries table as hashes, with what a hash does not have in their attributes: a severity,
// a language, whole-word or substring matching, and whether the entry allows rather than blocks (an
// allow-list entry, such as "Scunthorpe", suppresses matches that fall inside it).
import { WardenError } from '../errors/index.js';
import type { TextSignalType } from '../store/index.js';
import { normaliseTerm } from './normalise.js';
import { checkRegexRule, maxRegexRuleLength } from './regex-rules.js';

export type TermMatchMode = 'word' | 'substring';

export interface TextEntryAttributes {
  /** 1 (low) to 5 (critical); the configured block severity decides what blocks. */
  severity: number;
  /** BCP 47 tag of the term's language, or '' for any. */
  language: string;
  match: TermMatchMode;
  allow: boolean;
}

export const defaultTextAttributes: TextEntryAttributes = {
  severity: 3,
  language: '',
  match: 'word',
  allow: false,
};

export const textSignalTypes: readonly TextSignalType[] = ['term', 'regex'];
export const maxTermLength = 200;
/** The shape of a language tag (BCP 47, loosely); term lists also ask Intl to recognise it. */
export const languagePattern = /^([A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*)?$/;

export function isTextSignalType(type: string): type is TextSignalType {
  return (textSignalTypes as readonly string[]).includes(type);
}

/**
 * Checks a text entry and fills in its attributes: a term must keep a letter or digit once normalised,
 * a regular expression must be one the rule engine (RE2) accepts, and an allow entry must be a term. Throws a
 * WardenError saying what is wrong.
 */
export function checkTextEntry(
  type: TextSignalType,
  value: string,
  given: Partial<TextEntryAttributes>,
): { value: string; attributes: TextEntryAttributes } {
  const attributes = checkAttributes(given);
  const text = value.normalize('NFC').trim();
  const limit = type === 'term' ? maxTermLength : maxRegexRuleLength;
  if (text === '' || text.length > limit) {
    throw new WardenError(
      'invalid_argument',
      `A ${type} is 1 to ${limit} characters long; got ${text.length === 0 ? 'an empty one' : `${text.length}`}.`,
    );
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(text)) {
    throw new WardenError(
      'invalid_argument',
      `The ${type} "${text.slice(0, 60)}" contains control characters or line breaks.`,
    );
  }
  if (type === 'term') {
    if (normaliseTerm(text) === '') {
      throw new WardenError(
        'invalid_argument',
        `The term "${text.slice(0, 60)}" has no letters or digits once normalised, so it could match nothing.`,
      );
    }
    return { value: text, attributes };
  }
  if (attributes.allow) {
    throw new WardenError('invalid_argument', 'An allow-list entry is a term, not a regular expression.');
  }
  const check = checkRegexRule(text);
  if (!check.ok) throw new WardenError('invalid_argument', check.reason);
  return { value: text, attributes };
}

function checkAttributes(given: Partial<TextEntryAttributes>): TextEntryAttributes {
  const attributes = { ...defaultTextAttributes, ...definedOnly(given) };
  if (!Number.isInteger(attributes.severity) || attributes.severity < 1 || attributes.severity > 5) {
    throw new WardenError(
      'invalid_argument',
      `A severity is a whole number from 1 (low) to 5 (critical); got ${String(attributes.severity)}.`,
    );
  }
  if (typeof attributes.language !== 'string' || !languagePattern.test(attributes.language)) {
    throw new WardenError(
      'invalid_argument',
      `A language is a BCP 47 tag such as en or pt-BR, or empty; got "${String(attributes.language).slice(0, 40)}".`,
    );
  }
  if (attributes.match !== 'word' && attributes.match !== 'substring') {
    throw new WardenError(
      'invalid_argument',
      `A match mode is word or substring; got "${String(attributes.match).slice(0, 40)}".`,
    );
  }
  if (typeof attributes.allow !== 'boolean') {
    throw new WardenError('invalid_argument', 'allow is true or false.');
  }
  return attributes;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
