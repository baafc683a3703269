// What other domains may learn of cases, read through this door rather than from the reports domain's
// tables: which cases are confirmed, the URLs of what was confirmed in them, and the signals that
// identify their content (for a recheck of whether confirmed content is still online, and for crawls
// seeded from confirmed cases).
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

export interface ConfirmedUrl {
  case_id: number;
  url: string;
  /** `page`: a page URL the analysts confirmed; `media`: where a confirmed media item was found. */
  kind: 'page' | 'media';
}

/**
 * The URLs of what the analysts confirmed in these cases, as recorded (not normalised): the page URLs
 * and the media items their confirmation named, not everything the case's reports brought along.
 */
export async function confirmedUrls(db: Db, caseIds: readonly number[]): Promise<ConfirmedUrl[]> {
  const found: ConfirmedUrl[] = [];
  for (let start = 0; start < caseIds.length; start += 200) {
    const chunk = caseIds.slice(start, start + 200);
    const decisions = await db
      .selectFrom('decisions')
      .select(['id', 'case_id', 'items', 'urls'])
      .where('case_id', 'in', chunk)
      .where('kind', '=', 'confirmed')
      .orderBy('id')
      .execute();
    // The latest confirmation of each case is the one that was agreed to.
    const latest = new Map(decisions.map((row) => [row.case_id, row]));
    for (const [caseId, row] of latest) {
      const urls = JSON.parse(row.urls) as { url: string; verdict: string }[];
      const items = JSON.parse(row.items) as { sha256: string; verdict: string }[];
      for (const entry of urls) {
        if (entry.verdict === 'confirmed') found.push({ case_id: caseId, url: entry.url, kind: 'page' });
      }
      const confirmed = items.filter((item) => item.verdict === 'confirmed').map((item) => item.sha256);
      if (confirmed.length === 0) continue;
      const media = await db
        .selectFrom('report_media')
        .innerJoin('reports', 'reports.id', 'report_media.report_id')
        .select('report_media.url')
        .distinct()
        .where('reports.case_id', '=', caseId)
        .where('report_media.sha256', 'in', confirmed)
        .where('report_media.url', '!=', '')
        .execute();
      for (const { url } of media) found.push({ case_id: caseId, url, kind: 'media' });
    }
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
