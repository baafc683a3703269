// The append-only audit log: who did what, to what, when and from where. The database refuses updates
// and deletes of this table (see the store's migrations), so history cannot be rewritten by Warden itself.
import type { Kysely } from 'kysely';
import { now } from '../store/index.js';
import type { Database, Schema } from '../store/index.js';

export interface AuditRecord {
  actor: string;
  action: string;
  target?: string;
  details?: Record<string, unknown>;
  sourceIp?: string;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  details: Record<string, unknown>;
  sourceIp: string;
}

/** Appends one record; pass a transaction to make it part of the change it describes. */
export async function recordAudit(db: Kysely<Schema>, record: AuditRecord): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at: now(),
      actor: record.actor,
      action: record.action,
      target: record.target ?? '',
      details: JSON.stringify(record.details ?? {}),
      source_ip: record.sourceIp ?? '',
    })
    .execute();
}

export interface AuditQuery {
  action?: string;
  actor?: string;
  /** Entries with an id below this (newest first, keyset pagination). */
  beforeId?: number;
  limit?: number;
}

/** The newest entries first. */
export async function listAudit(database: Database, query: AuditQuery = {}): Promise<AuditEntry[]> {
  let select = database.db
    .selectFrom('audit_log')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(Math.min(Math.max(query.limit ?? 100, 1), 1000));
  if (query.action !== undefined) select = select.where('action', '=', query.action);
  if (query.actor !== undefined) select = select.where('actor', '=', query.actor);
  if (query.beforeId !== undefined) select = select.where('id', '<', query.beforeId);
  return (await select.execute()).map((row) => ({
    id: row.id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    target: row.target,
    details: JSON.parse(row.details) as Record<string, unknown>,
    sourceIp: row.source_ip,
  }));
}

/** What happened to these targets (`case:7`, `report:12`, …), oldest first, at most `limit` entries. */
export async function historyOf(
  db: Kysely<Schema>,
  targets: readonly string[],
  limit = 5000,
): Promise<Pick<AuditEntry, 'at' | 'actor' | 'action' | 'details'>[]> {
  if (targets.length === 0) return [];
  const rows = await db
    .selectFrom('audit_log')
    .select(['at', 'actor', 'action', 'details'])
    .where('target', 'in', targets)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ ...row, details: JSON.parse(row.details) as Record<string, unknown> }));
}

/** How many entries of `action` this actor wrote since `since` (ISO-8601). */
export async function countActions(
  database: Database,
  query: { actor: string; action: string; since: string },
): Promise<number> {
  const row = await database.db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('actor', '=', query.actor)
    .where('action', '=', query.action)
    .where('at', '>=', query.since)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}
