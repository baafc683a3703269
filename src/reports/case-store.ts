// Cases in the database: finding the case of a signal, locking case rows, taking signals, merging two
// cases about the same content, and keeping a case's figures (reports, source, severity, best match,
// priority) current. Everything here runs inside the caller's transaction.
import { recordAudit } from '../audit/index.js';
import { WardenError } from '../errors/index.js';
import type { MatchJson } from '../matching/index.js';
import type { CaseworkContext, CaseRow, Db } from './context.js';
import { bestMatch, betterSummary, moreTrustedSource, priorityOf, severityOf } from './priority.js';

export type CaseSignalType = 'url' | 'sha256' | 'md5' | 'pdq';

export interface CaseSignal {
  type: CaseSignalType;
  value: string;
}

/** The distinct non-empty signals of some content: its normalised URL and its hashes. */
export function caseSignals(
  parts: readonly { urlKey?: string; pdq?: string; md5?: string; sha256?: string }[],
): CaseSignal[] {
  const seen = new Set<string>();
  const signals: CaseSignal[] = [];
  for (const part of parts) {
    for (const [type, value] of [
      ['url', part.urlKey],
      ['sha256', part.sha256],
      ['md5', part.md5],
      ['pdq', part.pdq],
    ] as const) {
      if (value === undefined || value === '' || seen.has(`${type}:${value}`)) continue;
      seen.add(`${type}:${value}`);
      signals.push({ type, value });
    }
  }
  return signals;
}

/** Locks a case row (PostgreSQL) and returns it; a merged case leads to the case it was merged into. */
export async function lockCase(context: CaseworkContext, db: Db, caseId: number): Promise<CaseRow> {
  let current = caseId;
  for (let hop = 0; hop < 50; hop += 1) {
    const row = await db
      .selectFrom('cases')
      .selectAll()
      .where('id', '=', current)
      .$if(context.postgres, (query) => query.forUpdate())
      .executeTakeFirst();
    if (row === undefined) throw new WardenError('not_found', `No case with id ${caseId}.`);
    if (row.status !== 'merged' || row.merged_into === null) return row;
    current = row.merged_into;
  }
  throw new Error(`Case ${caseId} leads through more than 50 merges.`);
}

/** Locks several cases in ascending id order (one order for everyone: no deadlocks); distinct rows. */
export async function lockCases(
  context: CaseworkContext,
  db: Db,
  caseIds: Iterable<number>,
): Promise<CaseRow[]> {
  const rows = new Map<number, CaseRow>();
  for (const id of [...new Set(caseIds)].sort((a, b) => a - b)) {
    const row = await lockCase(context, db, id);
    rows.set(row.id, row);
  }
  return [...rows.values()].sort((a, b) => a.id - b.id);
}

/** Cases holding any of the signals exactly, or a PDQ hash within the threshold of one of them. */
export async function findCases(
  context: CaseworkContext,
  db: Db,
  signals: readonly CaseSignal[],
): Promise<number[]> {
  const found = new Set(await holders(db, signals));
  for (const signal of signals) {
    if (signal.type !== 'pdq') continue;
    for (const id of await context.index.casesNear(db, signal.value, context.pdqThreshold)) found.add(id);
  }
  return [...found];
}

/** The cases that hold any of these exact signals. */
async function holders(db: Db, signals: readonly CaseSignal[]): Promise<number[]> {
  const found = new Set<number>();
  for (const type of ['url', 'sha256', 'md5', 'pdq'] as const) {
    const values = signals.filter((signal) => signal.type === type).map((signal) => signal.value);
    if (values.length === 0) continue;
    const rows = await db
      .selectFrom('case_signals')
      .select('case_id')
      .where('signal_type', '=', type)
      .where('value', 'in', values)
      .execute();
    for (const row of rows) found.add(row.case_id);
  }
  return [...found];
}

/**
 * Records the signals as the case's; a signal another case already holds stays with it. Returns those
 * other cases. On PostgreSQL a signal being written by a concurrent transaction is waited for, so a
 * race between two intakes of the same content shows up here as the other case.
 */
export async function takeSignals(
  db: Db,
  caseId: number,
  signals: readonly CaseSignal[],
  at: string,
): Promise<number[]> {
  if (signals.length === 0) return [];
  await db
    .insertInto('case_signals')
    .values(
      signals.map((signal) => ({
        case_id: caseId,
        signal_type: signal.type,
        value: signal.value,
        created_at: at,
      })),
    )
    .onConflict((conflict) => conflict.columns(['signal_type', 'value']).doNothing())
    .execute();
  return (await holders(db, signals)).filter((id) => id !== caseId);
}

export interface NewCaseFacts {
  source: string;
  category: string;
  at: string;
}

export async function createCase(db: Db, facts: NewCaseFacts): Promise<CaseRow> {
  const severity = severityOf(facts.category);
  return db
    .insertInto('cases')
    .values({
      status: 'new',
      category: facts.category,
      grade: '',
      outcome: '',
      known_match: 0,
      match_summary: '',
      severity,
      source: facts.source,
      priority: priorityOf({ knownMatch: false, severity, source: facts.source }),
      report_count: 0,
      first_reported_at: facts.at,
      last_reported_at: facts.at,
      created_at: facts.at,
      updated_at: facts.at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface CaseFacts {
  /** A new report joined: count it and take its time. */
  reportedAt?: string;
  source?: string;
  category?: string;
  matches?: readonly MatchJson[];
}

/** Folds a report's facts into its (locked) case: count, times, source, severity, best match, priority. */
export async function applyFacts(db: Db, row: CaseRow, facts: CaseFacts, at: string): Promise<CaseRow> {
  const matches = facts.matches ?? [];
  const knownMatch = row.known_match === 1 || matches.length > 0;
  const source = facts.source === undefined ? row.source : moreTrustedSource(row.source, facts.source);
  let { category, severity } = row;
  // A decided case keeps the category the analyst gave it.
  if (row.status !== 'decided' && facts.category !== undefined && severityOf(facts.category) > severity) {
    category = facts.category;
    severity = severityOf(category);
  }
  const reportedAt = facts.reportedAt;
  return db
    .updateTable('cases')
    .set({
      known_match: knownMatch ? 1 : 0,
      match_summary: betterSummary(row.match_summary, bestMatch(matches)),
      source,
      category,
      severity,
      priority: priorityOf({ knownMatch, severity, source }),
      ...(reportedAt === undefined
        ? {}
        : {
            report_count: row.report_count + 1,
            first_reported_at: reportedAt < row.first_reported_at ? reportedAt : row.first_reported_at,
            last_reported_at: reportedAt > row.last_reported_at ? reportedAt : row.last_reported_at,
          }),
      updated_at: at,
    })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Recounts a case's figures from all its reports (after a merge). */
export async function recomputeCase(db: Db, caseId: number, at: string): Promise<void> {
  const row = await db.selectFrom('cases').selectAll().where('id', '=', caseId).executeTakeFirstOrThrow();
  const reports = await db
    .selectFrom('reports')
    .select(['source', 'category', 'matches', 'created_at'])
    .where('case_id', '=', caseId)
    .execute();
  let source = '';
  let category = row.status === 'decided' ? row.category : 'other';
  let summary = '';
  let knownMatch = false;
  let first = row.first_reported_at;
  let last = row.last_reported_at;
  for (const report of reports) {
    source = source === '' ? report.source : moreTrustedSource(source, report.source);
    if (row.status !== 'decided' && severityOf(report.category) > severityOf(category))
      category = report.category;
    const matches = JSON.parse(report.matches) as MatchJson[];
    if (matches.length > 0) knownMatch = true;
    const best = bestMatch(matches);
    summary = best === undefined ? summary : betterSummary(summary, best);
    if (report.created_at < first) first = report.created_at;
    if (report.created_at > last) last = report.created_at;
  }
  if (source === '') source = row.source;
  const severity = severityOf(category);
  await db
    .updateTable('cases')
    .set({
      report_count: reports.length,
      first_reported_at: first,
      last_reported_at: last,
      source,
      category,
      severity,
      known_match: knownMatch ? 1 : 0,
      match_summary: summary,
      priority: priorityOf({ knownMatch, severity, source }),
      updated_at: at,
    })
    .where('id', '=', caseId)
    .execute();
}

/**
 * Only cases nobody has decided anything on yet are merged: a case with a second opinion asked, a
 * confirmation awaiting agreement or an escalation keeps its content as its reviewers saw it, so that no
 * one agrees to evidence they did not see.
 */
function mergeable(row: CaseRow): boolean {
  return row.status === 'new' || row.status === 'in_review';
}

/**
 * Merges the mergeable cases among `rows` (all locked) into the oldest of them: reports and signals
 * move, the newer cases become `merged` and point at it. Returns the surviving case's id, if any merge
 * happened.
 */
export async function consolidate(db: Db, rows: readonly CaseRow[], at: string): Promise<number | undefined> {
  const open = rows.filter(mergeable).sort((a, b) => a.id - b.id);
  const [target, ...newer] = open;
  if (target === undefined || newer.length === 0) return undefined;
  for (const source of newer) {
    await db.updateTable('reports').set({ case_id: target.id }).where('case_id', '=', source.id).execute();
    await db
      .updateTable('case_signals')
      .set({ case_id: target.id })
      .where('case_id', '=', source.id)
      .execute();
    await db
      .updateTable('cases')
      .set({ merged_into: target.id })
      .where('merged_into', '=', source.id)
      .execute();
    await db
      .updateTable('cases')
      .set({
        status: 'merged',
        merged_into: target.id,
        report_count: 0,
        locked_by: null,
        locked_until: null,
        updated_at: at,
      })
      .where('id', '=', source.id)
      .execute();
    await recordAudit(db, {
      actor: 'system',
      action: 'case.merged',
      target: `case:${source.id}`,
      details: { case_id: source.id, into: target.id, reason: 'the same content' },
    });
  }
  await recomputeCase(db, target.id, at);
  return target.id;
}
