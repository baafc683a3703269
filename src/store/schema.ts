// Table shapes as Kysely sees them. Booleans are stored as 0/1 and timestamps as ISO-8601 UTC text on
// both engines, so one code path serves SQLite and PostgreSQL.
import type { Generated, Insertable, Selectable } from 'kysely';

export type SignalType = 'pdq' | 'md5' | 'sha256';

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
  signal_type: SignalType;
  value: string;
  category: string;
  source: string;
  note: string;
  external_id: string;
  added_at: string;
  enabled: number;
  /** Bumped on every change, so matchers can follow changes with `revision > last seen`. */
  revision: number;
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
}

export type BankRow = Selectable<BanksTable>;
export type BankEntryRow = Selectable<BankEntriesTable>;
export type NewBankEntryRow = Insertable<BankEntriesTable>;
