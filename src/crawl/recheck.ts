// Re-check mode: confirmed URLs are revisited to see whether the content is still there. Each confirmed
// case's page and media URLs become watched URLs; a recheck crawl visits each once (following redirects
// as hops of its own) and records, per watched URL, what it found: present (a hash still matches the
// case), changed (the URL answers, the content is gone), removed (404 or 410) or unreachable, with the
// time the content was first found gone. Notices to hosts build on this history.
import { WardenError } from '../errors/index.js';
import { parsePdqHash, pdqDistance } from '../hashing/index.js';
import type { EvidenceItem } from '../evidence/index.js';
import { normaliseUrl } from '../network/index.js';
import { caseHashSignals, caseUrls, confirmedCaseIds } from '../reports/index.js';
import type { FetchRecord } from '../reports/index.js';
import { now } from '../store/index.js';
import type { Database, Schema, WatchedUrlStatus } from '../store/index.js';
import type { Kysely } from 'kysely';
import { createCrawl } from './frontier.js';
import type { Crawl, CrawlId } from './frontier.js';
import type { CrawlOptions } from './options.js';

type Db = Kysely<Schema>;
export type CheckStatus = Exclude<WatchedUrlStatus, 'unchecked'>;

export interface NewRecheck {
  /** Only these confirmed cases; default every confirmed case. */
  caseIds?: readonly number[];
  options?: Partial<CrawlOptions>;
  createdBy?: string;
}

/** A watched URL as the API shows it. */
export interface WatchedUrl {
  id: number;
  case_id: number;
  url: string;
  kind: 'page' | 'media';
  status: WatchedUrlStatus;
  http_status: number | null;
  last_checked_at: string | null;
  removed_at: string | null;
}

/** What one visit found, before it is written for each case watching the URL. */
export interface CheckOutcome {
  status: CheckStatus;
  httpStatus: number | null;
  detail: string;
  finalUrl?: string;
  media?: readonly { url: string; item: EvidenceItem }[];
  fetch?: FetchRecord;
}

/**
 * Watches the URLs of confirmed cases and starts a crawl that visits each once. Throws invalid_argument
 * when a named case is not confirmed, or when there is nothing to check.
 */
export async function createRecheck(database: Database, recheck: NewRecheck = {}): Promise<Crawl> {
  const wanted = recheck.caseIds === undefined ? undefined : [...new Set(recheck.caseIds)];
  const confirmed = await confirmedCaseIds(database.db, wanted);
  const missing = (wanted ?? []).filter((id) => !confirmed.includes(id));
  if (missing.length > 0) {
    throw new WardenError(
      'invalid_argument',
      `Only confirmed cases are rechecked; case ${missing.join(', ')} is not confirmed (or does not exist).`,
    );
  }
  const found = await watchedCandidates(database.db, confirmed);
  if (found.length === 0) {
    throw new WardenError('invalid_argument', 'No confirmed case has a URL to recheck.');
  }
  const at = now();
  for (let start = 0; start < found.length; start += 200) {
    await database.db
      .insertInto('watched_urls')
      .values(found.slice(start, start + 200).map((entry) => ({ ...entry, created_at: at })))
      .onConflict((conflict) => conflict.columns(['case_id', 'url']).doNothing())
      .execute();
  }
  const seeds = [...new Set(found.map((entry) => entry.url))];
  return createCrawl(database, {
    seeds,
    mode: 'recheck',
    createdBy: recheck.createdBy ?? '',
    options: {
      ...recheck.options,
      scope: 'any',
      maxDepth: 0,
      // Room for each URL's redirect hops.
      maxPages: Math.max(recheck.options?.maxPages ?? 0, seeds.length * 6),
    },
  });
}

/** The page and media URLs of the cases, normalised; URLs that do not normalise are skipped. */
async function watchedCandidates(
  db: Db,
  caseIds: readonly number[],
): Promise<{ case_id: number; url: string; kind: 'page' | 'media' }[]> {
  const found = new Map<string, { case_id: number; url: string; kind: 'page' | 'media' }>();
  const add = (caseId: number, url: string, kind: 'page' | 'media') => {
    try {
      const normal = normaliseUrl(url);
      found.set(`${caseId} ${normal}`, { case_id: caseId, url: normal, kind });
    } catch {
      // A URL kept from a report that no longer parses cannot be visited.
    }
  };
  for (const { case_id: caseId, url, kind } of await caseUrls(db, caseIds)) add(caseId, url, kind);
  return [...found.values()];
}

/**
 * Writes what a visit of `url` found for every case watching it, inside the caller's transaction: one
 * check each (once per crawl, so a repeated attempt adds nothing), and the watched URL's state. For a
 * page or file that answered, whether the content is still there is decided per case: a media file's
 * SHA-256 or MD5 equals one of the case's, or its PDQ hash is within the threshold of one.
 */
export async function recordCheck(
  db: Db,
  crawlId: CrawlId,
  url: string,
  outcome: CheckOutcome,
  pdqThreshold: number,
): Promise<void> {
  const watched = await db.selectFrom('watched_urls').selectAll().where('url', '=', url).execute();
  const at = now();
  for (const row of watched) {
    let status = outcome.status;
    let matching: { url: string; sha256: string; distance: number }[] = [];
    if (status === 'present') {
      matching = await stillMatching(db, row.case_id, outcome.media ?? [], pdqThreshold);
      if (matching.length === 0) status = 'changed';
    }
    const inserted = await db
      .insertInto('url_checks')
      .values({
        watched_url_id: row.id,
        crawl_id: crawlId,
        checked_at: at,
        status,
        http_status: outcome.httpStatus,
        detail:
          status === 'changed' && outcome.detail === ''
            ? `${outcome.finalUrl ?? url} answered, but none of its media matches the case any more.`
            : outcome.detail,
        evidence: JSON.stringify({
          ...(outcome.finalUrl === undefined ? {} : { final_url: outcome.finalUrl }),
          matching,
          ...(outcome.fetch === undefined ? {} : { fetch: outcome.fetch }),
        }),
      })
      .onConflict((conflict) => conflict.columns(['watched_url_id', 'crawl_id']).doNothing())
      .executeTakeFirst();
    if ((inserted.numInsertedOrUpdatedRows ?? 0n) === 0n) continue;
    const gone = status === 'removed' || status === 'changed';
    await db
      .updateTable('watched_urls')
      .set({
        status,
        http_status: outcome.httpStatus,
        last_checked_at: at,
        // When the content was first found gone; back to null if it comes back.
        removed_at: gone ? (row.removed_at ?? at) : status === 'present' ? null : row.removed_at,
      })
      .where('id', '=', row.id)
      .execute();
  }
}

async function stillMatching(
  db: Db,
  caseId: number,
  media: readonly { url: string; item: EvidenceItem }[],
  pdqThreshold: number,
): Promise<{ url: string; sha256: string; distance: number }[]> {
  if (media.length === 0) return [];
  const signals = await caseHashSignals(db, caseId);
  const exact = signals.exact;
  const pdqs = signals.pdq.map(parsePdqHash);
  const found: { url: string; sha256: string; distance: number }[] = [];
  for (const { url, item } of media) {
    if (exact.has(item.sha256) || exact.has(item.md5)) {
      found.push({ url, sha256: item.sha256, distance: 0 });
      continue;
    }
    if (item.pdq === '') continue;
    const hash = parsePdqHash(item.pdq);
    const distance = Math.min(...pdqs.map((pdq) => pdqDistance(pdq, hash)));
    if (distance <= pdqThreshold) found.push({ url, sha256: item.sha256, distance });
  }
  return found;
}

/** The watched URLs, oldest first (keyset pagination by id). */
export async function listWatchedUrls(
  database: Database,
  query: { caseId?: number; status?: WatchedUrlStatus; limit?: number; afterId?: number } = {},
): Promise<WatchedUrl[]> {
  return database.db
    .selectFrom('watched_urls')
    .select(['id', 'case_id', 'url', 'kind', 'status', 'http_status', 'last_checked_at', 'removed_at'])
    .where('id', '>', query.afterId ?? 0)
    .$if(query.caseId !== undefined, (select) => select.where('case_id', '=', query.caseId ?? 0))
    .$if(query.status !== undefined, (select) => select.where('status', '=', query.status ?? 'unchecked'))
    .orderBy('id')
    .limit(Math.min(Math.max(query.limit ?? 100, 1), 1000))
    .execute();
}

/** How many watched URLs a recheck crawl found in each state. */
export async function recheckSummary(
  database: Database,
  crawlId: number,
): Promise<Record<CheckStatus, number>> {
  const rows = await database.db
    .selectFrom('url_checks')
    .select(['status', (eb) => eb.fn.countAll<number>().as('count')])
    .where('crawl_id', '=', crawlId)
    .groupBy('status')
    .execute();
  const summary: Record<CheckStatus, number> = { present: 0, changed: 0, removed: 0, unreachable: 0 };
  for (const row of rows) summary[row.status] = Number(row.count);
  return summary;
}
