import type { Kysely } from 'kysely';
import type { MigrationTools } from './tools.js';

export async function up(db: Kysely<unknown>, { id, idColumn }: MigrationTools): Promise<void> {
  // A crawl: its seeds and options as given, where it stands, and running totals (updated in the
  // same transaction that finishes each URL, so they never disagree with the frontier).
  await idColumn(db, 'crawls')
    .addColumn('seeds', 'text', (column) => column.notNull())
    .addColumn('options', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('pages_fetched', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('pages_failed', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('media_fetched', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('media_failed', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('matches', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('reports_filed', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('created_by', 'text', (column) => column.notNull().defaultTo(''))
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .execute();
  // The frontier: one row per normalised URL per crawl, claimed under a lease like a job.
  await idColumn(db, 'crawl_urls')
    .addColumn('crawl_id', id, (column) => column.notNull().references('crawls.id').onDelete('cascade'))
    .addColumn('url', 'text', (column) => column.notNull())
    .addColumn('host', 'text', (column) => column.notNull())
    .addColumn('depth', 'integer', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('priority', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('attempts', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (column) => column.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('error', 'text', (column) => column.notNull().defaultTo(''))
    .addColumn('http_status', 'integer')
    .addColumn('final_url', 'text', (column) => column.notNull().defaultTo(''))
    .addColumn('discovered_from', 'text', (column) => column.notNull().defaultTo(''))
    .addColumn('fetched_at', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addUniqueConstraint('crawl_urls_unique', ['crawl_id', 'url'])
    .execute();
  await db.schema
    .createIndex('crawl_urls_ready')
    .on('crawl_urls')
    .columns(['crawl_id', 'status', 'priority desc', 'id'])
    .execute();
  // Per host of a crawl: robots.txt as fetched, and when the next request may start (politeness
  // that survives a restart).
  await db.schema
    .createTable('crawl_hosts')
    .addColumn('crawl_id', id, (column) => column.notNull().references('crawls.id').onDelete('cascade'))
    .addColumn('host', 'text', (column) => column.notNull())
    .addColumn('robots_status', 'integer')
    .addColumn('robots_txt', 'text')
    .addColumn('robots_fetched_at', 'text')
    .addColumn('next_allowed_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('crawl_hosts_key', ['crawl_id', 'host'])
    .execute();
  // What the crawler reported: one report per page and media, whatever crawl or restart finds it.
  await idColumn(db, 'crawl_findings')
    .addColumn('crawl_id', id, (column) => column.notNull().references('crawls.id').onDelete('cascade'))
    .addColumn('page_url', 'text', (column) => column.notNull())
    .addColumn('media_url', 'text', (column) => column.notNull())
    .addColumn('sha256', 'text', (column) => column.notNull())
    .addColumn('report_id', id)
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addUniqueConstraint('crawl_findings_unique', ['page_url', 'sha256'])
    .execute();
}
