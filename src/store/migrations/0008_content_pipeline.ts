import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { MigrationTools } from './tools.js';

export async function up(db: Kysely<unknown>, _tools: MigrationTools): Promise<void> {
  // What each item matched, so an analyst decides item by item and only what was judged is banked.
  await db.schema
    .alterTable('report_media')
    .addColumn('matches', 'text', (column) => column.notNull().defaultTo('[]'))
    .execute();
  // A repeat of the same content from the same source adds an occurrence to the open report
  // instead of a report of its own: `repeat_key` names source, reporter and content.
  await db.schema
    .alterTable('reports')
    .addColumn('repeat_key', 'text', (column) => column.notNull().defaultTo(''))
    .execute();
  await db.schema
    .alterTable('reports')
    .addColumn('occurrences', 'integer', (column) => column.notNull().defaultTo(1))
    .execute();
  await db.schema
    .alterTable('reports')
    .addColumn('last_seen_at', 'text', (column) => column.notNull().defaultTo(''))
    .execute();
  // JSON: the platform references of the repeats (the first ones, bounded).
  await db.schema
    .alterTable('reports')
    .addColumn('occurrence_references', 'text', (column) => column.notNull().defaultTo('[]'))
    .execute();
  await sql`update reports set last_seen_at = created_at`.execute(db);
  await db.schema.createIndex('reports_repeat_key').on('reports').columns(['repeat_key', 'id']).execute();
}
