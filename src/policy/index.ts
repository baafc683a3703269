// The policy domain: rules decide what a match means, and a verdict above `allow` sets actions in motion
// in one transaction — a report filed into its case for the review queue, a webhook event for the
// platform, an audit record.
import { recordAudit } from '../audit/index.js';
import { matchJson, visibleMatches } from '../matching/index.js';
import type { Match } from '../matching/index.js';
import type { Casework, ReportSignals } from '../reports/index.js';
import type { Database } from '../store/index.js';
import { emitEvent } from '../webhooks/index.js';
import { decide, listRules } from './rules.js';
import type { Decision, Rule } from './rules.js';

export { decide, listRules, createRule, updateRule, deleteRule, defaultRules, verdicts } from './rules.js';
export type { Rule, NewRule, Verdict, Decision, RuleInput } from './rules.js';

export interface PolicyOutcome extends Decision {
  /** The report filed for review, when the verdict was above allow. */
  reportId?: number;
}

export interface MatchedContent {
  actor: string;
  sourceIp?: string;
  /** What identifies the content: its signals, and the platform's own reference if it gave one. */
  content: Record<string, unknown>;
  /** PDQ quality of the content, when known. */
  quality: number | undefined;
  matches: readonly Match[];
  platformReference?: string;
}

/** Applies the rules to matches and, when they call for it, files a report and notifies the platform. */
export class Policy {
  private cached: { rules: Rule[]; until: number } | undefined;

  constructor(
    private readonly database: Database,
    private readonly casework: Casework,
    private readonly cacheMs = 1000,
  ) {}

  /** The rules, re-read at most once per cache period: rule changes apply within a second. */
  async rules(): Promise<Rule[]> {
    const time = Date.now();
    if (this.cached === undefined || this.cached.until <= time) {
      this.cached = { rules: await listRules(this.database), until: time + this.cacheMs };
    }
    return this.cached.rules;
  }

  async apply(matched: MatchedContent): Promise<PolicyOutcome> {
    const decision = decide(
      await this.rules(),
      matched.matches.map((match) => ({
        category: match.category,
        distance: match.distance,
        quality: match.signalType === 'pdq' ? matched.quality : undefined,
      })),
    );
    if (decision.verdict === 'allow') return decision;
    const matches = matched.matches.map(matchJson);
    const reportId = await this.database.db.transaction().execute(async (trx) => {
      const { url, ...signals } = contentSignals(matched);
      const report = await this.casework.fileReport(
        {
          source: 'match',
          reporter: matched.actor,
          verdict: decision.verdict,
          ...(url === undefined ? {} : { url }),
          signals,
          matches,
          ...(matched.platformReference === undefined
            ? {}
            : { platformReference: matched.platformReference }),
          ...(matched.sourceIp === undefined ? {} : { sourceIp: matched.sourceIp }),
        },
        trx,
      );
      await emitEvent(trx, {
        type: 'match.verdict',
        data: {
          report_id: report.id,
          case_id: report.caseId,
          verdict: decision.verdict,
          rules: decision.rules,
          content: matched.content,
          platform_reference: matched.platformReference ?? null,
          // The body goes to platforms, who may not read the banks.
          matches: visibleMatches(matches, false),
        },
      });
      await recordAudit(trx, {
        actor: matched.actor,
        action: 'match.action',
        target: `report:${report.id}`,
        details: {
          verdict: decision.verdict,
          rules: decision.rules,
          banks: [...new Set(matches.map((match) => match.bank))],
        },
        ...(matched.sourceIp === undefined ? {} : { sourceIp: matched.sourceIp }),
      });
      return report.id;
    });
    return { ...decision, reportId };
  }
}

/** The signals that identify matched content, from what the caller said about it. */
function contentSignals(matched: MatchedContent): ReportSignals & { url?: string } {
  const text = (key: string) => {
    const value = matched.content[key];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const [pdq, md5, sha256, url] = [text('pdq'), text('md5'), text('sha256'), text('url')];
  return {
    ...(pdq === undefined ? {} : { pdq }),
    ...(pdq === undefined || matched.quality === undefined ? {} : { quality: matched.quality }),
    ...(md5 === undefined ? {} : { md5 }),
    ...(sha256 === undefined ? {} : { sha256 }),
    ...(url === undefined ? {} : { url }),
  };
}
