// The shapes of the reports domain: what intake takes, and what the review queue, a case, a decision and
// the dashboard look like to the people and programs that use them. Case and report views are snake_case
// because they go out as JSON unchanged (API and console), like MatchJson.
import type { EvidenceItem } from '../evidence/index.js';
import type { MatchJson } from '../matching/index.js';
import type { CaseStatus } from '../store/index.js';

export const reportSources = ['public', 'platform', 'match', 'crawler'] as const;
export type ReportSource = (typeof reportSources)[number];

/** Whether a report's URL was fetched: new until the fetch job runs, then fetched or unreachable. */
export type ReportStatus = 'new' | 'fetched' | 'unreachable';

export interface ReportSignals {
  pdq?: string;
  quality?: number;
  md5?: string;
  sha256?: string;
}

/** A piece of stored evidence and where it was found ('' for an upload). */
export interface ReportMedia {
  item: EvidenceItem;
  url: string;
  /** What this item matched, so that each item is decided on its own. */
  matches?: MatchJson[];
}

/** One HTTP exchange behind a report (crawler evidence): what answered, when, from which address. */
export interface FetchRecord {
  url: string;
  status: number;
  fetched_at: string;
  /** The server's IP address the connection used; '' when unknown. */
  address: string;
  headers: Record<string, string>;
}

export interface ReportInput {
  source: ReportSource;
  /** Who filed it: `key:ID`, `user:ID`, `public`, `system`, … (recorded, shown to analysts). */
  reporter: string;
  url?: string;
  /** What the reporter said; for a public report, a category name here sets the category. */
  reason?: string;
  /** A key of the configured grades (csam, terrorism, …); anything else becomes `other`. */
  category?: string;
  /** Where a public reporter wants to hear the outcome; erased once they are told. */
  contactEmail?: string;
  platformReference?: string;
  /** The rule verdict that led to a match report (block, review); default review. */
  verdict?: string;
  signals?: ReportSignals;
  matches?: MatchJson[];
  media?: ReportMedia[];
  /** Where the report came from, for the audit log. */
  sourceIp?: string;
  /** The address the URL's host answered from, and its country, when the reporter fetched it. */
  hostAddress?: string;
  hostCountry?: string;
  /** The HTTP exchanges that found the content (page, then media), kept as evidence. */
  fetches?: FetchRecord[];
}

export interface FiledReport {
  id: number;
  caseId: number;
  /** The public reference (WR-…) for public reports, null for others. */
  reference: string | null;
  /** How many times the same source sent this content while the report was open (1 for a new report). */
  occurrences: number;
}

export interface AttachExtra {
  matches?: MatchJson[];
  /** The rules' verdict on the attached media, when stricter than the report's. */
  verdict?: string;
  hostAddress?: string;
  hostCountry?: string;
}

export const decisionKinds = ['confirmed', 'not_actionable', 'second_opinion', 'agree', 'disagree'] as const;
export type DecisionKind = (typeof decisionKinds)[number];

export interface EvidenceSeen {
  sha256: string;
  revealed: boolean;
}

export interface DecisionInput {
  kind: DecisionKind;
  category?: string;
  grade?: string;
  reason: string;
  /** The bank a confirmation adds the case's signals to; default the category's first enabled bank. */
  bank?: string;
  evidenceSeen?: EvidenceSeen[];
}

/** Who works the queue: a principal's actor and role (analyst, supervisor, admin). */
export interface Reviewer {
  actor: string;
  role: string;
}

export interface CaseworkOptions {
  /** Largest PDQ distance at which two reports are about the same image. */
  pdqThreshold: number;
  /** How long a claim on a case lasts without renewal. */
  lockMs: number;
  /** A confirmation that publishes signals needs a second analyst's agreement. */
  twoPersonRule: boolean;
  /** Confirmed URLs seed a crawl (a `crawl.confirmed` job for the crawl domain); default off. */
  crawlConfirmed?: boolean;
  /** Category → grades; an empty list means the category is decided without a grade. */
  grades: Record<string, readonly string[]>;
  /** A repeat of the same content from the same source within this many ms adds an occurrence; 0: never. */
  repeatWindowMs?: number;
  /** The time, for tests; default the system clock. */
  clock?: () => Date;
}

export interface CaseSummary {
  id: number;
  status: CaseStatus;
  category: string;
  grade: string;
  outcome: string;
  priority: number;
  /** Why the case sits where it does in the queue, in words. */
  reasons: string[];
  known_match: boolean;
  match_summary: string;
  source: string;
  report_count: number;
  first_reported_at: string;
  last_reported_at: string;
  locked_by: string | null;
  locked_until: string | null;
  /** The case this one was merged into (status merged), else null. */
  merged_into: number | null;
  decided_at: string | null;
  /** The first reported URL, if any report had one. */
  url: string | null;
  media_count: number;
  /** The first image of the case, for a (blurred) thumbnail. */
  thumbnail_sha256: string | null;
}

export interface CaseReport {
  id: number;
  source: string;
  reference: string | null;
  url: string | null;
  reason: string;
  category: string;
  reporter: string;
  platform_reference: string;
  created_at: string;
  host_address: string;
  host_country: string;
  signals: { pdq: string; md5: string; sha256: string; quality: number | null };
  matches: MatchJson[];
  media: { sha256: string; url: string }[];
  fetches: FetchRecord[];
}

export interface CaseMedia {
  sha256: string;
  md5: string;
  pdq: string;
  quality: number | null;
  mime: string;
  width: number | null;
  height: number | null;
  size_bytes: number;
  url: string;
}

export interface CaseDecision {
  id: number;
  actor: string;
  role: string;
  kind: string;
  category: string;
  grade: string;
  reason: string;
  bank: string;
  evidence_seen: EvidenceSeen[];
  created_at: string;
}

export interface PendingConfirmation {
  actor: string;
  category: string;
  grade: string;
  bank: string;
  reason: string;
  created_at: string;
}

export interface HistoryEntry {
  at: string;
  actor: string;
  action: string;
  details: Record<string, unknown>;
}

export interface CaseDetail extends CaseSummary {
  reports: CaseReport[];
  media: CaseMedia[];
  decisions: CaseDecision[];
  pending: PendingConfirmation | null;
  history: HistoryEntry[];
}

export interface QueueQuery {
  status?: CaseStatus;
  limit?: number;
  cursor?: string;
}

export interface QueuePage {
  cases: CaseSummary[];
  nextCursor: string | null;
}

export interface Dashboard {
  /** The first day counted (UTC, YYYY-MM-DD). */
  since: string;
  reports_per_day: { day: string; source: string; count: number }[];
  confirmed: { category: string; grade: string; count: number }[];
  time_to_decision: { count: number; median_seconds: number | null; p90_seconds: number | null };
  hosting_countries: { country: string; count: number }[];
}

/** What a reporter may learn about their public report. */
export interface PublicReportStatus {
  reference: string;
  status: 'received' | 'in review' | 'decided';
  created_at: string;
}

/** One report as `warden reports list --json` and the reports API show it. */
export interface ReportJson {
  id: number;
  source: string;
  /** Whether its URL was fetched: new, fetched or unreachable. */
  status: string;
  verdict: string;
  reporter: string;
  platform_reference: string;
  reference: string | null;
  url: string | null;
  /** The first media's URL, or `/v1/evidence/<sha256>` for an upload; absent without media. */
  media_url?: string;
  reason: string;
  category: string;
  signals: { pdq: string; md5: string; sha256: string; quality: number | null };
  matches: MatchJson[];
  host_address: string;
  host_country: string;
  fetches: FetchRecord[];
  case_id: number | null;
  case_status: CaseStatus | null;
  created_at: string;
}

export interface ReportQuery {
  source?: ReportSource;
  /** The status of the report's case. */
  status?: CaseStatus;
  afterId?: number;
  limit?: number;
}
