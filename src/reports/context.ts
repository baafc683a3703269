// What every part of the reports domain works with: the database, the options, the clock and the
// in-memory index of case PDQ signals. The Casework class builds one and hands it to each module.
import type { Kysely, Selectable } from 'kysely';
import type { Database, Schema } from '../store/index.js';
import type { CasePdqIndex } from './case-index.js';

export type Db = Kysely<Schema>;
export type CaseRow = Selectable<Schema['cases']>;
export type ReportRow = Selectable<Schema['reports']>;

export interface CaseworkContext {
  database: Database;
  pdqThreshold: number;
  lockMs: number;
  twoPersonRule: boolean;
  crawlConfirmed: boolean;
  repeatWindowMs: number;
  grades: Record<string, readonly string[]>;
  clock: () => Date;
  /** Row locks (SELECT … FOR UPDATE) are taken on PostgreSQL; SQLite transactions are serial anyway. */
  postgres: boolean;
  index: CasePdqIndex;
}

/** The context's time as stored: ISO-8601 UTC. */
export function stamp(context: CaseworkContext): string {
  return context.clock().toISOString();
}

/** Statuses a case can be worked in (the queue). */
export const openStatuses = [
  'new',
  'in_review',
  'second_opinion',
  'awaiting_agreement',
  'escalated',
] as const;

/** Roles that may see and decide escalated cases. */
export function isSenior(role: string): boolean {
  return role === 'supervisor' || role === 'admin';
}
