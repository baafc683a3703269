import type { Kysely } from 'kysely';
import type { MigrationTools } from './tools.js';

export async function up(
  db: Kysely<unknown>,
  { dialect, id, idColumn, appendOnly }: MigrationTools,
): Promise<void> {
  // A crawl hunts (`crawl`) or revisits confirmed URLs (`recheck`).
  await db.schema
    .alterTable('crawls')
    .addColumn('mode', 'text', (column) => column.notNull().defaultTo('crawl'))
    .execute();
  // Why a URL has its priority, in words, and how many links away the nearest page with a match is.
  await db.schema
    .alterTable('crawl_urls')
    .addColumn('reason', 'text', (column) => column.notNull().defaultTo(''))
    .execute();
  await db.schema.alterTable('crawl_urls').addColumn('match_distance', 'integer').execute();
  // The crawl's recent rate (pages finished in the last minute).
  await db.schema
    .createIndex('crawl_urls_by_fetched_at')
    .on('crawl_urls')
    .columns(['crawl_id', 'fetched_at'])
    .execute();
  await db.schema
    .createIndex('crawl_urls_by_host')
    .on('crawl_urls')
    .columns(['crawl_id', 'host', 'status'])
    .execute();
  // Hosts with earlier matches, in any crawl, rank their pages higher.
  await db.schema
    .alterTable('crawl_findings')
    .addColumn('host', 'text', (column) => column.notNull().defaultTo(''))
    .execute();
  await db.schema.createIndex('crawl_findings_by_host').on('crawl_findings').columns(['host']).execute();
  // Politeness is per host across every crawl and every process: the next time a request to the
  // host may start is reserved here, atomically. It replaces the per-crawl record.
  await db.schema
    .createTable('host_slots')
    .addColumn('host', 'text', (column) => column.primaryKey())
    .addColumn('next_allowed_at', 'text', (column) => column.notNull())
    .execute();
  await db.schema.alterTable('crawl_hosts').dropColumn('next_allowed_at').execute();
  // Confirmed URLs being watched: whether the content is still there, and since when it is not.
  await idColumn(db, 'watched_urls')
    .addColumn('case_id', id, (column) => column.notNull().references('cases.id'))
    .addColumn('url', 'text', (column) => column.notNull())
    // `page` (the media is looked for on it) or `media` (the file itself).
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull().defaultTo('unchecked'))
    .addColumn('http_status', 'integer')
    .addColumn('last_checked_at', 'text')
    .addColumn('removed_at', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addUniqueConstraint('watched_urls_unique', ['case_id', 'url'])
    .execute();
  // Every visit of a watched URL, append-only: the history a notice to the host can cite.
  await idColumn(db, 'url_checks')
    .addColumn('watched_url_id', id, (column) => column.notNull().references('watched_urls.id'))
    .addColumn('crawl_id', id, (column) => column.notNull())
    .addColumn('checked_at', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('http_status', 'integer')
    .addColumn('detail', 'text', (column) => column.notNull().defaultTo(''))
    // JSON: the hashes that still match the case, and the fetch's headers and address.
    .addColumn('evidence', 'text', (column) => column.notNull().defaultTo('{}'))
    .addUniqueConstraint('url_checks_unique', ['watched_url_id', 'crawl_id'])
    .execute();
  await appendOnly(db, dialect, 'url_checks');
  // Videos the crawler met, kept for video hashing (vPDQ) to fetch and match.
  await idColumn(db, 'crawl_videos')
    .addColumn('crawl_id', id, (column) => column.notNull().references('crawls.id').onDelete('cascade'))
    .addColumn('page_url', 'text', (column) => column.notNull())
    .addColumn('video_url', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addUniqueConstraint('crawl_videos_unique', ['crawl_id', 'page_url', 'video_url'])
    .execute();
}
