import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { MigrationTools } from './tools.js';

export async function up(db: Kysely<unknown>, _tools: MigrationTools): Promise<void> {
  // URLs admitted to the frontier, kept with each admission: counting them cost a scan per page.
  await db.schema
    .alterTable('crawls')
    .addColumn('urls_admitted', 'integer', (column) => column.notNull().defaultTo(0))
    .execute();
  await sql`update crawls set urls_admitted = (select count(*) from crawl_urls where crawl_urls.crawl_id = crawls.id)`.execute(
    db,
  );
}
