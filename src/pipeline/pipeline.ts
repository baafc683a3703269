// The one path from content to action. Every source hands its content here: an upload to /v1/match, a
// platform's report, the media of a publicly reported page, a crawler's finding (and, to come, video
// frames, stream frames and accounts). `assess` matches the content's signals and applies the rules,
// writing nothing; `record` then, inside the caller's transaction, files the report (or attaches the
// content to the report it belongs to), emits the `match.verdict` webhook event and writes the audit.
// `process` does all of it, the record in one transaction of its own. Signals are computed once, by
// whoever read the bytes, and travel with the content: nothing here hashes again.
import { recordAudit } from '../audit/index.js';
import type { EvidenceItem, EvidenceStore } from '../evidence/index.js';
import type { PdqHash } from '../hashing/index.js';
import { matchJson, visibleMatches } from '../matching/index.js';
import type { Match, MatchOptions, MatchQuery, Matcher } from '../matching/index.js';
import { normaliseUrl } from '../network/index.js';
import type { Decision, Policy } from '../policy/index.js';
import type { Casework, FetchRecord, FiledReport, ReportMedia, ReportSource } from '../reports/index.js';
import type { Database, Schema } from '../store/index.js';
import { emitEvent } from '../webhooks/index.js';
import type { Kysely } from 'kysely';

/** One item of content (an image, for now) with the signals computed when its bytes were read. */
export interface ContentItem {
  signals: MatchQuery;
  /** Where the item was found; '' for an upload. */
  url: string;
  /** The stored evidence, when the source kept it already (the crawler, the report fetch). */
  evidence?: EvidenceItem;
  /** The bytes, kept as evidence only if a report is filed (an upload the rules allow is not kept). */
  bytes?: Uint8Array;
  /** The decoded image's size, known with the hashes. */
  size?: { width: number; height: number };
  /** The HTTP exchange that brought it. */
  fetch?: FetchRecord;
}

/** Content from any source, with who sent it and what they said about it. */
export interface Content {
  source: ReportSource;
  /** Who sent it: `key:ID`, `user:ID`, `public`, `crawl:ID`, … */
  reporter: string;
  sourceIp?: string;
  /** The platform's own id for the content. */
  reference?: string;
  /** The page the items were on, or the URL reported. */
  url?: string;
  items: readonly ContentItem[];
  reason?: string;
  category?: string;
  contactEmail?: string;
  hostAddress?: string;
  hostCountry?: string;
  /** The HTTP exchanges that found the content (page first), kept as evidence. */
  fetches?: readonly FetchRecord[];
  /** The report this content completes (a public report's fetched page): attached to, not filed anew. */
  reportId?: number;
  matchOptions?: MatchOptions;
}

/** What the matcher and the rules say about some content; nothing written yet. */
export interface Assessment {
  content: Content;
  /** What each item matched, in the order of `content.items`. */
  itemMatches: Match[][];
  /** What the URL matched. */
  urlMatches: Match[];
  decision: Decision;
  /** An item's PDQ quality is below the trusted minimum. */
  lowQuality: boolean;
  /** An item or the URL matched more entries than the matcher returns (its nearest). */
  truncated: boolean;
}

export interface ContentOutcome extends Decision {
  /** Every match of the content, each bank entry once. */
  matches: Match[];
  lowQuality: boolean;
  truncated: boolean;
  /** The report filed or completed, when there is one. */
  report?: FiledReport;
}

/** Reports from these sources are filed whatever the rules say: a person or platform asked for review. */
const alwaysFiled: ReadonlySet<ReportSource> = new Set(['public', 'platform']);

export interface PipelineDependencies {
  database: Database;
  matcher: Matcher;
  policy: Policy;
  casework: Casework;
  evidence: EvidenceStore;
}

export class ContentPipeline {
  constructor(private readonly deps: PipelineDependencies) {}

  /** Matches, applies the rules, and records what they set in motion, in one transaction. */
  async process(content: Content): Promise<ContentOutcome> {
    const assessment = await this.keep(await this.assess(content));
    return this.deps.database.db.transaction().execute((trx) => this.record(trx, assessment));
  }

  /** Matches the content's items and URL against the banks and applies the rules; writes nothing. */
  async assess(content: Content): Promise<Assessment> {
    const queries: MatchQuery[] = content.items.map((item) => item.signals);
    const url = content.url === undefined ? undefined : urlSignal(content.url);
    if (url !== undefined) queries.push({ url });
    const results = await this.deps.matcher.matchBatch(queries, content.matchOptions ?? {});
    const itemMatches = results.slice(0, content.items.length).map((result) => result.matches);
    const urlMatches = url === undefined ? [] : (results[content.items.length]?.matches ?? []);
    const decision = await this.deps.policy.decide([
      ...itemMatches.flatMap((matches, index) =>
        matches.map((match) => ({
          category: match.category,
          distance: match.distance,
          quality: match.signalType === 'pdq' ? content.items[index]?.signals.quality : undefined,
        })),
      ),
      ...urlMatches.map((match) => ({
        category: match.category,
        distance: match.distance,
        quality: undefined,
      })),
    ]);
    return {
      content,
      itemMatches,
      urlMatches,
      decision,
      lowQuality: results.some((result) => result.lowQuality),
      truncated: results.some((result) => result.truncated),
    };
  }

  /** Whether recording the assessment files or completes a report. */
  files(assessment: Assessment): boolean {
    const { content, decision } = assessment;
    return content.reportId !== undefined || alwaysFiled.has(content.source) || decision.verdict !== 'allow';
  }

  /**
   * Stores as evidence the items that came as bytes, when a report will be filed: analysts verify what
   * was sent. Done before the transaction, since blobs are files; the hashes computed already go along.
   */
  async keep(assessment: Assessment): Promise<Assessment> {
    if (!this.files(assessment) || assessment.content.items.every((item) => item.bytes === undefined)) {
      return assessment;
    }
    const items = await Promise.all(
      assessment.content.items.map(async (item) => {
        if (item.evidence !== undefined || item.bytes === undefined) return item;
        const { pdq, quality } = item.signals;
        const known =
          pdq === undefined || quality === undefined || item.size === undefined
            ? undefined
            : { pdq, quality, ...item.size };
        const evidence = await this.deps.evidence.put(this.deps.database, item.bytes, known);
        return { ...item, evidence };
      }),
    );
    return { ...assessment, content: { ...assessment.content, items } };
  }

  /**
   * Records what the assessment sets in motion, in the caller's transaction: the report filed (or the
   * content attached to its report, or a repeat counted), the webhook event, the audit.
   */
  async record(trx: Kysely<Schema>, assessment: Assessment): Promise<ContentOutcome> {
    const { content, decision } = assessment;
    const all = distinct([...assessment.itemMatches.flat(), ...assessment.urlMatches]);
    const outcome: ContentOutcome = {
      ...decision,
      matches: all,
      lowQuality: assessment.lowQuality,
      truncated: assessment.truncated,
    };
    if (!this.files(assessment)) return outcome;

    const matches = all.map(matchJson);
    const media: ReportMedia[] = [];
    content.items.forEach((item, index) => {
      if (item.evidence === undefined) return;
      media.push({
        item: item.evidence,
        url: item.url,
        matches: (assessment.itemMatches[index] ?? []).map(matchJson),
      });
    });
    const verdict = decision.verdict === 'allow' ? undefined : decision.verdict;
    const report =
      content.reportId === undefined
        ? await this.deps.casework.fileReport(
            {
              source: content.source,
              reporter: content.reporter,
              ...(verdict === undefined ? {} : { verdict }),
              ...optional('url', content.url),
              ...optional('reason', content.reason),
              ...optional('category', content.category),
              ...optional('contactEmail', content.contactEmail),
              ...optional('platformReference', content.reference),
              ...optional('sourceIp', content.sourceIp),
              ...optional('hostAddress', content.hostAddress),
              ...optional('hostCountry', content.hostCountry),
              ...(content.fetches === undefined ? {} : { fetches: [...content.fetches] }),
              signals: media.length === 0 ? reportSignals(content.items[0]?.signals) : {},
              matches,
              media,
            },
            trx,
          )
        : await this.deps.casework.attachMedia(
            content.reportId,
            media,
            {
              matches,
              ...(verdict === undefined ? {} : { verdict }),
              ...optional('hostAddress', content.hostAddress),
              ...optional('hostCountry', content.hostCountry),
            },
            trx,
          );
    outcome.report = report;
    // A repeat adds an occurrence to its report: the platform has the verdict in its answer already,
    // and one event per repeat would flood its webhook as it flooded the queue.
    if (verdict === undefined || report.occurrences > 1) return outcome;
    await emitEvent(trx, {
      type: 'match.verdict',
      data: {
        report_id: report.id,
        case_id: report.caseId,
        source: content.source,
        verdict,
        rules: decision.rules,
        content: describeContent(content),
        platform_reference: content.reference ?? null,
        // The body goes to platforms, who may not read the banks.
        matches: visibleMatches(matches, false),
      },
    });
    await recordAudit(trx, {
      actor: content.reporter,
      action: 'match.action',
      target: `report:${report.id}`,
      details: {
        source: content.source,
        verdict,
        rules: decision.rules,
        banks: [...new Set(matches.map((match) => match.bank))],
      },
      ...optional('sourceIp', content.sourceIp),
    });
    return outcome;
  }
}

/** What a platform is told identifies the content: its own signals, never a bank's. */
function describeContent(content: Content): Record<string, unknown> {
  const first = content.items[0];
  const evidence = first?.evidence;
  const signals = first?.signals ?? {};
  const pdq = signals.pdq ?? (evidence?.pdq === '' ? undefined : evidence?.pdq);
  const quality = signals.quality ?? evidence?.quality ?? undefined;
  const md5 = signals.md5 ?? evidence?.md5;
  const sha256 = signals.sha256 ?? evidence?.sha256;
  return {
    ...(pdq === undefined ? {} : { pdq }),
    ...(pdq === undefined || quality === undefined ? {} : { quality }),
    ...(md5 === undefined ? {} : { md5 }),
    ...(sha256 === undefined ? {} : { sha256 }),
    ...(content.url === undefined ? {} : { url: content.url }),
    ...(content.items.length > 1 ? { items: content.items.length } : {}),
  };
}

/** The signals a platform sent without the media, as a report keeps them. */
function reportSignals(signals: MatchQuery | undefined) {
  if (signals === undefined) return {};
  return {
    ...(signals.pdq === undefined ? {} : { pdq: signals.pdq }),
    ...(signals.pdq === undefined || signals.quality === undefined ? {} : { quality: signals.quality }),
    ...(signals.md5 === undefined ? {} : { md5: signals.md5 }),
    ...(signals.sha256 === undefined ? {} : { sha256: signals.sha256 }),
  };
}

/** The signals of stored evidence, as the matcher takes them. */
export function evidenceSignals(item: EvidenceItem): MatchQuery {
  return {
    ...(item.pdq === '' ? {} : { pdq: item.pdq as PdqHash }),
    ...(item.quality === null ? {} : { quality: item.quality }),
    md5: item.md5,
    sha256: item.sha256,
  };
}

/** The URL as the banks' URL entries hold it; undefined when it cannot be one. */
function urlSignal(url: string): string | undefined {
  try {
    return normaliseUrl(url);
  } catch {
    return undefined;
  }
}

function distinct(matches: readonly Match[]): Match[] {
  const seen = new Set<string>();
  return matches.filter((match) => {
    const key = `${match.entryId}:${match.variant ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined || value === '' ? {} : { [key]: value }) as { [P in K]?: string };
}
