// The policy domain: rules decide what a match means. The rules are read from the database and cached
// for a second, so a change applies everywhere within a second; what a verdict sets in motion (a report,
// a webhook event, the audit) is the content pipeline's to do.
import type { Database } from '../store/index.js';
import { decide, listRules } from './rules.js';
import type { Decision, Rule, RuleInput } from './rules.js';

export { decide, listRules, createRule, updateRule, deleteRule, defaultRules, verdicts } from './rules.js';
export type { Rule, NewRule, Verdict, Decision, RuleInput } from './rules.js';

/** The rules in force, re-read at most once per cache period. */
export class Policy {
  private cached: { rules: Rule[]; until: number } | undefined;

  constructor(
    private readonly database: Database,
    private readonly cacheMs = 1000,
  ) {}

  async rules(): Promise<Rule[]> {
    const time = Date.now();
    if (this.cached === undefined || this.cached.until <= time) {
      this.cached = { rules: await listRules(this.database), until: time + this.cacheMs };
    }
    return this.cached.rules;
  }

  /** The verdict of the rules in force on these matches. */
  async decide(matches: readonly RuleInput[]): Promise<Decision> {
    return decide(await this.rules(), matches);
  }
}
