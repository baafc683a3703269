// What people see of cases: the queue's summaries (with the reasons for their place) and a case in
// full — its reports, media, decisions, a pending confirmation and its history from the audit log.
import { historyOf } from '../audit/index.js';
import { describeEvidence } from '../evidence/index.js';
import { WardenError } from '../errors/index.js';
import type { MatchJson } from '../matching/index.js';
import type { CaseworkContext, CaseRow, Db } from './context.js';
import { lockHeld } from './context.js';
import { caseItems, revealsInClaim } from './decision-items.js';
import { caseReasons } from './priority.js';
import { fetchesOf } from './validate.js';
import type {
  CaseClaim,
  CaseDecision,
  CaseDetail,
  CaseMedia,
  ItemDecision,
  ItemMatch,
  CaseReport,
  CaseSummary,
  EvidenceSeen,
  HistoryEntry,
  PendingConfirmation,
  UrlDecision,
} from './types.js';

/** Reports shown in one case, newest last; a case with more shows the first ones and says so in its count. */
const maxReportsShown = 1000;

/**
 * The pending confirmation as stored in cases.pending. Its items and URLs are what it publishes, fixed
 * when it was proposed: content that joins the case later was judged by neither analyst.
 */
export interface StoredPending extends PendingConfirmation {
  role: string;
  evidence_seen: EvidenceSeen[];
}

export function parsePending(text: string | null): StoredPending | null {
  if (text === null) return null;
  const stored = JSON.parse(text) as Partial<StoredPending>;
  // A confirmation proposed before decisions were made item by item named no set: it publishes nothing.
  return { ...stored, items: stored.items ?? [], urls: stored.urls ?? [] } as StoredPending;
}

interface CaseExtras {
  url: string | null;
  mediaCount: number;
  thumbnail: string | null;
}

/** The first URL, media count and first image of each case, in three queries for any number of cases. */
async function caseExtras(db: Db, caseIds: readonly number[]): Promise<Map<number, CaseExtras>> {
  const extras = new Map<number, CaseExtras>(
    caseIds.map((id) => [id, { url: null, mediaCount: 0, thumbnail: null }]),
  );
  if (caseIds.length === 0) return extras;
  const firstWithUrl = await db
    .selectFrom('reports')
    .select((eb) => eb.fn.min('id').as('id'))
    .where('case_id', 'in', caseIds)
    .where('url', '<>', '')
    .groupBy('case_id')
    .execute();
  const ids = firstWithUrl.map((row) => Number(row.id));
  if (ids.length > 0) {
    const urls = await db.selectFrom('reports').select(['case_id', 'url']).where('id', 'in', ids).execute();
    for (const row of urls) {
      const extra = row.case_id === null ? undefined : extras.get(row.case_id);
      if (extra !== undefined) extra.url = row.url;
    }
  }
  const media = await db
    .selectFrom('report_media')
    .innerJoin('reports', 'reports.id', 'report_media.report_id')
    .select(['reports.case_id', 'report_media.sha256', (eb) => eb.fn.min('report_media.id').as('first')])
    .where('reports.case_id', 'in', caseIds)
    .groupBy(['reports.case_id', 'report_media.sha256'])
    .execute();
  media.sort((a, b) => Number(a.first) - Number(b.first));
  const described = await describeEvidence(
    db,
    media.map((row) => row.sha256),
  );
  for (const row of media) {
    const extra = row.case_id === null ? undefined : extras.get(row.case_id);
    if (extra === undefined) continue;
    extra.mediaCount += 1;
    const mime = described.get(row.sha256)?.mime ?? '';
    if (extra.thumbnail === null && mime.startsWith('image/')) extra.thumbnail = row.sha256;
  }
  return extras;
}

function summary(row: CaseRow, extra: CaseExtras | undefined, now: Date): CaseSummary {
  const at = now.toISOString();
  const held = lockHeld(row, at);
  return {
    id: row.id,
    // A claim that ran out leaves the case free: it is shown as new again.
    status: row.status === 'in_review' && !held ? 'new' : row.status,
    category: row.category,
    grade: row.grade,
    outcome: row.outcome,
    priority: row.priority,
    reasons: row.status === 'decided' || row.status === 'merged' ? [] : caseReasons(row, now),
    known_match: row.known_match === 1,
    match_summary: row.match_summary,
    source: row.source,
    report_count: row.report_count,
    first_reported_at: row.first_reported_at,
    last_reported_at: row.last_reported_at,
    locked_by: held ? row.locked_by : null,
    locked_until: held ? row.locked_until : null,
    merged_into: row.merged_into,
    decided_at: row.decided_at,
    url: extra?.url ?? null,
    media_count: extra?.mediaCount ?? 0,
    thumbnail_sha256: extra?.thumbnail ?? null,
  };
}

export async function summarise(
  context: CaseworkContext,
  db: Db,
  rows: readonly CaseRow[],
): Promise<CaseSummary[]> {
  const extras = await caseExtras(
    db,
    rows.map((row) => row.id),
  );
  const now = context.clock();
  return rows.map((row) => summary(row, extras.get(row.id), now));
}

export async function getCase(
  context: CaseworkContext,
  caseId: number,
  db: Db = context.database.db,
): Promise<CaseDetail> {
  const row = await db.selectFrom('cases').selectAll().where('id', '=', caseId).executeTakeFirst();
  if (row === undefined) throw new WardenError('not_found', `No case with id ${caseId}.`);
  const [head] = await summarise(context, db, [row]);
  if (head === undefined) throw new Error('summarise() lost a case');

  const reportRows = await db
    .selectFrom('reports')
    .selectAll()
    .where('case_id', '=', caseId)
    .orderBy('id')
    .limit(maxReportsShown)
    .execute();
  const reportIds = reportRows.map((report) => report.id);
  const mediaRows =
    reportIds.length === 0
      ? []
      : await db
          .selectFrom('report_media')
          .select(['report_id', 'sha256', 'url', 'matches'])
          .where('report_id', 'in', reportIds)
          .orderBy('id')
          .execute();
  const shas = [...new Set(mediaRows.map((media) => media.sha256))];
  const evidenceBySha = await describeEvidence(db, shas);

  const reports: CaseReport[] = reportRows.map((report) => ({
    id: report.id,
    source: report.source,
    reference: report.reference,
    url: report.url === '' ? null : report.url,
    reason: report.reason,
    category: report.category,
    reporter: report.reporter,
    platform_reference: report.platform_reference,
    created_at: report.created_at,
    host_address: report.host_address,
    host_country: report.host_country,
    signals: { pdq: report.pdq, md5: report.md5, sha256: report.sha256, quality: report.quality },
    matches: JSON.parse(report.matches) as MatchJson[],
    media: mediaRows
      .filter((media) => media.report_id === report.id)
      .map((media) => ({ sha256: media.sha256, url: media.url })),
    fetches: fetchesOf(report.content),
  }));
  const media: CaseMedia[] = [];
  for (const sha256 of shas) {
    const item = evidenceBySha.get(sha256);
    if (item === undefined) continue;
    media.push({
      sha256,
      md5: item.md5,
      pdq: item.pdq,
      quality: item.quality,
      mime: item.mime,
      width: item.width,
      height: item.height,
      size_bytes: item.sizeBytes,
      url: mediaRows.find((found) => found.sha256 === sha256)?.url ?? '',
      matches: itemMatches(mediaRows.filter((found) => found.sha256 === sha256)),
    });
  }

  const decisions: CaseDecision[] = (
    await db.selectFrom('decisions').selectAll().where('case_id', '=', caseId).orderBy('id').execute()
  ).map((decision) => ({
    id: decision.id,
    actor: decision.actor,
    role: decision.role,
    kind: decision.kind,
    category: decision.category,
    grade: decision.grade,
    reason: decision.reason,
    bank: decision.bank,
    evidence_seen: JSON.parse(decision.evidence_seen) as EvidenceSeen[],
    items: JSON.parse(decision.items) as ItemDecision[],
    urls: JSON.parse(decision.urls) as UrlDecision[],
    reveal_rule: decision.reveal_rule === 1,
    created_at: decision.created_at,
  }));
  const stored = parsePending(row.pending);
  const pending: PendingConfirmation | null =
    stored === null
      ? null
      : {
          actor: stored.actor,
          category: stored.category,
          grade: stored.grade,
          bank: stored.bank,
          reason: stored.reason,
          created_at: stored.created_at,
          items: stored.items,
          urls: stored.urls,
        };
  const { urls } = await caseItems(db, caseId);
  return {
    ...head,
    reports,
    media,
    urls,
    decisions,
    pending,
    claim: await currentClaim(db, row, head.locked_by),
    history: await history(db, caseId),
  };
}

/** What an item's report_media rows matched: each bank entry once, at its nearest, nearest first. */
function itemMatches(rows: readonly { matches: string }[]): ItemMatch[] {
  const nearest = new Map<string, ItemMatch>();
  for (const row of rows) {
    for (const match of JSON.parse(row.matches) as MatchJson[]) {
      const key = `${match.bank}:${match.entry_id}`;
      const known = nearest.get(key);
      if (known !== undefined && known.distance <= match.distance) continue;
      // The entry's own signal stays out: bank contents are for the roles that manage banks.
      nearest.set(key, {
        bank: match.bank,
        category: match.category,
        signal_type: match.signal_type,
        distance: match.distance,
        entry_id: match.entry_id,
      });
    }
  }
  return [...nearest.values()].sort((a, b) => a.distance - b.distance || a.entry_id - b.entry_id);
}

/** The case's current claim while it is held, with the items its holder revealed in it. */
async function currentClaim(db: Db, row: CaseRow, holder: string | null): Promise<CaseClaim | null> {
  const actor = row.claim_actor;
  if (actor === null || holder !== actor) return null;
  return { actor, revealed: await revealsInClaim(db, row, actor) };
}

/**
 * The audit entries about the case, about cases merged into it and about its reports, oldest first.
 */
async function history(db: Db, caseId: number): Promise<HistoryEntry[]> {
  // The targets first, each from its own index, then one indexed lookup of the log: a single query with
  // subqueries in an OR would scan the log (or every case) instead.
  const merged = await db.selectFrom('cases').select('id').where('merged_into', '=', caseId).execute();
  const reports = await db
    .selectFrom('reports')
    .select('id')
    .where('case_id', '=', caseId)
    .orderBy('id')
    .limit(maxReportsShown)
    .execute();
  const targets = [
    `case:${caseId}`,
    ...merged.map((row) => `case:${row.id}`),
    ...reports.map((row) => `report:${row.id}`),
  ];
  return historyOf(db, targets);
}

/** Whether the evidence belongs to the case (so a viewer may be shown it in that case's context). */
export async function caseHasMedia(
  context: CaseworkContext,
  caseId: number,
  sha256: string,
): Promise<boolean> {
  const row = await context.database.db
    .selectFrom('report_media')
    .innerJoin('reports', 'reports.id', 'report_media.report_id')
    .select('report_media.id')
    .where('reports.case_id', '=', caseId)
    .where('report_media.sha256', '=', sha256.toLowerCase())
    .executeTakeFirst();
  return row !== undefined;
}
