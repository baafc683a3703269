// Rules turn matches into a verdict. Each rule says: a match in a bank of this category, within this
// distance, from content of at least this quality, gets this verdict. The strictest verdict of all the
// rules that fire wins (block > review > allow).
import { WardenError } from '../errors/index.js';
import { claimCounter, isUniqueViolation, now, readCounter } from '../store/index.js';
import type { Database } from '../store/index.js';

export const verdicts = ['allow', 'review', 'block'] as const;
export type Verdict = (typeof verdicts)[number];

export interface Rule {
  id: number;
  name: string;
  /** A bank category, or `*` for any category. */
  category: string;
  maxDistance: number;
  minQuality: number;
  verdict: Verdict;
  enabled: boolean;
}

export type NewRule = Omit<Rule, 'id' | 'enabled'> & { enabled?: boolean };

/** What a match needs for the rules: its category and distance, and the quality of the query. */
export interface RuleInput {
  category: string;
  distance: number;
  /** Undefined for signals without a quality (MD5, SHA-256, hashes sent as text). */
  quality: number | undefined;
}

export interface Decision {
  verdict: Verdict;
  /** Names of the rules that fired, for the record and for the caller. */
  rules: string[];
}

/**
 * The rules Warden starts with: known CSAM and terrorist content is blocked at once (and still goes to
 * an analyst, as every verdict above allow does); any other match is queued for review. Low-quality
 * images never block on their own, because their hashes are not trusted for automatic action.
 */
export const defaultRules: readonly NewRule[] = [
  { name: 'block-known-csam', category: 'csam', maxDistance: 31, minQuality: 50, verdict: 'block' },
  { name: 'block-known-terrorism', category: 'terrorism', maxDistance: 31, minQuality: 50, verdict: 'block' },
  { name: 'review-any-match', category: '*', maxDistance: 256, minQuality: 0, verdict: 'review' },
];

const severity: Record<Verdict, number> = { allow: 0, review: 1, block: 2 };

/** The strictest verdict of the rules that fire on any of the matches. */
export function decide(rules: readonly Rule[], matches: readonly RuleInput[]): Decision {
  let verdict: Verdict = 'allow';
  const fired = new Set<string>();
  for (const match of matches) {
    for (const rule of rules) {
      if (!rule.enabled) continue;
      if (rule.category !== '*' && rule.category !== match.category) continue;
      if (match.distance > rule.maxDistance) continue;
      if (match.quality !== undefined && match.quality < rule.minQuality) continue;
      fired.add(rule.name);
      if (severity[rule.verdict] > severity[verdict]) verdict = rule.verdict;
    }
  }
  return { verdict, rules: [...fired] };
}

function validateRule(rule: Partial<NewRule>): void {
  if (rule.name !== undefined && !/^[a-z0-9][a-z0-9_.-]{0,63}$/.test(rule.name)) {
    throw new WardenError(
      'invalid_argument',
      'A rule name is 1 to 64 lowercase letters, digits, "_", "-" or ".".',
    );
  }
  if (rule.category !== undefined && !/^(\*|[a-z][a-z0-9_-]{0,31})$/.test(rule.category)) {
    throw new WardenError(
      'invalid_argument',
      'A rule category is a bank category such as csam, or "*" for any.',
    );
  }
  if (
    rule.maxDistance !== undefined &&
    !(Number.isInteger(rule.maxDistance) && rule.maxDistance >= 0 && rule.maxDistance <= 256)
  ) {
    throw new WardenError('invalid_argument', 'maxDistance must be a whole number from 0 to 256.');
  }
  if (
    rule.minQuality !== undefined &&
    !(Number.isInteger(rule.minQuality) && rule.minQuality >= 0 && rule.minQuality <= 100)
  ) {
    throw new WardenError('invalid_argument', 'minQuality must be a whole number from 0 to 100.');
  }
  if (rule.verdict !== undefined && !(verdicts as readonly string[]).includes(rule.verdict)) {
    throw new WardenError('invalid_argument', `verdict must be one of ${verdicts.join(', ')}.`);
  }
}

/** The rules in force; the defaults are written on first use, so people can see and change them. */
export async function listRules(database: Database): Promise<Rule[]> {
  const read = () => database.db.selectFrom('rules').selectAll().orderBy('id').execute();
  let rows = await read();
  if (rows.length === 0) {
    if ((await readCounter(database.db, 'rules_seeded')) === undefined) {
      await database.db.transaction().execute(async (trx) => {
        if (!(await claimCounter(trx, 'rules_seeded'))) return;
        const timestamp = now();
        await trx
          .insertInto('rules')
          .values(
            defaultRules.map((rule) => ({
              name: rule.name,
              category: rule.category,
              max_distance: rule.maxDistance,
              min_quality: rule.minQuality,
              verdict: rule.verdict,
              enabled: 1,
              created_at: timestamp,
              updated_at: timestamp,
            })),
          )
          .execute();
      });
    }
    // Read again whatever happened: another process may have seeded the rules between the two reads
    // above, and answering "no rules" then would let everything through until the next refresh.
    rows = await read();
  }
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    category: row.category,
    maxDistance: row.max_distance,
    minQuality: row.min_quality,
    verdict: row.verdict as Verdict,
    enabled: row.enabled === 1,
  }));
}

export async function createRule(database: Database, rule: NewRule): Promise<Rule> {
  validateRule(rule);
  await listRules(database);
  const timestamp = now();
  try {
    const row = await database.db
      .insertInto('rules')
      .values({
        name: rule.name,
        category: rule.category,
        max_distance: rule.maxDistance,
        min_quality: rule.minQuality,
        verdict: rule.verdict,
        enabled: rule.enabled === false ? 0 : 1,
        created_at: timestamp,
        updated_at: timestamp,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { ...rule, id: row.id, enabled: rule.enabled !== false };
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new WardenError('conflict', `A rule named "${rule.name}" already exists.`);
    }
    throw error;
  }
}

export async function updateRule(database: Database, id: number, changes: Partial<NewRule>): Promise<Rule> {
  validateRule(changes);
  const result = await database.db
    .updateTable('rules')
    .set({
      ...(changes.name === undefined ? {} : { name: changes.name }),
      ...(changes.category === undefined ? {} : { category: changes.category }),
      ...(changes.maxDistance === undefined ? {} : { max_distance: changes.maxDistance }),
      ...(changes.minQuality === undefined ? {} : { min_quality: changes.minQuality }),
      ...(changes.verdict === undefined ? {} : { verdict: changes.verdict }),
      ...(changes.enabled === undefined ? {} : { enabled: changes.enabled ? 1 : 0 }),
      updated_at: now(),
    })
    .where('id', '=', id)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw new WardenError('not_found', `No rule with id ${id}.`);
  const rule = (await listRules(database)).find((found) => found.id === id);
  if (rule === undefined) throw new WardenError('not_found', `No rule with id ${id}.`);
  return rule;
}

export async function deleteRule(database: Database, id: number): Promise<void> {
  const result = await database.db.deleteFrom('rules').where('id', '=', id).executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw new WardenError('not_found', `No rule with id ${id}.`);
}
