// Reports one by one, for the command line (`warden reports list --json`) and the reports API: oldest
// first, filtered by source and by the status of their case.
import type { Selectable } from 'kysely';
import { WardenError } from '../errors/index.js';
import type { MatchJson } from '../matching/index.js';
import type { CaseStatus, Database, Schema } from '../store/index.js';
import type { ReportJson, ReportQuery } from './types.js';
import { fetchesOf } from './validate.js';

type Row = Selectable<Schema['reports']> & { case_status: CaseStatus | null };

function selectReports(database: Database) {
  return database.db
    .selectFrom('reports')
    .leftJoin('cases', 'cases.id', 'reports.case_id')
    .selectAll('reports')
    .select('cases.status as case_status');
}

async function toJson(database: Database, rows: readonly Row[]): Promise<ReportJson[]> {
  const ids = rows.map((row) => row.id);
  const media =
    ids.length === 0
      ? []
      : await database.db
          .selectFrom('report_media')
          .select(['report_id', 'sha256', 'url'])
          .where('report_id', 'in', ids)
          .orderBy('id')
          .execute();
  const firstMedia = new Map<number, string>();
  for (const item of media) {
    if (!firstMedia.has(item.report_id)) {
      firstMedia.set(item.report_id, item.url === '' ? `/v1/evidence/${item.sha256}` : item.url);
    }
  }
  return rows.map((row) => {
    const mediaUrl = firstMedia.get(row.id);
    return {
      id: row.id,
      source: row.source,
      status: row.status,
      verdict: row.verdict,
      reporter: row.reporter,
      platform_reference: row.platform_reference,
      reference: row.reference,
      url: row.url === '' ? null : row.url,
      ...(mediaUrl === undefined ? {} : { media_url: mediaUrl }),
      reason: row.reason,
      category: row.category,
      signals: { pdq: row.pdq, md5: row.md5, sha256: row.sha256, quality: row.quality },
      matches: JSON.parse(row.matches) as MatchJson[],
      host_address: row.host_address,
      host_country: row.host_country,
      fetches: fetchesOf(row.content),
      case_id: row.case_id,
      case_status: row.case_status,
      created_at: row.created_at,
    };
  });
}

/** Reports oldest first, after `afterId` (keyset pagination); default 100, at most 1000. */
export async function listReports(database: Database, query: ReportQuery = {}): Promise<ReportJson[]> {
  const rows = await selectReports(database)
    .where('reports.id', '>', query.afterId ?? 0)
    .$if(query.source !== undefined, (select) => select.where('reports.source', '=', query.source ?? ''))
    .$if(query.status !== undefined, (select) => select.where('cases.status', '=', query.status ?? 'new'))
    .orderBy('reports.id')
    .limit(Math.min(Math.max(Math.trunc(query.limit ?? 100), 1), 1000))
    .execute();
  return toJson(database, rows);
}

/** One report. Throws not_found. */
export async function getReport(database: Database, id: number): Promise<ReportJson> {
  const row = await selectReports(database).where('reports.id', '=', id).executeTakeFirst();
  if (row === undefined) throw new WardenError('not_found', `No report with id ${id}.`);
  const [report] = await toJson(database, [row]);
  if (report === undefined) throw new Error('toJson() lost a report');
  return report;
}
