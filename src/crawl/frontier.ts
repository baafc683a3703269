// The frontier: a crawl's URLs in the database, one row per normalised URL, claimed under a lease as jobs
// are. A crawler that dies leaves its URLs leased; when the leases run out another run claims them again.
// Everything the crawler knows lives here, so a restart continues where the last run stopped.
import { sql } from 'kysely';
import type { Kysely, Selectable } from 'kysely';
import { WardenError } from '../errors/index.js';
import { checkUrl, normaliseUrl } from '../network/index.js';
import { now } from '../store/index.js';
import type { CrawlMode, CrawlStatus, Database, Schema } from '../store/index.js';
import { crawlOptions, hostKey, scopeFilter } from './options.js';
import type { CrawlOptions } from './options.js';
import { hostMatchBoost, seedPriority } from './priority.js';

export type CrawlId = number & { readonly __brand: 'CrawlId' };

export interface Crawl {
  id: CrawlId;
  seeds: string[];
  options: CrawlOptions;
  mode: CrawlMode;
  status: CrawlStatus;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** Where a crawl stands: the totals, the frontier by status, and the recent rate. */
export interface CrawlProgress {
  crawl_id: number;
  mode: CrawlMode;
  status: CrawlStatus;
  seeds: string[];
  options: CrawlOptions;
  created_by: string;
  created_at: string;
  updated_at: string;
  /** URLs finished (fetched or failed for good) per second over the last minute. */
  pages_per_second: number;
  pages_fetched: number;
  pages_failed: number;
  media_fetched: number;
  media_failed: number;
  matches: number;
  reports_filed: number;
  queued: number;
  fetching: number;
}

export interface NewCrawl {
  seeds: readonly string[];
  options?: Partial<CrawlOptions>;
  /** `crawl` hunts from the seeds; `recheck` visits each seed once (see createRecheck). */
  mode?: CrawlMode;
  /** Who started it: `cli`, `key:ID`, `user:ID`. */
  createdBy?: string;
}

/** A URL found on a page, before the frontier decides whether to admit it. */
export interface DiscoveredUrl {
  url: string;
  depth: number;
  priority: number;
  /** Why it has that priority, in words. */
  reason: string;
  matchDistance: number | null;
  discoveredFrom: string;
  /** A seed's redirect: its target joins the seeds, so the crawl's scope follows the site. */
  seedRedirect?: boolean;
}

export interface ClaimedUrl {
  id: number;
  url: string;
  host: string;
  depth: number;
  attempts: number;
  priority: number;
  match_distance: number | null;
  /** The page that linked to it, or for a recheck's redirect hop the watched URL; '' for a seed. */
  discovered_from: string;
}

/** A queued URL as the operator sees it: where it stands in line, and why. */
export interface FrontierEntry {
  url: string;
  depth: number;
  priority: number;
  reason: string;
  discovered_from: string;
  attempts: number;
  next_attempt_at: string;
}

type Db = Kysely<Schema>;
const chunkSize = 200;

/** Starts a crawl: checks and normalises the seeds, stores the options, and queues the seeds. */
export async function createCrawl(database: Database, crawl: NewCrawl): Promise<Crawl> {
  const options = crawlOptions(crawl.options);
  if (crawl.seeds.length === 0) {
    throw new WardenError('invalid_argument', 'A crawl needs at least one seed URL.');
  }
  const seeds = [...new Set(crawl.seeds.map((seed) => normaliseUrl(seed)))];
  const at = now();
  return database.db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('crawls')
      .values({
        seeds: JSON.stringify(seeds),
        options: JSON.stringify(options),
        mode: crawl.mode ?? 'crawl',
        status: 'running',
        created_by: crawl.createdBy ?? '',
        created_at: at,
        updated_at: at,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const created = toCrawl(row);
    await admitUrls(
      trx,
      created,
      seeds.map((url) => ({
        url,
        depth: 0,
        priority: seedPriority,
        reason: crawl.mode === 'recheck' ? 'a confirmed URL, rechecked' : 'seed',
        matchDistance: null,
        discoveredFrom: '',
      })),
    );
    return created;
  });
}

/** A crawl by id; throws not_found. */
export async function getCrawl(database: Database | Db, id: number): Promise<Crawl> {
  const db = 'db' in database ? database.db : database;
  const row = await db.selectFrom('crawls').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined) throw new WardenError('not_found', `No crawl with id ${id}.`);
  return toCrawl(row);
}

export async function crawlProgress(database: Database, id: number): Promise<CrawlProgress> {
  const row = await database.db.selectFrom('crawls').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined) throw new WardenError('not_found', `No crawl with id ${id}.`);
  const [progress] = await progressOf(database, [row]);
  if (progress === undefined) throw new Error('progressOf() lost a crawl');
  return progress;
}

/** Crawls, newest first, with their progress; keyset pagination by id. */
export async function listCrawls(
  database: Database,
  query: { status?: CrawlStatus; beforeId?: number; limit?: number } = {},
): Promise<CrawlProgress[]> {
  const rows = await database.db
    .selectFrom('crawls')
    .selectAll()
    .$if(query.status !== undefined, (select) => select.where('status', '=', query.status ?? 'running'))
    .$if(query.beforeId !== undefined, (select) => select.where('id', '<', query.beforeId ?? 0))
    .orderBy('id', 'desc')
    .limit(Math.min(Math.max(query.limit ?? 50, 1), 500))
    .execute();
  return progressOf(database, rows);
}

const rateWindowMs = 60_000;

async function progressOf(
  database: Database,
  rows: readonly Selectable<Schema['crawls']>[],
): Promise<CrawlProgress[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const counts = await database.db
    .selectFrom('crawl_urls')
    .select(['crawl_id', 'status', (eb) => eb.fn.countAll<number>().as('count')])
    .where('crawl_id', 'in', ids)
    .where('status', 'in', ['queued', 'fetching'])
    .groupBy(['crawl_id', 'status'])
    .execute();
  const since = new Date(Date.now() - rateWindowMs).toISOString();
  const recent = await database.db
    .selectFrom('crawl_urls')
    .select(['crawl_id', (eb) => eb.fn.countAll<number>().as('count')])
    .where('crawl_id', 'in', ids)
    .where('fetched_at', '>=', since)
    .groupBy('crawl_id')
    .execute();
  return rows.map((row) => progressRow(row, counts, recent));
}

function progressRow(
  row: Selectable<Schema['crawls']>,
  counts: readonly { crawl_id: number; status: string; count: number }[],
  recent: readonly { crawl_id: number; count: number }[],
): CrawlProgress {
  const count = (status: string) =>
    Number(counts.find((entry) => entry.crawl_id === row.id && entry.status === status)?.count ?? 0);
  const finished = Number(recent.find((entry) => entry.crawl_id === row.id)?.count ?? 0);
  const crawl = toCrawl(row);
  return {
    crawl_id: row.id,
    mode: row.mode,
    status: row.status,
    seeds: crawl.seeds,
    options: crawl.options,
    created_by: row.created_by,
    created_at: row.created_at,
    updated_at: row.updated_at,
    pages_per_second: Math.round((finished / (rateWindowMs / 1000)) * 10) / 10,
    pages_fetched: row.pages_fetched,
    pages_failed: row.pages_failed,
    media_fetched: row.media_fetched,
    media_failed: row.media_failed,
    matches: row.matches,
    reports_filed: row.reports_filed,
    queued: count('queued'),
    fetching: count('fetching'),
  };
}

/**
 * Admits URLs to the frontier, inside the caller's transaction: each is normalised, checked against the
 * crawl's scope and depth, and inserted once (a URL already known is left as it is), until the crawl
 * holds `maxPages` URLs. Returns how many were added.
 */
export async function admitUrls(db: Db, crawl: Crawl, found: readonly DiscoveredUrl[]): Promise<number> {
  // The seeds as stored: a seed's redirect, seen by any process, widens the scope for all of them.
  const stored = await db
    .selectFrom('crawls')
    .select(['seeds', 'urls_admitted'])
    .where('id', '=', crawl.id)
    .executeTakeFirstOrThrow();
  const seeds = JSON.parse(stored.seeds) as string[];
  const inScope = scopeFilter(crawl.options.scope, seeds);
  const candidates = new Map<string, DiscoveredUrl & { host: string }>();
  const newSeeds: string[] = [];
  for (const entry of found) {
    if (entry.depth > crawl.options.maxDepth) continue;
    let url: string;
    let host: string;
    try {
      url = normaliseUrl(entry.url);
      const parsed = checkUrl(url);
      if (entry.seedRedirect === true && !inScope(parsed)) newSeeds.push(url);
      else if (!inScope(parsed)) continue;
      host = hostKey(parsed);
    } catch {
      continue;
    }
    if (!candidates.has(url)) candidates.set(url, { ...entry, url, host });
  }
  if (newSeeds.length > 0) {
    await db
      .updateTable('crawls')
      .set({ seeds: JSON.stringify([...seeds, ...newSeeds]) })
      .where('id', '=', crawl.id)
      .execute();
  }
  if (candidates.size === 0) return 0;
  let room = crawl.options.maxPages - stored.urls_admitted;
  if (room <= 0) return 0;
  const all = [...candidates.values()];
  const at = now();
  let added = 0;
  for (let start = 0; start < all.length && room > 0; start += chunkSize) {
    const chunk = all.slice(start, start + chunkSize);
    const known = await db
      .selectFrom('crawl_urls')
      .select('url')
      .where('crawl_id', '=', crawl.id)
      .where(
        'url',
        'in',
        chunk.map((entry) => entry.url),
      )
      .execute();
    const knownUrls = new Set(known.map((row) => row.url));
    const fresh = chunk.filter((entry) => !knownUrls.has(entry.url)).slice(0, room);
    if (fresh.length === 0) continue;
    const inserted = await db
      .insertInto('crawl_urls')
      .values(
        fresh.map((entry) => ({
          crawl_id: crawl.id,
          url: entry.url,
          host: entry.host,
          depth: entry.depth,
          status: 'queued' as const,
          priority: entry.priority,
          reason: entry.reason,
          match_distance: entry.matchDistance,
          next_attempt_at: at,
          discovered_from: entry.discoveredFrom,
          created_at: at,
        })),
      )
      .onConflict((conflict) => conflict.columns(['crawl_id', 'url']).doNothing())
      .returning('id')
      .execute();
    added += inserted.length;
    room -= inserted.length;
  }
  if (added > 0) {
    await db
      .updateTable('crawls')
      .set((eb) => ({ urls_admitted: eb('urls_admitted', '+', added) }))
      .where('id', '=', crawl.id)
      .execute();
  }
  return added;
}

/**
 * URLs ready to fetch, best first: queued ones whose time has come, and leased ones whose lease ran out
 * (their crawler died). Not claimed yet: the crawler picks among them by host, then claims.
 */
export async function readyUrls(database: Database, crawlId: number, limit: number): Promise<ClaimedUrl[]> {
  const stamp = now();
  // Two queries, each along the ready index: one with an OR across statuses sorts the whole frontier.
  const ready = (
    status: 'queued' | 'fetching',
    column: 'next_attempt_at' | 'lease_until',
    before: '<=' | '<',
  ) =>
    database.db
      .selectFrom('crawl_urls')
      .select(['id', 'url', 'host', 'depth', 'attempts', 'priority', 'match_distance', 'discovered_from'])
      .where('crawl_id', '=', crawlId)
      .where('status', '=', status)
      .where(column, before, stamp)
      .orderBy('priority', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
  const [queued, abandoned] = await Promise.all([
    ready('queued', 'next_attempt_at', '<='),
    ready('fetching', 'lease_until', '<'),
  ]);
  if (abandoned.length === 0) return queued;
  return [...queued, ...abandoned].sort((a, b) => b.priority - a.priority || a.id - b.id).slice(0, limit);
}

/**
 * Claims one URL under a lease, if it is still ready (another crawler may have been first). Its attempt
 * count goes up by one; the returned attempt number and owner are its fencing token.
 */
export async function claimUrl(
  database: Database,
  candidate: ClaimedUrl,
  owner: string,
  leaseMs: number,
): Promise<ClaimedUrl | undefined> {
  const at = Date.now();
  const stamp = new Date(at).toISOString();
  const result = await database.db
    .updateTable('crawl_urls')
    .set({
      status: 'fetching',
      attempts: candidate.attempts + 1,
      lease_owner: owner,
      lease_until: new Date(at + leaseMs).toISOString(),
    })
    .where('id', '=', candidate.id)
    .where('attempts', '=', candidate.attempts)
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'queued'), eb('next_attempt_at', '<=', stamp)]),
        eb.and([eb('status', '=', 'fetching'), eb('lease_until', '<', stamp)]),
      ]),
    )
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) return undefined;
  return { ...candidate, attempts: candidate.attempts + 1 };
}

/** Extends the leases this owner holds on the given URLs. */
export async function renewLeases(
  database: Database,
  ids: readonly number[],
  owner: string,
  leaseMs: number,
): Promise<void> {
  const leaseUntil = new Date(Date.now() + leaseMs).toISOString();
  for (let start = 0; start < ids.length; start += chunkSize) {
    await database.db
      .updateTable('crawl_urls')
      .set({ lease_until: leaseUntil })
      .where('id', 'in', ids.slice(start, start + chunkSize))
      .where('lease_owner', '=', owner)
      .where('status', '=', 'fetching')
      .execute();
  }
}

/** Restricts an update to the URL row this lease still holds. */
function held(db: Db, url: ClaimedUrl, owner: string) {
  return db
    .updateTable('crawl_urls')
    .where('id', '=', url.id)
    .where('status', '=', 'fetching')
    .where('lease_owner', '=', owner)
    .where('attempts', '=', url.attempts);
}

/** Marks a fetched URL done, inside the transaction that records what it found; false if the lease was lost. */
export async function completeUrl(
  db: Db,
  url: ClaimedUrl,
  owner: string,
  outcome: { httpStatus: number | null; finalUrl: string },
): Promise<boolean> {
  const result = await held(db, url, owner)
    .set({
      status: 'done',
      lease_owner: null,
      lease_until: null,
      error: '',
      http_status: outcome.httpStatus,
      final_url: outcome.finalUrl,
      fetched_at: now(),
    })
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Records a failed attempt: a transient failure goes back to the queue after a back-off (doubling from
 * retryBaseMs) until maxAttempts; anything else, or the last attempt, fails the URL for good.
 */
export async function failUrl(
  database: Database,
  crawl: Crawl,
  url: ClaimedUrl,
  owner: string,
  failure: { message: string; transient: boolean; httpStatus?: number | null },
  /** Called in the same transaction when the URL fails for good. */
  onFailed?: (db: Db) => Promise<void>,
): Promise<'retry' | 'failed' | 'lost'> {
  const retry = failure.transient && url.attempts < crawl.options.maxAttempts;
  const message = failure.message.slice(0, 2000);
  return database.db.transaction().execute(async (trx) => {
    const delay = crawl.options.retryBaseMs * 2 ** Math.max(0, url.attempts - 1);
    const result = await held(trx, url, owner)
      .set({
        status: retry ? 'queued' : 'failed',
        lease_owner: null,
        lease_until: null,
        error: message,
        http_status: failure.httpStatus ?? null,
        next_attempt_at: new Date(Date.now() + Math.min(delay, 86_400_000)).toISOString(),
        ...(retry ? {} : { fetched_at: now() }),
      })
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) return 'lost';
    if (!retry) {
      await onFailed?.(trx);
      await trx
        .updateTable('crawls')
        .set((eb) => ({ pages_failed: eb('pages_failed', '+', 1), updated_at: now() }))
        .where('id', '=', crawl.id)
        .execute();
    }
    return retry ? 'retry' : 'failed';
  });
}

/** Gives a URL back to the queue without counting the attempt (the crawler was stopped). */
export async function releaseUrl(database: Database, url: ClaimedUrl, owner: string): Promise<void> {
  await held(database.db, url, owner)
    .set({ status: 'queued', attempts: url.attempts - 1, lease_owner: null, lease_until: null })
    .execute();
}

/**
 * Fails, for good, URLs whose lease ran out on their last allowed attempt: whatever they do kills the
 * crawler or hangs it, and trying again would only do it again.
 */
export async function buryAbandoned(database: Database, crawl: Crawl): Promise<number> {
  const stamp = now();
  const result = await database.db
    .updateTable('crawl_urls')
    .set({
      status: 'failed',
      lease_owner: null,
      lease_until: null,
      error: `Abandoned: the crawler stopped during each of ${crawl.options.maxAttempts} attempts (its lease ran out).`,
      fetched_at: stamp,
    })
    .where('crawl_id', '=', crawl.id)
    .where('status', '=', 'fetching')
    .where('lease_until', '<', stamp)
    .where('attempts', '>=', crawl.options.maxAttempts)
    .executeTakeFirst();
  const buried = Number(result.numUpdatedRows);
  if (buried > 0) {
    await database.db
      .updateTable('crawls')
      .set((eb) => ({ pages_failed: eb('pages_failed', '+', buried), updated_at: stamp }))
      .where('id', '=', crawl.id)
      .execute();
  }
  return buried;
}

/** When the next URL of the crawl may become ready, or undefined when nothing is left to do. */
export async function nextWakeUp(database: Database, crawlId: number): Promise<number | undefined> {
  const row = await database.db
    .selectFrom('crawl_urls')
    .select((eb) => [
      eb.fn.min('next_attempt_at').filterWhere('status', '=', 'queued').as('queued'),
      eb.fn.min('lease_until').filterWhere('status', '=', 'fetching').as('leased'),
    ])
    .where('crawl_id', '=', crawlId)
    .where('status', 'in', ['queued', 'fetching'])
    .executeTakeFirst();
  const times = [row?.queued, row?.leased]
    .filter((value): value is string => typeof value === 'string')
    .map((value) => Date.parse(value));
  return times.length === 0 ? undefined : Math.min(...times);
}

/** Sets a crawl's status (only from `from`, when given: an operator's pause wins over a finishing run). */
export async function setCrawlStatus(
  database: Database,
  id: number,
  status: CrawlStatus,
  from?: CrawlStatus,
): Promise<void> {
  await database.db
    .updateTable('crawls')
    .set({ status, updated_at: now() })
    .where('id', '=', id)
    .$if(from !== undefined, (query) => query.where('status', '=', from ?? status))
    .execute();
}

/**
 * Raises the queued URLs of a host that just served its first match in this crawl, and says so in
 * their reasons.
 */
export async function boostHost(db: Db, crawlId: number, host: string): Promise<void> {
  const note = `; its host served a match in this crawl (+${hostMatchBoost})`;
  await db
    .updateTable('crawl_urls')
    .set((eb) => ({
      priority: eb('priority', '+', hostMatchBoost),
      reason: sql<string>`${eb.ref('reason')} || ${note}`,
    }))
    .where('crawl_id', '=', crawlId)
    .where('host', '=', host)
    .where('status', '=', 'queued')
    .execute();
}

/** A URL that failed for good, and why. */
export interface CrawlError {
  url: string;
  http_status: number | null;
  error: string;
  attempts: number;
  fetched_at: string | null;
}

/** The URLs that failed for good, latest first. */
export async function crawlErrors(database: Database, crawlId: number, limit: number): Promise<CrawlError[]> {
  await getCrawl(database, crawlId);
  return database.db
    .selectFrom('crawl_urls')
    .select(['url', 'http_status', 'error', 'attempts', 'fetched_at'])
    .where('crawl_id', '=', crawlId)
    .where('status', '=', 'failed')
    .orderBy('fetched_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** The URLs next in line, best first, with why. */
export async function frontier(database: Database, crawlId: number, limit: number): Promise<FrontierEntry[]> {
  await getCrawl(database, crawlId);
  return database.db
    .selectFrom('crawl_urls')
    .select(['url', 'depth', 'priority', 'reason', 'discovered_from', 'attempts', 'next_attempt_at'])
    .where('crawl_id', '=', crawlId)
    .where('status', '=', 'queued')
    .orderBy('priority', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
}

function toCrawl(row: Selectable<Schema['crawls']>): Crawl {
  return {
    id: row.id as CrawlId,
    seeds: JSON.parse(row.seeds) as string[],
    options: crawlOptions(JSON.parse(row.options) as Partial<CrawlOptions>),
    mode: row.mode,
    status: row.status,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
