// The store domain: the one database (SQLite or PostgreSQL), its schema and migrations.
export {
  openDatabase,
  now,
  nextBankRevision,
  readCounter,
  claimCounter,
  isUniqueViolation,
} from './database.js';
export type { Database, DatabaseOptions, Dialect } from './database.js';
export type { DatabaseHealth } from './storage-failures.js';
export type {
  Schema,
  SignalType,
  TextSignalType,
  BankSignalType,
  BankRow,
  BankEntryRow,
  NewBankEntryRow,
  JobStatus,
  CaseStatus,
  CrawlMode,
  CrawlStatus,
  WatchedUrlStatus,
  CrawlUrlStatus,
} from './schema.js';
