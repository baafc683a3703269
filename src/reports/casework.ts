// Casework: the one object the server, the CLI and the workers use for reports and cases. It holds the
// options and the in-memory index of case PDQ signals; the work itself lives in the modules beside it.
import type { Config } from '../config/index.js';
import type { Kysely } from 'kysely';
import type { Database, Schema } from '../store/index.js';
import { CasePdqIndex } from './case-index.js';
import type { CaseworkContext } from './context.js';
import { dashboard } from './dashboard.js';
import { decide } from './decisions.js';
import { attachMedia, fileReport } from './intake.js';
import { claim, claimNext, queue, release } from './queue.js';
import { publicReportStatus } from './reference.js';
import { search } from './search.js';
import type {
  AttachExtra,
  CaseDetail,
  CaseSummary,
  CaseworkOptions,
  Dashboard,
  DecisionInput,
  FiledReport,
  PublicReportStatus,
  QueuePage,
  QueueQuery,
  ReportInput,
  ReportMedia,
  Reviewer,
} from './types.js';
import { caseHasMedia, getCase } from './views.js';

/** Casework options from the configuration: the match threshold also groups near-identical images. */
export function caseworkOptions(
  config: Pick<
    Config,
    'matchThreshold' | 'caseLockMs' | 'twoPersonRule' | 'grades' | 'crawlConfirmed' | 'repeatWindowMinutes'
  >,
): CaseworkOptions {
  return {
    pdqThreshold: config.matchThreshold,
    lockMs: config.caseLockMs,
    twoPersonRule: config.twoPersonRule,
    crawlConfirmed: config.crawlConfirmed,
    repeatWindowMs: config.repeatWindowMinutes * 60_000,
    grades: config.grades,
  };
}

export class Casework {
  private readonly context: CaseworkContext;

  constructor(database: Database, options: CaseworkOptions) {
    if (!Number.isInteger(options.pdqThreshold) || options.pdqThreshold < 0 || options.pdqThreshold > 256) {
      throw new RangeError(`pdqThreshold must be a whole number from 0 to 256; got ${options.pdqThreshold}.`);
    }
    if (!(options.lockMs > 0)) throw new RangeError(`lockMs must be positive; got ${options.lockMs}.`);
    this.context = {
      database,
      pdqThreshold: options.pdqThreshold,
      lockMs: options.lockMs,
      twoPersonRule: options.twoPersonRule,
      crawlConfirmed: options.crawlConfirmed ?? false,
      repeatWindowMs: options.repeatWindowMs ?? 0,
      grades: options.grades,
      clock: options.clock ?? (() => new Date()),
      postgres: database.dialect === 'postgres',
      index: new CasePdqIndex(),
    };
  }

  /** The categories reports and decisions may have (the keys of the configured grades). */
  get categories(): string[] {
    return Object.keys(this.context.grades);
  }

  /**
   * Files a report: checks it, gives a public report its reference, joins or opens its case, and queues
   * the fetch of its URL's media. Pass a transaction to make it part of the change that produced it.
   */
  fileReport(input: ReportInput, trx?: Kysely<Schema>): Promise<FiledReport> {
    return fileReport(this.context, input, trx);
  }

  /**
   * Links media (fetched or uploaded) to a report; merges a newer case about the same media. Pass a
   * transaction to make it part of the change that produced it.
   */
  attachMedia(
    reportId: number,
    media: readonly ReportMedia[],
    extra: AttachExtra = {},
    trx?: Kysely<Schema>,
  ): Promise<FiledReport> {
    return attachMedia(this.context, reportId, media, extra, trx);
  }

  /** The cases the reviewer may work, in queue order, a page at a time. */
  queue(reviewer: Reviewer, query: QueueQuery = {}): Promise<QueuePage> {
    return queue(this.context, reviewer, query);
  }

  /** Claims the top case the reviewer may take; undefined when there is none. */
  claimNext(reviewer: Reviewer): Promise<CaseDetail | undefined> {
    return claimNext(this.context, reviewer);
  }

  /** Claims (or renews the claim on) a case. Throws conflict while someone else holds it. */
  claim(caseId: number, reviewer: Reviewer): Promise<CaseDetail> {
    return claim(this.context, caseId, reviewer);
  }

  release(caseId: number, reviewer: Reviewer): Promise<void> {
    return release(this.context, caseId, reviewer);
  }

  getCase(caseId: number): Promise<CaseDetail> {
    return getCase(this.context, caseId);
  }

  /** Decides on a case the reviewer holds, and returns it as it is now. */
  async decide(caseId: number, reviewer: Reviewer, input: DecisionInput): Promise<CaseDetail> {
    await decide(this.context, caseId, reviewer, input);
    return getCase(this.context, caseId);
  }

  search(text: string): Promise<CaseSummary[]> {
    return search(this.context, text);
  }

  dashboard(query: { days: number }): Promise<Dashboard> {
    return dashboard(this.context, query);
  }

  /** What a public reporter may learn of their report. Throws not_found. */
  publicReportStatus(reference: string): Promise<PublicReportStatus> {
    return publicReportStatus(this.context, reference);
  }

  /** Whether the evidence is part of the case (before showing it to someone working that case). */
  caseHasMedia(caseId: number, sha256: string): Promise<boolean> {
    return caseHasMedia(this.context, caseId, sha256);
  }
}
