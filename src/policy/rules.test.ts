import { describe, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/support/index.js';
import { createRule, decide, defaultRules, deleteRule, listRules, updateRule } from './rules.js';
import type { Rule } from './rules.js';

const rules: Rule[] = defaultRules.map((rule, index) => ({ ...rule, id: index + 1, enabled: true }));

describe('decide', () => {
  it('blocks trusted CSAM and terrorism matches and queues everything else for review', () => {
    expect(decide(rules, [{ category: 'csam', distance: 10, quality: 90 }])).toEqual({
      verdict: 'block',
      rules: ['block-known-csam', 'review-any-match'],
    });
    expect(decide(rules, [{ category: 'terrorism', distance: 0, quality: undefined }]).verdict).toBe('block');
    expect(decide(rules, [{ category: 'ncii', distance: 3, quality: 100 }]).verdict).toBe('review');
    expect(decide(rules, []).verdict).toBe('allow');
  });

  it('never blocks on a low-quality image alone, and the strictest verdict wins across matches', () => {
    expect(decide(rules, [{ category: 'csam', distance: 0, quality: 30 }]).verdict).toBe('review');
    expect(
      decide(rules, [
        { category: 'other', distance: 0, quality: 90 },
        { category: 'csam', distance: 31, quality: 90 },
      ]).verdict,
    ).toBe('block');
    expect(decide(rules, [{ category: 'csam', distance: 32, quality: 90 }]).verdict).toBe('review');
  });

  it('skips disabled rules', () => {
    const withoutBlock = rules.map((rule) => (rule.verdict === 'block' ? { ...rule, enabled: false } : rule));
    expect(decide(withoutBlock, [{ category: 'csam', distance: 0, quality: 90 }]).verdict).toBe('review');
  });
});

describeEachEngine('rules in the database', (database) => {
  it('gives every caller the defaults when many ask at once on first use, never an empty list', async () => {
    const answers = await Promise.all(Array.from({ length: 16 }, () => listRules(database())));
    for (const answer of answers) {
      expect(answer.map((rule) => rule.name)).toEqual(defaultRules.map((rule) => rule.name));
    }
  });

  it('seeds the defaults once, and lets them be changed and removed for good', async () => {
    const seeded = await listRules(database());
    expect(seeded.map((rule) => rule.name)).toEqual(defaultRules.map((rule) => rule.name));
    const allow = await createRule(database(), {
      name: 'allow-other',
      category: 'other',
      maxDistance: 5,
      minQuality: 0,
      verdict: 'allow',
    });
    await expect(
      createRule(database(), {
        name: 'allow-other',
        category: 'other',
        maxDistance: 5,
        minQuality: 0,
        verdict: 'allow',
      }),
    ).rejects.toMatchObject({ code: 'conflict' });
    await expect(
      createRule(database(), {
        name: 'x',
        category: 'other',
        maxDistance: 500,
        minQuality: 0,
        verdict: 'allow',
      }),
    ).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    const updated = await updateRule(database(), allow.id, { verdict: 'block', enabled: false });
    expect(updated).toMatchObject({ verdict: 'block', enabled: false });
    for (const rule of await listRules(database())) await deleteRule(database(), rule.id);
    expect(await listRules(database())).toEqual([]);
    await expect(deleteRule(database(), allow.id)).rejects.toMatchObject({ code: 'not_found' });
  });
});
