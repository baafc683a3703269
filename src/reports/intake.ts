// Intake: a report is checked, given a public reference if it is public, and joins the case of the same
// content (same normalised URL or hash, or a PDQ hash within the threshold) or opens a new one, all in
// one transaction. A report with a URL and no media queues a job that fetches the media; media, when it
// arrives, can show that two cases are about the same content, and the newer is merged into the older.
import { recordAudit } from '../audit/index.js';
import { WardenError } from '../errors/index.js';
import { enqueueJob } from '../jobs/index.js';
import type { MatchJson } from '../matching/index.js';
import type { CaseworkContext, CaseRow, Db } from './context.js';
import { stamp } from './context.js';
import {
  applyFacts,
  caseSignals,
  consolidate,
  createCase,
  findCases,
  lockCase,
  lockCases,
  takeSignals,
} from './case-store.js';
import type { CaseSignal } from './case-store.js';
import { tellReporter } from './feedback.js';
import { uniqueReference } from './reference.js';
import type { AttachExtra, FiledReport, ReportInput, ReportMedia } from './types.js';
import { checkReportInput, graverCategory } from './validate.js';
import type { CheckedReport } from './validate.js';

/** The job kind that fetches a reported URL's media. */
export const fetchKind = 'report.fetch';
/** The job kind that starts a crawl from a confirmed case's URLs (handled by the crawl domain). */
export const crawlConfirmedKind = 'crawl.confirmed';

export async function fileReport(
  context: CaseworkContext,
  input: ReportInput,
  trx?: Db,
): Promise<FiledReport> {
  const report = checkReportInput(input, context.grades);
  if (trx !== undefined) return fileChecked(context, trx, report);
  return context.database.db.transaction().execute((db) => fileChecked(context, db, report));
}

async function fileChecked(context: CaseworkContext, db: Db, report: CheckedReport): Promise<FiledReport> {
  const at = stamp(context);
  const repeatKey = repeatKeyOf(report);
  // A repeat is counted without joining its case again: that is what keeps a flood cheap.
  const earlier = await openRepeat(context, db, repeatKey);
  if (earlier !== undefined) {
    const caseRow = await lockCase(context, db, earlier);
    const repeated = await addOccurrence(context, db, caseRow.id, repeatKey, report, at);
    if (repeated !== undefined) return repeated;
  }
  const signals = caseSignals([report, ...report.media.map(({ item }) => item)]);
  const caseRow = await joinCase(context, db, report, signals, at);
  // The case is locked now, so a repeat filed concurrently with the first report still counts.
  const repeated = await addOccurrence(context, db, caseRow.id, repeatKey, report, at);
  if (repeated !== undefined) return repeated;

  const reference = report.source === 'public' ? await uniqueReference(db) : null;
  const decided = caseRow.status === 'decided';
  const inserted = await db
    .insertInto('reports')
    .values({
      source: report.source,
      status: 'new',
      verdict: report.verdict,
      content: JSON.stringify(content(report)),
      matches: JSON.stringify(report.matches),
      reporter: report.reporter,
      platform_reference: report.platformReference,
      created_at: at,
      case_id: caseRow.id,
      reference,
      url: report.url,
      url_key: report.urlKey,
      reason: report.reason,
      category: report.category,
      contact_email: report.contactEmail,
      pdq: report.pdq,
      md5: report.md5,
      sha256: report.sha256,
      quality: report.quality,
      host_address: report.hostAddress,
      host_country: report.hostCountry,
      repeat_key: repeatKey,
      last_seen_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const id = inserted.id;
  await insertMedia(db, id, report.media, at);
  await applyFacts(
    db,
    caseRow,
    { reportedAt: at, source: report.source, category: report.category, matches: report.matches },
    at,
  );
  // A report about content already decided is not reviewed again; its reporter hears the outcome now.
  if (decided && (caseRow.outcome === 'confirmed' || caseRow.outcome === 'not_actionable')) {
    await tellReporter(db, { id, reference, contact_email: report.contactEmail }, caseRow.outcome);
  }
  await recordAudit(db, {
    actor: report.reporter === '' ? 'system' : report.reporter,
    action: 'report.filed',
    target: `report:${id}`,
    details: { case_id: caseRow.id, source: report.source, ...(decided ? { decided_case: true } : {}) },
    ...(report.sourceIp === '' ? {} : { sourceIp: report.sourceIp }),
  });
  if (report.url !== '' && report.media.length === 0) {
    await enqueueJob(db, { kind: fetchKind, payload: { report_id: id }, dedupeKey: `${fetchKind}:${id}` });
  }
  return { id, caseId: caseRow.id, reference, occurrences: 1 };
}

/** Platform references kept on a report for its repeats, at most. */
const maxOccurrenceReferences = 100;

/**
 * What makes a later report a repeat of this one: the same source and reporter sending the same
 * content from the same address. Public reports are never folded: each anonymous reporter gets a reference of their own.
 */
function repeatKeyOf(report: CheckedReport): string {
  if (report.source === 'public') return '';
  const content = report.sha256 || report.md5 || report.pdq;
  // The same image at another address is another place to take it down from: a report of its own.
  return content === '' && report.urlKey === ''
    ? ''
    : `${report.source}|${report.reporter}|${report.urlKey}|${content}`;
}

/** The case of the latest report with this repeat key within the window, if any. */
async function openRepeat(context: CaseworkContext, db: Db, repeatKey: string): Promise<number | undefined> {
  if (repeatKey === '' || context.repeatWindowMs === 0) return undefined;
  const row = await db
    .selectFrom('reports')
    .select('case_id')
    .where('repeat_key', '=', repeatKey)
    .where('last_seen_at', '>=', windowStart(context))
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.case_id ?? undefined;
}

function windowStart(context: CaseworkContext): string {
  return new Date(context.clock().getTime() - context.repeatWindowMs).toISOString();
}

/**
 * A repeat within the window adds an occurrence to the report already open in the case, instead of a
 * report of its own: one platform resubmitting one image must not flood the queue and the audit log.
 * The audit records the count at the first repeat and at every power of ten, not every repeat.
 */
async function addOccurrence(
  context: CaseworkContext,
  db: Db,
  caseId: number,
  repeatKey: string,
  report: CheckedReport,
  at: string,
): Promise<FiledReport | undefined> {
  if (repeatKey === '' || context.repeatWindowMs === 0) return undefined;
  const open = await db
    .selectFrom('reports')
    .select(['id', 'reference', 'occurrences', 'occurrence_references', 'platform_reference'])
    .where('case_id', '=', caseId)
    .where('repeat_key', '=', repeatKey)
    .where('last_seen_at', '>=', windowStart(context))
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (open === undefined) return undefined;
  const occurrences = open.occurrences + 1;
  const references = JSON.parse(open.occurrence_references) as string[];
  const addReference =
    report.platformReference !== '' &&
    report.platformReference !== open.platform_reference &&
    references.length < maxOccurrenceReferences &&
    !references.includes(report.platformReference);
  await db
    .updateTable('reports')
    .set({
      occurrences,
      last_seen_at: at,
      ...(addReference
        ? { occurrence_references: JSON.stringify([...references, report.platformReference]) }
        : {}),
    })
    .where('id', '=', open.id)
    .execute();
  if (occurrences === 2 || Number.isInteger(Math.log10(occurrences))) {
    await recordAudit(db, {
      actor: report.reporter === '' ? 'system' : report.reporter,
      action: 'report.repeated',
      target: `report:${open.id}`,
      details: { case_id: caseId, occurrences },
    });
  }
  return { id: open.id, caseId, reference: open.reference, occurrences };
}

/** What the report's `content` column keeps: the content's signals as given. */
function content(report: CheckedReport): Record<string, unknown> {
  return {
    ...(report.url === '' ? {} : { url: report.url }),
    ...(report.pdq === '' ? {} : { pdq: report.pdq }),
    ...(report.quality === null ? {} : { quality: report.quality }),
    ...(report.md5 === '' ? {} : { md5: report.md5 }),
    ...(report.sha256 === '' ? {} : { sha256: report.sha256 }),
    ...(report.fetches.length === 0 ? {} : { fetches: report.fetches }),
  };
}

/**
 * The case the report joins, locked: the oldest case holding any of its signals, or a new one. Cases
 * the report shows to be about the same content are merged. If a concurrent intake took one of the new
 * case's signals first, the report joins that intake's case instead (once; see takeSignals).
 */
async function joinCase(
  context: CaseworkContext,
  db: Db,
  report: CheckedReport,
  signals: readonly CaseSignal[],
  at: string,
): Promise<CaseRow> {
  const found = await findCases(context, db, signals);
  if (found.length === 0) {
    const created = await createCase(db, { source: report.source, category: report.category, at });
    const taken = await takeSignals(db, created.id, signals, at);
    if (taken.length === 0) return created;
    await db.deleteFrom('cases').where('id', '=', created.id).execute();
    return settle(context, db, taken, signals, at);
  }
  return settle(context, db, found, signals, at);
}

async function settle(
  context: CaseworkContext,
  db: Db,
  caseIds: readonly number[],
  signals: readonly CaseSignal[],
  at: string,
): Promise<CaseRow> {
  let rows = await lockCases(context, db, caseIds);
  const oldest = rows[0];
  if (oldest === undefined) throw new Error('settle() needs at least one case');
  const others = await takeSignals(db, oldest.id, signals, at);
  const unseen = others.filter((id) => !rows.some((row) => row.id === id));
  if (unseen.length > 0) rows = await lockCases(context, db, [...rows.map((row) => row.id), ...unseen]);
  await consolidate(db, rows, at);
  return lockCase(context, db, rows[0]?.id ?? oldest.id);
}

/** Links evidence to a report; media it already has is skipped (a retried fetch adds nothing twice). */
async function insertMedia(
  db: Db,
  reportId: number,
  media: readonly ReportMedia[],
  at: string,
): Promise<number> {
  if (media.length === 0) return 0;
  const existing = await db
    .selectFrom('report_media')
    .select('sha256')
    .where('report_id', '=', reportId)
    .execute();
  const have = new Set(existing.map((row) => row.sha256));
  const rows = [];
  for (const { item, url, matches } of media) {
    if (have.has(item.sha256)) continue;
    have.add(item.sha256);
    rows.push({
      report_id: reportId,
      sha256: item.sha256,
      url,
      created_at: at,
      matches: JSON.stringify(matches ?? []),
    });
  }
  if (rows.length > 0) await db.insertInto('report_media').values(rows).execute();
  return rows.length;
}

function mergeMatches(stored: readonly MatchJson[], added: readonly MatchJson[]): MatchJson[] {
  const merged = [...stored];
  for (const match of added) {
    if (!merged.some((known) => known.entry_id === match.entry_id && known.signal === match.signal)) {
      merged.push(match);
    }
  }
  return merged;
}

/**
 * Links fetched or uploaded media to a report, takes the media's signals for its case, merges any other
 * case about the same media into the older of the two, and updates the case's match and priority.
 */
export async function attachMedia(
  context: CaseworkContext,
  reportId: number,
  media: readonly ReportMedia[],
  extra: AttachExtra,
  trx?: Db,
): Promise<FiledReport> {
  if (trx === undefined) {
    return context.database.db
      .transaction()
      .execute((db) => attachMedia(context, reportId, media, extra, db));
  }
  const db = trx;
  {
    const at = stamp(context);
    const report = await db.selectFrom('reports').selectAll().where('id', '=', reportId).executeTakeFirst();
    if (report === undefined || report.case_id === null) {
      throw new WardenError('not_found', `No report with id ${reportId}.`);
    }
    const signals = caseSignals(media.map(({ item }) => item));
    const related = await findCases(context, db, signals);
    const rows = await lockCases(context, db, [report.case_id, ...related]);
    const own = await lockCase(context, db, report.case_id);
    const others = await takeSignals(db, own.id, signals, at);
    const unseen = others.filter((id) => !rows.some((row) => row.id === id));
    const all =
      unseen.length === 0 ? rows : await lockCases(context, db, [...rows.map((row) => row.id), ...unseen]);

    await insertMedia(db, reportId, media, at);
    const first = media[0]?.item;
    const matches = mergeMatches(JSON.parse(report.matches) as MatchJson[], extra.matches ?? []);
    const category = graverCategory(report.category, matches, context.grades);
    const fillHashes = first !== undefined && report.pdq === '' && report.md5 === '' && report.sha256 === '';
    await db
      .updateTable('reports')
      .set({
        matches: JSON.stringify(matches),
        category,
        ...(extra.verdict === undefined ? {} : { verdict: extra.verdict }),
        ...(fillHashes
          ? { pdq: first.pdq, md5: first.md5, sha256: first.sha256, quality: first.quality }
          : {}),
        ...(extra.hostAddress === undefined ? {} : { host_address: extra.hostAddress }),
        ...(extra.hostCountry === undefined ? {} : { host_country: extra.hostCountry }),
      })
      .where('id', '=', reportId)
      .execute();

    await consolidate(db, all, at);
    // The report may now belong to the older case it was merged into.
    const current = await lockCase(context, db, report.case_id);
    await applyFacts(db, current, { matches, category }, at);
    return { id: reportId, caseId: current.id, reference: report.reference, occurrences: report.occurrences };
  }
}
