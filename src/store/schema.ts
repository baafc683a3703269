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

export interface Schema {
  banks: BanksTable;
  bank_entries: BankEntriesTable;
  counters: CountersTable;
}

export type BankRow = Selectable<BanksTable>;
export type BankEntryRow = Selectable<BankEntriesTable>;
export type NewBankEntryRow = Insertable<BankEntriesTable>;
