// Finding cases by what a person has at hand: a public reference, a URL, a hash, or a case number.
import { WardenError } from '../errors/index.js';
import { evidenceWithDigest } from '../evidence/index.js';
import { normaliseUrl } from '../network/index.js';
import type { CaseworkContext, CaseRow, Db } from './context.js';
import { parseReference } from './reference.js';
import type { CaseSummary } from './types.js';
import { summarise } from './views.js';

const maxResults = 100;

async function casesOfReports(db: Db, column: 'reference' | 'url_key' | 'md5' | 'sha256', value: string) {
  const rows = await db
    .selectFrom('reports')
    .select('case_id')
    .distinct()
    .where(column, '=', value)
    .limit(maxResults)
    .execute();
  return rows.flatMap((row) => (row.case_id === null ? [] : [row.case_id]));
}

async function casesOfSignal(db: Db, type: string, value: string): Promise<number[]> {
  const rows = await db
    .selectFrom('case_signals')
    .select('case_id')
    .where('signal_type', '=', type)
    .where('value', '=', value)
    .execute();
  return rows.map((row) => row.case_id);
}

async function casesOfMedia(db: Db, column: 'sha256' | 'md5', value: string): Promise<number[]> {
  const stored = await evidenceWithDigest(db, column, value, maxResults);
  if (stored.length === 0) return [];
  const rows = await db
    .selectFrom('report_media')
    .innerJoin('reports', 'reports.id', 'report_media.report_id')
    .select('reports.case_id')
    .distinct()
    .where('report_media.sha256', 'in', stored)
    .limit(maxResults)
    .execute();
  return rows.flatMap((row) => (row.case_id === null ? [] : [row.case_id]));
}

function urlCandidates(text: string): string[] {
  if (/^https?:\/\//i.test(text)) return [normaliseUrl(text)];
  // A bare host and path, as people paste them: either scheme.
  if (/^[^\s/]+\.[^\s/]+(\/\S*)?$/.test(text)) {
    try {
      return [normaliseUrl(`https://${text}`), normaliseUrl(`http://${text}`)];
    } catch {
      return [];
    }
  }
  return [];
}

/** Cases matching a reference (WR-…), URL, SHA-256 or PDQ (64 hex), MD5 (32 hex) or case number. */
export async function search(context: CaseworkContext, text: string): Promise<CaseSummary[]> {
  const query = text.trim();
  if (query === '') return [];
  if (query.length > 2048)
    throw new WardenError('invalid_argument', 'The search text is too long (2048 characters at most).');
  const db = context.database.db;
  const found: number[] = [];
  const reference = parseReference(query);
  const urls = reference === undefined ? urlCandidates(query) : [];
  if (reference !== undefined) {
    found.push(...(await casesOfReports(db, 'reference', reference)));
  } else if (/^\d{1,15}$/.test(query)) {
    found.push(Number(query));
  } else if (/^[0-9a-f]{64}$/i.test(query)) {
    const hex = query.toLowerCase();
    found.push(...(await casesOfSignal(db, 'sha256', hex)), ...(await casesOfReports(db, 'sha256', hex)));
    found.push(...(await casesOfMedia(db, 'sha256', hex)));
    found.push(...(await context.index.casesNear(db, hex, context.pdqThreshold)));
  } else if (/^[0-9a-f]{32}$/i.test(query)) {
    const hex = query.toLowerCase();
    found.push(...(await casesOfSignal(db, 'md5', hex)), ...(await casesOfReports(db, 'md5', hex)));
    found.push(...(await casesOfMedia(db, 'md5', hex)));
  } else if (urls.length > 0) {
    for (const url of urls)
      found.push(...(await casesOfSignal(db, 'url', url)), ...(await casesOfReports(db, 'url_key', url)));
  } else {
    throw new WardenError(
      'invalid_argument',
      'Search by a report reference (WR-…), a URL, a SHA-256, MD5 or PDQ hash, or a case number.',
    );
  }
  return summarise(context, db, await resolve(db, found));
}

/** The cases, distinct, in the order found; a merged case is shown as the case it was merged into. */
async function resolve(db: Db, caseIds: readonly number[]): Promise<CaseRow[]> {
  const rows: CaseRow[] = [];
  const seen = new Set<number>();
  for (const id of caseIds) {
    let row = await db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst();
    for (let hop = 0; row?.status === 'merged' && row.merged_into !== null && hop < 50; hop += 1) {
      const into: number = row.merged_into;
      row = await db.selectFrom('cases').selectAll().where('id', '=', into).executeTakeFirst();
    }
    if (row === undefined || seen.has(row.id)) continue;
    seen.add(row.id);
    rows.push(row);
    if (rows.length >= maxResults) break;
  }
  return rows;
}
