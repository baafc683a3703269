// Table shapes as Kysely sees them. Booleans are stored as 0/1 and timestamps as ISO-8601 UTC text on
// both engines, so one code path serves SQLite and PostgreSQL.
import type { Generated, Insertable, Selectable } from 'kysely';

/** Hash signals, and `url` for normalised URLs (the URL list). */
export type SignalType = 'pdq' | 'md5' | 'sha256' | 'url';
/** Entries of text banks: terms and phrases, and regular-expression rules. */
export type TextSignalType = 'term' | 'regex';
export type BankSignalType = SignalType | TextSignalType;

export interface BanksTable {
  id: Generated<number>;
  name: string;
  category: string;
  source: string;
  description: string;
  enabled: number;
  created_at: string;
  updated_at: string;
  revision: number;
}

export interface BankEntriesTable {
  id: Generated<number>;
  bank_id: number;
  signal_type: BankSignalType;
  value: string;
  category: string;
  source: string;
  note: string;
  external_id: string;
  added_at: string;
  enabled: number;
  /** Bumped on every change, so matchers can follow changes with `revision > last seen`. */
  revision: number;
  /** JSON object: a text entry's severity, language, match mode and allow flag; `{}` for hashes. */
  attributes: Generated<string>;
}

export interface CountersTable {
  name: string;
  value: number;
}

export interface ApiKeysTable {
  id: Generated<number>;
  name: string;
  role: string;
  /** SHA-256 of the key: the key itself is shown once and never stored. */
  key_hash: string;
  /** The key's first characters, so people can tell keys apart. */
  key_prefix: string;
  rate_limit_per_minute: number | null;
  created_at: string;
  revoked_at: string | null;
  /** The person the key acts for (its actor is then `user:ID`); null for a machine's key. */
  user_id: number | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  /** Who acted: `key:ID` for an API key, `cli` for the command line, `system` for rules and workers. */
  actor: string;
  action: string;
  target: string;
  /** JSON object. */
  details: string;
  source_ip: string;
}

export type JobStatus = 'pending' | 'running' | 'done' | 'dead';

export interface JobsTable {
  id: Generated<number>;
  kind: string;
  /** JSON, fixed when the job is created, so every attempt does the same thing. */
  payload: string;
  status: JobStatus;
  attempts: number;
  max_attempts: number;
  run_at: string;
  lease_owner: string | null;
  lease_until: string | null;
  last_error: string;
  dedupe_key: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export interface RulesTable {
  id: Generated<number>;
  name: string;
  /** A bank category, or `*` for any. */
  category: string;
  max_distance: number;
  min_quality: number;
  verdict: string;
  enabled: number;
  created_at: string;
  updated_at: string;
}

export interface ReportsTable {
  id: Generated<number>;
  source: string;
  status: string;
  verdict: string;
  /** JSON: the content's signals and what the reporter said about it. */
  content: string;
  /** JSON: the matches that led to the report. */
  matches: string;
  reporter: string;
  platform_reference: string;
  created_at: string;
  /** The case the report joined; null only for a moment during intake. */
  case_id: number | null;
  /** The public reference given to the reporter (public reports), e.g. WR-7K3M9Q2XHD. */
  reference: string | null;
  url: Generated<string>;
  /** The normalised URL, for grouping reports about the same page. */
  url_key: Generated<string>;
  reason: Generated<string>;
  category: Generated<string>;
  /** Where a public reporter asked to hear the outcome; erased once they are told. */
  contact_email: string | null;
  pdq: Generated<string>;
  md5: Generated<string>;
  sha256: Generated<string>;
  quality: number | null;
  /** The address the URL's host resolved to when fetched, and its country (ISO 3166 alpha-2) if known. */
  host_address: Generated<string>;
  host_country: Generated<string>;
  /** Source, reporter and content of the report: a repeat within the window adds an occurrence. */
  repeat_key: Generated<string>;
  /** How many times the same source sent the same content while the report was open. */
  occurrences: Generated<number>;
  last_seen_at: Generated<string>;
  /** JSON: the platform references the repeats carried (the first ones). */
  occurrence_references: Generated<string>;
}

export interface UsersTable {
  id: Generated<number>;
  username: string;
  display_name: string;
  role: string;
  /** scrypt, self-describing: `scrypt$N$r$p$salt$hash` (base64url). */
  password_hash: string;
  /** JSON: the person's own wellness settings, within the limits an admin sets. */
  settings: string;
  created_at: string;
  updated_at: string;
  disabled_at: string | null;
}

/** Sign-in attempts since the last success, per `user:NAME` and per `ip:ADDRESS` (users domain). */
export interface SignInAttemptsTable {
  key: string;
  attempts: number;
  last_at: string;
  /** ISO time before which no attempt is checked; '' when not blocked. */
  blocked_until: string;
}

export interface SessionsTable {
  id: Generated<number>;
  /** SHA-256 of the session token; the token lives only in the person's cookie. */
  token_hash: string;
  user_id: number;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
  source_ip: string;
}

export interface SettingsTable {
  name: string;
  /** JSON. */
  value: string;
  updated_at: string;
}

export interface EvidenceTable {
  /** SHA-256 of the plain bytes: the blob's name in the evidence store. */
  sha256: string;
  md5: string;
  /** '' when the media is not an image that could be hashed. */
  pdq: string;
  quality: number | null;
  mime: string;
  width: number | null;
  height: number | null;
  size_bytes: number;
  stored_at: string;
}

export type CaseStatus =
  'new' | 'in_review' | 'second_opinion' | 'awaiting_agreement' | 'escalated' | 'decided' | 'merged';

export interface CasesTable {
  id: Generated<number>;
  status: CaseStatus;
  category: string;
  grade: string;
  /** '' until decided; then confirmed or not_actionable. */
  outcome: string;
  /** Higher first: known match, then severity, then source (see the reports domain's queue). */
  priority: number;
  known_match: number;
  /** The best match, in words, for the queue: e.g. "csam-standin, distance 4". */
  match_summary: string;
  severity: number;
  /** The most trusted source among the case's reports. */
  source: string;
  report_count: number;
  first_reported_at: string;
  last_reported_at: string;
  /** The actor holding the review lock, until locked_until. */
  locked_by: string | null;
  locked_until: string | null;
  /** JSON: a confirmation waiting for a second analyst's agreement. */
  pending: string | null;
  merged_into: number | null;
  decided_at: string | null;
  created_at: string;
  updated_at: string;
  /** The current claim: a number that changes when another person takes the case or a decision is made. */
  claim_seq: Generated<number>;
  /** Who the current claim is for (null after a decision). */
  claim_actor: string | null;
}

/** An item a person revealed while holding a case (one row per case, claim, person and item). */
export interface CaseRevealsTable {
  id: Generated<number>;
  case_id: number;
  claim_seq: number;
  actor: string;
  sha256: string;
  revealed_at: string;
}

export interface CaseSignalsTable {
  id: Generated<number>;
  case_id: number;
  /** url (normalised), sha256, md5 or pdq. */
  signal_type: string;
  value: string;
  created_at: string;
}

export interface DecisionsTable {
  id: Generated<number>;
  case_id: number;
  actor: string;
  role: string;
  kind: string;
  category: string;
  grade: string;
  reason: string;
  /** The bank a confirmation adds the content's hashes to. */
  bank: string;
  /** JSON: what the decider saw, e.g. [{"sha256":"…","revealed":true}]. */
  evidence_seen: string;
  created_at: string;
  /** JSON: the verdict on each media item ([{"sha256","verdict","grade"}]). */
  items: Generated<string>;
  /** JSON: the verdict on each page URL ([{"url","verdict"}]). */
  urls: Generated<string>;
  /** 1 when confirmed items had to be revealed first (WARDEN_REVEAL_BEFORE_CONFIRM). */
  reveal_rule: Generated<number>;
}

export interface ReportMediaTable {
  id: Generated<number>;
  report_id: number;
  sha256: string;
  /** Where the media was found; '' for an upload. */
  url: string;
  created_at: string;
  /** JSON: what this item matched (MatchJson[]), so each item is decided on its own. */
  matches: Generated<string>;
}

export interface WebhooksTable {
  id: Generated<number>;
  url: string;
  secret: string;
  /** JSON array of event types. */
  events: string;
  enabled: number;
  created_at: string;
}

export type CrawlStatus = 'running' | 'paused' | 'cancelled' | 'done';
export type CrawlMode = 'crawl' | 'recheck';
export type CrawlUrlStatus = 'queued' | 'fetching' | 'done' | 'failed';

export interface CrawlsTable {
  id: Generated<number>;
  /** JSON array of the seed URLs, normalised. */
  seeds: string;
  /** JSON object: the crawl's options (scope, limits, politeness, robots). */
  options: string;
  status: CrawlStatus;
  pages_fetched: Generated<number>;
  pages_failed: Generated<number>;
  media_fetched: Generated<number>;
  media_failed: Generated<number>;
  matches: Generated<number>;
  reports_filed: Generated<number>;
  created_by: Generated<string>;
  created_at: string;
  updated_at: string;
  mode: Generated<CrawlMode>;
  urls_admitted: Generated<number>;
}

export interface CrawlUrlsTable {
  id: Generated<number>;
  crawl_id: number;
  /** Normalised (see normaliseUrl); unique within a crawl. */
  url: string;
  /** `host[:port]`, the unit of politeness and robots.txt. */
  host: string;
  depth: number;
  status: CrawlUrlStatus;
  priority: Generated<number>;
  attempts: Generated<number>;
  next_attempt_at: string;
  lease_owner: string | null;
  lease_until: string | null;
  /** Why the last attempt failed; '' when none did. */
  error: Generated<string>;
  http_status: number | null;
  /** Where the URL led after redirects, once fetched. */
  final_url: Generated<string>;
  /** The page that linked to it; '' for a seed. */
  discovered_from: Generated<string>;
  fetched_at: string | null;
  created_at: string;
  /** Why the URL has its priority, in words. */
  reason: Generated<string>;
  /** Links from the nearest page with a match (0: this page had one); null when none is known. */
  match_distance: number | null;
}

export interface CrawlHostsTable {
  crawl_id: number;
  host: string;
  /** HTTP status of robots.txt; null until fetched. */
  robots_status: number | null;
  robots_txt: string | null;
  robots_fetched_at: string | null;
}

/** Politeness across crawls and processes: when the next request to a host may start. */
export interface HostSlotsTable {
  host: string;
  next_allowed_at: string;
}

export type WatchedUrlStatus = 'unchecked' | 'present' | 'changed' | 'removed' | 'unreachable';

/** A confirmed URL whose content is watched until it is gone. */
export interface WatchedUrlsTable {
  id: Generated<number>;
  case_id: number;
  url: string;
  kind: 'page' | 'media';
  status: Generated<WatchedUrlStatus>;
  http_status: number | null;
  last_checked_at: string | null;
  /** When a check first found the content gone (null while it is there). */
  removed_at: string | null;
  created_at: string;
}

/** A video found on a page, waiting for video hashing. */
export interface CrawlVideosTable {
  id: Generated<number>;
  crawl_id: number;
  page_url: string;
  video_url: string;
  created_at: string;
}

export interface UrlChecksTable {
  id: Generated<number>;
  watched_url_id: number;
  crawl_id: number;
  checked_at: string;
  status: Exclude<WatchedUrlStatus, 'unchecked'>;
  http_status: number | null;
  detail: Generated<string>;
  evidence: Generated<string>;
}

export interface CrawlFindingsTable {
  id: Generated<number>;
  crawl_id: number;
  page_url: string;
  media_url: string;
  sha256: string;
  report_id: number | null;
  created_at: string;
  host: Generated<string>;
}

export interface Schema {
  banks: BanksTable;
  bank_entries: BankEntriesTable;
  counters: CountersTable;
  api_keys: ApiKeysTable;
  audit_log: AuditLogTable;
  jobs: JobsTable;
  rules: RulesTable;
  reports: ReportsTable;
  webhooks: WebhooksTable;
  users: UsersTable;
  sessions: SessionsTable;
  sign_in_attempts: SignInAttemptsTable;
  settings: SettingsTable;
  evidence: EvidenceTable;
  cases: CasesTable;
  case_signals: CaseSignalsTable;
  decisions: DecisionsTable;
  case_reveals: CaseRevealsTable;
  report_media: ReportMediaTable;
  crawls: CrawlsTable;
  crawl_urls: CrawlUrlsTable;
  crawl_hosts: CrawlHostsTable;
  crawl_findings: CrawlFindingsTable;
  host_slots: HostSlotsTable;
  watched_urls: WatchedUrlsTable;
  url_checks: UrlChecksTable;
  crawl_videos: CrawlVideosTable;
}

export type BankRow = Selectable<BanksTable>;
export type BankEntryRow = Selectable<BankEntriesTable>;
export type NewBankEntryRow = Insertable<BankEntriesTable>;
