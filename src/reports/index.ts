// Reports: one piece of intake each (a platform flag, a match that a rule acted on, later public reports
// and crawler hits). The review queue and cases are built on these.
import type { Kysely, Selectable } from 'kysely';
import { WardenError } from '../errors/index.js';
import { now } from '../store/index.js';
import type { Database, Schema } from '../store/index.js';

export type ReportSource = 'platform' | 'match' | 'public' | 'crawler';
export type ReportStatus = 'new';

export interface NewReport {
  source: ReportSource;
  verdict: string;
  /** The content's signals and what the reporter said about it. */
  content: Record<string, unknown>;
  matches: unknown[];
  reporter: string;
  platformReference?: string;
}

export interface Report extends Omit<NewReport, 'platformReference'> {
  id: number;
  status: ReportStatus;
  platformReference: string;
  createdAt: string;
}

/** Stores a report; pass a transaction to make it part of the decision that produced it. */
export async function createReport(db: Kysely<Schema>, report: NewReport): Promise<Report> {
  const row = await db
    .insertInto('reports')
    .values({
      source: report.source,
      status: 'new',
      verdict: report.verdict,
      content: JSON.stringify(report.content),
      matches: JSON.stringify(report.matches),
      reporter: report.reporter,
      platform_reference: report.platformReference ?? '',
      created_at: now(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toReport(row);
}

export async function getReport(database: Database, id: number): Promise<Report> {
  const row = await database.db.selectFrom('reports').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined) throw new WardenError('not_found', `No report with id ${id}.`);
  return toReport(row);
}

export async function listReports(
  database: Database,
  query: { source?: ReportSource; status?: ReportStatus; afterId?: number; limit?: number } = {},
): Promise<Report[]> {
  let select = database.db
    .selectFrom('reports')
    .selectAll()
    .where('id', '>', query.afterId ?? 0)
    .orderBy('id')
    .limit(Math.min(Math.max(query.limit ?? 100, 1), 1000));
  if (query.source !== undefined) select = select.where('source', '=', query.source);
  if (query.status !== undefined) select = select.where('status', '=', query.status);
  return (await select.execute()).map(toReport);
}

function toReport(row: Selectable<Schema['reports']>): Report {
  return {
    id: row.id,
    source: row.source as ReportSource,
    status: row.status as ReportStatus,
    verdict: row.verdict,
    content: JSON.parse(row.content) as Record<string, unknown>,
    matches: JSON.parse(row.matches) as unknown[],
    reporter: row.reporter,
    platformReference: row.platform_reference,
    createdAt: row.created_at,
  };
}
