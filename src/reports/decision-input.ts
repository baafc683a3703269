// Checking a decision before anything is read or stored: its kind and reason, and for a confirmation the
// category, the grade and the verdict on each item and URL. Every message says what to change.
import { WardenError } from '../errors/index.js';
import { parseSha256 } from '../hashing/index.js';
import { normaliseUrl } from '../network/index.js';
import { decisionKinds, itemVerdicts } from './types.js';
import type { DecisionInput, ItemDecision, UrlDecision } from './types.js';
import { checkText, maxReasonLength } from './validate.js';

/** More items than a page of a case could hold: a bound for hostile input, not a working limit. */
const maxItems = 1000;

/** A decision as stored: kind checked, reason given, category, grade and verdicts valid. */
export interface CheckedDecision {
  kind: DecisionInput['kind'];
  category: string;
  grade: string;
  reason: string;
  bank: string;
  items: ItemDecision[];
  urls: UrlDecision[];
}

function checkVerdict(value: unknown, what: string): UrlDecision['verdict'] {
  if (typeof value === 'string' && (itemVerdicts as readonly string[]).includes(value)) {
    return value as UrlDecision['verdict'];
  }
  throw new WardenError('invalid_argument', `The verdict on ${what} is one of ${itemVerdicts.join(', ')}.`);
}

function checkList(name: string, value: unknown): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > maxItems) {
    throw new WardenError('invalid_argument', `${name} is a list of at most ${maxItems} verdicts.`);
  }
  return value;
}

function checkItems(value: unknown): ItemDecision[] {
  const seen = new Set<string>();
  return checkList('items', value).map((entry) => {
    const { sha256, verdict, grade } = (entry ?? {}) as Record<string, unknown>;
    if (typeof sha256 !== 'string') {
      throw new WardenError(
        'invalid_argument',
        'Each item is {sha256, verdict, grade?}: name it by its SHA-256.',
      );
    }
    const hash = parseSha256(sha256);
    if (seen.has(hash)) {
      throw new WardenError('invalid_argument', `Item ${hash.slice(0, 12)}… has two verdicts; give it one.`);
    }
    seen.add(hash);
    const item: ItemDecision = { sha256: hash, verdict: checkVerdict(verdict, `item ${hash.slice(0, 12)}…`) };
    const itemGrade = checkText('grade', grade, 20);
    return itemGrade === '' ? item : { ...item, grade: itemGrade };
  });
}

function checkUrls(value: unknown): UrlDecision[] {
  const seen = new Set<string>();
  return checkList('urls', value).map((entry) => {
    const { url, verdict } = (entry ?? {}) as Record<string, unknown>;
    if (typeof url !== 'string') {
      throw new WardenError('invalid_argument', 'Each URL verdict is {url, verdict}.');
    }
    const key = normaliseUrl(url);
    if (seen.has(key)) {
      throw new WardenError(
        'invalid_argument',
        `The URL ${key.slice(0, 200)} has two verdicts; give it one.`,
      );
    }
    seen.add(key);
    return { url: key, verdict: checkVerdict(verdict, key.slice(0, 200)) };
  });
}

/**
 * The case's grade for a confirmation: the one given, else the gravest grade among the confirmed items
 * (grades are configured gravest first).
 */
function caseGrade(given: string, items: readonly ItemDecision[], allowed: readonly string[]): string {
  if (given !== '') return given;
  const graded = items.filter((item) => item.verdict === 'confirmed' && item.grade !== undefined);
  return allowed.find((grade) => graded.some((item) => item.grade === grade)) ?? '';
}

export function checkDecisionInput(
  input: DecisionInput,
  grades: Record<string, readonly string[]>,
): CheckedDecision {
  if (!(decisionKinds as readonly string[]).includes(input.kind)) {
    throw new WardenError('invalid_argument', `A decision's kind is one of ${decisionKinds.join(', ')}.`);
  }
  const reason = checkText('reason', input.reason, maxReasonLength);
  if (reason === '') {
    throw new WardenError('invalid_argument', 'Give a reason for the decision; it is kept with the case.');
  }
  const decision: CheckedDecision = {
    kind: input.kind,
    category: '',
    grade: '',
    reason,
    bank: checkText('bank', input.bank, 64),
    items: checkItems(input.items),
    urls: checkUrls(input.urls),
  };
  if (input.kind !== 'confirmed') return decision;
  const category = input.category ?? '';
  const allowed = Object.hasOwn(grades, category) ? grades[category] : undefined;
  if (allowed === undefined) {
    throw new WardenError(
      'invalid_argument',
      `A confirmation needs a category, one of ${Object.keys(grades).join(', ')}; got "${category.slice(0, 40)}".`,
    );
  }
  const grade = caseGrade(checkText('grade', input.grade, 20), decision.items, allowed);
  // A confirmed item without a grade of its own takes the case's; an item set aside has none.
  const items = decision.items.map(({ sha256, verdict, grade: own }): ItemDecision =>
    verdict === 'confirmed' ? { sha256, verdict, grade: own ?? grade } : { sha256, verdict },
  );
  for (const given of [...items.map((item) => item.grade ?? grade), grade]) {
    if (allowed.length > 0 && !allowed.includes(given)) {
      throw new WardenError(
        'invalid_argument',
        `A ${category} confirmation needs a grade, one of ${allowed.join(', ')}${given === '' ? '' : `; got "${given.slice(0, 20)}"`}.`,
      );
    }
    if (allowed.length === 0 && given !== '') {
      throw new WardenError(
        'invalid_argument',
        `${category} is decided without a grade; leave the grade empty.`,
      );
    }
  }
  return { ...decision, category, grade, items };
}
