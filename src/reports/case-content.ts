// What other domains may learn of cases, read through this door rather than from the reports domain's
// tables: which cases are confirmed, the URLs their reports and media came from, and the signals that
// identify their content (for a recheck of whether confirmed content is still online).
import type { Db } from './context.js';

/** The ids among `wanted` (or all, if not given) of cases decided as confirmed. */
export async function confirmedCaseIds(db: Db, wanted?: readonly number[]): Promise<number[]> {
  const rows = await db
    .selectFrom('cases')
    .select('id')
    .where('status', '=', 'decided')
    .where('outcome', '=', 'confirmed')
    .$if(wanted !== undefined, (query) => query.where('id', 'in', wanted ?? []))
    .execute();
  return rows.map((row) => row.id);
}

export interface CaseUrl {
  case_id: number;
  url: string;
  /** `page`: the URL a report was about; `media`: where one of its media items was found. */
  kind: 'page' | 'media';
}

/** The page and media URLs of the cases' reports, as recorded (not normalised). */
export async function caseUrls(db: Db, caseIds: readonly number[]): Promise<CaseUrl[]> {
  const found: CaseUrl[] = [];
  for (let start = 0; start < caseIds.length; start += 200) {
    const chunk = caseIds.slice(start, start + 200);
    const pages = await db
      .selectFrom('reports')
      .select(['case_id', 'url'])
      .distinct()
      .where('case_id', 'in', chunk)
      .where('url', '!=', '')
      .execute();
    for (const row of pages)
      if (row.case_id !== null) found.push({ case_id: row.case_id, url: row.url, kind: 'page' });
    const media = await db
      .selectFrom('report_media')
      .innerJoin('reports', 'reports.id', 'report_media.report_id')
      .select(['reports.case_id', 'report_media.url'])
      .where('reports.case_id', 'in', chunk)
      .where('report_media.url', '!=', '')
      .execute();
    for (const row of media)
      if (row.case_id !== null) found.push({ case_id: row.case_id, url: row.url, kind: 'media' });
  }
  return found;
}

/** The hash signals that identify a case's content: exact digests (SHA-256, MD5) and PDQ hashes. */
export async function caseHashSignals(
  db: Db,
  caseId: number,
): Promise<{ exact: Set<string>; pdq: string[] }> {
  const signals = await db
    .selectFrom('case_signals')
    .select(['signal_type', 'value'])
    .where('case_id', '=', caseId)
    .where('signal_type', 'in', ['sha256', 'md5', 'pdq'])
    .execute();
  return {
    exact: new Set(signals.filter((signal) => signal.signal_type !== 'pdq').map((signal) => signal.value)),
    pdq: signals.filter((signal) => signal.signal_type === 'pdq').map((signal) => signal.value),
  };
}
